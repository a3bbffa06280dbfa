"""Families (亲情岗位 groups): 2 to 4 seekers of one station who want to work together."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import FamilyKind, Output, StrictInput


class Family(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    kind: str = Field(max_length=16, index=True)
    must_stay_together: bool = True
    needs_couple_dormitory: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    # Watched by the matching index to pick up changes from any process.
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class FamilyCreate(StrictInput):
    kind: FamilyKind
    member_ids: list[int] = PField(min_length=2, max_length=4)
    must_stay_together: bool = True
    needs_couple_dormitory: bool = False


class FamilyUpdate(StrictInput):
    member_ids: list[int] | None = PField(default=None, min_length=2, max_length=4)
    must_stay_together: bool | None = None
    needs_couple_dormitory: bool | None = None


class FamilyPublic(Output):
    id: int
    station_id: int
    kind: str
    must_stay_together: bool
    needs_couple_dormitory: bool
    member_ids: list[int]
    created_at: datetime
