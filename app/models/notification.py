"""The outbox of domain events, the notifications they become, and the ledger that stops repeats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import Output


class OutboxEvent(SQLModel, table=True):
    """Written in the same transaction as the change it describes, so neither can exist without the other."""

    __tablename__ = "outbox_event"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40)
    subject_type: str = Field(max_length=16)
    subject_id: int = Field(index=True)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
    processed_at: datetime | None = Field(default=None, index=True)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)


class Notification(SQLModel, table=True):
    """One push in one recipient's inbox. `held_reason` says why it came later than its event, if it did."""

    __table_args__ = (Index("ix_notification_recipient", "recipient_role", "recipient_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient_role: str = Field(max_length=16)
    recipient_id: int
    event_id: int | None = Field(default=None, foreign_key="outbox_event.id", index=True)
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rank: int = 0
    score: float | None = None
    vacancy_id: int | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    visible_at: datetime = Field(default_factory=utcnow, index=True)
    held_reason: str | None = Field(default=None, max_length=32)
    read_at: datetime | None = None


class HeldPush(SQLModel, table=True):
    """A seeker's push waiting out quiet hours or the daily cap. It becomes a notification when released,
    so notification ids keep the order in which the recipient could see them (the stream resumes by id)."""

    __tablename__ = "held_push"

    id: int | None = Field(default=None, primary_key=True)
    seeker_id: int = Field(foreign_key="seeker.id", index=True)
    event_id: int | None = Field(default=None, foreign_key="outbox_event.id")
    kind: str = Field(max_length=40)
    title: str = Field(max_length=200)
    body: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rank: int = 0
    score: float | None = None
    vacancy_id: int | None = None
    reason: str = Field(max_length=32)
    release_at: datetime = Field(index=True)
    created_at: datetime = Field(default_factory=utcnow)


class PushLedger(SQLModel, table=True):
    """Which version of a job each seeker has been pushed: the same job twice only when it changed."""

    __tablename__ = "push_ledger"
    __table_args__ = (UniqueConstraint("seeker_id", "vacancy_id"),)

    id: int | None = Field(default=None, primary_key=True)
    seeker_id: int = Field(foreign_key="seeker.id", index=True)
    vacancy_id: int = Field(foreign_key="vacancy.id")
    version: str = Field(max_length=64)
    pushed_at: datetime = Field(default_factory=utcnow)


class NotificationPublic(Output):
    id: int
    kind: str
    title: str
    body: dict[str, Any]
    rank: int
    score: float | None
    vacancy_id: int | None
    created_at: datetime
    visible_at: datetime
    read_at: datetime | None
