"""Webhook endpoints of station and employer systems, and the messages queued for them.

Services flush and never commit: the request (or the notifications fan-out) owns the transaction, so a
message is queued if and only if the change that caused it is committed.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.auth import Caller
from app.clock import SHANGHAI, utcnow
from app.errors import Conflict, Forbidden, NotFound
from app.models.webhook import (
    MessageStatus,
    WebhookAttempt,
    WebhookEndpoint,
    WebhookEndpointCreate,
    WebhookEndpointUpdate,
    WebhookMessage,
)
from app.notify.signing import new_secret
from app.notify.urls import check_webhook_url
from app.pii import Vault
from app.services.pagination import paginate

OWNER_ROLES = ("station", "employer")

# Personal numbers never leave the service by webhook (PIPL): payloads carry ids and scores only.
_FORBIDDEN_KEYS = frozenset({
    "id_number", "id_card", "idcard", "resident_id", "identity_number",
    "phone", "phone_number", "mobile", "mobile_phone", "telephone", "tel",
})
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class UnsafePayload(ValueError):
    """A caller tried to put a personal number into a webhook payload: a programming error."""


def new_message_id() -> str:
    """``msg_`` and a ULID: 48 bits of milliseconds then 80 random bits, so ids sort by creation."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = [_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5)]
    return "msg_" + "".join(chars)


