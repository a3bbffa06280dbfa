"""The application state machine: applied → shortlisted → offered → hired → arrived, or rejected,
withdrawn, no-show. The employer moves an application forward; the seeker or its station withdraws.
A family's applications move together. Every transition is recorded with who and when, and pushed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.auth import Caller
from app.clock import today_shanghai, utcnow
from app.errors import Conflict, ValidationFailed
from app.models.application import Application, ApplicationEvent, ApplicationGroup, TransitionRequest
from app.models.placement import Placement
from app.models.seeker import Seeker
from app.notify.outbox import record_event
from app.services.placements import start_placements
from app.services.places import give_back_places, take_places

NEXT: dict[str, tuple[str, ...]] = {
    "applied": ("shortlisted", "rejected", "withdrawn"),
    "shortlisted": ("offered", "rejected", "withdrawn"),
    "offered": ("hired", "rejected", "withdrawn"),
    "hired": ("arrived", "no_show", "withdrawn"),
    "arrived": (),
    "rejected": (),
    "withdrawn": (),
    "no_show": (),
}
ACTIVE = ("applied", "shortlisted", "offered", "hired")
EMPLOYER_MOVES = frozenset({"shortlisted", "offered", "hired", "arrived", "rejected", "no_show"})
APPLICANT_MOVES = frozenset({"withdrawn"})
NEEDS_REASON = frozenset({"rejected", "withdrawn", "no_show"})


def may_move(caller: Caller, target: str) -> bool:
    if caller.is_admin:
        return True
    if caller.role == "employer":
        return target in EMPLOYER_MOVES
    return caller.role in ("station", "seeker") and target in APPLICANT_MOVES


def allowed_for(caller: Caller, status: str) -> list[str]:
    return [t for t in NEXT.get(status, ()) if may_move(caller, t)]


def event_data(application: Application, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "status": application.status, "seeker_id": application.seeker_id, "vacancy_id": application.vacancy_id,
        "station_id": application.station_id, "application_id": application.id,
    }
    if application.reason and application.status in NEEDS_REASON:
        data["reason"] = application.reason
    if application.start_date and application.status == "hired":
        data["start_date"] = application.start_date.isoformat()
    data.update(extra)
    return data


def transition(session: Session, caller: Caller, application: Application, data: TransitionRequest,
               *, today: date | None = None, trusted: bool = False) -> list[Application]:
    """Move the application (with its whole family group) to ``data.to``; returns every application moved.
    ``trusted`` skips the check of who may make the move: a charter batch's arrival is the station's
    record that its passengers reached the factory door."""
    day = today or today_shanghai()
    target = data.to
    if target not in NEXT.get(application.status, ()):
        raise Conflict(
            f"不能从 {application.status} 改为 {target}", f"Cannot go from {application.status} to {target}",
            field="to", rule="transition", extra={"allowed": allowed_for(caller, application.status)},
        )
    if not trusted and not may_move(caller, target):
        # The other party's move: as illegal for this caller as a jump in the chain, and answered alike.
        raise Conflict(f"此操作应由另一方执行，不能改为 {target}", f"Moving to {target} is the other party's step",
                       field="to", rule="transition_actor",
                       extra={"allowed": allowed_for(caller, application.status)})
    _check_fields(data, day)
    group = session.get(ApplicationGroup, application.group_id) if application.group_id else None
    members = _group_members(session, application)
    previous = application.status
    _claim(session, members, previous, caller)
    if target == "hired":
        take_places(session, [a.vacancy_id for a in members], group)
    elif previous == "hired" and target in ("withdrawn", "no_show"):
        give_back_places(session, [a.vacancy_id for a in members], group)
    for member in members:
        _move(session, caller, member, previous, data, day)
    if target == "hired":
        _set_seekers(session, members, "placed")
    elif previous == "hired" and target in ("withdrawn", "no_show"):
        _set_seekers(session, members, "active")
    session.flush()
    if target == "arrived":
        placements = start_placements(session, members, group, data.arrived_on or day)
        ids = {p.application_id: p.id for p in placements}
    else:
        ids = {}
    for member in members:
        extra = {"placement_id": ids[member.id]} if member.id in ids else {}
        record_event(session, "application.changed", "application", member.id,  # type: ignore[arg-type]
                     event_data(member, **extra))
    session.flush()
    return members


def _check_fields(data: TransitionRequest, day: date) -> None:
    if data.to in NEEDS_REASON and not data.reason:
        raise ValidationFailed("reason：此操作须注明原因", "reason: required for this transition",
                               field="reason", rule="missing")
    if data.to == "hired":
        if data.start_date is None:
            raise ValidationFailed("start_date：录用须注明入职日期", "start_date: required when hiring",
                                   field="start_date", rule="missing")
        if data.start_date > day + timedelta(days=366):
            raise ValidationFailed("start_date：入职日期最远一年后", "start_date: at most a year ahead",
                                   field="start_date", rule="too_far")
    if data.to == "arrived" and data.arrived_on is not None and data.arrived_on > day:
        raise ValidationFailed("arrived_on：到岗日期不能晚于今天", "arrived_on: must not be in the future",
                               field="arrived_on", rule="future_date")


def _claim(session: Session, members: list[Application], previous: str, caller: Caller) -> None:
    """Only one of two concurrent moves of the same application wins: the row must still be in the
    state this request read (the loser waits for the winner's row lock, then finds the state changed)."""
    table = Application.__table__  # type: ignore[attr-defined]
    ids = [m.id for m in members]
    result = session.execute(update(table).where(table.c.id.in_(ids), table.c.status == previous)
                             .values(updated_at=utcnow()))
    if result.rowcount != len(ids):  # type: ignore[attr-defined]
        session.expire_all()
        current = session.get(Application, ids[0])
        status = current.status if current else previous
        raise Conflict("申请状态已被他人更新，请刷新后重试", "The application changed meanwhile; reload it",
                       field="to", rule="concurrent_update", extra={"allowed": allowed_for(caller, status)})


def _group_members(session: Session, application: Application) -> list[Application]:
    if application.group_id is None:
        return [application]
    rows = session.exec(select(Application).where(Application.group_id == application.group_id)
                        .order_by(col(Application.id))).all()
    return [a for a in rows if a.status == application.status]


def _move(session: Session, caller: Caller, application: Application, previous: str, data: TransitionRequest,
          day: date) -> None:
    application.status = data.to
    application.updated_at = utcnow()
    if data.to in NEEDS_REASON:
        application.reason = data.reason
    if data.to == "hired":
        application.start_date = data.start_date
    if data.to == "arrived":
        application.arrived_on = data.arrived_on or day
    session.add(application)
    session.add(ApplicationEvent(
        application_id=application.id, from_status=previous, to_status=data.to,  # type: ignore[arg-type]
        reason=data.reason if data.to in NEEDS_REASON else None,
        start_date=data.start_date if data.to == "hired" else None,
        actor_role=caller.role, actor_id=caller.actor_id,
    ))


def _set_seekers(session: Session, applications: list[Application], status: str) -> None:
    for application in applications:
        seeker = session.get(Seeker, application.seeker_id)
        if seeker is None or seeker.status == status:
            continue
        if status == "active" and _still_placed(session, seeker.id):  # type: ignore[arg-type]
            continue
        seeker.status = status
        seeker.updated_at = utcnow()
        session.add(seeker)


def _still_placed(session: Session, seeker_id: int) -> bool:
    """A seeker with another hire pending or another job going is still placed."""
    hired = session.exec(select(Application.id).where(Application.seeker_id == seeker_id,
                                                      Application.status == "hired")).first()
    working = session.exec(select(Placement.id).where(Placement.seeker_id == seeker_id,
                                                      Placement.status == "active")).first()
    return hired is not None or working is not None
