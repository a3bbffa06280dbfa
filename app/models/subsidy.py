"""Employer subsidy rules (稳岗补贴、职介补贴、实习补贴) as data: the policy is configured, never coded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field as PField
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import LongText, Output, RegionCode, ShortText, StrictInput

SubsidyKind = Literal["job_retention", "job_introduction", "internship", "other"]
KIND_ZH = {"job_retention": "稳岗补贴", "job_introduction": "职介补贴", "internship": "实习补贴", "other": "其他补贴"}


class SubsidyRule(SQLModel, table=True):
    __tablename__ = "subsidy_rule"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    kind: str = Field(max_length=32)
    # Example rules ship with the demo; reports mark every amount they produce as an example.
    is_example: bool = False
    requires_registered_poor: bool = True
    # 0: qualifies on arrival (e.g. a job-introduction subsidy); 90: stable for three months.
    min_stable_days: int = 90
    # Origin regions (prefectures or counties) whose workers qualify; empty means any origin.
    origin_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    caring_post_only: bool = False
    amount_per_person: int
    valid_from: date
    valid_to: date | None = None
    active: bool = True
    note: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)


class SubsidyRuleCreate(StrictInput):
    name: ShortText
    kind: SubsidyKind
    is_example: bool = False
    requires_registered_poor: bool = True
    min_stable_days: int = PField(default=90, ge=0, le=730)
    origin_codes: list[RegionCode] = PField(default_factory=list, max_length=50)
    caring_post_only: bool = False
    amount_per_person: int = PField(ge=0, le=1_000_000)
    valid_from: date
    valid_to: date | None = None
    active: bool = True
    note: LongText | None = None


class SubsidyRuleUpdate(StrictInput):
    name: ShortText | None = None
    amount_per_person: int | None = PField(default=None, ge=0, le=1_000_000)
    valid_to: date | None = None
    active: bool | None = None
    note: LongText | None = None


class SubsidyRulePublic(Output):
    id: int
    name: str
    kind: str
    is_example: bool
    requires_registered_poor: bool
    min_stable_days: int
    origin_codes: list[str]
    caring_post_only: bool
    amount_per_person: int
    valid_from: date
    valid_to: date | None
    active: bool
    note: str | None


class SubsidyWorker(Output):
    placement_id: int
    seeker_id: int
    name: str
    id_number: str
    origin_code: str
    arrived_on: date
    qualified_on: date
    rule_id: int
    rule_name: str
    kind: str
    is_example: bool
    amount: int


class EmployerSubsidy(Output):
    employer_id: int
    employer_name: str
    credit_code: str
    workers: list[SubsidyWorker]
    total_amount: int


class SubsidyReport(Output):
    period_start: date
    period_end: date
    employers: list[EmployerSubsidy]
    total_amount: int
    includes_example_rules: bool
    notice: str
