"""Webhook endpoints of station and employer systems, the messages queued for them, and every attempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field as PField
from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import Output, ShortText, StrictInput

WebhookEventType = Literal[
    "match.vacancy_shortlist",  # employer: ranked shortlist for its vacancy
    "match.station_digest",  # station: its matched seekers and families, ranked
    "match.seeker_jobs",  # station: top vacancies for a newly registered seeker or family
    "application.changed",  # placements: a state change of an application
    "placement.changed",  # a worker left (status "left") or reached day 90, stable employment ("stable")
]
MessageStatus = Literal["pending", "delivered", "dead"]


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoint"

    id: int | None = Field(default=None, primary_key=True)
    owner_role: str = Field(max_length=16)
    owner_id: int = Field(index=True)
    url: str = Field(max_length=2000)
    event_types: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    description: str | None = Field(default=None, max_length=200)
    # Secrets are encrypted with the vault: the worker needs them in clear to sign.
    secret_enc: str = Field(sa_column=Column(Text, nullable=False))
    previous_secret_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    previous_secret_expires_at: datetime | None = None
    disabled_at: datetime | None = None
    disabled_reason: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow)


class WebhookEndpointCreate(StrictInput):
    url: str = PField(min_length=8, max_length=2000)
    event_types: list[WebhookEventType] = PField(min_length=1)
    description: ShortText | None = None


class WebhookEndpointUpdate(StrictInput):
    url: str | None = PField(default=None, min_length=8, max_length=2000)
    event_types: list[WebhookEventType] | None = PField(default=None, min_length=1)
    description: ShortText | None = None
    enabled: bool | None = None


class WebhookEndpointPublic(Output):
    id: int
    owner_role: str
    owner_id: int
    url: str
    event_types: list[str]
    description: str | None
    disabled_at: datetime | None
    disabled_reason: str | None
    previous_secret_expires_at: datetime | None
    created_at: datetime


class WebhookEndpointWithSecret(WebhookEndpointPublic):
    secret: str


class WebhookMessage(SQLModel, table=True):
    __tablename__ = "webhook_message"
    # The worker's claim reads pending messages by due time; delivered ones pile up and must not be scanned.
    __table_args__ = (Index("ix_webhook_message_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    # The Standard Webhooks `webhook-id`: the same on every retry so receivers can de-duplicate.
    message_id: str = Field(unique=True, max_length=40)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    event_type: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=500)


class WebhookMessagePublic(Output):
    id: int
    message_id: str
    endpoint_id: int
    event_type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None


class Requeued(Output):
    """How many messages a bulk redelivery queued again."""

    queued: int


class WebhookAttempt(SQLModel, table=True):
    __tablename__ = "webhook_attempt"

    id: int | None = Field(default=None, primary_key=True)
    message_pk: int = Field(foreign_key="webhook_message.id", index=True)
    endpoint_id: int = Field(foreign_key="webhook_endpoint.id", index=True)
    at: datetime = Field(default_factory=utcnow)
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = Field(default=None, max_length=500)
    worker: str | None = Field(default=None, max_length=64)


class WebhookAttemptPublic(Output):
    id: int
    message_pk: int
    at: datetime
    status_code: int | None
    latency_ms: float | None
    error: str | None
