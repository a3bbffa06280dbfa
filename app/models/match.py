"""What the matching endpoints answer: a score, its breakdown with Chinese reasons, and who or what."""

from __future__ import annotations

from pydantic import BaseModel

from app.models.seeker import SeekerForEmployer


class MatchPartOut(BaseModel):
    key: str
    points: float
    max_points: float
    reason_zh: str


class VacancyBrief(BaseModel):
    id: int
    title: str
    occupation: str
    employer_id: int
    employer_name: str
    district_code: str
    district_name: str | None
    pay_min: int
    pay_max: int
    housing: bool
    meals: bool
    caring_post: bool
    family_posts: dict[str, int]
    couple_dormitory: bool


class SeekerMatch(BaseModel):
    """A vacancy for a seeker."""

    rank: int
    score: float
    caring: bool
    parts: list[MatchPartOut]
    reasons: list[str]
    vacancy: VacancyBrief


class CandidateMatch(BaseModel):
    """A seeker for an employer's vacancy, in the employer's view."""

    rank: int
    score: float
    caring: bool
    parts: list[MatchPartOut]
    reasons: list[str]
    seeker: SeekerForEmployer


class FamilyPlacementOut(BaseModel):
    seeker_id: int
    vacancy_id: int
    vacancy_title: str
    score: float


class FamilyMatchOut(BaseModel):
    rank: int
    score: float
    employer_id: int
    employer_name: str
    district_code: str
    couple_dormitories_free: int
    reasons: list[str]
    assignment: list[FamilyPlacementOut]


class ImprovementOut(BaseModel):
    kind: str
    label_zh: str
    added_vacancies: int
