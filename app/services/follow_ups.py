"""The calls a station must make now: check-ins due at 7, 30, 60 and 90 days after arrival, overdue ones,
and workers who left (active again, to be re-matched)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from app.models.application import Application
from app.models.employer import Employer
from app.models.placement import CheckIn, FollowUp, Placement
from app.models.seeker import Seeker
from app.models.station import ResponsiblePerson
from app.models.vacancy import Vacancy
from app.services.workflow import ACTIVE

CHECKPOINTS = (7, 30, 60, 90)
# A check-in made up to this many days before a checkpoint counts for it.
EARLY_DAYS = 3
# A checkpoint is "due" for this many days after its day, then "overdue".
GRACE_DAYS = 3
# Workers who left within this many days and have no new application yet are listed for re-matching.
LEFT_RECENT_DAYS = 30
_ORDER = {"overdue": 0, "due": 1, "left": 2}


def checkpoint(arrived_on: date, check_ins: list[date], today: date) -> tuple[int, date, int] | None:
    """The latest checkpoint reached and not yet covered by a check-in: (day, due on, days late)."""
    days = (today - arrived_on).days
    reached = [d for d in CHECKPOINTS if d <= days]
    if not reached:
        return None
    day = reached[-1]
    due_on = arrived_on + timedelta(days=day)
    if any(c >= due_on - timedelta(days=EARLY_DAYS) for c in check_ins):
        return None
    return day, due_on, (today - due_on).days


def follow_ups(session: Session, station_id: int | None, today: date) -> list[FollowUp]:
    query = select(Placement).where(or_(
        and_(col(Placement.status) == "active", col(Placement.arrived_on) <= today),
        and_(col(Placement.status) == "left", col(Placement.left_on) >= today - timedelta(days=LEFT_RECENT_DAYS)),
    ))
    if station_id is not None:
        query = query.where(Placement.station_id == station_id)
    placements = list(session.exec(query).all())
    if not placements:
        return []
    ids = [p.id for p in placements]
    check_ins: dict[int, list[date]] = defaultdict(list)
    for placement_id, checked_on in session.exec(
        select(col(CheckIn.placement_id), col(CheckIn.checked_on)).where(col(CheckIn.placement_id).in_(ids))
    ).all():
        check_ins[placement_id].append(checked_on)
    context = _Context(session, placements)
    items: list[FollowUp] = []
    for p in placements:
        assert p.id is not None
        if p.status == "left":
            if context.rematched(p):
                continue
            items.append(context.item(p, "left", None, None, 0, check_ins[p.id], today))
            continue
        due = checkpoint(p.arrived_on, check_ins[p.id], today)
        if due is not None:
            day, due_on, late = due
            items.append(context.item(p, "overdue" if late > GRACE_DAYS else "due", day, due_on, late,
                                      check_ins[p.id], today))
    items.sort(key=lambda f: (_ORDER[f.urgency], -f.days_overdue, -(f.left_on or date.min).toordinal(),
                              f.placement_id))
    return items


class _Context:
    """Names and labels for a page of follow-ups, each loaded once."""

    def __init__(self, session: Session, placements: list[Placement]) -> None:
        self.session = session
        self.seekers = _by_id(session, Seeker, {p.seeker_id for p in placements})
        self.employers = _by_id(session, Employer, {p.employer_id for p in placements})
        self.vacancies = _by_id(session, Vacancy, {p.vacancy_id for p in placements})
        people = {p.responsible_person_id for p in placements if p.responsible_person_id}
        self.people = _by_id(session, ResponsiblePerson, people)

    def rematched(self, placement: Placement) -> bool:
        seeker = self.seekers[placement.seeker_id]
        if seeker.status != "active":
            return True
        assert placement.left_on is not None
        newer = self.session.exec(select(Application.id).where(
            Application.seeker_id == placement.seeker_id, col(Application.status).in_(ACTIVE),
            col(Application.id) > placement.application_id)).first()
        return newer is not None

    def item(self, p: Placement, urgency: str, day: int | None, due_on: date | None, late: int,
             check_ins: list[date], today: date) -> FollowUp:
        seeker = self.seekers[p.seeker_id]
        person = self.people.get(p.responsible_person_id) if p.responsible_person_id else None
        return FollowUp(
            urgency=urgency, placement_id=p.id, seeker_id=p.seeker_id, seeker_name=seeker.name,  # type: ignore[arg-type]
            phone=seeker.phone_masked, employer_id=p.employer_id, employer_name=self.employers[p.employer_id].name,
            vacancy_title=self.vacancies[p.vacancy_id].title, arrived_on=p.arrived_on,
            days_since_arrival=(today - p.arrived_on).days, checkpoint_day=day, due_on=due_on,
            days_overdue=max(0, late), last_check_in_on=max(check_ins) if check_ins else None,
            left_on=p.left_on, left_reason=p.left_reason, responsible_person=person.name if person else None,
        )


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.exec(select(model).where(col(model.id).in_(ids))).all()}
