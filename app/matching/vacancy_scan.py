"""Seeker → vacancies, vectorised: every vacancy the seeker matches, with its exact score in tenths.

Candidates come from the occupation postings of every occupation related to one of the seeker's
claims (rule 6 of the reference: no occupation in common, no match). Each part is the reference's
integer rule applied to whole columns; ``points.py`` holds the rules, the tests check the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.matching import points
from app.matching.context import MatchContext
from app.matching.profiles import SeekerProfile, normalise_certificate
from app.matching.skills import related_keys, resolve_skill
from app.matching.vacancy_store import VacancyStore

__all__ = ["VacancyHits", "scan_vacancies"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class VacancyHits:
    rows: npt.NDArray[np.int64]
    tenths: I64
    caring: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls) -> VacancyHits:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool))

    def __len__(self) -> int:
        return len(self.rows)


def _skill_points(store: VacancyStore, seeker: SeekerProfile, ctx: MatchContext) -> tuple[I64, I64]:
    """(vacancy rows taking applicants, best claim points) over every related occupation."""
    vocab, taxonomy = store.vocab, ctx.taxonomy
    main_tenths = ctx.weights.tenths.skills_main
    wanted: dict[int, set[tuple[int, int, int, int]]] = {}
    for claim in seeker.skills:
        resolved = resolve_skill(claim.text, taxonomy)
        if resolved.key is None:
            continue
        for key, relatedness in related_keys(resolved.key, taxonomy):
            kid = vocab.kid(key)
            if kid in store.postings:
                wanted.setdefault(kid, set()).add((relatedness, resolved.credit, claim.level, claim.years))
    takes, rq = store.col("takes"), store.col("rq")
    all_rows, all_points = [], []
    for kid, claims in wanted.items():
        rows = store.postings[kid].view
        rows = rows[takes[rows] == 1]
        if not len(rows):
            continue
        codes = rq[rows]
        best: I64 | None = None
        for relatedness, credit, level, years in claims:
            earned = points.claim_points_by_requirement(main_tenths, relatedness, credit, level, years)[codes]
            best = earned if best is None else np.maximum(best, earned)
        all_rows.append(rows.astype(np.int64))
        assert best is not None
        all_points.append(best)
    if not all_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(all_rows), np.concatenate(all_points)


def _cover_counts(store: VacancyStore, seeker: SeekerProfile, rows: I64, ctx: MatchContext) -> I64:
    """How many of each vacancy's other required skills the seeker covers (same key, level enough)."""
    best_level: dict[int, int] = {}
    for claim in seeker.skills:
        kid = store.vocab.kid(resolve_skill(claim.text, ctx.taxonomy).key)
        if kid:
            best_level[kid] = max(best_level.get(kid, 0), claim.level)
    scratch = store.scratch
    touched = []
    for kid, level in best_level.items():
        found = store.required.get(kid)
        if found is None:
            continue
        req_rows, req_levels = found
        hit = req_rows.view[req_levels.view <= level]
        # A vacancy lists each other skill once, so no row repeats within ``hit``.
        scratch[hit] += 1
        touched.append(hit)
    counts = scratch[rows].astype(np.int64)
    for hit in touched:
        scratch[hit] = 0
    return counts


def scan_vacancies(store: VacancyStore, seeker: SeekerProfile, ctx: MatchContext) -> VacancyHits:
    if not (seeker.active and seeker.consent_matching):
        return VacancyHits.empty()
    rows, main = _skill_points(store, seeker, ctx)
    if not len(rows):
        return VacancyHits.empty()
    w = ctx.weights.tenths
    vocab = store.vocab
    col = store.col

    # -- hard filters --
    ok = np.ones(len(rows), dtype=bool)
    held = vocab.cert_mask(seeker.certificates)
    ok &= (col("cmask")[rows] & np.uint64(~held & (2**64 - 1))) == 0
    overflow = np.flatnonzero(col("overflow")[rows] == 1)
    if len(overflow):
        mine = {normalise_certificate(name) for name in seeker.certificates}
        for i in overflow:
            needed = store.overflow_certs.get(int(rows[i]), frozenset())
            ok[i] &= all(normalise_certificate(name) in mine for name in needed)
    caring = col("caring")[rows] == 1
    if not seeker.registered_poor:
        ok &= ~caring
    family = store.families.get(seeker.family_id)
    employer = col("employer")[rows]
    if family is not None:
        kinds = family.post_kinds
        vacancy_slots = sum(np.maximum(col(kind)[rows], 0).astype(np.int64) for kind in kinds)
        employer_slots = sum(store.employers.slots[kind].raw[employer].astype(np.int64) for kind in kinds)
        free = store.employers.free.raw[employer].astype(np.int64)
        if family.must_stay_together:
            ok &= (employer_slots >= 1) & ((free >= 1) | (not family.needs_couple_dormitory))
        no_dorm = (free < 1) & family.needs_couple_dormitory
        family_pct = np.where(no_dorm, 0, np.where(vacancy_slots >= 1, 100, np.where(employer_slots >= 1, 60, 0)))
        family_points = points.part_points_array(w.family, family_pct)
    else:
        family_points = np.full(len(rows), points.part_points(w.family, 100), dtype=np.int64)
    keep = np.flatnonzero(ok)
    rows, main, caring, family_points = rows[keep], main[keep], caring[keep], family_points[keep]

    # -- skills: other required skills covered --
    n_req = col("n_req")[rows].astype(np.int64)
    if n_req.any():
        covered = _cover_counts(store, seeker, rows, ctx)
        cover = np.where(
            n_req == 0, w.skills_cover, (2 * w.skills_cover * covered + n_req) // (2 * np.maximum(n_req, 1))
        )
    else:
        cover = np.full(len(rows), w.skills_cover, dtype=np.int64)

    # -- location and pairing, by district --
    has_preferences = bool(seeker.preferred_districts)
    if has_preferences:
        mask = vocab.district_mask(seeker.preferred_districts)
        preferred = (np.uint64(mask) >> col("dbit")[rows].astype(np.uint64)) & np.uint64(1)
        location = np.where(preferred == 1, points.part_points(w.location, 100), points.part_points(w.location, 0))
    else:
        location = np.full(len(rows), points.part_points(w.location, points.LOCATION_NO_PREFERENCE_PCT))
    paired = np.zeros(len(vocab.regions), dtype=np.int64)
    origins = {seeker.origin_code, seeker.origin_parent_code}
    for district, origin in ctx.pairings:
        rid = vocab.regions.get(district)
        if origin in origins and rid is not None:
            paired[rid] = w.pairing
    pairing = paired[col("district")[rows]]

    # -- pay and start --
    pay_min = col("pay_min")[rows].astype(np.int64)
    pay_max = col("pay_max")[rows].astype(np.int64)
    if seeker.expected_pay is None:
        pay = np.full(len(rows), points.part_points(w.pay, points.PAY_NOT_STATED_PCT), dtype=np.int64)
    else:
        pay = points.part_points_array(w.pay, points.pay_pct_array(seeker.expected_pay, pay_min, pay_max))
    today = ctx.today.toordinal()
    ready = max(seeker.available_from.toordinal() if seeker.available_from else today, today)
    gap = ready - np.maximum(col("start")[rows].astype(np.int64), today)
    start = points.part_points_array(w.start, points.start_pct_array(gap))

    total = main + cover + location + pairing + pay + start + family_points
    return VacancyHits(rows=rows, tenths=total.astype(np.int64), caring=caring)
