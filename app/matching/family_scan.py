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
from app.matching.vacancy_scan import scan_vacancies
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
    eligible = _eligible_employers(store, family)
    col = store.col
    n = len(members)
    # per member: their vacancies at eligible employers, sorted by employer, score desc, vacancy id
    options: list[tuple[I64, I64, I64]] = []
    best = np.full((n, len(eligible)), -1, dtype=np.int64)
    for i, seeker in enumerate(members):
        hits = scan_vacancies(store, seeker, ctx, employers=eligible)
        employer = col("employer")[hits.rows].astype(np.int64)
        keep = eligible[employer]
        rows, tenths, employer = hits.rows[keep], hits.tenths[keep], employer[keep]
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
