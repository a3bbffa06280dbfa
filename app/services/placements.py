"""Placements from arrival on: check-ins, leaving, and stable employment (稳定就业, 90 days by default)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import ColumnElement, and_, or_, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.auth import Caller
from app.clock import today_shanghai, utcnow
from app.errors import Conflict, ValidationFailed
from app.models.application import Application, ApplicationGroup
from app.models.placement import CheckIn, CheckInCreate, CheckInPublic, Placement, PlacementPublic
from app.models.seeker import Seeker
from app.models.station import ResponsiblePerson
from app.notify.outbox import record_event
from app.services.places import give_back_dormitory, lock_group
from app.settings import get_settings

_PLACEMENT = Placement.__table__  # type: ignore[attr-defined]

# -- stable employment: pure functions of a placement and a day --------------------------------------

def stable_on(arrived_on: date) -> date:
    return arrived_on + timedelta(days=get_settings().stable_days)


def days_employed(arrived_on: date, left_on: date | None, today: date) -> int:
    return max(0, ((left_on or today) - arrived_on).days)


def reached(arrived_on: date, left_on: date | None, today: date, days: int) -> bool:
    """Whether the worker stayed ``days`` days after arrival, counted up to ``today`` or the day they left."""
    end = min(left_on, today) if left_on is not None else today
    return (end - arrived_on).days >= days


def is_stable(placement: Placement, today: date) -> bool:
    """Stable once 90 days have passed since arrival without leaving: day 89 is not, day 90 is.
    A worker who left after day 90 was stable (counted in cumulative figures, not as employed now)."""
    return reached(placement.arrived_on, placement.left_on, today, get_settings().stable_days)


def is_stable_now(placement: Placement, today: date) -> bool:
    return placement.status == "active" and is_stable(placement, today)


# -- arrival ---------------------------------------------------------------------------------------

def start_placements(session: Session, applications: Sequence[Application], group: ApplicationGroup | None,
                     arrived_on: date) -> list[Placement]:
    placements = []
    for application in applications:
        person = session.exec(
            select(ResponsiblePerson.id).where(ResponsiblePerson.station_id == application.station_id,
                                               col(ResponsiblePerson.active).is_(True))
            .order_by(col(ResponsiblePerson.id))
        ).first()
        placement = Placement(
            application_id=application.id, seeker_id=application.seeker_id,  # type: ignore[arg-type]
            vacancy_id=application.vacancy_id, employer_id=application.employer_id,
            station_id=application.station_id, group_id=group.id if group else None,
            responsible_person_id=person, arrived_on=arrived_on,
        )
        session.add(placement)
        placements.append(placement)
    session.flush()
    return placements


# -- check-ins -------------------------------------------------------------------------------------

def record_check_in(session: Session, caller: Caller, placement: Placement, data: CheckInCreate,
                    *, today: date | None = None) -> CheckIn:
    day = today or today_shanghai()
    if placement.status == "left":
        raise Conflict("该工人已离职，不能再回访登记", "This worker has left; the placement is closed",
                       field="outcome", rule="placement_closed")
    checked_on = data.checked_on or day
    if checked_on > day or checked_on < placement.arrived_on:
        raise ValidationFailed("checked_on：回访日期须在到岗日与今天之间", "checked_on: between arrival and today",
                               field="checked_on", rule="date_range")
    person_id = data.responsible_person_id
    if person_id is not None:
        person = session.get(ResponsiblePerson, person_id)
        if person is None or person.station_id != placement.station_id:
            raise ValidationFailed(f"responsible_person_id：未找到责任人 {person_id}",
                                   f"responsible_person_id: {person_id} not found",
                                   field="responsible_person_id", rule="not_found")
    elif caller.role == "station":
        person_id = placement.responsible_person_id
    left_on = None
    if data.outcome == "left":
        left_on = data.left_on or checked_on
        if not data.reason:
            raise ValidationFailed("reason：离职须注明原因", "reason: required when a worker left",
                                   field="reason", rule="missing")
        if left_on < placement.arrived_on or left_on > checked_on:
            raise ValidationFailed("left_on：离职日期须在到岗日与回访日之间",
                                   "left_on: between arrival and the check-in", field="left_on", rule="date_range")
    check_in = CheckIn(
        placement_id=placement.id, checked_on=checked_on, outcome=data.outcome, left_on=left_on,  # type: ignore[arg-type]
        reason=data.reason, note=data.note, responsible_person_id=person_id, actor_role=caller.role,
        actor_id=caller.actor_id,
    )
    session.add(check_in)
    if left_on is not None:
        _leave(session, placement, left_on, data.reason)
    session.flush()
    return check_in


def _leave(session: Session, placement: Placement, left_on: date, reason: str | None) -> None:
    # Claimed with a conditional UPDATE: of two departures recorded at once, one wins, the other is 409.
    claimed = session.execute(update(_PLACEMENT).where(_PLACEMENT.c.id == placement.id,
                                                       _PLACEMENT.c.status == "active")
                              .values(status="left", updated_at=utcnow()))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该工人已离职，不能再回访登记", "This worker has left; the placement is closed",
                       field="outcome", rule="placement_closed")
    placement.status = "left"
    placement.left_on = left_on
    placement.left_reason = reason
    placement.updated_at = utcnow()
    session.add(placement)
    session.flush()
    seeker = session.get(Seeker, placement.seeker_id)
    still_working = session.exec(select(Placement.id).where(Placement.seeker_id == placement.seeker_id,
                                                            Placement.status == "active")).first()
    # Active again, so the matcher picks the worker up and the station can re-match them.
    if seeker is not None and still_working is None and seeker.status == "placed":
        seeker.status = "active"
        seeker.updated_at = utcnow()
        session.add(seeker)
    if placement.group_id is not None:
        group = lock_group(session, placement.group_id)
        others = session.exec(select(Placement.id).where(Placement.group_id == placement.group_id,
                                                         Placement.status == "active")).first()
        if group is not None and others is None:
            give_back_dormitory(session, group)
    record_event(session, "placement.changed", "placement", placement.id, {  # type: ignore[arg-type]
        "status": "left", "seeker_id": placement.seeker_id, "vacancy_id": placement.vacancy_id,
        "station_id": placement.station_id, "placement_id": placement.id, "reason": reason,
    })


# -- the day-90 event -------------------------------------------------------------------------------

# How far back a run still announces: a worker stopped for up to this many days catches up, while a deploy
# or the demo's year of history does not flood stations and employers with old news.
STABLE_ANNOUNCE_WINDOW_DAYS = 7


def _employed_on_stable_day(arrived: date) -> ColumnElement[bool]:
    """Still employed on day 90 of a placement that arrived on ``arrived``: working today, or left on day 90
    or later (as the employment figures count it), so a worker who left while the job was stopped is still
    announced when it catches up."""
    return or_(_PLACEMENT.c.status == "active", _PLACEMENT.c.left_on >= stable_on(arrived))


def announce_stable(session: Session, *, today: date | None = None, batch: int = 200) -> int:
    """Record one ``placement.changed`` event (status ``stable``) for each placement that reached its stable
    day (day 90) within the window, still employed that day, and was not announced yet; returns how many.
    Flushes only.

    Each placement is claimed by a conditional UPDATE of its mark in the event's own transaction, so a
    re-run, or a second worker at the same moment (its UPDATE waits for the row lock and then finds the
    mark set), never announces it again, and a rolled-back run leaves it to the next.
    """
    day = today or today_shanghai()
    stable_days = get_settings().stable_days
    latest = day - timedelta(days=stable_days)
    window = [latest - timedelta(days=k) for k in range(STABLE_ANNOUNCE_WINDOW_DAYS)]
    # Each arrival day in the window with its own day 90, spelt out because SQLite and PostgreSQL share no
    # date arithmetic.
    t = _PLACEMENT.c
    employed_on_day_90 = or_(*(and_(t.arrived_on == arrived, _employed_on_stable_day(arrived)) for arrived in window))
    candidates = session.execute(
        core_select(t.id, t.seeker_id, t.vacancy_id, t.station_id, t.employer_id, t.arrived_on)
        .where(employed_on_day_90, t.stable_announced_at.is_(None), t.arrived_on <= latest,
               t.arrived_on > latest - timedelta(days=STABLE_ANNOUNCE_WINDOW_DAYS))
        .order_by(t.id).limit(batch)
    ).all()
    announced = 0
    now = utcnow()
    # In id order, so two workers claiming the same rows wait for each other instead of deadlocking.
    for placement_id, seeker_id, vacancy_id, station_id, employer_id, arrived_on in candidates:
        # Re-checked in the claim: a departure on day 90 or later, recorded meanwhile, does not undo the day
        # reached; one backdated to before it (committed while this run waited for the row) does.
        claimed = session.execute(
            update(_PLACEMENT).where(t.id == placement_id, t.stable_announced_at.is_(None),
                                     _employed_on_stable_day(arrived_on))
            .values(stable_announced_at=now))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        record_event(session, "placement.changed", "placement", placement_id, {
            "status": "stable", "seeker_id": seeker_id, "vacancy_id": vacancy_id, "station_id": station_id,
            "employer_id": employer_id, "placement_id": placement_id, "arrived_on": arrived_on.isoformat(),
            "stable_on": stable_on(arrived_on).isoformat(),
        })
        announced += 1
    session.flush()
    return announced


# -- reading ---------------------------------------------------------------------------------------

def placements_query(caller: Caller, status: str | None, seeker_id: int | None) -> SelectOfScalar[Placement]:
    query = select(Placement)
    if caller.role == "station":
        query = query.where(Placement.station_id == caller.station_id)
    elif caller.role == "employer":
        query = query.where(Placement.employer_id == caller.employer_id)
    elif caller.role == "seeker":
        query = query.where(Placement.seeker_id == caller.seeker_id)
    if status:
        query = query.where(Placement.status == status)
    if seeker_id is not None:
        query = query.where(Placement.seeker_id == seeker_id)
    return query


def placement_public(session: Session, placement: Placement, *, today: date | None = None) -> PlacementPublic:
    day = today or today_shanghai()
    check_ins = session.exec(select(CheckIn).where(CheckIn.placement_id == placement.id)
                             .order_by(col(CheckIn.checked_on), col(CheckIn.id))).all()
    settings = get_settings()
    return PlacementPublic.model_validate({
        **placement.model_dump(),
        "days_employed": days_employed(placement.arrived_on, placement.left_on, day),
        "stable": is_stable(placement, day),
        "stable_on": stable_on(placement.arrived_on),
        "stable_long": reached(placement.arrived_on, placement.left_on, day, settings.stable_long_days),
        "check_ins": [CheckInPublic.model_validate(c) for c in check_ins],
    })
