"""Skill text to comparable keys, through the taxonomy.

A key is the occupation id (a positive int) when the taxonomy recognises the text, exactly or by a
fuzzy guess. Text it cannot place at all keeps its own key, ``("text", normalised text)``: it is not
dropped, it matches the very same wording on the other side and nothing else.

Relatedness and credit are whole percentages, so every score built on them is integer arithmetic.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from typing import Literal

from app.matching.profiles import SkillClaim, VacancyProfile
from app.matching.taxonomy import Occupation, Taxonomy

__all__ = [
    "EXACT_CREDIT",
    "Requirements",
    "ResolvedSkill",
    "SkillKey",
    "key_relatedness",
    "related_keys",
    "requirements",
    "resolve_skill",
]

SkillKey = int | tuple[str, str]
Method = Literal["exact", "alias", "fuzzy", "unknown"]

EXACT_CREDIT = 100
# A fuzzy guess earns its confidence rounded down to a multiple of 10 %, never less than this.
MIN_FUZZY_CREDIT = 10


@dataclass(frozen=True, slots=True)
class ResolvedSkill:
    text: str
    key: SkillKey | None
    occupation: Occupation | None
    method: Method
    # % of the credit a sure match would earn: 100 for exact/alias/same wording, less for a guess.
    credit: int

    @property
    def label(self) -> str:
        return self.occupation.name if self.occupation is not None else self.text.strip()


def _normalise_text(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())


@functools.lru_cache(maxsize=65536)
def resolve_skill(text: str, taxonomy: Taxonomy) -> ResolvedSkill:
    resolution = taxonomy.resolve(text)
    if resolution.occupation is not None:
        credit = EXACT_CREDIT
        if resolution.method == "fuzzy":
            # confidence carries three decimals; integer maths avoids 0.7 * 10 = 6.999...
            credit = max(MIN_FUZZY_CREDIT, min(90, round(resolution.confidence * 1000) // 100 * 10))
        return ResolvedSkill(text, resolution.occupation.id, resolution.occupation, resolution.method, credit)
    normalised = _normalise_text(text)
    if not normalised:
        return ResolvedSkill(text, None, None, "unknown", 0)
    return ResolvedSkill(text, ("text", normalised), None, "unknown", EXACT_CREDIT)


def key_relatedness(a: SkillKey, b: SkillKey, taxonomy: Taxonomy) -> int:
    """How much of a match ``a`` is for ``b``, in whole percent (symmetric)."""
    if a == b:
        return 100
    if isinstance(a, int) and isinstance(b, int):
        return _occupation_relatedness(a, b, taxonomy)
    return 0


@functools.lru_cache(maxsize=131072)
def _occupation_relatedness(a: int, b: int, taxonomy: Taxonomy) -> int:
    return round(taxonomy.relatedness(taxonomy.by_id(a), taxonomy.by_id(b)) * 100)


@functools.lru_cache(maxsize=8192)
def related_keys(key: SkillKey, taxonomy: Taxonomy) -> tuple[tuple[SkillKey, int], ...]:
    """Every key with relatedness > 0 to ``key`` (itself first), with the relatedness in %."""
    if not isinstance(key, int):
        return ((key, 100),)
    found: list[tuple[SkillKey, int]] = [(key, 100)]
    for other in taxonomy:
        if other.id != key:
            pct = _occupation_relatedness(key, other.id, taxonomy)
            if pct > 0:
                found.append((other.id, pct))
    return tuple(found)


def relation_reason(a: SkillKey, b: SkillKey, taxonomy: Taxonomy) -> str | None:
    if isinstance(a, int) and isinstance(b, int):
        return taxonomy.relation_reason(taxonomy.by_id(a), taxonomy.by_id(b))
    return "同一工种" if a == b else None


@dataclass(frozen=True, slots=True)
class Requirements:
    """A vacancy's demands: its occupation (with the level and years asked for it) and other skills."""

    main: ResolvedSkill
    level: int
    years: int
    # Other required skills, one per key, with the highest level asked for that key.
    others: tuple[tuple[ResolvedSkill, int], ...]


def requirements(vacancy: VacancyProfile, taxonomy: Taxonomy) -> Requirements:
    return _requirements(vacancy.occupation, vacancy.skills, taxonomy)


@functools.lru_cache(maxsize=65536)
def _requirements(occupation: str, skills: tuple[SkillClaim, ...], taxonomy: Taxonomy) -> Requirements:
    main = resolve_skill(occupation, taxonomy)
    level = years = 0
    others: dict[SkillKey, tuple[ResolvedSkill, int]] = {}
    for claim in skills:
        resolved = resolve_skill(claim.text, taxonomy)
        if resolved.key is None:
            continue
        if resolved.key == main.key:
            # A skills row naming the vacancy's own occupation states its level and years.
            level, years = max(level, claim.level), max(years, claim.years)
        elif resolved.key not in others or others[resolved.key][1] < claim.level:
            first = others.get(resolved.key, (resolved, 0))[0]
            others[resolved.key] = (first, claim.level)
    return Requirements(main, level, years, tuple(others.values()))
