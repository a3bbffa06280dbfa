"""Webhook endpoints of station and employer systems: register, rotate secrets, inspect and redeliver."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from app.auth import CallerDep, SessionDep, require
from app.errors import PROBLEM_RESPONSES, NotFound
from app.models.common import Page
from app.models.webhook import (
    MessageStatus,
    Requeued,
    WebhookAttemptPublic,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointPublic,
    WebhookEndpointUpdate,
    WebhookEndpointWithSecret,
    WebhookMessage,
    WebhookMessagePublic,
)
from app.notify import webhooks
from app.routers.deps import Cursor, Limit, VaultDep
from app.settings import Settings

router = APIRouter(prefix="/webhook-endpoints", tags=["webhooks"], responses=PROBLEM_RESPONSES)


def app_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(app_settings)]


def owned_endpoint(endpoint_id: int, caller: CallerDep, session: SessionDep) -> WebhookEndpoint:
    """The owner's endpoint (or any, for the admin); another owner's endpoint is "not found"."""
    require("admin", "station", "employer")(caller)
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not webhooks.can_manage(caller, endpoint):
        raise NotFound(f"未找到回调地址 {endpoint_id}", f"Webhook endpoint {endpoint_id} not found")
    return endpoint


OwnedEndpoint = Annotated[WebhookEndpoint, Depends(owned_endpoint)]


def endpoint_message(endpoint: OwnedEndpoint, session: SessionDep,
                     message_id: Annotated[str, Path(max_length=40)]) -> WebhookMessage:
    return webhooks.get_message(session, endpoint, message_id)


EndpointMessage = Annotated[WebhookMessage, Depends(endpoint_message)]


def _with_secret(endpoint: WebhookEndpoint, secret: str) -> WebhookEndpointWithSecret:
    public = WebhookEndpointPublic.model_validate(endpoint)
    return WebhookEndpointWithSecret(**public.model_dump(), secret=secret)


@router.post("", response_model=WebhookEndpointWithSecret, status_code=201,
             summary="Register an endpoint; the signing secret is shown in this response only")
def create_endpoint(data: WebhookEndpointCreate, session: SessionDep, caller: CallerDep, vault: VaultDep,
                    settings: SettingsDep) -> object:
    endpoint, secret = webhooks.create_endpoint(session, vault, webhooks.owner_of(caller), data,
                                                allow_private=settings.allow_private_webhooks)
    return _with_secret(endpoint, secret)


@router.get("", response_model=Page[WebhookEndpointPublic])
def list_endpoints(session: SessionDep, caller: CallerDep, limit: Limit = None,
                   cursor: Cursor = None) -> object:
    require("admin", "station", "employer")(caller)
    items, next_cursor = webhooks.list_endpoints(session, caller, limit, cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{endpoint_id}", response_model=WebhookEndpointPublic)
def get_endpoint(endpoint: OwnedEndpoint) -> object:
    return endpoint


@router.patch("/{endpoint_id}", response_model=WebhookEndpointPublic)
def update_endpoint(endpoint: OwnedEndpoint, data: WebhookEndpointUpdate, session: SessionDep,
                    settings: SettingsDep) -> object:
    return webhooks.update_endpoint(session, endpoint, data, allow_private=settings.allow_private_webhooks)


@router.delete("/{endpoint_id}", status_code=204, response_class=Response)
def delete_endpoint(endpoint: OwnedEndpoint, session: SessionDep) -> Response:
    webhooks.delete_endpoint(session, endpoint)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=WebhookEndpointWithSecret,
             summary="New secret, shown once; the previous one keeps signing alongside during the overlap")
def rotate_secret(endpoint: OwnedEndpoint, session: SessionDep, vault: VaultDep,
                  settings: SettingsDep) -> object:
    overlap = timedelta(hours=settings.webhook_secret_overlap_hours)
    secret = webhooks.rotate_secret(session, vault, endpoint, overlap=overlap)
    return _with_secret(endpoint, secret)


@router.get("/{endpoint_id}/messages", response_model=Page[WebhookMessagePublic])
def list_messages(endpoint: OwnedEndpoint, session: SessionDep, status: MessageStatus | None = None,
                  limit: Limit = None, cursor: Cursor = None) -> object:
    items, next_cursor = webhooks.list_messages(session, endpoint, status, limit, cursor)
    return {"items": items, "next_cursor": next_cursor}


@router.get("/{endpoint_id}/messages/{message_id}/attempts", response_model=list[WebhookAttemptPublic])
def list_attempts(message: EndpointMessage, session: SessionDep) -> object:
    return webhooks.list_attempts(session, message)


@router.post("/{endpoint_id}/messages/redeliver", response_model=Requeued, status_code=202,
             summary="Queue every dead message again (or those created since `since`), each with its webhook-id",
             description="`since` without a timezone (a date, or a date-time with no offset) is read as "
                         "Asia/Shanghai time, like the stats' dates: `since=2026-11-01` means from midnight "
                         "of 1 November in China. Give `Z` or an offset for any other zone.")
def redeliver_dead(endpoint: OwnedEndpoint, session: SessionDep, since: Annotated[datetime | None, Query(
        description=("Only messages created at or after this moment. A date (`2026-11-01`) or a date-time "
                     "without an offset (`2026-11-01T08:00:00`) is Asia/Shanghai time, as in the stats; "
                     "`2026-11-01T00:00:00Z` or `+08:00` is taken as given."))] = None) -> object:
    return Requeued(queued=webhooks.redeliver_dead(session, endpoint, since))


@router.post("/{endpoint_id}/messages/{message_id}/redeliver", response_model=WebhookMessagePublic,
             status_code=202, summary="Queue a dead or delivered message again, with the same webhook-id")
def redeliver(endpoint: OwnedEndpoint, message: EndpointMessage, session: SessionDep) -> object:
    return webhooks.redeliver(session, endpoint, message)
