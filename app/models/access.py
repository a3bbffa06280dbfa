"""API keys, one-time enrolment codes for seekers' phones, and the audit trail of full reads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import Output, ShortText, StrictInput

Role = Literal["admin", "station", "employer", "seeker"]


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    # Only a SHA-256 of the key is kept; the key itself is shown once at creation.
    key_hash: str = Field(unique=True, max_length=64)
    prefix: str = Field(max_length=16)
    role: str = Field(max_length=16)
    label: str | None = Field(default=None, max_length=120)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    employer_id: int | None = Field(default=None, foreign_key="employer.id", index=True)
    seeker_id: int | None = Field(default=None, foreign_key="seeker.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None


class ApiKeyCreate(StrictInput):
    role: Literal["admin", "station", "employer"]
    station_id: int | None = None
    employer_id: int | None = None
    label: ShortText | None = None


class ApiKeyPublic(Output):
    id: int
    prefix: str
    role: str
    label: str | None
    station_id: int | None
    employer_id: int | None
    seeker_id: int | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyIssued(ApiKeyPublic):
    key: str


class EnrolmentCode(SQLModel, table=True):
    __tablename__ = "enrolment_code"

    id: int | None = Field(default=None, primary_key=True)
    seeker_id: int = Field(foreign_key="seeker.id", index=True)
    code_hash: str = Field(unique=True, max_length=64)
    expires_at: datetime
    used_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class EnrolmentCodeIssued(Output):
    code: str
    expires_at: datetime


class EnrolRequest(StrictInput):
    code: ShortText


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    api_key_id: int | None = Field(default=None, foreign_key="api_key.id")
    actor_role: str = Field(max_length=16)
    actor_id: int | None = None
    action: str = Field(max_length=60, index=True)
    subject_type: str = Field(max_length=32)
    subject_id: int | None = Field(default=None, index=True)
    detail: str | None = Field(default=None, max_length=500)


class AuditEventPublic(Output):
    id: int
    at: datetime
    actor_role: str
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: int | None
    detail: str | None
