"""Idempotency keys: the first attempt of a POST and, once it has finished, the response to replay."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.clock import utcnow


class IdempotencyRecord(SQLModel, table=True):
    """One (caller, key). The unique constraint is what lets only one of two simultaneous first attempts run."""

    __tablename__ = "idempotency_key"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    # SHA-256 of the bearer token: the same hash the api_key table keeps, never the token itself.
    scope: str = Field(max_length=64)
    key: str = Field(max_length=255)
    # SHA-256 over method, path with query, and body (a multipart body by its parts, not its boundary).
    fingerprint: str = Field(max_length=64)
    state: str = Field(default="in_progress", max_length=16)  # in_progress, done
    # A random token naming the attempt that holds an in-progress key; an abandoned one may be taken over.
    owner: str = Field(max_length=32)
    locked_until: datetime
    status_code: int | None = None
    # Status headers and body, encrypted with the vault: responses may carry personal data or new keys.
    response_enc: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    response_kept: bool = True
    created_at: datetime = Field(default_factory=utcnow, index=True)
    completed_at: datetime | None = None
