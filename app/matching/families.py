"""Families as one unit: which employer can take the whole family, at which vacancies, how well.

An employer can take a family when it offers the family's post kind (亲情岗位: at least one slot,
summed over its vacancies that take applicants; one slot is one family) and, when the family needs
one, a free couple dormitory. Each member then needs a vacancy of that employer that matches them
(``score_pair`` is not None); two members may share a vacancy if it has places for both.

The family's score counts the weakest member: ``0.5 * min + 0.5 * mean`` of the members' scores,
rounded to 0.1. Per employer the assignment maximising ``n * min + sum`` (the same quantity, exact in
tenths) wins; ties go to the smaller vacancy ids, member by member (members in id order). Employers are
ranked by family score, then employer id.

This applies to every family asked about; for one that need not stay together it answers "where could
you all go together", and its members' own lists stay unconstrained.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence

from app.matching.profiles import EmployerProfile, FamilyMatch, FamilyProfile, Match, Placement
from app.matching.reasons import kind_label

__all__ = [
    "Assignment",
    "choose_assignment",
    "employer_takes_family",
    "family_match",
    "family_tenths",
    "rank_family_matches",
]

# (seeker_id, vacancy_id, tenths) per member, members in id order
Assignment = tuple[tuple[int, int, int], ...]


def employer_takes_family(family: FamilyProfile, slots: Mapping[str, int], free_dorms: int) -> bool:
    offered = sum(max(slots.get(kind, 0), 0) for kind in family.post_kinds)
    return offered >= 1 and (not family.needs_couple_dormitory or free_dorms >= 1)


def family_tenths(scores: Sequence[int]) -> int:
    """0.5 * min + 0.5 * mean, in tenths, rounded half up: (n*min + sum) / 2n."""
    n = len(scores)
    return (n * min(scores) + sum(scores) + n) // (2 * n)


def _objective(scores: Sequence[int]) -> int:
    return len(scores) * min(scores) + sum(scores)


def choose_assignment(
    members: Sequence[int],
    options: Mapping[int, Sequence[tuple[int, int]]],
    places: Mapping[int, int],
    *,
    exhaustive: bool = False,
) -> Assignment | None:
    """The best vacancy per member at one employer, or None if some member cannot be placed.

    ``options[member]`` lists ``(tenths, vacancy_id)`` for every vacancy of the employer the member
    matches. With ``exhaustive`` every combination is tried (the reference); otherwise each member keeps
    only their ``len(members)`` best options, which provably finds the same answer: in a best assignment
    a member outside their top n could move to one of those n that the n-1 others leave with a free
    place, gaining score or (on equal score) a smaller vacancy id.
    """
    n = len(members)
    lists: list[list[tuple[int, int]]] = []
    for member in members:
        mine = sorted(options.get(member, ()), key=lambda option: (-option[0], option[1]))
        if not mine:
            return None
        lists.append(mine if exhaustive else mine[:n])
    best: tuple[int, tuple[int, ...]] | None = None
    best_combo: tuple[tuple[int, int], ...] | None = None
    for combo in itertools.product(*lists):
        used: dict[int, int] = {}
        for _, vacancy_id in combo:
            used[vacancy_id] = used.get(vacancy_id, 0) + 1
        if any(count > places.get(vacancy_id, 0) for vacancy_id, count in used.items()):
            continue
        key = (-_objective([tenths for tenths, _ in combo]), tuple(vacancy_id for _, vacancy_id in combo))
        if best is None or key < best:
            best, best_combo = key, combo
    if best_combo is None:
        return None
    return tuple((member, vacancy_id, tenths) for member, (tenths, vacancy_id) in zip(members, best_combo, strict=True))


def family_match(
    family: FamilyProfile,
    employer: EmployerProfile,
    slots: Mapping[str, int],
    members: Sequence[Match],
    vacancy_labels: Mapping[int, str],
) -> FamilyMatch:
    """The result for one employer, from the members' matches at their assigned vacancies."""
    scores = [m.tenths for m in members]
    tenths = family_tenths(scores)
    offered = sum(max(slots.get(kind, 0), 0) for kind in family.post_kinds)
    label = kind_label(family.kind)
    reasons = [f"亲情岗位：{employer.name}设有{label}{offered}个，全家可在同一单位工作"]
    if employer.free_couple_dormitories >= 1 and (family.needs_couple_dormitory or family.kind == "couple"):
        reasons.append("提供夫妻宿舍")
    for position, match in enumerate(members, start=1):
        reasons.append(f"第{position}位成员：{vacancy_labels.get(match.vacancy_id, '')}岗位，{match.score:.1f}分")
    mean = sum(scores) / len(scores) / 10
    reasons.append(f"家庭得分兼顾最弱成员：最低{min(scores) / 10:.1f}分，平均{mean:.1f}分")
    return FamilyMatch(
        family_id=family.id,
        employer_id=employer.id,
        score=tenths / 10,
        assignment=tuple(Placement(m.seeker_id, m.vacancy_id, m.score) for m in members),
        reasons_zh=tuple(reasons),
        members=tuple(members),
    )


def rank_family_matches(found: Iterable[FamilyMatch]) -> list[FamilyMatch]:
    return sorted(found, key=lambda f: (-round(f.score * 10), f.employer_id))
