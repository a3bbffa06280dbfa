"""The reference scorer: one seeker, one vacancy, written to be read. It is the specification.

The fast index (``index.py``) must return exactly what scoring every pair here and sorting returns;
the property tests hold it to that.

Rules, in order:

Hard filters (the pair is no match at all, never scored around):
  1. the vacancy takes applicants: open (and valid) with at least one place left;
  2. the seeker is active and consents to matching;
  3. the seeker holds every certificate the vacancy requires;
  4. a caring post (爱心岗位) only takes registered-poor seekers;
  5. a seeker in a family that must stay together only matches where the employer offers the family's
     post kind (slots summed over its open vacancies) and, if needed, a free couple dormitory;
  6. the seeker has a skill of the vacancy's occupation or of a related one (relatedness > 0).
     A pair with no occupation in common is not a match, whatever its other points: a cook is not
     proposed for a welding job because he lives next door. This rule is what lets the index start
     from its occupation posting lists instead of every seeker.

Score 0..100, the sum of six parts, each ``weight * grade%`` rounded to 0.1 (see ``points.py``):
  skills   70 % for the best claim towards the vacancy's occupation (relatedness × credit × quality of
           level and years), 30 % for the share of the vacancy's other required skills covered;
  location vacancy district among the preferred ones 100 %, no preference 50 %, else 0 (the distance
           from home is shown, not scored: every origin is far from Ningbo);
  pairing  100 % when the district is paired with the seeker's county or with its whole prefecture;
  pay      expectation ≤ pay_min 100 %, within the range 60 %, ≤ 110 % of pay_max 20 %, not stated 50 %;
  start    can start by the start date 100 %, ≤ 14 days late 50 %, ≤ 30 days 20 %;
  family   no family 100 %; this vacancy has the family's post kind 100 %, another vacancy of the
           employer has it 60 %, none 0; 0 if a needed couple dormitory is not free.

Order: caring posts matched with a registered-poor seeker first (a sort key, not points: the 100
points stay comparable between posts), then score descending, then id ascending.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from app.matching import points, reasons
from app.matching.context import MatchContext
from app.matching.families import (
    choose_assignment,
    employer_takes_family,
    family_match,
    rank_family_matches,
)
from app.matching.profiles import (
    EmployerProfile,
    FamilyMatch,
    FamilyProfile,
    Match,
    MatchPart,
    SeekerProfile,
    VacancyProfile,
    normalise_certificate,
)
from app.matching.skills import key_relatedness, relation_reason, requirements, resolve_skill

__all__ = [
    "Population",
    "family_slots_by_employer",
    "rank_matches_for_seeker",
    "rank_matches_for_vacancy",
    "reference_top_employers_for_family",
    "reference_top_seekers",
    "reference_top_vacancies",
    "score_pair",
]

NO_SLOTS: Mapping[str, int] = MappingProxyType({})


def score_pair(
    seeker: SeekerProfile,
    vacancy: VacancyProfile,
    ctx: MatchContext,
    *,
    employer: EmployerProfile | None,
    family: FamilyProfile | None = None,
    employer_slots: Mapping[str, int] = NO_SLOTS,
) -> Match | None:
    """Score one pair, or None when a hard filter fails.

    ``family`` is the seeker's family (or None); ``employer_slots`` the employer's family-post slots
    by kind, summed over its vacancies that take applicants (see ``family_slots_by_employer``).
    """
    if family is not None and family.id != seeker.family_id:
        raise ValueError(f"family {family.id} is not seeker {seeker.id}'s family")
    weights = ctx.weights.tenths
    taxonomy = ctx.taxonomy
    free_dorms = employer.free_couple_dormitories if employer is not None else 0

    # -- hard filters --
    if not vacancy.takes_applicants:
        return None
    if not (seeker.active and seeker.consent_matching):
        return None
    if vacancy.certificates:
        held = {normalise_certificate(name) for name in seeker.certificates}
        if any(normalise_certificate(name) not in held for name in vacancy.certificates):
            return None
    if vacancy.caring_post and not seeker.registered_poor:
        return None
    kinds = family.post_kinds if family is not None else ()
    offered = sum(max(employer_slots.get(kind, 0), 0) for kind in kinds)
    if not points.family_allowed(family, offered, free_dorms):
        return None

    # -- skills: the best claim towards the vacancy's occupation --
    need = requirements(vacancy, taxonomy)
    if need.main.key is None:
        return None
    claims = [(claim, resolve_skill(claim.text, taxonomy)) for claim in seeker.skills]
    best = None
    best_points = -1
    for claim, resolved in claims:
        if resolved.key is None:
            continue
        relatedness = key_relatedness(resolved.key, need.main.key, taxonomy)
        if relatedness <= 0:
            continue
        quality = points.quality(claim.level, claim.years, need.level, need.years)
        earned = points.claim_points(weights.skills_main, relatedness, resolved.credit, quality)
        if earned > best_points:  # the first of equally good claims explains the match
            best, best_points = (claim, resolved, relatedness), earned
    if best is None:
        return None  # rule 6: no occupation in common
    claim, resolved, relatedness = best
    assert resolved.key is not None
    covered = []
    missing = []
    for skill, level in need.others:
        if any(r.key == skill.key and c.level >= level for c, r in claims):
            covered.append(skill)
        else:
            missing.append((skill, level))
    skills_tenths = best_points + points.cover_points(weights.skills_cover, len(covered), len(need.others))
    skills_reason = reasons.skills_reason(
        vacancy_skill=need.main,
        claim=claim,
        resolved=resolved,
        relatedness=relatedness,
        relation=relation_reason(resolved.key, need.main.key, taxonomy) if relatedness < 100 else None,
        required_level=need.level,
        required_years=need.years,
        covered=covered,
        missing=missing,
        # By wording, not by object: a profile decoded from the index holds equal claims that are other
        # objects, and the explanation must not depend on which copy it got.
        unrecognised=list(
            dict.fromkeys(c.text for c, r in claims if r.method == "unknown" and c.text != claim.text)
        ),
    )

    # -- location: preferred districts; the distance from home is shown, not scored --
    district = ctx.name(vacancy.district_code)
    has_preferences = bool(seeker.preferred_districts)
    preferred = vacancy.district_code in seeker.preferred_districts
    location_tenths = points.part_points(weights.location, points.location_pct(has_preferences, preferred))
    km = ctx.distance_km(seeker.origin_code, vacancy.district_code, vacancy.latitude, vacancy.longitude)

    # -- pairing (结对帮扶): the county's own pairing, else its prefecture's --
    paired = ctx.pairing_origin(vacancy.district_code, seeker.origin_code, seeker.origin_parent_code)
    pairing_tenths = points.part_points(weights.pairing, 100 if paired else 0)

    # -- pay, start, family --
    pay_pct = points.pay_pct(seeker.expected_pay, vacancy.pay_min, vacancy.pay_max)
    start_pct = points.start_pct(seeker.available_from, vacancy.start_date, ctx.today)
    vacancy_slots = vacancy.post_slots(kinds)
    family_pct = points.family_pct(family, vacancy_slots, offered, free_dorms)
    pay_tenths = points.part_points(weights.pay, pay_pct)
    start_tenths = points.part_points(weights.start, start_pct)
    family_tenths = points.part_points(weights.family, family_pct)

    origin = ctx.name(seeker.origin_code)
    parts = (
        MatchPart("skills", skills_tenths / 10, weights.skills / 10, skills_reason),
        MatchPart(
            "location",
            location_tenths / 10,
            weights.location / 10,
            reasons.location_reason(district, has_preferences, preferred, km),
        ),
        MatchPart(
            "pairing",
            pairing_tenths / 10,
            weights.pairing / 10,
            reasons.pairing_reason(district, origin, ctx.name(paired) if paired else None),
        ),
        MatchPart(
            "pay",
            pay_tenths / 10,
            weights.pay / 10,
            reasons.pay_reason(seeker.expected_pay, vacancy.pay_min, vacancy.pay_max, pay_pct),
        ),
        MatchPart(
            "start",
            start_tenths / 10,
            weights.start / 10,
            reasons.start_reason(seeker.available_from, vacancy.start_date, ctx.today, start_pct),
        ),
        MatchPart(
            "family",
            family_tenths / 10,
            weights.family / 10,
            reasons.family_reason(family, vacancy_slots, offered, free_dorms, family_pct),
        ),
    )
    total = skills_tenths + location_tenths + pairing_tenths + pay_tenths + start_tenths + family_tenths
    return Match(
        seeker_id=seeker.id,
        vacancy_id=vacancy.id,
        employer_id=vacancy.employer_id,
        score=total / 10,
        parts=parts,
        caring=vacancy.caring_post,
    )


# --- rankings over a whole population ---------------------------------------------------------------


@dataclass
class Population:
    """Everything the reference ranks over; the tests and the benchmark fill it directly."""

    seekers: dict[int, SeekerProfile] = field(default_factory=dict)
    vacancies: dict[int, VacancyProfile] = field(default_factory=dict)
    employers: dict[int, EmployerProfile] = field(default_factory=dict)
    families: dict[int, FamilyProfile] = field(default_factory=dict)

    def family_of(self, seeker: SeekerProfile) -> FamilyProfile | None:
        return self.families.get(seeker.family_id) if seeker.family_id is not None else None


def family_slots_by_employer(vacancies: Iterable[VacancyProfile]) -> dict[int, dict[str, int]]:
    """Family-post slots per employer and kind, over the vacancies that take applicants."""
    slots: dict[int, dict[str, int]] = {}
    for vacancy in vacancies:
        if not vacancy.takes_applicants:
            continue
        mine = slots.setdefault(vacancy.employer_id, {})
        for kind, count in vacancy.family_posts.items():
            mine[kind] = mine.get(kind, 0) + max(int(count or 0), 0)
    return slots


def _score(
    pop: Population,
    ctx: MatchContext,
    seeker: SeekerProfile,
    vacancy: VacancyProfile,
    slots: Mapping[int, Mapping[str, int]],
) -> Match | None:
    return score_pair(
        seeker,
        vacancy,
        ctx,
        employer=pop.employers.get(vacancy.employer_id),
        family=pop.family_of(seeker),
        employer_slots=slots.get(vacancy.employer_id, NO_SLOTS),
    )


def _passes(match: Match | None, min_score: float) -> bool:
    return match is not None and match.score >= min_score


def rank_matches_for_vacancy(matches: Iterable[Match]) -> list[Match]:
    return sorted(matches, key=lambda m: (not m.caring, -m.tenths, m.seeker_id))


def rank_matches_for_seeker(matches: Iterable[Match], k: int, per_employer: int) -> list[Match]:
    """Best first, at most ``per_employer`` per employer (0 = no cap), at most ``k``."""
    chosen: list[Match] = []
    taken: dict[int, int] = {}
    for match in sorted(matches, key=lambda m: (not m.caring, -m.tenths, m.vacancy_id)):
        if len(chosen) >= k:
            break
        if per_employer > 0 and taken.get(match.employer_id, 0) >= per_employer:
            continue
        taken[match.employer_id] = taken.get(match.employer_id, 0) + 1
        chosen.append(match)
    return chosen


def reference_top_seekers(
    pop: Population, ctx: MatchContext, vacancy_id: int, k: int = 50, min_score: float = 0.0
) -> list[Match]:
    vacancy = pop.vacancies[vacancy_id]
    slots = family_slots_by_employer(pop.vacancies.values())
    matches = [_score(pop, ctx, seeker, vacancy, slots) for seeker in pop.seekers.values()]
    return rank_matches_for_vacancy(m for m in matches if m is not None and _passes(m, min_score))[:k]


def reference_top_vacancies(
    pop: Population,
    ctx: MatchContext,
    seeker_id: int,
    k: int = 20,
    min_score: float = 0.0,
    per_employer: int | None = None,
) -> list[Match]:
    seeker = pop.seekers[seeker_id]
    slots = family_slots_by_employer(pop.vacancies.values())
    matches = [_score(pop, ctx, seeker, vacancy, slots) for vacancy in pop.vacancies.values()]
    cap = ctx.per_employer if per_employer is None else per_employer
    return rank_matches_for_seeker((m for m in matches if m is not None and _passes(m, min_score)), k, cap)


def reference_count_vacancies(pop: Population, ctx: MatchContext, seeker: SeekerProfile, min_score: float) -> int:
    """How many vacancies the seeker matches at ``min_score`` or more (for "what would raise my score")."""
    slots = family_slots_by_employer(pop.vacancies.values())
    return sum(_passes(_score(pop, ctx, seeker, v, slots), min_score) for v in pop.vacancies.values())


def reference_top_employers_for_family(
    pop: Population, ctx: MatchContext, family_id: int, k: int = 10, min_score: float = 0.0
) -> list[FamilyMatch]:
    family = pop.families[family_id]
    members = tuple(sorted(set(family.member_ids)))
    if any(member not in pop.seekers for member in members):
        return []
    slots = family_slots_by_employer(pop.vacancies.values())
    by_employer: dict[int, list[VacancyProfile]] = {}
    for vacancy in pop.vacancies.values():
        by_employer.setdefault(vacancy.employer_id, []).append(vacancy)
    found: list[FamilyMatch] = []
    for employer_id, vacancies in by_employer.items():
        employer = pop.employers.get(employer_id)
        mine = slots.get(employer_id, NO_SLOTS)
        free_dorms = employer.free_couple_dormitories if employer is not None else 0
        if employer is None or not employer_takes_family(family, mine, free_dorms):
            continue
        matches: dict[tuple[int, int], Match] = {}
        options: dict[int, list[tuple[int, int]]] = {member: [] for member in members}
        for member in members:
            for vacancy in vacancies:
                match = _score(pop, ctx, pop.seekers[member], vacancy, slots)
                if match is not None:
                    matches[(member, vacancy.id)] = match
                    options[member].append((match.tenths, vacancy.id))
        places = {vacancy.id: vacancy.open_places for vacancy in vacancies}
        chosen = choose_assignment(members, options, places, exhaustive=True)
        if chosen is None:
            continue
        member_matches = tuple(matches[(member, vacancy_id)] for member, vacancy_id, _ in chosen)
        result = family_match(family, employer, mine, member_matches, _labels(pop, ctx, member_matches))
        if result.score >= min_score:
            found.append(result)
    return rank_family_matches(found)[:k]


def _labels(pop: Population, ctx: MatchContext, matches: Sequence[Match]) -> dict[int, str]:
    return {m.vacancy_id: requirements(pop.vacancies[m.vacancy_id], ctx.taxonomy).main.label for m in matches}
