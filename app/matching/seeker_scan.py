"""Vacancy → top seekers over a million of them: bucket by bucket, best bound first, stop early.

The posting buckets of every occupation related to the vacancy's are visited in order of an upper
bound on the score any entry in them can reach (the best claim points the bucket's relatedness allows,
the location points of the bucket — full for seekers preferring the vacancy's district, half for those
without a preference, none for the rest — and every other part at its maximum). Once ``k`` seekers are
held, a bucket whose bound is below the k-th score cannot change the answer, nor can any after it.

A seeker's score is the maximum over their entries (their best claim), so entries are ranked directly
and duplicates of one seeker collapse to the best. In a bucket of another district, entries of
seekers who *also* prefer the vacancy's district are under-scored (no location points); their exact
twin sits in the vacancy district's bucket, whose bound is higher, so it was visited first.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from app.matching import points
from app.matching.columns import Columns
from app.matching.context import MatchContext
from app.matching.profiles import POST_KINDS, FamilyProfile, VacancyProfile, normalise_certificate
from app.matching.seeker_store import ELIGIBLE, FAMILY, NONE_BUCKET, POOR, SeekerStore
from app.matching.skills import Requirements, related_keys
from app.matching.vacancy_store import FamilyTable, kinds_of_code

__all__ = ["top_seeker_ids"]

I64 = npt.NDArray[np.int64]
_MAX_TENTHS = 1000
_ID_MASK = np.int64(0xFFFFFFFF)


class _Query:
    """Per-vacancy constants, each derived from the scalar rules in ``points.py``."""

    def __init__(
        self,
        store: SeekerStore,
        families: FamilyTable,
        vacancy: VacancyProfile,
        need: Requirements,
        ctx: MatchContext,
        employer_slots: dict[str, int],
        free_dorms: int,
    ) -> None:
        w = ctx.weights.tenths
        vocab = store.vocab
        self.store, self.families = store, families
        self.flags = ELIGIBLE | (POOR if vacancy.caring_post else 0)
        # Small tables in int16 (a score is at most 1000 tenths) and bounds in the columns' own int32:
        # mixed dtypes would make numpy convert whole columns on every bucket.
        self.pair = np.zeros(len(vocab.regions), dtype=np.int16)
        for code in ctx.paired_origins(vacancy.district_code):
            rid = vocab.regions.get(code)
            if rid is not None:
                self.pair[rid] = points.part_points(w.pairing, 100)
        self.pay_bounds = points.pay_bounds(vacancy.pay_min, vacancy.pay_max).astype(np.int32)
        self.pay_points = np.array([points.part_points(w.pay, p) for p in points.PAY_PCTS_BY_BOUND], np.int16)
        begins = max(vacancy.start_date or ctx.today, ctx.today).toordinal()
        self.start_bounds = np.array([begins + step for step in points.START_GAP_STEPS], dtype=np.int32)
        self.start_points = np.array([points.part_points(w.start, p) for p in points.START_GAP_PCTS], np.int16)
        self.family_default = points.part_points(w.family, 100)
        self.family_points, self.family_ok = _family_tables(
            w.family,
            tuple(vacancy.post_slots((kind,)) for kind in POST_KINDS),
            tuple(max(employer_slots.get(kind, 0), 0) for kind in POST_KINDS),
            min(free_dorms, 1),
        )
        self.cert_mask = np.uint64(vocab.cert_mask(vacancy.certificates))
        keys = sorted({normalise_certificate(name) for name in vacancy.certificates})
        # certificates beyond the 64 bits are checked against their holders instead
        self.overflow_keys = [key for key in keys if key not in vocab.cert_bits]
        self.n_req = len(need.others)
        self.cover_points = np.array(
            [points.cover_points(w.skills_cover, c, self.n_req) for c in range(self.n_req + 1)],
            dtype=np.int16,
        )
        self.required = [(vocab.find_kid(skill.key), level) for skill, level in need.others]
        # exact parts need the seeker rows (random access): worth bounding first
        self.costly = bool(self.n_req or self.cert_mask or self.overflow_keys)
        self.dbit = vocab.district_bit(vacancy.district_code)
        self.location = {
            "here": points.part_points(w.location, 100),
            "none": points.part_points(w.location, points.LOCATION_NO_PREFERENCE_PCT),
            "other": points.part_points(w.location, 0),
        }
        # Everything but the claim and the location, at its best.
        self.rest_max = (
            int(self.cover_points.max())
            + int(self.pair.max(initial=0))
            + int(self.pay_points.max())
            + int(self.start_points.max())
            + self.family_default
        )
        self.main_tenths, self.level, self.years = w.skills_main, need.level, need.years


@functools.lru_cache(maxsize=1024)
def _family_tables(
    weight: int, vacancy_slots: tuple[int, ...], employer_slots: tuple[int, ...], free_dorms: int
) -> tuple[npt.NDArray[np.int16], npt.NDArray[np.bool_]]:
    """Family points and admission by (kind code, must stay together, needs a dormitory)."""
    family_points = np.zeros((4, 2, 2), dtype=np.int16)
    family_ok = np.zeros((4, 2, 2), dtype=bool)
    for code in range(4):
        kinds = kinds_of_code(code)
        offered = sum(employer_slots[POST_KINDS.index(kind)] for kind in kinds)
        here = sum(vacancy_slots[POST_KINDS.index(kind)] for kind in kinds)
        for must in (0, 1):
            for dorm in (0, 1):
                family = FamilyProfile(0, kinds[0] if len(kinds) == 1 else "other", (), bool(must), bool(dorm))
                family_points[code, must, dorm] = points.part_points(
                    weight, points.family_pct(family, here, offered, free_dorms)
                )
                family_ok[code, must, dorm] = points.family_allowed(family, offered, free_dorms)
    family_points.flags.writeable = False
    family_ok.flags.writeable = False
    return family_points, family_ok


@functools.lru_cache(maxsize=4096)
def _claim_table(main_tenths: int, relatedness: int, level: int, years: int) -> tuple[npt.NDArray[np.int16], int]:
    """``claim_points`` by claim code (int16) and its maximum, for one requirement and relatedness."""
    table = points.claim_points_table(main_tenths, relatedness, level, years).astype(np.int16)
    table.flags.writeable = False
    return table, int(table.max())


def _exact(q: _Query, ids: I64, flags: npt.NDArray[np.uint8], bound: I64) -> tuple[I64, npt.NDArray[np.bool_]]:
    """Exact tenths (from the bounds, which count family and cover points at their best) and the
    admission of each entry: family points and constraints, certificates, other required skills."""
    store = q.store
    total = bound.copy()
    ok = np.ones(len(ids), dtype=bool)
    fam = np.flatnonzero(flags & FAMILY)
    if not (len(fam) or q.n_req or q.cert_mask or q.overflow_keys):
        return total, ok
    rows = store.rows(ids)
    if len(fam):
        present, kind, must, dorm = q.families.lookup(store.base["family"][rows[fam]])
        earned = np.where(present, q.family_points[kind, must, dorm], q.family_default)
        total[fam] += earned - q.family_default
        ok[fam] &= ~present | q.family_ok[kind, must, dorm]
    if q.cert_mask:
        ok &= (store.base["cmask"][rows] & q.cert_mask) == q.cert_mask
    for key in q.overflow_keys:
        ok &= np.isin(rows, store.holders(key))
    if q.n_req:
        covered = store.cover_counts(rows, q.required)
        total += q.cover_points[covered] - int(q.cover_points.max())
    return total, ok


def _rank(values: npt.NDArray[np.int32], bounds: npt.NDArray[np.int32]) -> npt.NDArray[np.int8]:
    """How many ``bounds`` lie strictly below each value: ``searchsorted(bounds, values)`` for a
    handful of bounds, but several times faster (no binary search, no branches)."""
    rank = (values > bounds[0]).view(np.int8)
    for bound in bounds[1:]:
        rank = rank + (values > bound).view(np.int8)
    return rank


# Above this many candidates in a bucket, the exact parts are first computed for the best bounds only,
# to learn a k-th score that rules most of the others out.
_EXACT_FIRST = 2048


def _score_bucket(q: _Query, bucket: Columns, table: npt.NDArray[np.int16], location: int, floor: int, k: int) -> I64:
    """Keys of the bucket's entries scoring at least ``floor`` tenths."""
    flags = bucket["flags"]
    bound = (
        table[bucket["code"]]
        + np.maximum(q.pair[bucket["origin"]], q.pair[bucket["parent"]])
        + q.pay_points[_rank(bucket["pay"], q.pay_bounds)]
        + q.start_points[_rank(bucket["avail"], q.start_bounds)]
        + (location + q.family_default + int(q.cover_points.max()))
    )
    # Bounds first (cover and family at their best), exact for the survivors.
    keep = np.flatnonzero(((flags & q.flags) == q.flags) & (bound >= floor))
    if len(keep) > _EXACT_FIRST and q.costly:
        best = keep[np.argpartition(-bound[keep], _EXACT_FIRST - 1)[:_EXACT_FIRST]]
        ids = bucket["id"][best].astype(np.int64)
        total, ok = _exact(q, ids, flags[best], bound[best].astype(np.int64))
        keys = np.sort(((_MAX_TENTHS - total[ok]) << 32) | ids[ok])
        _, first = np.unique(keys & _ID_MASK, return_index=True)
        if len(first) >= k:
            kth = _MAX_TENTHS - int(np.sort(keys[first])[k - 1] >> 32)
            keep = keep[bound[keep] >= kth]
    if not len(keep):
        return np.zeros(0, np.int64)
    ids = bucket["id"][keep].astype(np.int64)
    total, ok = _exact(q, ids, flags[keep], bound[keep].astype(np.int64))
    keep = np.flatnonzero(ok & (total >= floor))
    return ((_MAX_TENTHS - total[keep]) << 32) | ids[keep]


