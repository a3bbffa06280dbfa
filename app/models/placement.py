"""Placements (from arrival on) and the check-ins of the responsible person (责任人) or the employer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import LongText, Output, ShortText, StrictInput

PlacementStatus = Literal["active", "left"]
Urgency = Literal["overdue", "due", "left"]


class Placement(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", unique=True)
    seeker_id: int = Field(foreign_key="seeker.id", index=True)
    vacancy_id: int = Field(foreign_key="vacancy.id", index=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="application_group.id", index=True)
    responsible_person_id: int | None = Field(default=None, foreign_key="responsible_person.id")
    arrived_on: date = Field(index=True)
    status: str = Field(default="active", max_length=16, index=True)
    left_on: date | None = None
    left_reason: str | None = Field(default=None, max_length=500)
    # Set by the worker in the transaction that records the day-90 event, so the event goes out once.
    stable_announced_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CheckIn(SQLModel, table=True):
    __tablename__ = "check_in"

    id: int | None = Field(default=None, primary_key=True)
    placement_id: int = Field(foreign_key="placement.id", index=True)
    checked_on: date
    outcome: str = Field(max_length=16)  # employed, left
    left_on: date | None = None
    reason: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=500)
    responsible_person_id: int | None = Field(default=None, foreign_key="responsible_person.id")
    actor_role: str = Field(max_length=16)
    actor_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class CheckInCreate(StrictInput):
    outcome: Literal["employed", "left"]
    checked_on: date | None = None
    left_on: date | None = None
    reason: ShortText | None = None
    note: LongText | None = None
    responsible_person_id: int | None = None


class CheckInPublic(Output):
    id: int
    checked_on: date
    outcome: str
    left_on: date | None
    reason: str | None
    note: str | None
    responsible_person_id: int | None
    actor_role: str
    created_at: datetime


class PlacementPublic(Output):
    id: int
    application_id: int
    seeker_id: int
    vacancy_id: int
    employer_id: int
    station_id: int
    group_id: int | None
    responsible_person_id: int | None
    arrived_on: date
    status: str
    left_on: date | None
    left_reason: str | None
    days_employed: int
    stable: bool
    stable_on: date
    stable_long: bool
    check_ins: list[CheckInPublic] = PField(default_factory=list)


class FollowUp(Output):
    """One call a station must make: a check-in due or overdue, or a worker who left and needs a new job."""

    urgency: Urgency
    placement_id: int
    seeker_id: int
    seeker_name: str
    phone: str
    employer_id: int
    employer_name: str
    vacancy_title: str
    arrived_on: date
    days_since_arrival: int
    checkpoint_day: int | None
    due_on: date | None
    days_overdue: int
    last_check_in_on: date | None
    left_on: date | None
    left_reason: str | None
    responsible_person: str | None