def check_payload(value: Any, path: str = "data") -> None:
    """Refuses keys named like personal numbers, and strings shaped like ID or mobile numbers."""
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).lower() in _FORBIDDEN_KEYS:
                raise UnsafePayload(f"webhook payloads must not carry {path}.{key}")
            check_payload(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_payload(item, f"{path}[{index}]")
    elif isinstance(value, str) and (_RESIDENT_ID.search(value) or _MOBILE.search(value)):
        # The value itself is never quoted: the message may end up in a log.
        raise UnsafePayload(f"{path} looks like an ID or mobile number")


def owner_of(caller: Caller) -> tuple[str, int]:
    """The (role, id) a new endpoint belongs to: only station and employer systems receive webhooks."""
    owner_id = caller.station_id if caller.role == "station" else caller.employer_id
    if caller.role not in OWNER_ROLES or owner_id is None:
        raise Forbidden("仅劳务协作站和企业可以登记回调地址",
                        "Only stations and employers register webhook endpoints", rule="role")
    return caller.role, owner_id


def can_manage(caller: Caller, endpoint: WebhookEndpoint) -> bool:
    if caller.is_admin:
        return True
    owner_id = caller.station_id if caller.role == "station" else caller.employer_id
    return caller.role == endpoint.owner_role and owner_id == endpoint.owner_id


def create_endpoint(session: Session, vault: Vault, owner: tuple[str, int], data: WebhookEndpointCreate,
                    *, allow_private: bool) -> tuple[WebhookEndpoint, str]:
    """The new endpoint and its secret, which is returned this once and stored only encrypted."""
    url = check_webhook_url(data.url, allow_private=allow_private)
    secret = new_secret()
    endpoint = WebhookEndpoint(owner_role=owner[0], owner_id=owner[1], url=url,
                               event_types=list(dict.fromkeys(data.event_types)),
                               description=data.description, secret_enc=vault.encrypt(secret))
    session.add(endpoint)
    session.flush()
    return endpoint, secret


def list_endpoints(session: Session, caller: Caller, limit: int | None,
                   cursor: str | None) -> tuple[Sequence[WebhookEndpoint], str | None]:
    query = select(WebhookEndpoint)
    if not caller.is_admin:
        role, owner_id = owner_of(caller)
        query = query.where(WebhookEndpoint.owner_role == role, WebhookEndpoint.owner_id == owner_id)
    return paginate(session, query, WebhookEndpoint.id, limit, cursor)


def update_endpoint(session: Session, endpoint: WebhookEndpoint, data: WebhookEndpointUpdate,
                    *, allow_private: bool) -> WebhookEndpoint:
    if data.url is not None:
        endpoint.url = check_webhook_url(data.url, allow_private=allow_private)
    if data.event_types is not None:
        endpoint.event_types = list(dict.fromkeys(data.event_types))
    if data.description is not None:
        endpoint.description = data.description
    if data.enabled is True:
        endpoint.disabled_at = endpoint.disabled_reason = None
    elif data.enabled is False and endpoint.disabled_at is None:
        endpoint.disabled_at, endpoint.disabled_reason = utcnow(), "disabled by its owner"
    session.add(endpoint)
    session.flush()
    return endpoint


def delete_endpoint(session: Session, endpoint: WebhookEndpoint) -> None:
    """Removes the endpoint with its queue and history; a worker holding one of its messages loses the
    lease guard's row and records nothing."""
    session.execute(delete(WebhookAttempt).where(col(WebhookAttempt.endpoint_id) == endpoint.id))
    session.execute(delete(WebhookMessage).where(col(WebhookMessage.endpoint_id) == endpoint.id))
    session.delete(endpoint)
    session.flush()


def rotate_secret(session: Session, vault: Vault, endpoint: WebhookEndpoint, *, overlap: timedelta) -> str:
    """A new secret; the current one keeps signing beside it for ``overlap`` so receivers can switch over.
    Rotating again within the overlap retires the oldest secret at once: two are live at most."""
    secret = new_secret()
    endpoint.previous_secret_enc = endpoint.secret_enc
    endpoint.previous_secret_expires_at = utcnow() + overlap
    endpoint.secret_enc = vault.encrypt(secret)
    session.add(endpoint)
    session.flush()
    return secret


class SecretColumns(Protocol):
    """An endpoint's secret columns: the ORM object, or the plain row the delivery worker reads."""

    @property
    def secret_enc(self) -> str: ...
    @property
    def previous_secret_enc(self) -> str | None: ...
    @property
    def previous_secret_expires_at(self) -> datetime | None: ...


def live_secrets(vault: Vault, endpoint: SecretColumns, now: datetime) -> list[str]:
    """Newest first: the order of the signatures in ``webhook-signature``."""
    found = [vault.decrypt(endpoint.secret_enc)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_enc and expires is not None and expires > now:
        found.append(vault.decrypt(endpoint.previous_secret_enc))
    return found


def list_messages(session: Session, endpoint: WebhookEndpoint, status: MessageStatus | None,
                  limit: int | None, cursor: str | None) -> tuple[Sequence[WebhookMessage], str | None]:
    query = select(WebhookMessage).where(WebhookMessage.endpoint_id == endpoint.id)
    if status is not None:
        query = query.where(WebhookMessage.status == status)
    return paginate(session, query, WebhookMessage.id, limit, cursor)


def get_message(session: Session, endpoint: WebhookEndpoint, message_id: str) -> WebhookMessage:
    message = session.exec(
        select(WebhookMessage).where(WebhookMessage.message_id == message_id,
                                     WebhookMessage.endpoint_id == endpoint.id)
    ).first()
    if message is None:
        raise NotFound(f"未找到消息 {message_id}", f"Message {message_id} not found")
    return message


def list_attempts(session: Session, message: WebhookMessage) -> Sequence[WebhookAttempt]:
    return session.exec(
        select(WebhookAttempt).where(WebhookAttempt.message_pk == message.id).order_by(col(WebhookAttempt.id))
    ).all()


def _require_enabled(endpoint: WebhookEndpoint) -> None:
    if endpoint.disabled_at is not None:
        raise Conflict("回调地址已停用，请先启用", "The endpoint is disabled; enable it first",
                       rule="endpoint_disabled")


def _requeued() -> dict[str, Any]:
    """The columns of a message queued again: one place, so a single and a bulk redelivery cannot drift.
    ``last_error`` stays: why it failed remains visible until the next attempt replaces it."""
    return {"status": "pending", "attempts": 0, "next_attempt_at": utcnow(), "lease_owner": None,
            "lease_until": None, "delivered_at": None}


def redeliver(session: Session, endpoint: WebhookEndpoint, message: WebhookMessage) -> WebhookMessage:
    """Queues a dead or delivered message again with the same ``webhook-id`` and body and a fresh
    retry schedule; its earlier attempts stay in the log."""
    if message.status == "pending":
        raise Conflict("该消息已在等待投递", "The message is already pending", rule="message_pending")
    _require_enabled(endpoint)
    for name, value in _requeued().items():
        setattr(message, name, value)
    session.add(message)
    session.flush()
    return message


def redeliver_dead(session: Session, endpoint: WebhookEndpoint, since: datetime | None = None) -> int:
    """Queues every dead message of the endpoint again (only those created at or after ``since``, when
    given), as ``redeliver`` does one; returns how many. One statement however many there are: after a
    long outage that may be thousands, and the worker's per-endpoint limit paces them at the receiver.

    A ``since`` without a timezone is Asia/Shanghai time, as the stats read their dates: an owner who says
    "since 1 November" means China's 1 November, and the column holds aware UTC values."""
    _require_enabled(endpoint)
    statement = update(WebhookMessage).where(col(WebhookMessage.endpoint_id) == endpoint.id,
                                             col(WebhookMessage.status) == "dead")
    if since is not None:
        if since.tzinfo is None:
            since = since.replace(tzinfo=SHANGHAI)
        statement = statement.where(col(WebhookMessage.created_at) >= since)
    result = session.connection().execute(statement.values(**_requeued()))
    # Loaded copies of these rows would be stale: the caller reads them again if it needs them.
    session.expire_all()
    return int(result.rowcount)


def enqueue(session: Session, owner_role: str, owner_id: int, event_type: str,
            payload: dict[str, Any]) -> list[WebhookMessage]:
    """One message per enabled endpoint of the owner subscribed to ``event_type``; flushes only, so the
    messages commit or roll back with the caller's transaction.

    The stored payload is the whole Standard Webhooks body, fixed now, so every retry sends the same bytes.
    """
    check_payload(payload)
    endpoints = session.exec(
        select(WebhookEndpoint).where(WebhookEndpoint.owner_role == owner_role,
                                      WebhookEndpoint.owner_id == owner_id,
                                      col(WebhookEndpoint.disabled_at).is_(None))
    ).all()
    now = utcnow()
    body = {"type": event_type, "timestamp": now.isoformat().replace("+00:00", "Z"), "data": payload}
    messages = [
        WebhookMessage(message_id=new_message_id(), endpoint_id=endpoint.id, event_type=event_type,
                       payload=body, next_attempt_at=now, created_at=now)
        for endpoint in endpoints
        if event_type in endpoint.event_types and endpoint.id is not None
    ]
    session.add_all(messages)
    session.flush()
    return messages
