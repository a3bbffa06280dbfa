"""Seeker → vacancies, vectorised, with the reference's exact score in tenths.

Candidates come from the occupation postings of every occupation related to one of the seeker's
claims (rule 6 of the reference: no occupation in common, no match). Postings are split by district and
by caring post, and each split has an upper bound on what its vacancies can score for this seeker: the
best claim points its occupation allows, the location points of its district (preferred or not), the
pairing points of its district, every other part at its maximum. Caring posts are skipped outright for
a seeker who is not registered poor (hard filter), and ranked first for one who is.

- ``scan_vacancies`` returns every hit at or above a floor (splits whose bound is below it are skipped);
- ``top_vacancies`` visits splits best bound first and stops once the k-th result cannot be beaten.

Each part is the reference's integer rule applied to whole columns (``points.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from app.matching import points
from app.matching.columns import Grow
from app.matching.context import MatchContext
from app.matching.profiles import SeekerProfile, normalise_certificate
from app.matching.skills import related_keys, resolve_skill
from app.matching.vacancy_store import VacancyStore

__all__ = ["VacancyHits", "VacancyQuery", "scan_vacancies", "top_vacancies", "vacancy_query"]

I64 = npt.NDArray[np.int64]
_MAX_TENTHS = 1000
_TIER_SHIFT, _SCORE_SHIFT = 43, 32


@dataclass(frozen=True, slots=True)
class VacancyHits:
    rows: I64
    tenths: I64
    caring: npt.NDArray[np.bool_]

    @classmethod
    def empty(cls) -> VacancyHits:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, bool))

    def __len__(self) -> int:
        return len(self.rows)

    def keys(self, ids: I64) -> I64:
        """Sort keys: caring posts first, then score descending, then vacancy id."""
        tier = (~self.caring).astype(np.int64)
        return (tier << _TIER_SHIFT) | ((_MAX_TENTHS - self.tenths) << _SCORE_SHIFT) | ids


# A posting split as (0 for caring posts else 1, -bound, sequence number, occupation kid, rows): plain
# tuples sort natively, caring posts first, then by bound; the sequence number keeps the sort from ever
# comparing rows. A query builds a few hundred of these, so their cost shows.
_Split = tuple[int, int, int, int, Grow]


class VacancyQuery:
    """The seeker's side of every rule, prepared once per query."""

    def __init__(self, store: VacancyStore, seeker: SeekerProfile, ctx: MatchContext) -> None:
        w = ctx.weights.tenths
        vocab, taxonomy = store.vocab, ctx.taxonomy
        self.store, self.seeker, self.w = store, seeker, w
        claims = []
        for claim in seeker.skills:
            resolved = resolve_skill(claim.text, taxonomy)
            if resolved.key is not None:
                claims.append((resolved.key, resolved.credit, claim.level, claim.years))
        self.claims = claims
        # per related occupation kid: relatedness to each claim (0 = unrelated)
        self.related: dict[int, list[int]] = {}
        for index, (key, *_rest) in enumerate(claims):
            for other, relatedness in related_keys(key, taxonomy):
                kid = vocab.find_kid(other)
                if kid in store.postings:
                    self.related.setdefault(kid, [0] * len(claims))[index] = relatedness
        self.quality = [points.quality_by_requirement(level, years) for _, _, level, years in claims]
        self.held = np.uint64(vocab.cert_mask(seeker.certificates))
        self.family = store.families.get(seeker.family_id)
        districts = vocab.districts.values
        preferred = set(seeker.preferred_districts)
        origins = {seeker.origin_code, seeker.origin_parent_code} - {None}
        paired = {district for district, origin in ctx.pairings if origin in origins}
        # location and pairing points by district bit
        if preferred:
            location = [points.part_points(w.location, 100 if d in preferred else 0) for d in districts]
        else:
            location = [points.part_points(w.location, points.LOCATION_NO_PREFERENCE_PCT)] * len(districts)
        self.location = np.array(location, dtype=np.int64)
        self.pairing = np.array([w.pairing if d in paired else 0 for d in districts], dtype=np.int64)
        self.rest_max = w.skills_cover + points.part_points(w.pay, 100) + points.part_points(w.start, 100) + w.family
        self.today = ctx.today.toordinal()
        # employer rows a family query is limited to (None = every employer)
        self.employers: npt.NDArray[np.bool_] | None = None
        self._best: dict[int, int] | None = None
        self._covered: npt.NDArray[np.uint8] | None = None

    def splits(self, floor: int) -> list[_Split]:
        """Every posting split that may hold a hit at ``floor`` or more, best bound first."""
        w = self.w
        location, pairing, rest = self.location.tolist(), self.pairing.tolist(), self.rest_max
        poor = self.seeker.registered_poor
        if self._best is None:
            # the most claim points each related occupation can give, whatever a vacancy asks for
            self._best = {
                kid: max(
                    int(points.claim_points_by_requirement(w.skills_main, rel, credit, level, years).max())
                    for rel, (_, credit, level, years) in zip(relatedness, self.claims, strict=True)
                )
                for kid, relatedness in self.related.items()
            }
        found: list[_Split] = []
        postings = self.store.postings
        for kid, best in self._best.items():
            top = best + rest
            for (dbit, caring), rows in postings[kid].items():
                if caring and not poor:
                    continue  # caring posts only take registered-poor seekers
                bound = top + location[dbit] + pairing[dbit]
                if bound >= floor and rows.size:
                    found.append((1 - caring, -bound, len(found), kid, rows))
        found.sort()
        return found

    def score(self, splits: list[_Split]) -> VacancyHits:
        """Exact tenths for every vacancy in ``splits`` that passes the hard filters."""
        store, w, seeker = self.store, self.w, self.seeker
        col = store.col
        rows = np.concatenate([split[4].view for split in splits]).astype(np.int64)
        kid_at = np.repeat(np.arange(len(splits)), [split[4].size for split in splits])
        takes = col("takes")[rows] == 1
        if self.employers is not None:
            takes &= self.employers[col("employer")[rows]]
        keep = np.flatnonzero(takes)
        rows, kid_at = rows[keep], kid_at[keep]
        if not len(rows):
            return VacancyHits.empty()

        # -- skills: the best claim towards each vacancy's occupation --
        codes = col("rq")[rows]
        main = np.zeros(len(rows), dtype=np.int64)
        for index, (_, credit, _, _) in enumerate(self.claims):
            relatedness = np.array([self.related[split[3]][index] for split in splits], np.int64)[kid_at]
            earned = (2 * (w.skills_main * credit * relatedness * self.quality[index][codes]) + 1_000_000) // (
                2_000_000
            )
            np.maximum(main, earned, out=main)

        # -- hard filters --
        required = col("cmask")[rows]
        ok = (required & ~self.held) == 0
        overflowing = np.flatnonzero(col("overflow")[rows] == 1)
        mine = {normalise_certificate(name) for name in seeker.certificates} if overflowing.size else set()
        for i in overflowing:
            needed = store.overflow_certs.get(int(rows[i]), frozenset())
            ok[i] &= all(normalise_certificate(name) in mine for name in needed)
        caring = col("caring")[rows] == 1
        employer = col("employer")[rows]
        family = self.family
        if family is not None:
            kinds = family.post_kinds
            vacancy_slots = sum(col(kind)[rows].astype(np.int64) for kind in kinds)
            employer_slots = sum(store.employers.slots[kind].raw[employer].astype(np.int64) for kind in kinds)
            free = store.employers.free.raw[employer].astype(np.int64)
            if family.must_stay_together:
                ok &= (employer_slots >= 1) & ((free >= 1) | (not family.needs_couple_dormitory))
            no_dorm = (free < 1) & family.needs_couple_dormitory
            family_pct = np.where(
                no_dorm,
                0,
                np.where(
                    vacancy_slots >= 1, 100, np.where(employer_slots >= 1, points.FAMILY_ELSEWHERE_AT_EMPLOYER_PCT, 0)
                ),
            )
            family_points = points.part_points_array(w.family, family_pct)
        else:
            family_points = np.full(len(rows), points.part_points(w.family, 100), dtype=np.int64)
        keep = np.flatnonzero(ok)
        rows, main, caring, family_points = rows[keep], main[keep], caring[keep], family_points[keep]

        # -- skills: other required skills covered --
        n_req = col("n_req")[rows].astype(np.int64)
        if n_req.any():
            covered = self._cover_counts(rows)
            cover = np.where(
                n_req == 0, w.skills_cover, (2 * w.skills_cover * covered + n_req) // (2 * np.maximum(n_req, 1))
            )
        else:
            cover = np.full(len(rows), w.skills_cover, dtype=np.int64)

        # -- location, pairing, pay, start --
        dbit = col("dbit")[rows]
        place = self.location[dbit] + self.pairing[dbit]
        if seeker.expected_pay is None:
            pay = np.full(len(rows), points.part_points(w.pay, points.PAY_NOT_STATED_PCT), dtype=np.int64)
        else:
            pay_pct = points.pay_pct_array(
                seeker.expected_pay, col("pay_min")[rows].astype(np.int64), col("pay_max")[rows].astype(np.int64)
            )
            pay = points.part_points_array(w.pay, pay_pct)
        today = self.today
        ready = max(seeker.available_from.toordinal() if seeker.available_from else today, today)
        gap = ready - np.maximum(col("start")[rows].astype(np.int64), today)
        start = points.part_points_array(w.start, points.start_pct_array(gap))

        total = main + cover + place + pay + start + family_points
        return VacancyHits(rows=rows, tenths=total, caring=caring)

    def hits(self, min_tenths: int = 0, employers: npt.NDArray[np.bool_] | None = None) -> VacancyHits:
        """Every vacancy matched at ``min_tenths`` or more (at the ``employers`` rows marked)."""
        self.employers = employers
        splits = self.splits(min_tenths)
        if not splits:
            return VacancyHits.empty()
        hits = self.score(splits)
        keep = np.flatnonzero(hits.tenths >= min_tenths)
        return VacancyHits(hits.rows[keep], hits.tenths[keep], hits.caring[keep])

    def _cover_counts(self, rows: I64) -> I64:
        """How many of each vacancy's other required skills the seeker covers (same key, level enough)."""
        if self._covered is None:
            self._covered = self._count_covered()
        return self._covered[rows].astype(np.int64)

    def _count_covered(self) -> npt.NDArray[np.uint8]:
        """``_cover_counts`` for every vacancy row: it depends on the seeker and the store only, so a query
        that scores several groups of vacancies counts once."""
        store = self.store
        best_level: dict[int, int] = {}
        for key, _, level, _ in self.claims:
            kid = store.vocab.find_kid(key)
            best_level[kid] = max(best_level.get(kid, 0), level)
        # per query, not shared: reads may run concurrently (a tenth of a megabyte at 100,000 vacancies)
        counts = np.zeros(store.columns.size, dtype=np.uint8)
        for kid, level in best_level.items():
            found = store.required.get(kid)
            if found is not None:
                req_rows, req_levels = found
                # A vacancy lists each other skill once, so no row repeats here.
                counts[req_rows.view[req_levels.view <= level]] += 1
        return counts


