"""Labour stations (劳务协作站) and their responsible persons (责任人)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import LongText, Name, Output, RegionCode, ShortText, StrictInput


class Station(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    name: str = Field(max_length=120)
    region_code: str = Field(foreign_key="region.code", index=True, max_length=16)
    contact_name: str | None = Field(default=None, max_length=60)
    contact_phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class ResponsiblePerson(SQLModel, table=True):
    __tablename__ = "responsible_person"

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    name: str = Field(max_length=60)
    phone: str | None = Field(default=None, max_length=20)
    active: bool = True


class ResponsiblePersonCreate(StrictInput):
    name: Name
    phone: str | None = None


class ResponsiblePersonPublic(Output):
    id: int
    name: str
    phone: str | None
    active: bool


class StationCreate(StrictInput):
    code: ShortText
    name: ShortText
    region_code: RegionCode
    contact_name: Name | None = None
    contact_phone: str | None = None
    address: LongText | None = None
    responsible_persons: list[ResponsiblePersonCreate] = PField(default_factory=list)


class StationUpdate(StrictInput):
    name: ShortText | None = None
    contact_name: Name | None = None
    contact_phone: str | None = None
    address: LongText | None = None


class StationPublic(Output):
    id: int
    code: str
    name: str
    region_code: str
    contact_name: str | None
    contact_phone: str | None
    address: str | None
    responsible_persons: list[ResponsiblePersonPublic] = PField(default_factory=list)
