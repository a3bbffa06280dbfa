"""Family → employers, vectorised: every member's matching vacancies at once, then employers by bound.

For each member the seeker-side scan gives every vacancy they match with its exact score. Only
employers that can take the family (post kind, dormitory) and where every member has a vacancy remain.
An employer's family score can be no higher than with each member at their best vacancy there
(capacity ignored), so employers are visited by that bound and the visit stops once ``k`` are held
that the next bound cannot beat. The assignment itself is ``families.choose_assignment``, the very
rule the reference applies.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from app.matching.context import MatchContext
from app.matching.families import Assignment, choose_assignment, family_tenths
from app.matching.profiles import FamilyProfile, SeekerProfile
from app.matching.vacancy_scan import VacancyQuery, vacancy_query
from app.matching.vacancy_store import VacancyStore

__all__ = ["best_family_assignments"]

I64 = npt.NDArray[np.int64]


def _eligible_employers(store: VacancyStore, family: FamilyProfile) -> npt.NDArray[np.bool_]:
    employers = store.employers
    slots = sum(employers.slots[kind].view.astype(np.int64) for kind in family.post_kinds)
    eligible = (slots >= 1) & (employers.present.view == 1)
    if family.needs_couple_dormitory:
        eligible &= employers.free.view >= 1
    return np.asarray(eligible, dtype=bool)


def member_floor(family_floor: int, members: int) -> int:
    """The lowest member score (tenths) an employer scoring ``family_floor`` or more can involve.

    family = 0.5*min + 0.5*mean <= min*(n+1)/2n + 1000*(n-1)/2n, and a shown score T means at least
    T - 0.5 before rounding; so min >= (2nT - n - 1000(n-1)) / (n+1), rounded down to stay safe.
    """
    n = members
    return max(0, (2 * n * family_floor - n - 1000 * (n - 1)) // (n + 1) - 1)


# First pass: members at 60 points or more. Most families' top employers are well above that; when the
# k-th result does not justify the floor, the scan is repeated with the floor it does justify.
FIRST_MEMBER_FLOOR = 600


def best_family_assignments(
    store: VacancyStore,
    family: FamilyProfile,
    members: Sequence[SeekerProfile],
    ctx: MatchContext,
    *,
    k: int,
    min_tenths: int,
) -> list[tuple[int, int, Assignment]]:
    """(family tenths, employer id, assignment) for the best ``k`` employers, best first."""
    lowest = member_floor(min_tenths, len(members))
    floor = max(lowest, FIRST_MEMBER_FLOOR)
    queries = [vacancy_query(store, seeker, ctx) for seeker in members]
    if any(query is None for query in queries):
        return []  # a member who cannot match leaves the family nowhere to go together
    eligible = _eligible_employers(store, family)
    while True:
        found = _assignments(store, queries, eligible, k=k, min_tenths=min_tenths, member_min=floor)
        if floor <= lowest:
            return found
        if len(found) >= k and member_floor(found[k - 1][0], len(members)) >= floor:
            # every employer that can still enter the top k has all members at ``floor`` or more
            return found
        needed = member_floor(found[k - 1][0], len(members)) if len(found) >= k else lowest
        floor = max(lowest, min(needed, floor - 1))


def _assignments(
    store: VacancyStore,
    queries: Sequence[VacancyQuery | None],
    eligible: npt.NDArray[np.bool_],
    *,
    k: int,
    min_tenths: int,
    member_min: int,
) -> list[tuple[int, int, Assignment]]:
    """Like ``best_family_assignments``, considering only member matches of ``member_min`` or more."""
    col = store.col
    members = [query.seeker for query in queries if query is not None]
    n = len(members)
    # per member: their vacancies at eligible employers, sorted by employer, score desc, vacancy id
    options: list[tuple[I64, I64, I64]] = []
    best = np.full((n, len(eligible)), -1, dtype=np.int64)
    for i, query in enumerate(queries):
        assert query is not None
        hits = query.hits(member_min, eligible)
        employer = col("employer")[hits.rows].astype(np.int64)
        rows, tenths = hits.rows, hits.tenths
        order = np.lexsort((col("id")[rows], -tenths, employer))
        rows, tenths, employer = rows[order], tenths[order], employer[order]
        options.append((rows, tenths, employer))
        if len(employer):
            firsts = np.flatnonzero(np.r_[True, employer[1:] != employer[:-1]])
            best[i, employer[firsts]] = tenths[firsts]
    common = np.flatnonzero((best >= 0).all(axis=0))
    if not len(common):
        return []
    low, total = best[:, common].min(axis=0), best[:, common].sum(axis=0)
    bound = (n * low + total + n) // (2 * n)
    employer_ids = store.employers.ids.view[common].astype(np.int64)
    found: list[tuple[int, int, Assignment]] = []
    for j in np.lexsort((employer_ids, -bound)):
        if bound[j] < min_tenths:
            break
        if len(found) >= k and (bound[j], -employer_ids[j]) < (found[k - 1][0], -found[k - 1][1]):
            break
        choices: dict[int, list[tuple[int, int]]] = {}
        places: dict[int, int] = {}
        for seeker, (rows, tenths, employer) in zip(members, options, strict=True):
            lo, hi = np.searchsorted(employer, [common[j], common[j] + 1])
            # already in (score desc, id) order: each member's n best are all ``choose_assignment`` needs
            hi = min(hi, lo + n)
            ids, counts = col("id")[rows[lo:hi]].tolist(), col("places")[rows[lo:hi]].tolist()
            choices[seeker.id] = list(zip(tenths[lo:hi].tolist(), ids, strict=True))
            places.update(zip(ids, counts, strict=True))
        chosen = choose_assignment([seeker.id for seeker in members], choices, places)
        if chosen is None:
            continue
        score = family_tenths([tenths for _, _, tenths in chosen])
        if score >= min_tenths:
            found.append((score, int(employer_ids[j]), chosen))
            found.sort(key=lambda item: (-item[0], item[1]))
    return found[:k]
