from __future__ import annotations

from fastapi import APIRouter
from sqlmodel import select

from app.auth import AdminCaller, SessionDep
from app.errors import PROBLEM_RESPONSES
from app.models.access import ApiKeyCreate, ApiKeyIssued, ApiKeyPublic, AuditEvent, AuditEventPublic
from app.models.common import Page
from app.routers.deps import Cursor, Limit
from app.services import access
from app.services.pagination import paginate

router = APIRouter(tags=["access"], responses=PROBLEM_RESPONSES)


@router.post("/api-keys", response_model=ApiKeyIssued, status_code=201,
             summary="Create a key; the key itself is shown only in this response")
def create_key(data: ApiKeyCreate, session: SessionDep, _: AdminCaller) -> object:
    return access.create_key(session, data)


@router.get("/api-keys", response_model=list[ApiKeyPublic])
def list_keys(session: SessionDep, _: AdminCaller) -> object:
    return access.list_keys(session)


@router.delete("/api-keys/{key_id}", response_model=ApiKeyPublic)
def revoke_key(key_id: int, session: SessionDep, _: AdminCaller) -> object:
    return access.revoke_key(session, key_id)


@router.get("/audit-events", response_model=Page[AuditEventPublic])
def list_audit_events(session: SessionDep, _: AdminCaller, action: str | None = None, subject_id: int | None = None,
                      limit: Limit = None, cursor: Cursor = None) -> object:
    query = select(AuditEvent)
    if action:
        query = query.where(AuditEvent.action == action)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    items, next_cursor = paginate(session, query, AuditEvent.id, limit, cursor)
    return {"items": items, "next_cursor": next_cursor}
