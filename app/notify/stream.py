"""Server-Sent Events: live pushes with heartbeats, and replay after `Last-Event-ID`.

Phones on weak networks drop connections silently; the client reconnects with the last id it saw and
gets everything after it. Notification ids are the stream positions because a notification row is only
ever created when its recipient may see it (held pushes live elsewhere until released).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from app.models.notification import Notification, NotificationPublic
from app.notify.inbox import latest_id, notifications_after


def format_event(note: Notification) -> str:
    data = NotificationPublic.model_validate(note).model_dump(mode="json")
    return f"id: {note.id}\nevent: notification\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def parse_last_event_id(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value.strip())


async def event_stream(request: Request, engine: Engine, role: str, owner: int, last_event_id: int | None, *,
                       poll_seconds: float, heartbeat_seconds: float) -> AsyncIterator[str]:
    def fetch(after: int) -> list[Notification]:
        with Session(engine) as session:
            return notifications_after(session, role, owner, after)

    def newest() -> int:
        with Session(engine) as session:
            return latest_id(session, role, owner)

    cursor = last_event_id if last_event_id is not None else await run_in_threadpool(newest)
    # Tell the browser how soon to come back; an explicit id lets a client resume even before any push.
    yield f"retry: 3000\nid: {cursor}\n\n"
    last_beat = time.monotonic()
    while not await request.is_disconnected():
        notes = await run_in_threadpool(fetch, cursor)
        for note in notes:
            assert note.id is not None
            cursor = note.id
            yield format_event(note)
        if not notes:
            if time.monotonic() - last_beat >= heartbeat_seconds:
                last_beat = time.monotonic()
                yield ": heartbeat\n\n"
            await asyncio.sleep(poll_seconds)
