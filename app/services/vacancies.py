"""Vacancies: posting, editing, the status life cycle and expiry of postings not refreshed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import String, cast, update
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.clock import today_shanghai, utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from app.models.employer import Employer
from app.models.vacancy import Vacancy, VacancyCreate, VacancyUpdate
from app.services.locks import lock_row
from app.services.rules import require_region
from app.settings import get_settings

# Statuses a client may move a vacancy to, from each status. filled and expired are set by the service.
_ALLOWED: dict[str, set[str]] = {
    "draft": {"draft", "open", "closed"},
    "open": {"open", "paused", "closed"},
    "paused": {"paused", "open", "closed"},
    "filled": {"filled", "closed"},
    "expired": {"expired", "open", "closed"},
    "closed": {"closed"},
}


def create_vacancy(session: Session, employer: Employer, data: VacancyCreate) -> Vacancy:
    require_region(session, data.district_code, "district_code", role="workplace")
    valid_until = data.valid_until or today_shanghai() + timedelta(days=get_settings().vacancy_validity_days)
    _check_valid_until(valid_until, creating=True)
    _check_family_posts(data.family_posts.model_dump(), data.headcount)
    fields = data.model_dump(exclude={"employer_id", "skills", "family_posts", "valid_until"})
    assert employer.id is not None
    vacancy = Vacancy(
        **fields,
        employer_id=employer.id,
        skills=[s.model_dump() for s in data.skills],
        family_posts={k: v for k, v in data.family_posts.model_dump().items() if v},
        valid_until=valid_until,
    )
    if vacancy.latitude is None and vacancy.longitude is None:
        vacancy.latitude, vacancy.longitude = employer.latitude, employer.longitude
    session.add(vacancy)
    session.flush()
    return vacancy


def update_vacancy(session: Session, vacancy: Vacancy, data: VacancyUpdate) -> Vacancy:
    changes: dict[str, Any] = data.model_dump(exclude_unset=True)
    _lock(session, vacancy)
    if "district_code" in changes:
        require_region(session, changes["district_code"], "district_code", role="workplace")
    if "skills" in changes:
        changes["skills"] = [dict(s) for s in changes["skills"] or []]
    if "family_posts" in changes:
        changes["family_posts"] = {k: v for k, v in (changes["family_posts"] or {}).items() if v}
    headcount = changes.get("headcount", vacancy.headcount)
    if headcount < vacancy.hired_count:
        raise ValidationFailed(
            f"headcount：已录用 {vacancy.hired_count} 人，招聘人数不能更少",
            f"headcount: {vacancy.hired_count} already hired", field="headcount", rule="below_hired",
        )
    pay_min = changes.get("pay_min", vacancy.pay_min)
    pay_max = changes.get("pay_max", vacancy.pay_max)
    if pay_max < pay_min:
        raise ValidationFailed("pay_max：最高月薪不能低于最低月薪", "pay_max must not be below pay_min",
                               field="pay_max", rule="pay_range")
    if "family_posts" in changes:
        _check_family_posts_used(changes["family_posts"], vacancy.family_posts_used or {})
    _check_family_posts(changes.get("family_posts", vacancy.family_posts), headcount)
    if "valid_until" in changes or "start_date" in changes:
        _check_valid_until(changes.get("valid_until", vacancy.valid_until), creating="valid_until" in changes)
    target = changes.pop("status", None)
    for field, value in changes.items():
        setattr(vacancy, field, value)
    # Refreshing an expired posting's date brings it back.
    if vacancy.status == "expired" and "valid_until" in changes and target is None:
        target = "open"
    if target is not None:
        _transition(vacancy, target)
    if vacancy.status == "open" and vacancy.hired_count >= vacancy.headcount:
        vacancy.status = "filled"
    elif vacancy.status == "filled" and vacancy.hired_count < vacancy.headcount:
        vacancy.status = "open"
    vacancy.updated_at = utcnow()
    session.add(vacancy)
    session.flush()
    return vacancy


def _transition(vacancy: Vacancy, target: str) -> None:
    allowed = _ALLOWED.get(vacancy.status, set())
    if target not in allowed:
        raise Conflict(
            f"status：不能从 {vacancy.status} 改为 {target}",
            f"status: cannot go from {vacancy.status} to {target}",
            field="status", rule="transition", extra={"allowed": sorted(allowed)},
        )
    if target == "open" and vacancy.valid_until < today_shanghai():
        raise ValidationFailed("valid_until：有效期已过，请先更新有效期", "valid_until: refresh the date to reopen",
                               field="valid_until", rule="expired")
    vacancy.status = target


def _check_valid_until(valid_until: date, *, creating: bool) -> None:
    # Any start date is plausible: a posting may be for people already on site.
    today = today_shanghai()
    if creating and valid_until < today:
        raise ValidationFailed("valid_until：有效期不能早于今天", "valid_until: must not be in the past",
                               field="valid_until", rule="past_date")
    if valid_until > today + timedelta(days=366):
        raise ValidationFailed("valid_until：有效期最长一年", "valid_until: at most one year ahead",
                               field="valid_until", rule="too_far")


def _check_family_posts(posts: dict[str, int], headcount: int) -> None:
    # Every family post places at least two people, so the slots cannot outnumber half the headcount.
    if sum(posts.values()) * 2 > headcount:
        raise ValidationFailed(
            "family_posts：亲情岗位每岗至少安置两人，总数不能超过招聘人数",
            "family_posts: each family post places at least two people, more than the headcount",
            field="family_posts", rule="family_posts_exceed_headcount",
        )


def _check_family_posts_used(posts: dict[str, int], used: dict[str, int]) -> None:
    # Families already hired keep their slots: a kind may shrink to what they hold, never below.
    for kind, taken in sorted(used.items()):
        offered = posts.get(kind, 0)
        if offered < taken:
            raise ValidationFailed(
                f"family_posts.{kind}：已有 {taken} 个录用家庭占用此类亲情岗位，不能少于 {taken} 个",
                f"family_posts.{kind}: {taken} already taken by hired families, cannot go down to {offered}",
                field=f"family_posts.{kind}", rule="below_used", extra={"used": {kind: taken}},
            )


def _lock(session: Session, vacancy: Vacancy) -> None:
    """Take the vacancy's row lock and reload it, so the checks against hired_count and family_posts_used
    see every hire committed before, and no hire can commit in between (hiring updates the same row)."""
    lock_row(session, Vacancy, vacancy.id)  # type: ignore[arg-type]
    session.refresh(vacancy)


def get_vacancy(session: Session, vacancy_id: int) -> Vacancy:
    vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise NotFound(f"未找到岗位 {vacancy_id}", f"Vacancy {vacancy_id} not found")
    return vacancy


def vacancies_query(
    employer_id: int | None,
    district_code: str | None,
    occupation: str | None,
    status: str | None,
    caring_post: bool | None,
    family_post: str | None,
    only_open: bool,
) -> SelectOfScalar[Vacancy]:
    query = select(Vacancy)
    if employer_id is not None:
        query = query.where(Vacancy.employer_id == employer_id)
    if district_code:
        query = query.where(Vacancy.district_code == district_code)
    if occupation:
        query = query.where(col(Vacancy.occupation).contains(occupation) | col(Vacancy.title).contains(occupation))
    if only_open:
        query = query.where(Vacancy.status == "open")
    if status:
        # For callers who see open postings only, asking for another status finds nothing (not everything).
        query = query.where(Vacancy.status == status)
    if caring_post is not None:
        query = query.where(Vacancy.caring_post == caring_post)
    if family_post:
        # Only kinds with slots are stored, so the key's presence means the post is offered.
        query = query.where(cast(Vacancy.family_posts, String).contains(f'"{family_post}"'))
    return query


def expire_stale(session: Session, today: date | None = None) -> int:
    """Mark open or paused postings whose valid-until date has passed as expired."""
    day = today or today_shanghai()
    result = session.execute(
        update(Vacancy)
        .where(col(Vacancy.status).in_(["open", "paused"]), col(Vacancy.valid_until) < day)
        .values(status="expired", updated_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
