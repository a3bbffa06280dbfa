"""The fast path: an in-memory, updateable index answering the same questions as ``reference.py``.

It returns *exactly* what the reference returns. Candidates are scored in numpy with the reference's
integer rules (``points.py``); the returned top-k are then scored again, with their breakdown and
reasons, by the reference's own ``score_pair``, and the two totals must agree (``IndexMismatch``
otherwise: a bug, never a silent divergence).

The service builds it once from the database (``MatchIndex.build``) and keeps it current by calling
the ``upsert_*``/``remove_*`` methods on every write.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from app.matching.context import MatchContext
from app.matching.families import family_match, rank_family_matches
from app.matching.family_scan import best_family_assignments
from app.matching.improve import Demand, Improvement, demand_of, suggest_improvements
from app.matching.profiles import (
    EmployerProfile,
    FamilyMatch,
    FamilyProfile,
    Match,
    SeekerProfile,
    VacancyProfile,
)
from app.matching.reference import score_pair
from app.matching.seeker_columns import SeekerColumns
from app.matching.seeker_scan import top_seeker_ids
from app.matching.seeker_store import SeekerStore
from app.matching.skills import related_keys, requirements
from app.matching.vacancy_scan import scan_vacancies, top_vacancies
from app.matching.vacancy_store import VacancyStore
from app.matching.vocabulary import Vocabulary

__all__ = ["IndexMismatch", "MatchIndex", "min_tenths"]



class IndexMismatch(RuntimeError):
    """The fast path and the reference disagree about a pair: a bug in the index."""


def min_tenths(min_score: float) -> int:
    """The smallest score in tenths that ``score >= min_score`` accepts (as the reference compares)."""
    if min_score > 100:
        return 1001
    tenths = max(0, math.ceil(min_score * 10) - 1)
    while tenths / 10 < min_score:
        tenths += 1
    while tenths > 0 and (tenths - 1) / 10 >= min_score:
        tenths -= 1
    return tenths


class MatchIndex:
    """Seekers, vacancies, employers and families, indexed for the three ranked queries.

    Queries never write, so they may run concurrently with one another; writes (``upsert_*``,
    ``remove_*``, ``set_*``, ``compact``) must not overlap queries or each other: the service holds a
    readers-writer lock (or one lock) around them.
    """

    def __init__(self, ctx: MatchContext) -> None:
        self.ctx = ctx
        self.vocab = Vocabulary(ctx.taxonomy)
        self.seekers = SeekerStore(self.vocab)
        self.vacancies = VacancyStore(self.vocab, on_new_cert_bit=self.seekers.backfill_cert)
        self._demand: Demand | None = None

    @classmethod
    def build(
        cls,
        ctx: MatchContext,
        *,
        seekers: Iterable[SeekerProfile] = (),
        vacancies: Iterable[VacancyProfile] = (),
        employers: Iterable[EmployerProfile] = (),
        families: Iterable[FamilyProfile] = (),
    ) -> MatchIndex:
        index = cls(ctx)
        for employer in employers:
            index.upsert_employer(employer)
        for family in families:
            index.upsert_family(family)
        # Vacancies first: their certificates take their bits before seekers arrive (no backfill).
        index.upsert_vacancies(list(vacancies))
        batch: list[SeekerProfile] = []
        for seeker in seekers:
            batch.append(seeker)
            if len(batch) >= 200_000:
                index.upsert_seekers(batch)
                batch = []
        index.upsert_seekers(batch)
        index.warm()
        return index

    def warm(self) -> None:
        """Fill the per-occupation caches (related occupations) so first queries are not slower."""
        kids = set(self.seekers.by_kid) | set(self.vacancies.postings)
        for kid in kids:
            related_keys(self.vocab.key(kid), self.ctx.taxonomy)

    # -- context --

    def set_context(self, ctx: MatchContext) -> None:
        """New day, weights or pairings; the taxonomy is baked into the postings and cannot change."""
        if ctx.taxonomy is not self.ctx.taxonomy:
            raise ValueError("a different taxonomy needs a new index")
        self.ctx = ctx

    def set_pairings(self, pairings: Iterable[tuple[str, str]]) -> None:
        self.ctx = replace(self.ctx, pairings=frozenset(pairings))

    # -- writes --

    def upsert_seeker(self, seeker: SeekerProfile) -> None:
        self.seekers.upsert([seeker])

    def upsert_seekers(self, seekers: Sequence[SeekerProfile]) -> None:
        self.seekers.upsert(seekers)

    def upsert_seeker_columns(self, seekers: SeekerColumns) -> None:
        """Insert or replace seekers given as columns: the bulk path, with no profile object per seeker."""
        self.seekers.upsert_columns(seekers)

    def remove_seeker(self, seeker_id: int) -> bool:
        return self.seekers.remove(seeker_id)

    def upsert_vacancy(self, vacancy: VacancyProfile) -> None:
        self.vacancies.upsert(vacancy)
        self._demand = None

    def upsert_vacancies(self, vacancies: Sequence[VacancyProfile]) -> None:
        """``upsert_vacancy`` for each, in order, with new ones appended in bulk (the build)."""
        self.vacancies.upsert_many(vacancies)
        self._demand = None

    def remove_vacancy(self, vacancy_id: int) -> bool:
        self._demand = None
        return self.vacancies.remove(vacancy_id)

    def upsert_employer(self, employer: EmployerProfile) -> None:
        self.vacancies.upsert_employer(employer)

    def upsert_family(self, family: FamilyProfile) -> None:
        self.vacancies.families.upsert(family)

    def remove_family(self, family_id: int) -> bool:
        return self.vacancies.families.remove(family_id)

    def compact(self) -> None:
        self.seekers.compact()

    # -- reads --

    def seeker(self, seeker_id: int) -> SeekerProfile | None:
        return self.seekers.profile(seeker_id)

    def seeker_family_ids(self, seeker_ids: npt.NDArray[np.int64]) -> list[int]:
        """The families these seekers are stored with (seekers not stored or without one left out)."""
        return self.seekers.family_ids(seeker_ids)

    def vacancy(self, vacancy_id: int) -> VacancyProfile | None:
        return self.vacancies.profiles.get(vacancy_id)

    @property
    def seeker_count(self) -> int:
        return self.seekers.alive

    def memory_bytes(self) -> int:
        """Bytes held in the index's arrays (seeker and vacancy sides)."""
        return self.seekers.nbytes + self.vacancies.nbytes

    def seeker_memory_bytes(self) -> int:
        return self.seekers.nbytes

    # -- queries --

    def _score(
        self, seeker: SeekerProfile, vacancy: VacancyProfile, slots: dict[str, int] | None = None
    ) -> Match | None:
        employers = self.vacancies.employers
        return score_pair(
            seeker,
            vacancy,
            self.ctx,
            employer=employers.profiles.get(vacancy.employer_id),
            family=self.vacancies.families.get(seeker.family_id),
            employer_slots=employers.slots_of(vacancy.employer_id) if slots is None else slots,
        )

    def _exact(
        self, seeker: SeekerProfile, vacancy: VacancyProfile, tenths: int, slots: dict[str, int] | None = None
    ) -> Match:
        """The reference's own match for a pair the index selected, checked against the index's score."""
        match = self._score(seeker, vacancy, slots)
        if match is None or match.tenths != tenths:
            got = None if match is None else match.tenths
            raise IndexMismatch(f"seeker {seeker.id} × vacancy {vacancy.id}: index {tenths}, reference {got}")
        return match

    def top_seekers(self, vacancy_id: int, k: int = 50, min_score: float = 0.0) -> list[Match]:
        vacancy = self.vacancies.profiles[vacancy_id]
        employers = self.vacancies.employers
        employer = employers.profiles.get(vacancy.employer_id)
        slots = employers.slots_of(vacancy.employer_id)
        found = top_seeker_ids(
            self.seekers,
            self.vacancies.families,
            vacancy,
            requirements(vacancy, self.ctx.taxonomy),
            self.ctx,
            employer_slots=slots,
            free_dorms=employer.free_couple_dormitories if employer is not None else 0,
            k=k,
            min_tenths=min_tenths(min_score),
        )
        seekers = self.seekers.profiles([seeker_id for seeker_id, _ in found])
        return [self._exact(seeker, vacancy, tenths, slots) for seeker, (_, tenths) in zip(seekers, found, strict=True)]

    def count_vacancies(self, seeker: SeekerProfile, min_score: float) -> int:
        """How many vacancies this (possibly hypothetical) seeker matches at ``min_score`` or more."""
        return len(scan_vacancies(self.vacancies, seeker, self.ctx, min_tenths=min_tenths(min_score)))

    def top_vacancies(
        self, seeker_id: int, k: int = 20, min_score: float = 0.0, per_employer: int | None = None
    ) -> list[Match]:
        seeker = self.seekers.profile(seeker_id)
        if seeker is None:
            raise KeyError(seeker_id)
        cap = self.ctx.per_employer if per_employer is None else per_employer
        hits = top_vacancies(self.vacancies, seeker, self.ctx, k=k, per_employer=cap, min_tenths=min_tenths(min_score))
        ids = self.vacancies.col("id")[hits.rows].tolist()
        profiles = self.vacancies.profiles
        return [
            self._exact(seeker, profiles[vacancy_id], tenths)
            for vacancy_id, tenths in zip(ids, hits.tenths.tolist(), strict=True)
        ]

    def top_employers_for_family(self, family_id: int, k: int = 10, min_score: float = 0.0) -> list[FamilyMatch]:
        family = self.vacancies.families.profiles[family_id]
        members = self.seekers.profiles_or_none(sorted(set(family.member_ids)))
        if k <= 0 or members is None:
            return []
        found = best_family_assignments(
            self.vacancies, family, members, self.ctx, k=k, min_tenths=min_tenths(min_score)
        )
        employers, vacancies = self.vacancies.employers, self.vacancies.profiles
        by_id = {seeker.id: seeker for seeker in members}
        results = []
        for _, employer_id, chosen in found:
            matches = [self._exact(by_id[member], vacancies[v], tenths) for member, v, tenths in chosen]
            labels = {
                m.vacancy_id: requirements(vacancies[m.vacancy_id], self.ctx.taxonomy).main.label for m in matches
            }
            employer = employers.profiles[employer_id]
            results.append(family_match(family, employer, employers.slots_of(employer_id), matches, labels))
        return rank_family_matches(results)

    def improvements(self, seeker_id: int, limit: int = 3) -> list[Improvement]:
        seeker = self.seekers.profile(seeker_id)
        if seeker is None:
            raise KeyError(seeker_id)
        if self._demand is None:
            self._demand = demand_of(self.vacancies.profiles.values(), self.ctx.taxonomy)
        return suggest_improvements(
            seeker,
            self._demand,
            lambda profile: self.count_vacancies(profile, self.ctx.threshold),
            self.ctx.taxonomy,
            limit,
        )
