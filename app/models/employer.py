"""Employers in Ningbo's districts."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import LongText, Name, Output, RegionCode, ShortText, StrictInput


class Employer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=120)
    credit_code: str = Field(unique=True, max_length=18)
    district_code: str = Field(foreign_key="region.code", index=True, max_length=16)
    address: str | None = Field(default=None, max_length=500)
    latitude: float | None = None
    longitude: float | None = None
    verified: bool = False
    couple_dormitories: int = 0
    couple_dormitories_used: int = 0
    contact_name: str | None = Field(default=None, max_length=60)
    contact_phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    # Watched by the matching index to pick up changes from any process.
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class EmployerCreate(StrictInput):
    name: ShortText
    credit_code: str
    district_code: RegionCode
    address: LongText | None = None
    latitude: float | None = PField(default=None, ge=28.5, le=30.5)
    longitude: float | None = PField(default=None, ge=120.5, le=122.5)
    verified: bool = False
    couple_dormitories: int = PField(default=0, ge=0, le=10000)
    contact_name: Name | None = None
    contact_phone: str | None = None


class EmployerUpdate(StrictInput):
    """What an employer may change about itself; `verified` is the bureau's decision only."""

    address: LongText | None = None
    latitude: float | None = PField(default=None, ge=28.5, le=30.5)
    longitude: float | None = PField(default=None, ge=120.5, le=122.5)
    couple_dormitories: int | None = PField(default=None, ge=0, le=10000)
    contact_name: Name | None = None
    contact_phone: str | None = None


class EmployerAdminUpdate(EmployerUpdate):
    name: ShortText | None = None
    district_code: RegionCode | None = None
    verified: bool | None = None


class EmployerPublic(Output):
    id: int
    name: str
    credit_code: str
    district_code: str
    address: str | None
    latitude: float | None
    longitude: float | None
    verified: bool
    couple_dormitories: int
    couple_dormitories_used: int
    contact_name: str | None
    contact_phone: str | None
