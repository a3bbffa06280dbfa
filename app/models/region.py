"""Regions (GB/T 2260) and the pairings between Ningbo districts and origin regions."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from app.models.common import Name, Output, RegionCode, StrictInput

RegionLevel = Literal["province", "prefecture", "county", "district"]
RegionRole = Literal["origin", "workplace", "none"]


class Region(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=16)
    name: str = Field(max_length=60)
    level: str = Field(max_length=16)
    parent_code: str | None = Field(default=None, foreign_key="region.code", index=True, max_length=16)
    role: str = Field(max_length=16, index=True)
    latitude: float | None = None
    longitude: float | None = None


class RegionCreate(StrictInput):
    code: RegionCode
    name: Name
    level: RegionLevel
    parent_code: RegionCode | None = None
    role: RegionRole
    latitude: float | None = PField(default=None, ge=3, le=54)
    longitude: float | None = PField(default=None, ge=73, le=136)


class RegionPublic(Output):
    code: str
    name: str
    level: str
    parent_code: str | None
    role: str
    latitude: float | None
    longitude: float | None


class Pairing(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    district_code: str = Field(foreign_key="region.code", index=True, max_length=16)
    origin_code: str = Field(foreign_key="region.code", index=True, max_length=16)
    valid_from: date
    valid_to: date | None = None


class PairingCreate(StrictInput):
    district_code: RegionCode
    origin_code: RegionCode
    valid_from: date
    valid_to: date | None = None


class PairingUpdate(StrictInput):
    valid_to: date | None = None


class PairingPublic(Output):
    id: int
    district_code: str
    origin_code: str
    valid_from: date
    valid_to: date | None
