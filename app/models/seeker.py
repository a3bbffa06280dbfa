"""Job seekers registered by stations, and the views each audience is allowed to see."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field as PField
from pydantic import StringConstraints
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import Name, Output, RegionCode, ShortText, Skill, StrictInput

SeekerStatus = Literal["active", "placed", "inactive"]
# Quiet hours are whole minutes of the Asia/Shanghai day.
HHMM = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class Seeker(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    name: str = Field(max_length=60)
    # Sensitive numbers are stored encrypted; the fingerprint (keyed hash) finds duplicates and the
    # masked form is what every response shows.
    id_number_enc: str
    id_fingerprint: str = Field(unique=True, max_length=64)
    id_masked: str = Field(max_length=18)
    phone_enc: str
    phone_masked: str = Field(max_length=11)
    birth_date: date
    sex: str = Field(max_length=8)
    origin_code: str = Field(foreign_key="region.code", index=True, max_length=16)
    registered_poor: bool = Field(default=False, index=True)
    poverty_evidence_ref: str | None = Field(default=None, max_length=120)
    poverty_verified_on: date | None = None
    skills: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    certificates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    preferred_districts: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    expected_pay: int | None = None
    available_from: date | None = None
    status: str = Field(default="active", max_length=16, index=True)
    consent_matching: bool = False
    consent_matching_at: datetime | None = None
    consent_push: bool = False
    consent_push_at: datetime | None = None
    family_id: int | None = Field(default=None, foreign_key="family.id", index=True)
    # Quiet hours in Asia/Shanghai local time, "HH:MM"; pushes inside them wait until the end.
    quiet_start: str = Field(default="22:00", max_length=5)
    quiet_end: str = Field(default="07:00", max_length=5)
    created_at: datetime = Field(default_factory=utcnow)
    # Watched by the matching index to pick up changes from any process.
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class SeekerCreate(StrictInput):
    name: Name
    id_number: str
    phone: str
    origin_code: RegionCode
    registered_poor: bool = False
    poverty_evidence_ref: ShortText | None = None
    poverty_verified_on: date | None = None
    skills: list[Skill] = PField(default_factory=list, max_length=20)
    certificates: list[ShortText] = PField(default_factory=list, max_length=20)
    preferred_districts: list[RegionCode] = PField(default_factory=list, max_length=10)
    expected_pay: int | None = PField(default=None, ge=0, le=200000)
    available_from: date | None = None
    consent_matching: bool = False
    consent_push: bool = False


class SeekerUpdate(StrictInput):
    """Identity (ID number, hence birth date and sex) is fixed once registered."""

    name: Name | None = None
    phone: str | None = None
    origin_code: RegionCode | None = None
    registered_poor: bool | None = None
    poverty_evidence_ref: ShortText | None = None
    poverty_verified_on: date | None = None
    skills: list[Skill] | None = PField(default=None, max_length=20)
    certificates: list[ShortText] | None = PField(default=None, max_length=20)
    preferred_districts: list[RegionCode] | None = PField(default=None, max_length=10)
    expected_pay: int | None = PField(default=None, ge=0, le=200000)
    available_from: date | None = None
    status: SeekerStatus | None = None
    consent_matching: bool | None = None
    consent_push: bool | None = None
    quiet_start: HHMM | None = None
    quiet_end: HHMM | None = None


class SeekerSelfUpdate(StrictInput):
    """What a seeker may change from the phone: preferences, quiet hours and consent, not identity or status."""

    quiet_start: HHMM | None = None
    quiet_end: HHMM | None = None
    preferred_districts: list[RegionCode] | None = PField(default=None, max_length=10)
    expected_pay: int | None = PField(default=None, ge=0, le=200000)
    available_from: date | None = None
    consent_matching: bool | None = None
    consent_push: bool | None = None


class SeekerPublic(Output):
    """The station's and the seeker's own view: numbers masked."""

    id: int
    station_id: int
    name: str
    id_number: str = PField(validation_alias="id_masked")
    phone: str = PField(validation_alias="phone_masked")
    birth_date: date
    sex: str
    origin_code: str
    registered_poor: bool
    poverty_evidence_ref: str | None
    poverty_verified_on: date | None
    skills: list[Skill]
    certificates: list[str]
    preferred_districts: list[str]
    expected_pay: int | None
    available_from: date | None
    status: str
    consent_matching: bool
    consent_matching_at: datetime | None
    consent_push: bool
    consent_push_at: datetime | None
    family_id: int | None
    quiet_start: str
    quiet_end: str
    created_at: datetime
    updated_at: datetime


class SeekerIdentity(Output):
    """The owning station's explicit full read; every one is audited."""

    id: int
    name: str
    id_number: str
    phone: str


class SeekerForEmployer(Output):
    """What an employer may know: no ID number, no phone, no registered-poor status, no sex."""

    id: int
    display_name: str
    age: int
    origin_code: str
    origin_name: str | None = None
    skills: list[Skill]
    certificates: list[str]
    family_kind: str | None = None
