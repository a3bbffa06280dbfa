"""Each caller's own notifications: listing newest first, read receipts, and releasing held pushes."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from app.auth import Caller
from app.clock import utcnow
from app.errors import Forbidden, NotFound
from app.models.notification import HeldPush, Notification
from app.models.seeker import Seeker
from app.notify.quiet import local_day_bounds, release_time
from app.services.pagination import clamp_limit, decode_cursor, encode_cursor


def recipient_of(caller: Caller) -> tuple[str, int]:
    owner = {"seeker": caller.seeker_id, "station": caller.station_id, "employer": caller.employer_id}.get(caller.role)
    if owner is None:
        raise Forbidden("人社局账号没有个人消息箱", "The bureau's keys have no inbox", rule="role")
    return caller.role, owner


def list_inbox(session: Session, caller: Caller, *, unread: bool | None, limit: int | None,
               cursor: str | None) -> tuple[Sequence[Notification], str | None]:
    role, owner = recipient_of(caller)
    size = clamp_limit(limit)
    query = select(Notification).where(Notification.recipient_role == role, Notification.recipient_id == owner)
    if unread is not None:
        query = query.where(col(Notification.read_at).is_(None) if unread else col(Notification.read_at).is_not(None))
    if cursor:
        query = query.where(col(Notification.id) < decode_cursor(cursor))
    rows = session.exec(query.order_by(col(Notification.id).desc()).limit(size + 1)).all()
    if len(rows) > size:
        rows = rows[:size]
        assert rows[-1].id is not None
        return rows, encode_cursor(rows[-1].id)
    return rows, None


def mark_read(session: Session, caller: Caller, notification_id: int) -> Notification:
    role, owner = recipient_of(caller)
    note = session.get(Notification, notification_id)
    if note is None or note.recipient_role != role or note.recipient_id != owner:
        raise NotFound(f"未找到消息 {notification_id}", f"Notification {notification_id} not found")
    if note.read_at is None:
        note.read_at = utcnow()
        session.add(note)
        session.flush()
    return note


def notifications_after(session: Session, role: str, owner: int, after_id: int, limit: int = 200) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.recipient_role == role, Notification.recipient_id == owner)
        .where(col(Notification.id) > after_id)
        .order_by(col(Notification.id))
        .limit(limit)
    )
    return list(session.exec(query).all())


def latest_id(session: Session, role: str, owner: int) -> int:
    value = session.exec(
        select(func.max(Notification.id)).where(Notification.recipient_role == role, Notification.recipient_id == owner)
    ).one()
    return int(value or 0)


def _shown_today(session: Session, seeker_ids: Collection[int]) -> dict[int, int]:
    start, end = local_day_bounds(utcnow())
    rows = session.exec(
        select(Notification.recipient_id, func.count()).where(Notification.recipient_role == "seeker")
        .where(col(Notification.recipient_id).in_(seeker_ids))
        .where(col(Notification.visible_at) >= start, col(Notification.visible_at) < end)
        .group_by(col(Notification.recipient_id))
    ).all()
    return {seeker_id: int(n) for seeker_id, n in rows}


def _waiting(session: Session, seeker_ids: Collection[int]) -> set[int]:
    return set(session.exec(select(HeldPush.seeker_id).where(col(HeldPush.seeker_id).in_(seeker_ids))).all())


class PushGate:
    """Decides, for the seekers of one fan-out, whether each push shows now or waits for quiet hours
    or the daily cap. Counts are read once for all of them; a held push is never dropped."""

    def __init__(self, session: Session, seeker_ids: Collection[int], daily_cap: int) -> None:
        self.session = session
        self.daily_cap = daily_cap
        ids = list(set(seeker_ids))
        self.shown = _shown_today(session, ids) if ids else {}
        self.waiting = _waiting(session, ids) if ids else set()

    def push(self, seeker: Seeker, fields: dict[str, Any]) -> Notification | None:
        assert seeker.id is not None
        now = utcnow()
        shown = self.shown.get(seeker.id, 0)
        at, reason = release_time(now, seeker.quiet_start, seeker.quiet_end, shown, self.daily_cap)
        if reason is None and seeker.id not in self.waiting:
            note = Notification(recipient_role="seeker", recipient_id=seeker.id, visible_at=now, **fields)
            self.session.add(note)
            self.shown[seeker.id] = shown + 1
            return note
        # Anything already waiting goes first, so a new push joins the queue instead of jumping it.
        self.session.add(HeldPush(seeker_id=seeker.id, reason=reason or "queued", release_at=at, **fields))
        self.waiting.add(seeker.id)
        return None


def release_held(session: Session, daily_cap: int, *, limit: int = 500) -> int:
    """Turn due held pushes into notifications, best rank first, still honouring the cap and quiet hours."""
    now = utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # Same lock as the fan-out: notification ids must commit in order, they are stream positions.
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    due = session.exec(
        select(HeldPush).where(col(HeldPush.release_at) <= now)
        .order_by(col(HeldPush.seeker_id), col(HeldPush.score).desc(), col(HeldPush.rank), col(HeldPush.id))
        .limit(limit)
    ).all()
    released = 0
    seeker_ids = {held.seeker_id for held in due}
    # Read once for every due seeker; only this loop adds to a seeker's count, and it does so below.
    counts = _shown_today(session, seeker_ids) if seeker_ids else {}
    for held in due:
        seeker = session.get(Seeker, held.seeker_id)
        if seeker is None:
            session.delete(held)
            continue
        shown = counts.get(held.seeker_id, 0)
        at, reason = release_time(now, seeker.quiet_start, seeker.quiet_end, shown, daily_cap)
        if reason is not None:
            held.release_at, held.reason = at, reason
            session.add(held)
            continue
        session.add(Notification(
            recipient_role="seeker", recipient_id=held.seeker_id, event_id=held.event_id, kind=held.kind,
            title=held.title, body=held.body, rank=held.rank, score=held.score, vacancy_id=held.vacancy_id,
            created_at=held.created_at, visible_at=now, held_reason=held.reason,
        ))
        session.delete(held)
        counts[held.seeker_id] = shown + 1
        released += 1
    session.flush()
    return released