def top_seeker_ids(
    store: SeekerStore,
    families: FamilyTable,
    vacancy: VacancyProfile,
    need: Requirements,
    ctx: MatchContext,
    *,
    employer_slots: dict[str, int],
    free_dorms: int,
    k: int,
    min_tenths: int,
) -> list[tuple[int, int]]:
    """(id, tenths) of the best ``k`` seekers (score desc, id asc) scoring at least ``min_tenths``."""
    if k <= 0 or not vacancy.takes_applicants or need.main.key is None:
        return []
    q = _Query(store, families, vacancy, need, ctx, employer_slots, free_dorms)
    # Three bound levels per related occupation: its bucket of the vacancy's district, its bucket of
    # seekers without a preference, and its other districts' buckets (which share one bound).
    plan: list[tuple[int, int, str, int, npt.NDArray[np.int16]]] = []
    for key, relatedness in related_keys(need.main.key, ctx.taxonomy):
        kid = store.vocab.find_kid(key)
        if kid not in store.by_kid:
            continue
        table, best = _claim_table(q.main_tenths, relatedness, q.level, q.years)
        for where in ("here", "none", "other"):
            plan.append((-(best + q.location[where] + q.rest_max), len(plan), where, kid, table))
    plan.sort()
    held = np.zeros(0, dtype=np.int64)
    for neg_bound, _, where, kid, table in plan:
        kth = _MAX_TENTHS - int(held[k - 1] >> 32) if len(held) >= k else None
        if kth is not None and -neg_bound < kth:
            break
        for bit, bucket in store.by_kid[kid]:
            if (bit == q.dbit) != (where == "here") or (bit == NONE_BUCKET) != (where == "none"):
                continue
            if bucket.size == bucket.dead:
                continue
            kth = _MAX_TENTHS - int(held[k - 1] >> 32) if len(held) >= k else None
            keys = _score_bucket(q, bucket, table, q.location[where], max(min_tenths, kth or 0), k)
            if len(keys):
                held = _merge(held, keys, k)
    return [(int(key & _ID_MASK), _MAX_TENTHS - int(key >> 32)) for key in held]


def _merge(held: I64, keys: I64, k: int) -> I64:
    """The best ``k`` keys with one per seeker id, from what is held and a bucket's new keys."""
    take = min(len(keys), 2 * k)
    while True:
        part = keys[np.argpartition(keys, take - 1)[:take]] if take < len(keys) else keys
        merged = np.sort(np.concatenate([held, part]))
        _, first = np.unique(merged & _ID_MASK, return_index=True)
        unique = merged[np.sort(first)]
        # Enough distinct seekers among the new keys taken: nothing left behind can enter.
        if take >= len(keys) or len(np.unique(part & _ID_MASK)) >= k:
            return unique[:k]
        take = min(len(keys), take * 2)
