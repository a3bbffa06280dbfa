"""What would raise my score: the few changes that open the most doors for one seeker.

Candidates are what open vacancies actually ask for: a certificate they require, one grade more in a
skill the seeker has (中级 instead of 初级), or a skill they demand that the seeker lacks (learnt at
初级; with the occupation's licence when it needs one, e.g. a forklift licence for 叉车司机). Each is
tried on a copy of the seeker and counted with the same scorer that ranks matches: the number of open
vacancies it adds at or above the threshold. Scores never fall by adding a skill, grade or
certificate, so "added" is simply after minus before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Literal

from app.matching.profiles import SeekerProfile, SkillClaim, VacancyProfile, normalise_certificate
from app.matching.reasons import level_name
from app.matching.skills import SkillKey, requirements, resolve_skill
from app.matching.taxonomy import Taxonomy

__all__ = ["Demand", "Improvement", "demand_of", "suggest_improvements"]

# How many of the most demanded certificates and skills are tried; each try is one count.
MAX_CERTIFICATE_CANDIDATES = 8
MAX_SKILL_CANDIDATES = 10
_KIND_ORDER = {"certificate": 0, "level": 1, "skill": 2}

Kind = Literal["certificate", "level", "skill"]


@dataclass(frozen=True, slots=True)
class Improvement:
    kind: Kind
    label_zh: str
    # open vacancies this change adds to the seeker's matches at or above the threshold
    added: int
    skill: str | None = None
    level: int | None = None
    certificate: str | None = None


@dataclass(frozen=True, slots=True)
class Demand:
    """What the vacancies taking applicants ask for, with how many ask (most asked first)."""

    # (certificate as written, number of vacancies)
    certificates: tuple[tuple[str, int], ...]
    # (skill text that resolves to the key, licence or None, number of vacancies)
    skills: tuple[tuple[str, str | None, int], ...]


def demand_of(vacancies: Iterable[VacancyProfile], taxonomy: Taxonomy) -> Demand:
    certificates: Counter[str] = Counter()
    certificate_names: dict[str, str] = {}
    skills: Counter[SkillKey] = Counter()
    skill_texts: dict[SkillKey, tuple[str, str | None]] = {}
    for vacancy in vacancies:
        if not vacancy.takes_applicants:
            continue
        for name in vacancy.certificates:
            key = normalise_certificate(name)
            certificate_names.setdefault(key, name)
            certificates[key] += 1
        need = requirements(vacancy, taxonomy)
        for skill in (need.main, *(other for other, _ in need.others)):
            if skill.key is None:
                continue
            skills[skill.key] += 1
            if skill.occupation is not None:
                skill_texts.setdefault(skill.key, (skill.occupation.name, skill.occupation.licence))
            else:
                skill_texts.setdefault(skill.key, (skill.text, None))
    top_certificates = sorted(certificates.items(), key=lambda item: (-item[1], item[0]))
    top_skills = sorted(skills.items(), key=lambda item: (-item[1], skill_texts[item[0]][0]))
    return Demand(
        certificates=tuple((certificate_names[key], count) for key, count in top_certificates),
        skills=tuple((*skill_texts[key], count) for key, count in top_skills),
    )


def _candidates(seeker: SeekerProfile, demand: Demand, taxonomy: Taxonomy) -> list[tuple[Improvement, SeekerProfile]]:
    found: list[tuple[Improvement, SeekerProfile]] = []
    held = {normalise_certificate(name) for name in seeker.certificates}
    for name, _ in [c for c in demand.certificates if normalise_certificate(c[0]) not in held][
        :MAX_CERTIFICATE_CANDIDATES
    ]:
        found.append(
            (
                Improvement("certificate", f"取得{name}", 0, certificate=name),
                replace(seeker, certificates=seeker.certificates | {name}),
            )
        )
    # One grade more in each recognised skill (the best-graded claim of each occupation).
    best_claim: dict[SkillKey, int] = {}
    for index, claim in enumerate(seeker.skills):
        resolved = resolve_skill(claim.text, taxonomy)
        if resolved.key is None or resolved.occupation is None:
            continue
        if resolved.key not in best_claim or seeker.skills[best_claim[resolved.key]].level < claim.level:
            best_claim[resolved.key] = index
    for index in sorted(best_claim.values()):
        claim = seeker.skills[index]
        if claim.level >= 5:
            continue
        occupation = resolve_skill(claim.text, taxonomy).label
        new_level = claim.level + 1
        label = (
            f"{occupation}从{level_name(claim.level)}提升到{level_name(new_level)}"
            if claim.level
            else f"{occupation}取得{level_name(new_level)}等级"
        )
        skills = (*seeker.skills[:index], replace(claim, level=new_level), *seeker.skills[index + 1 :])
        found.append(
            (
                Improvement("level", label, 0, skill=occupation, level=new_level),
                replace(seeker, skills=skills),
            )
        )
    has = {resolve_skill(claim.text, taxonomy).key for claim in seeker.skills}
    tried = 0
    for text, licence, _ in demand.skills:
        if tried >= MAX_SKILL_CANDIDATES:
            break
        if resolve_skill(text, taxonomy).key in has:
            continue
        tried += 1
        changed = replace(seeker, skills=(*seeker.skills, SkillClaim(text, 1, 0)))
        label = f"学会{text}（初级）"
        certificate = None
        if licence and normalise_certificate(licence) not in held:
            changed = replace(changed, certificates=changed.certificates | {licence})
            label += f"并取得{licence}"
            certificate = licence
        found.append((Improvement("skill", label, 0, skill=text, level=1, certificate=certificate), changed))
    return found


def suggest_improvements(
    seeker: SeekerProfile,
    demand: Demand,
    count: Callable[[SeekerProfile], int],
    taxonomy: Taxonomy,
    limit: int = 3,
) -> list[Improvement]:
    """Up to ``limit`` changes that add the most matches; ``count`` counts a profile's matches at or
    above the threshold (the index's or the reference's, with identical results)."""
    base = count(seeker)
    scored = []
    for improvement, changed in _candidates(seeker, demand, taxonomy):
        added = count(changed) - base
        if added > 0:
            scored.append(replace(improvement, added=added))
    scored.sort(key=lambda i: (-i.added, _KIND_ORDER[i.kind], i.label_zh))
    return scored[:limit]
