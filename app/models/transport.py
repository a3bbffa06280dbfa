"""Charter batches (包车、包专列、包机): hired workers of one station travelling together to one district."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import Output, StrictInput

TransportMode = Literal["bus", "train", "flight"]
BatchStatus = Literal["planned", "departed", "arrived"]


class TransportBatch(SQLModel, table=True):
    __tablename__ = "transport_batch"

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    mode: str = Field(max_length=16)
    district_code: str = Field(foreign_key="region.code", max_length=16, index=True)
    window_start: date
    window_end: date
    depart_on: date
    capacity: int
    status: str = Field(default="planned", max_length=16, index=True)
    departed_at: datetime | None = None
    arrived_at: datetime | None = None
    arrived_on: date | None = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class TransportPassenger(SQLModel, table=True):
    __tablename__ = "transport_passenger"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="transport_batch.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    seeker_id: int = Field(foreign_key="seeker.id", index=True)
    family_id: int | None = Field(default=None, foreign_key="family.id", ondelete="SET NULL")


class BatchPlanRequest(StrictInput):
    mode: TransportMode = "bus"
    # Hired workers whose start dates fall within this many days of each other may share a batch.
    window_days: int = PField(default=7, ge=1, le=31)
    start_from: date | None = None
    start_to: date | None = None
    # The bureau plans for a named station; a station always plans for itself.
    station_id: int | None = None


class BatchArrival(StrictInput):
    arrived_on: date | None = None


class PassengerPublic(Output):
    seeker_id: int
    name: str
    id_number: str
    phone: str
    sex: str
    family_id: int | None
    application_id: int
    application_status: str
    employer_name: str
    vacancy_title: str
    start_date: date | None


class BatchPublic(Output):
    id: int
    station_id: int
    mode: str
    district_code: str
    district_name: str | None = None
    window_start: date
    window_end: date
    depart_on: date
    capacity: int
    seats_taken: int
    status: str
    departed_at: datetime | None
    arrived_at: datetime | None
    arrived_on: date | None
    created_at: datetime
    passengers: list[PassengerPublic] = PField(default_factory=list)


class BatchPlanResult(Output):
    batches: list[BatchPublic]
    # Hired workers the plan could not seat, with why (a family larger than one vehicle).
    unplaced: list[dict[str, object]] = PField(default_factory=list)
