"""Taking and giving back places: vacancy headcount, family-post slots and couple dormitories.

Every take is a conditional UPDATE (``… WHERE hired_count + n <= headcount``) whose row count says whether
it won, so two clerks racing for the last place can never both get it: on PostgreSQL the second UPDATE
waits for the first transaction's row lock and then re-checks its condition against the committed row;
SQLite has a single writer. A family's takes run in one transaction and the caller raises on the first
that fails, so the request's rollback undoes the others: the family is hired whole or not at all.
Vacancies are updated in id order and the employer last, so two families cannot deadlock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import case, select, update
from sqlmodel import Session

from app.clock import utcnow
from app.errors import Conflict
from app.models.application import ApplicationGroup
from app.models.employer import Employer
from app.models.vacancy import Vacancy
from app.services.locks import lock_row

_VACANCY = Vacancy.__table__  # type: ignore[attr-defined]
_EMPLOYER = Employer.__table__  # type: ignore[attr-defined]
_GROUP = ApplicationGroup.__table__  # type: ignore[attr-defined]


def take_places(session: Session, vacancy_ids: Iterable[int], group: ApplicationGroup | None) -> None:
    """Take one place per id (an id may repeat), then the family's post slot and dormitory, or raise 409."""
    needed = Counter(vacancy_ids)
    now = utcnow()
    for vacancy_id in sorted(needed):
        n = needed[vacancy_id]
        result = session.execute(
            update(_VACANCY)
            .where(_VACANCY.c.id == vacancy_id, _VACANCY.c.status == "open",
                   _VACANCY.c.hired_count + n <= _VACANCY.c.headcount)
            .values(hired_count=_VACANCY.c.hired_count + n, updated_at=now,
                    status=case((_VACANCY.c.hired_count + n >= _VACANCY.c.headcount, "filled"),
                                else_=_VACANCY.c.status))
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict(
                f"岗位 {vacancy_id} 已招满或未开放，无法录用", f"Vacancy {vacancy_id} has no open place left",
                field="vacancy_id", rule="vacancy_full", extra={"vacancy_id": vacancy_id},
            )
    if group is not None:
        _take_family_post(session, group)
        _take_dormitory(session, group)
    _forget(session, Vacancy, Employer)


def give_back_places(session: Session, vacancy_ids: Iterable[int], group: ApplicationGroup | None) -> None:
    """A hire undone (withdrawn, no-show): the places return, a filled vacancy opens again."""
    needed = Counter(vacancy_ids)
    now = utcnow()
    for vacancy_id in sorted(needed):
        n = needed[vacancy_id]
        session.execute(
            update(_VACANCY)
            .where(_VACANCY.c.id == vacancy_id, _VACANCY.c.hired_count >= n)
            .values(hired_count=_VACANCY.c.hired_count - n, updated_at=now,
                    status=case((_VACANCY.c.status == "filled", "open"), else_=_VACANCY.c.status))
        )
    if group is not None:
        if group.family_post_taken:
            _change_family_post(session, group, -1)
            group.family_post_taken = False
        give_back_dormitory(session, group)
        session.add(group)
    _forget(session, Vacancy, Employer)


def give_back_dormitory(session: Session, group: ApplicationGroup) -> None:
    """Once only, however many members' departures reach here: the group's flag is claimed first."""
    claimed = session.execute(update(_GROUP).where(_GROUP.c.id == group.id, _GROUP.c.dormitory_taken.is_(True))
                              .values(dormitory_taken=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return
    session.execute(
        update(_EMPLOYER)
        .where(_EMPLOYER.c.id == group.employer_id, _EMPLOYER.c.couple_dormitories_used > 0)
        .values(couple_dormitories_used=_EMPLOYER.c.couple_dormitories_used - 1, updated_at=utcnow())
    )
    _forget(session, Employer, ApplicationGroup)


def lock_group(session: Session, group_id: int) -> ApplicationGroup | None:
    """Take the group's row lock, so members leaving at once see each other's departure."""
    lock_row(session, ApplicationGroup, group_id)
    _forget(session, ApplicationGroup)
    return session.get(ApplicationGroup, group_id)


def _take_family_post(session: Session, group: ApplicationGroup) -> None:
    if group.family_post_vacancy_id is None or group.family_post_kind is None:
        return
    # The vacancy's row is already locked by this transaction's hired_count update above (the post's
    # vacancy is always one of the family's), so this read-check-write cannot interleave with another.
    offered, used = _family_posts(session, group.family_post_vacancy_id)
    kind = group.family_post_kind
    if used.get(kind, 0) >= offered.get(kind, 0):
        raise Conflict(
            f"岗位 {group.family_post_vacancy_id} 的亲情岗位（{kind}）已用完",
            f"Vacancy {group.family_post_vacancy_id} has no {kind} family post left",
            field="vacancy_id", rule="family_post_full", extra={"vacancy_id": group.family_post_vacancy_id},
        )
    _change_family_post(session, group, +1)
    group.family_post_taken = True
    session.add(group)


def _change_family_post(session: Session, group: ApplicationGroup, delta: int) -> None:
    assert group.family_post_vacancy_id is not None and group.family_post_kind is not None
    _, used = _family_posts(session, group.family_post_vacancy_id)
    used = dict(used)
    used[group.family_post_kind] = max(0, used.get(group.family_post_kind, 0) + delta)
    session.execute(update(_VACANCY).where(_VACANCY.c.id == group.family_post_vacancy_id)
                    .values(family_posts_used={k: v for k, v in used.items() if v}, updated_at=utcnow()))


def _family_posts(session: Session, vacancy_id: int) -> tuple[dict[str, int], dict[str, int]]:
    row = session.execute(
        select(_VACANCY.c.family_posts, _VACANCY.c.family_posts_used).where(_VACANCY.c.id == vacancy_id)
    ).one()
    return dict(row[0] or {}), dict(row[1] or {})


def _take_dormitory(session: Session, group: ApplicationGroup) -> None:
    if not group.needs_couple_dormitory:
        return
    result = session.execute(
        update(_EMPLOYER)
        .where(_EMPLOYER.c.id == group.employer_id,
               _EMPLOYER.c.couple_dormitories_used < _EMPLOYER.c.couple_dormitories)
        .values(couple_dormitories_used=_EMPLOYER.c.couple_dormitories_used + 1, updated_at=utcnow())
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("企业的夫妻宿舍已住满", "The employer has no couple dormitory left",
                       field="family_id", rule="no_couple_dormitory", extra={"employer_id": group.employer_id})
    group.dormitory_taken = True
    session.add(group)


def _forget(session: Session, *models: type[Any]) -> None:
    """Loaded objects of these kinds are stale after a Core UPDATE: reload them on next access."""
    for obj in list(session.identity_map.values()):
        if isinstance(obj, models) and obj not in session.dirty:
            session.expire(obj)
