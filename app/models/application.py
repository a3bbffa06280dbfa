"""Applications to vacancies, the family groups that apply as one, and the history of every transition."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field as PField
from sqlmodel import Field, SQLModel

from app.clock import utcnow
from app.models.common import LongText, Output, StrictInput
from app.models.seeker import SeekerForEmployer

ApplicationStatus = Literal["applied", "shortlisted", "offered", "hired", "arrived", "rejected", "withdrawn",
                            "no_show"]
TargetStatus = Literal["shortlisted", "offered", "hired", "arrived", "rejected", "withdrawn", "no_show"]


class ApplicationGroup(SQLModel, table=True):
    """A family applying as one: its members' applications move together and are hired whole or not at all."""

    __tablename__ = "application_group"

    id: int | None = Field(default=None, primary_key=True)
    # Kept when the family is later dissolved: the group's applications stay together in the record.
    family_id: int | None = Field(default=None, foreign_key="family.id", index=True, ondelete="SET NULL")
    employer_id: int = Field(foreign_key="employer.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    # The family post (亲情岗位) the family takes when hired: the first of its vacancies offering its kind.
    family_post_kind: str | None = Field(default=None, max_length=16)
    family_post_vacancy_id: int | None = Field(default=None, foreign_key="vacancy.id")
    needs_couple_dormitory: bool = False
    # What hiring actually took, so that a withdrawal or a departure gives back exactly that.
    family_post_taken: bool = False
    dormitory_taken: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class Application(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    seeker_id: int = Field(foreign_key="seeker.id", index=True)
    vacancy_id: int = Field(foreign_key="vacancy.id", index=True)
    # Copied from the vacancy and the seeker so that ownership and filters need no join.
    employer_id: int = Field(foreign_key="employer.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    group_id: int | None = Field(default=None, foreign_key="application_group.id", index=True)
    status: str = Field(default="applied", max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=500)
    start_date: date | None = None
    arrived_on: date | None = None
    source: str = Field(max_length=16)  # seeker (the app), relative (a member applied for its family), station, admin
    created_at: datetime = Field(default_factory=utcnow, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class ApplicationEvent(SQLModel, table=True):
    """One transition: who moved the application, from what to what, when and why."""

    __tablename__ = "application_event"

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16, index=True)
    reason: str | None = Field(default=None, max_length=500)
    start_date: date | None = None
    actor_role: str = Field(max_length=16)
    actor_id: int | None = None
    at: datetime = Field(default_factory=utcnow)


class ApplicationCreate(StrictInput):
    vacancy_id: int
    # A station names its seeker; a seeker applying from the app applies for itself and leaves it out.
    seeker_id: int | None = None


class FamilyMemberChoice(StrictInput):
    seeker_id: int
    vacancy_id: int


class FamilyApplicationCreate(StrictInput):
    family_id: int
    members: list[FamilyMemberChoice] = PField(min_length=2, max_length=4)


class TransitionRequest(StrictInput):
    to: TargetStatus
    reason: LongText | None = None
    start_date: date | None = None
    arrived_on: date | None = None


class ApplicationEventPublic(Output):
    from_status: str | None
    to_status: str
    reason: str | None
    start_date: date | None
    actor_role: str
    actor_id: int | None
    at: datetime


class ApplicationPublic(Output):
    id: int
    seeker_id: int
    vacancy_id: int
    employer_id: int
    station_id: int
    group_id: int | None
    family_id: int | None = None
    status: str
    reason: str | None
    start_date: date | None
    arrived_on: date | None
    source: str
    created_at: datetime
    updated_at: datetime
    vacancy_title: str | None = None
    employer_name: str | None = None
    placement_id: int | None = None
    # The transitions this caller may make next.
    allowed: list[str] = PField(default_factory=list)
    history: list[ApplicationEventPublic] = PField(default_factory=list)
    # Only for the employer: what it may know about the applicant.
    candidate: SeekerForEmployer | None = None