def vacancy_query(store: VacancyStore, seeker: SeekerProfile, ctx: MatchContext) -> VacancyQuery | None:
    """A reusable query for one seeker, or None if the seeker cannot match (inactive, no consent)."""
    if not (seeker.active and seeker.consent_matching):
        return None
    return VacancyQuery(store, seeker, ctx)


def scan_vacancies(
    store: VacancyStore,
    seeker: SeekerProfile,
    ctx: MatchContext,
    *,
    min_tenths: int = 0,
    employers: npt.NDArray[np.bool_] | None = None,
) -> VacancyHits:
    """Every vacancy the seeker matches at ``min_tenths`` or more (at the ``employers`` rows marked)."""
    query = vacancy_query(store, seeker, ctx)
    return query.hits(min_tenths, employers) if query is not None else VacancyHits.empty()


def top_vacancies(
    store: VacancyStore, seeker: SeekerProfile, ctx: MatchContext, *, k: int, per_employer: int, min_tenths: int
) -> VacancyHits:
    """The best ``k`` hits in rank order, at most ``per_employer`` per employer (0 = no cap)."""
    query = vacancy_query(store, seeker, ctx)
    if query is None or k <= 0:
        return VacancyHits.empty()
    splits = query.splits(min_tenths)
    ids_of, employer_of = store.col("id"), store.col("employer")
    held = VacancyHits.empty()
    held_keys = np.zeros(0, dtype=np.int64)
    start = 0
    while start < len(splits):
        uncaring, neg_bound = splits[start][:2]
        stop = start
        while stop < len(splits) and splits[stop][:2] == (uncaring, neg_bound):
            stop += 1
        if len(held) >= k:
            # the best key any vacancy of this level could have, against the k-th held
            best_key = (uncaring << _TIER_SHIFT) | ((_MAX_TENTHS + neg_bound) << _SCORE_SHIFT)
            if best_key > held_keys[k - 1]:
                break
        hits = query.score(splits[start:stop])
        start = stop
        keep = np.flatnonzero(hits.tenths >= min_tenths)
        if not len(keep):
            continue
        rows = np.concatenate([held.rows, hits.rows[keep]])
        tenths = np.concatenate([held.tenths, hits.tenths[keep]])
        caring = np.concatenate([held.caring, hits.caring[keep]])
        merged = VacancyHits(rows, tenths, caring)
        keys = merged.keys(ids_of[rows].astype(np.int64))
        chosen = np.asarray(_capped_top(keys, employer_of[rows], k, per_employer), dtype=np.int64)
        held = VacancyHits(rows[chosen], tenths[chosen], caring[chosen])
        held_keys = keys[chosen]
    return held


def _capped_top(keys: I64, groups: npt.NDArray[np.int32], k: int, cap: int) -> list[int]:
    """Positions of the best ``k`` keys, at most ``cap`` per group (0 = no cap), best first."""
    if k <= 0 or not len(keys):
        return []
    take = min(len(keys), max(4 * k, 64))
    while True:
        part = np.argpartition(keys, take - 1)[:take] if take < len(keys) else np.arange(len(keys))
        part = part[np.argsort(keys[part], kind="stable")]
        chosen: list[int] = []
        used: dict[int, int] = {}
        for position in part.tolist():
            group = int(groups[position])
            if cap > 0 and used.get(group, 0) >= cap:
                continue
            used[group] = used.get(group, 0) + 1
            chosen.append(position)
            if len(chosen) >= k:
                return chosen
        if take >= len(keys):
            return chosen
        take = min(len(keys), take * 2)
