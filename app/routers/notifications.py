from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from app.auth import CallerDep, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.models.common import Page
from app.models.notification import NotificationPublic
from app.notify import inbox
from app.notify.stream import event_stream, parse_last_event_id
from app.routers.deps import Cursor, Limit

router = APIRouter(prefix="/notifications", tags=["notifications"], responses=PROBLEM_RESPONSES)


@router.get("", response_model=Page[NotificationPublic], summary="The caller's own pushes, newest first")
def list_notifications(session: SessionDep, caller: CallerDep, unread: bool | None = None,
                       limit: Limit = None, cursor: Cursor = None) -> object:
    items, next_cursor = inbox.list_inbox(session, caller, unread=unread, limit=limit, cursor=cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.post("/{notification_id}/read", response_model=NotificationPublic)
def mark_read(notification_id: int, session: SessionDep, caller: CallerDep) -> object:
    return inbox.mark_read(session, caller, notification_id)


@router.get("/stream", summary="Server-Sent Events; reconnect with Last-Event-ID to replay what was missed",
            response_class=StreamingResponse)
async def stream(
    request: Request,
    caller: CallerDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(description="Same as Last-Event-ID, for clients without headers")] = None,
) -> StreamingResponse:
    role, owner = inbox.recipient_of(caller)
    settings = request.app.state.settings
    start = parse_last_event_id(last_event_id) if last_event_id is not None else after
    return StreamingResponse(
        event_stream(request, request.app.state.engine, role, owner, start,
                     poll_seconds=settings.stream_poll_seconds, heartbeat_seconds=settings.stream_heartbeat_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
