"""The outbox: every change that can lead to a push records an event in the same transaction.

A flush hook watches vacancies, seekers and families, so no service can forget to record an event and
a rolled-back change leaves no event behind. The worker claims events under a lease and fans them out.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import event, insert, or_, select, update
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import get_history

from app.clock import utcnow
from app.models.family import Family
from app.models.notification import OutboxEvent
from app.models.seeker import Seeker
from app.models.vacancy import Vacancy

# What changes a job in a way a seeker would want to hear about again.
VACANCY_MATERIAL = ("pay_min", "pay_max", "headcount", "family_posts", "caring_post", "occupation", "skills",
                    "certificates", "district_code", "title")
SEEKER_MATERIAL = ("skills", "certificates", "preferred_districts", "expected_pay", "available_from",
                   "origin_code", "consent_matching", "status", "registered_poor")
FAMILY_MATERIAL = ("must_stay_together", "needs_couple_dormitory")
_SEEN = "outbox_subjects_this_transaction"


def vacancy_version(vacancy: Vacancy) -> str:
    material = {name: getattr(vacancy, name) for name in VACANCY_MATERIAL}
    text = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _changed(obj: Any, fields: tuple[str, ...]) -> bool:
    return any(get_history(obj, name).has_changes() for name in fields)


def _events_for(session: OrmSession) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    now = utcnow()

    def add(kind: str, subject_type: str, subject_id: int | None, data: dict[str, Any] | None = None) -> None:
        if subject_id is not None:
            events.append({"kind": kind, "subject_type": subject_type, "subject_id": subject_id,
                           "data": data or {}, "created_at": now, "attempts": 0})

    for obj in session.new:
        if isinstance(obj, Vacancy) and obj.status == "open":
            add("vacancy.opened", "vacancy", obj.id, {"version": vacancy_version(obj)})
        elif isinstance(obj, Seeker):
            add("seeker.registered", "seeker", obj.id)
        elif isinstance(obj, Family):
            add("family.registered", "family", obj.id)
    for obj in session.dirty:
        if not session.is_modified(obj):
            continue
        if isinstance(obj, Vacancy):
            reopened = get_history(obj, "status").has_changes() and obj.status == "open"
            if obj.status == "open" and (reopened or _changed(obj, VACANCY_MATERIAL)):
                add("vacancy.changed", "vacancy", obj.id, {"version": vacancy_version(obj)})
        elif isinstance(obj, Seeker):
            if _changed(obj, SEEKER_MATERIAL):
                add("seeker.changed", "seeker", obj.id)
            family_history = get_history(obj, "family_id")
            if family_history.has_changes():
                for family_id in {*family_history.added, *family_history.deleted} - {None}:
                    add("family.changed", "family", family_id)
        elif isinstance(obj, Family) and _changed(obj, FAMILY_MATERIAL):
            add("family.changed", "family", obj.id)
    return events


@event.listens_for(OrmSession, "after_flush")
def _record_outbox(session: OrmSession, _context: Any) -> None:
    events = _events_for(session)
    if not events:
        return
    # One event per subject per transaction: a family registered with its members is one event, and a
    # vacancy opened then edited before commit is still just "opened".
    seen: set[tuple[str, int]] = session.info.setdefault(_SEEN, set())
    fresh = []
    for e in events:
        key = (e["subject_type"], e["subject_id"])
        if key not in seen:
            seen.add(key)
            fresh.append(e)
    if fresh:
        session.connection().execute(insert(OutboxEvent.__table__), fresh)  # type: ignore[attr-defined]


@event.listens_for(OrmSession, "after_transaction_end")
def _forget(session: OrmSession, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_SEEN, None)


def claim_events(session: OrmSession, worker_id: str, *, batch: int, lease_seconds: float) -> list[OutboxEvent]:
    """Take unprocessed events no live worker holds; PostgreSQL lets several workers share them."""
    now = utcnow()
    table = OutboxEvent.__table__  # type: ignore[attr-defined]
    query = (
        select(table.c.id)
        .where(table.c.processed_at.is_(None))
        .where(or_(table.c.lease_until.is_(None), table.c.lease_until < now))
        .order_by(table.c.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = [row[0] for row in session.execute(query)]
    if not ids:
        return []
    session.execute(
        update(table)
        .where(table.c.id.in_(ids))
        .where(or_(table.c.lease_until.is_(None), table.c.lease_until < now))
        .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds),
                attempts=table.c.attempts + 1)
    )
    rows = session.execute(
        select(OutboxEvent).where(OutboxEvent.lease_owner == worker_id)  # type: ignore[arg-type]
        .where(OutboxEvent.id.in_(ids))  # type: ignore[union-attr]
        .order_by(OutboxEvent.id)  # type: ignore[arg-type]
    ).scalars().all()
    return list(rows)




def record_event(session: OrmSession, kind: str, subject_type: str, subject_id: int,
                 data: dict[str, Any] | None = None) -> None:
    """Record an event explicitly (for changes the flush hook does not watch, like application states)."""
    session.add(OutboxEvent(kind=kind, subject_type=subject_type, subject_id=subject_id, data=data or {}))
