"""Vacancies, including caring posts (爱心岗位) and family posts (亲情岗位)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field as PField
from pydantic import ValidationInfo, field_validator
from sqlalchemy import JSON, Column, text
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import FamilyPosts, LongText, Output, RegionCode, ShortText, Skill, StrictInput
from app.validation.identity import InvalidValue

VacancyStatus = Literal["draft", "open", "paused", "filled", "closed", "expired"]
EditableStatus = Literal["draft", "open", "paused", "closed"]


class Vacancy(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    title: str = Field(max_length=120)
    occupation: str = Field(max_length=120, index=True)
    skills: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    certificates: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    headcount: int
    hired_count: int = 0
    district_code: str = Field(foreign_key="region.code", index=True, max_length=16)
    latitude: float | None = None
    longitude: float | None = None
    pay_min: int
    pay_max: int
    shifts: str | None = Field(default=None, max_length=120)
    housing: bool = False
    meals: bool = False
    caring_post: bool = Field(default=False, index=True)
    family_posts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Family-post slots taken by hired families, per kind; changed only under the hiring row lock.
    family_posts_used: dict[str, int] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )
    start_date: date | None = None
    valid_until: date
    status: str = Field(default="open", max_length=16, index=True)
    description: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    # Watched by the matching index to pick up changes from any process.
    updated_at: datetime = Field(default_factory=utcnow, index=True)


class _VacancyFields(StrictInput):
    title: ShortText
    occupation: ShortText
    skills: list[Skill] = PField(default_factory=list, max_length=20)
    certificates: list[ShortText] = PField(default_factory=list, max_length=10)
    headcount: int = PField(ge=1, le=10000)
    district_code: RegionCode
    latitude: float | None = PField(default=None, ge=28.5, le=30.5)
    longitude: float | None = PField(default=None, ge=120.5, le=122.5)
    pay_min: int = PField(ge=0, le=200000)
    pay_max: int = PField(ge=0, le=200000)
    shifts: ShortText | None = None
    housing: bool = False
    meals: bool = False
    caring_post: bool = False
    family_posts: FamilyPosts = PField(default_factory=FamilyPosts)
    start_date: date | None = None
    valid_until: date | None = None
    status: EditableStatus = "open"
    description: LongText | None = None

    @field_validator("pay_max")
    @classmethod
    def _pay_range(cls, pay_max: int, info: ValidationInfo) -> int:
        # A field validator, so the error names the field (pay_max) and the rule, as the update does.
        pay_min = info.data.get("pay_min")
        if pay_min is not None and pay_max < pay_min:
            raise InvalidValue("pay_range", "最高月薪不能低于最低月薪", "pay_max must not be below pay_min")
        return pay_max


class VacancyCreate(_VacancyFields):
    # Only the bureau names the employer; an employer's own key always posts for itself.
    employer_id: int | None = None


class VacancyUpdate(StrictInput):
    title: ShortText | None = None
    occupation: ShortText | None = None
    skills: list[Skill] | None = PField(default=None, max_length=20)
    certificates: list[ShortText] | None = PField(default=None, max_length=10)
    headcount: int | None = PField(default=None, ge=1, le=10000)
    district_code: RegionCode | None = None
    latitude: float | None = PField(default=None, ge=28.5, le=30.5)
    longitude: float | None = PField(default=None, ge=120.5, le=122.5)
    pay_min: int | None = PField(default=None, ge=0, le=200000)
    pay_max: int | None = PField(default=None, ge=0, le=200000)
    shifts: ShortText | None = None
    housing: bool | None = None
    meals: bool | None = None
    caring_post: bool | None = None
    family_posts: FamilyPosts | None = None
    start_date: date | None = None
    valid_until: date | None = None
    status: EditableStatus | None = None
    description: LongText | None = None


class VacancyPublic(Output):
    id: int
    employer_id: int
    title: str
    occupation: str
    skills: list[Skill]
    certificates: list[str]
    headcount: int
    hired_count: int
    district_code: str
    latitude: float | None
    longitude: float | None
    pay_min: int
    pay_max: int
    shifts: str | None
    housing: bool
    meals: bool
    caring_post: bool
    family_posts: FamilyPosts
    family_posts_used: dict[str, int] = PField(default_factory=dict)
    start_date: date | None
    valid_until: date
    status: str
    description: str | None
    created_at: datetime
    updated_at: datetime
