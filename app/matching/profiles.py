"""Plain, immutable inputs and outputs of the matching engine.

The service builds these from database rows; nothing here knows about the database. Every field is
what the engine needs to decide and explain a match, nothing more: names and ID numbers never enter.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from app.matching.taxonomy import parse_level

__all__ = [
    "POST_KINDS",
    "EmployerProfile",
    "FamilyMatch",
    "FamilyProfile",
    "Match",
    "MatchPart",
    "Placement",
    "SeekerProfile",
    "SkillClaim",
    "VacancyProfile",
    "normalise_certificate",
    "skill_claims",
]

# Family-post kinds a vacancy can offer (亲情岗位). A family of kind "other" accepts any of them.
POST_KINDS: tuple[str, ...] = ("couple", "father_son", "brothers")

MAX_LEVEL = 5
MAX_YEARS = 99


@dataclass(frozen=True, slots=True)
class SkillClaim:
    """One skill as written by a seeker or an employer: free text, grade 0..5 (0 = not stated), years."""

    text: str
    level: int = 0
    years: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_LEVEL:
            raise ValueError(f"skill level must be 0..{MAX_LEVEL}, got {self.level}")
        if not 0 <= self.years <= MAX_YEARS:
            raise ValueError(f"skill years must be 0..{MAX_YEARS}, got {self.years}")


def skill_claims(rows: Iterable[Mapping[str, Any]]) -> tuple[SkillClaim, ...]:
    """Skills as stored in the database (``{"name", "level", "years"}``, level a word like 中级)."""
    claims = []
    for row in rows:
        level = row.get("level")
        claims.append(
            SkillClaim(
                text=str(row.get("name") or ""),
                level=level if isinstance(level, int) else parse_level(level),
                years=min(max(int(row.get("years") or 0), 0), MAX_YEARS),
            )
        )
    return tuple(claims)


@functools.lru_cache(maxsize=8192)
def normalise_certificate(name: str) -> str:
    """Certificates are compared by this key: full-width folded, case and spaces ignored."""
    return "".join(unicodedata.normalize("NFKC", name).lower().split())


@dataclass(frozen=True, slots=True)
class SeekerProfile:
    id: int
    station_id: int
    origin_code: str
    origin_parent_code: str | None
    registered_poor: bool
    skills: tuple[SkillClaim, ...]
    certificates: frozenset[str]
    preferred_districts: tuple[str, ...]
    expected_pay: int | None
    available_from: date | None
    active: bool
    consent_matching: bool
    family_id: int | None = None


@dataclass(frozen=True, slots=True)
class VacancyProfile:
    id: int
    employer_id: int
    occupation: str
    skills: tuple[SkillClaim, ...]
    certificates: frozenset[str]
    district_code: str
    latitude: float | None
    longitude: float | None
    pay_min: int
    pay_max: int
    caring_post: bool
    family_posts: Mapping[str, int]
    start_date: date | None
    # headcount minus hired
    open_places: int
    # status == "open" and still valid; the service decides validity, the engine only reads it
    is_open: bool

    def post_slots(self, kinds: Iterable[str]) -> int:
        return sum(max(int(self.family_posts.get(kind, 0) or 0), 0) for kind in kinds)

    @property
    def takes_applicants(self) -> bool:
        return self.is_open and self.open_places > 0


@dataclass(frozen=True, slots=True)
class EmployerProfile:
    id: int
    name: str
    district_code: str
    free_couple_dormitories: int = 0


@dataclass(frozen=True, slots=True)
class FamilyProfile:
    id: int
    kind: str
    member_ids: tuple[int, ...]
    must_stay_together: bool = True
    needs_couple_dormitory: bool = False

    @property
    def post_kinds(self) -> tuple[str, ...]:
        """The family-post kinds that can take this family."""
        return (self.kind,) if self.kind in POST_KINDS else POST_KINDS


class MatchPart(NamedTuple):
    key: str
    points: float
    max_points: float
    reason_zh: str


class Match(NamedTuple):
    """A scored seeker-vacancy pair. ``score`` is the sum of the parts, each rounded to 0.1."""

    seeker_id: int
    vacancy_id: int
    employer_id: int
    score: float
    parts: tuple[MatchPart, ...]
    # A caring post (爱心岗位) matched with a registered-poor seeker: ranked ahead of other posts.
    caring: bool = False

    @property
    def tenths(self) -> int:
        return round(self.score * 10)

    @property
    def reasons_zh(self) -> tuple[str, ...]:
        reasons = tuple(part.reason_zh for part in self.parts if part.reason_zh)
        if self.caring:
            return ("爱心岗位：优先录用建档立卡人员", *reasons)
        return reasons


class Placement(NamedTuple):
    seeker_id: int
    vacancy_id: int
    score: float


@dataclass(frozen=True, slots=True)
class FamilyMatch:
    family_id: int
    employer_id: int
    score: float
    assignment: tuple[Placement, ...]
    reasons_zh: tuple[str, ...]
    # Each member's own match at the assigned vacancy, with its breakdown.
    members: tuple[Match, ...] = field(default=())
