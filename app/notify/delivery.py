"""Delivering queued webhook messages: at least once, never two workers on the same message at once.

One round: claim due messages under a lease in a short transaction (PostgreSQL: ``FOR UPDATE SKIP LOCKED``,
so workers never wait for each other; SQLite: a conditional UPDATE, one worker), commit, POST them outside
any transaction (a small thread pool sharing one pooled httpx client per process), then record attempts
and outcomes in another short transaction. A send slower than the round's budget keeps running under a
heartbeat that renews its lease, and a later round records it, so one slow receiver does not stall the
deliveries to everybody else. The outcome
UPDATE only matches while this worker still holds the lease, so a worker that lost its lease (it stalled
and another took over) cannot overwrite the newer result. A worker that dies leaves its leases to expire,
and the messages are taken over: the receiver may then see a message twice, always with the same
``webhook-id``, which is what the Standard Webhooks spec asks receivers to de-duplicate on.

Redirects are not followed (a 3xx is a failed attempt): a receiver could otherwise point us anywhere.
Messages of a disabled endpoint are not sent: they go dead with the reason "endpoint disabled", and the
owner can redeliver them once the endpoint is enabled again.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import Engine, Table, insert, or_, select, update
from sqlmodel import Session, col

from app.clock import utcnow
from app.models.webhook import WebhookAttempt, WebhookEndpoint, WebhookMessage
from app.notify.signing import webhook_headers
from app.notify.urls import make_transport
from app.notify.webhooks import live_secrets
from app.pii import get_vault
from app.settings import Settings, get_settings

logger = logging.getLogger(__name__)

MESSAGES: Table = WebhookMessage.__table__  # type: ignore[attr-defined]
ENDPOINTS: Table = WebhookEndpoint.__table__  # type: ignore[attr-defined]
ATTEMPTS: Table = WebhookAttempt.__table__  # type: ignore[attr-defined]

# A receiver may slow us down with Retry-After, but not park a message for longer than this.
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
# Only a little of a receiver's answer is read: nobody needs it, and a huge one must not stall a sender.
MAX_RESPONSE_BYTES = 64 * 1024
DISABLED = "endpoint disabled"
# How long a round waits for its own sends before it returns and lets the worker claim more.
ROUND_BUDGET_SECONDS = 2.0

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Job:
    pk: int
    message_id: str
    endpoint_id: int
    url: str
    body: str
    attempts: int
    # None: the endpoint is disabled. Kept out of repr so no log line or traceback can show a secret.
    secrets: tuple[str, ...] | None = field(repr=False)


@dataclass(frozen=True, slots=True)
class Result:
    job: Job
    at: datetime
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    retry_after: float | None = None


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[-64:]


def retry_delay(attempts_made: int, schedule: Sequence[float], retry_after: float | None = None,
                rng: random.Random | None = None) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` failures, or None once the schedule is spent.

    ±20 % jitter spreads retries so a receiver coming back up is not hit by every message at once.
    """
    if attempts_made > len(schedule):
        return None
    delay = schedule[attempts_made - 1] * (rng or random).uniform(0.8, 1.2)
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, MAX_RETRY_AFTER_SECONDS)
    return delay


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` as seconds from now; it may be a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())


class _Runtime:
    """One pooled HTTP client and sender pool per process: connections to a receiver are reused."""

    def __init__(self, allow_private: bool, concurrency: int) -> None:
        self.client = httpx.Client(transport=make_transport(allow_private=allow_private,
                                                           max_connections=concurrency),
                                   follow_redirects=False, trust_env=False)
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook-send")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.client.close()


_runtimes: dict[tuple[bool, int], _Runtime] = {}
_runtimes_lock = threading.Lock()


def _runtime(settings: Settings) -> _Runtime:
    key = (settings.allow_private_webhooks, max(1, settings.webhook_concurrency))
    with _runtimes_lock:
        if key not in _runtimes:
            _runtimes[key] = _Runtime(*key)
        return _runtimes[key]


@atexit.register
def close_runtimes() -> None:
    """Closes pooled connections and sender threads at exit, so no socket is left to the garbage collector."""
    with _runtimes_lock:
        while _runtimes:
            _runtimes.popitem()[1].close()


def _body(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def claim(engine: Engine, worker_id: str, batch: int, now: datetime, lease_seconds: float) -> list[int]:
    """Leases up to ``batch`` due messages to ``worker_id`` and commits; returns their primary keys."""
    free = or_(MESSAGES.c.lease_until.is_(None), MESSAGES.c.lease_until < now)
    due = (
        select(MESSAGES.c.id)
        .where(MESSAGES.c.status == "pending", MESSAGES.c.next_attempt_at <= now, free)
        .order_by(MESSAGES.c.next_attempt_at)
        .limit(batch)
    )
    if engine.dialect.name == "postgresql":
        # Rows another worker is claiming right now are skipped, not waited for.
        due = due.with_for_update(skip_locked=True)
    statement = (
        update(MESSAGES)
        .where(MESSAGES.c.id.in_(due.scalar_subquery()), free)
        .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
        .returning(MESSAGES.c.id)
    )
    with engine.begin() as conn:
        return [row[0] for row in conn.execute(statement)]


def _load_jobs(engine: Engine, worker_id: str, pks: list[int], settings: Settings,
               now: datetime) -> list[Job]:
    vault = get_vault(settings)
    columns = (MESSAGES.c.id, MESSAGES.c.message_id, MESSAGES.c.endpoint_id, MESSAGES.c.payload,
               MESSAGES.c.attempts)
    with Session(engine) as session:
        # Plain rows for the batch: ORM objects would cost more than the sends on a busy worker.
        messages = session.execute(
            select(*columns).where(MESSAGES.c.id.in_(pks), MESSAGES.c.lease_owner == worker_id)
        ).all()
        endpoints = {e.id: e for e in session.scalars(select(WebhookEndpoint).where(
            col(WebhookEndpoint.id).in_({m.endpoint_id for m in messages})))}
        secrets = {
            eid: None if e.disabled_at is not None else tuple(live_secrets(vault, e, now))
            for eid, e in endpoints.items()
        }
        return [
            Job(m.id, m.message_id, m.endpoint_id, endpoints[m.endpoint_id].url, _body(m.payload), m.attempts,
                secrets[m.endpoint_id])
            # An endpoint deleted since the claim took its messages with it: nothing is left to send.
            for m in messages if m.endpoint_id in endpoints
        ]


def send(client: httpx.Client, job: Job, timeout: float, clock: Clock) -> Result:
    """One POST; never raises, every failure becomes the attempt's error text."""
    assert job.secrets is not None
    # The timestamp is the real time of this attempt: receivers reject stale ones as replays.
    headers = webhook_headers(job.secrets, job.message_id, int(time.time()), job.body)
    started = time.perf_counter()
    at = clock()
    try:
        content = job.body.encode()
        with client.stream("POST", job.url, content=content, headers=headers, timeout=timeout) as resp:
            received = 0
            for chunk in resp.iter_raw():
                received += len(chunk)
                if received > MAX_RESPONSE_BYTES:
                    break
        latency = (time.perf_counter() - started) * 1000
        ok = 200 <= resp.status_code < 300
        return Result(job, at, resp.status_code, latency, None if ok else f"HTTP {resp.status_code}",
                      parse_retry_after(resp.headers.get("retry-after"), clock()))
    except Exception as exc:  # the receiver's failure is data, not a crash of the worker
        latency = (time.perf_counter() - started) * 1000
        return Result(job, at, None, latency, f"{type(exc).__name__}: {exc}"[:500])


def _failure_outcome(result: Result, now: datetime, schedule: Sequence[float]) -> dict[str, Any]:
    job = result.job
    if job.secrets is None:
        return {"status": "dead", "last_error": DISABLED, "lease_owner": None, "lease_until": None}
    attempts = job.attempts + 1
    common: dict[str, Any] = {"attempts": attempts, "lease_owner": None, "lease_until": None}
    if result.status_code == 410:
        return {**common, "status": "dead", "last_error": "HTTP 410: the receiver asked to stop"}
    delay = retry_delay(attempts, schedule, result.retry_after)
    if delay is None:
        return {**common, "status": "dead", "last_error": result.error}
    return {**common, "next_attempt_at": now + timedelta(seconds=delay), "last_error": result.error}


def _succeeded(result: Result) -> bool:
    code = result.status_code
    return result.job.secrets is not None and code is not None and 200 <= code < 300


def record(engine: Engine, worker_id: str, results: Sequence[Result], now: datetime,
           schedule: Sequence[float]) -> int:
    """Writes attempts and outcomes in one short transaction; returns how many outcomes were accepted.

    Every UPDATE matches only while this worker holds the lease; a result whose lease was lost changes
    nothing, though its attempt is still logged because the request did go out.
    """
    held = (MESSAGES.c.lease_owner == worker_id) & (MESSAGES.c.status == "pending")
    accepted: set[int] = set()
    with engine.begin() as conn:
        delivered = [r.job.pk for r in results if _succeeded(r)]
        if delivered:
            # The common case is one statement for the whole batch.
            accepted.update(conn.execute(
                update(MESSAGES).where(MESSAGES.c.id.in_(delivered), held)
                .values(status="delivered", delivered_at=now, attempts=MESSAGES.c.attempts + 1,
                        lease_owner=None, lease_until=None, last_error=None)
                .returning(MESSAGES.c.id)
            ).scalars())
        for result in results:
            if not _succeeded(result) and conn.execute(
                update(MESSAGES).where(MESSAGES.c.id == result.job.pk, held)
                .values(**_failure_outcome(result, now, schedule))
            ).rowcount:
                accepted.add(result.job.pk)
        sent = [r for r in results if r.job.secrets is not None]
        lost = {r.job.pk for r in sent} - accepted
        if lost:
            logger.warning("%s lost the lease of %d webhook message(s)", worker_id, len(lost))
            # Unless the endpoint was deleted meanwhile, taking its messages with it.
            lost -= set(conn.execute(select(MESSAGES.c.id).where(MESSAGES.c.id.in_(lost))).scalars())
        attempts = [{"message_pk": r.job.pk, "endpoint_id": r.job.endpoint_id, "at": r.at,
                     "status_code": r.status_code, "latency_ms": r.latency_ms, "error": r.error,
                     "worker": worker_id[:64]} for r in sent if r.job.pk not in lost]
        if attempts:
            conn.execute(insert(ATTEMPTS), attempts)
        gone = {r.job.endpoint_id for r in sent if r.status_code == 410 and r.job.pk in accepted}
        if gone:
            conn.execute(
                update(ENDPOINTS)
                .where(ENDPOINTS.c.id.in_(gone), ENDPOINTS.c.disabled_at.is_(None))
                .values(disabled_at=now, disabled_reason="the receiver answered 410 Gone")
            )
    return len(accepted)


def heartbeat(engine: Engine, worker_id: str, pks: Sequence[int], now: datetime, lease_seconds: float) -> int:
    """Extends the leases this worker still holds, so a slow send is not taken over while in flight."""
    with engine.begin() as conn:
        return int(conn.execute(
            update(MESSAGES)
            .where(MESSAGES.c.id.in_(pks), MESSAGES.c.lease_owner == worker_id,
                   MESSAGES.c.status == "pending")
            .values(lease_until=now + timedelta(seconds=lease_seconds))
        ).rowcount)


@dataclass
class _Flight:
    """Sends a worker has started and not yet recorded; they may outlive the round that started them."""

    sends: dict[Future[Result], int] = field(default_factory=dict)
    last_beat: float = field(default_factory=time.monotonic)


_flights: dict[tuple[int, str], _Flight] = {}
_flights_lock = threading.Lock()


def _settle(engine: Engine, worker_id: str, flight: _Flight, clock: Clock, settings: Settings) -> int:
    """Records the sends that have finished and renews the leases of those still running."""
    done = [f for f in list(flight.sends) if f.done()]
    for future in done:
        del flight.sends[future]
    if done:
        record(engine, worker_id, [f.result() for f in done], clock(), settings.webhook_retry_schedule)
    lease = settings.webhook_lease_seconds
    if flight.sends and time.monotonic() - flight.last_beat >= max(0.05, lease / 3):
        heartbeat(engine, worker_id, list(flight.sends.values()), clock(), lease)
        flight.last_beat = time.monotonic()
    return len(done)


def deliver_due(engine: Engine, worker_id: str, *, batch: int = 100, now: datetime | None = None,
                settings: Settings | None = None) -> int:
    """Claims, sends and records one batch of due messages; returns how many outcomes were settled.

    At most ``batch`` messages are in flight per worker. A round waits for its own sends for up to
    ``ROUND_BUDGET_SECONDS``; a slower one keeps running (under heartbeat) and a later round records it,
    so one slow receiver does not hold back every other endpoint. ``now`` moves this worker's clock (tests
    use it to make retries due); ``settings`` defaults to the process settings and decides the vault key,
    lease, timeout and whether private addresses are allowed.
    """
    settings = settings or get_settings()
    offset = (now - utcnow()) if now is not None else timedelta(0)

    def clock() -> datetime:
        return utcnow() + offset

    with _flights_lock:
        flight = _flights.setdefault((id(engine), worker_id), _Flight())
    settled = _settle(engine, worker_id, flight, clock, settings)
    room = batch - len(flight.sends)
    pks = claim(engine, worker_id, room, clock(), settings.webhook_lease_seconds) if room > 0 else []
    if not pks:
        return settled
    jobs = _load_jobs(engine, worker_id, pks, settings, clock())
    skipped = [Result(job, clock()) for job in jobs if job.secrets is None]
    if skipped:
        record(engine, worker_id, skipped, clock(), settings.webhook_retry_schedule)
    runtime = _runtime(settings)
    mine: set[Future[Result]] = set()
    if not flight.sends:
        flight.last_beat = time.monotonic()
    for job in jobs:
        if job.secrets is not None:
            future = runtime.pool.submit(send, runtime.client, job, settings.webhook_timeout_seconds, clock)
            flight.sends[future] = job.pk
            mine.add(future)
    deadline = time.monotonic() + ROUND_BUDGET_SECONDS
    while mine and time.monotonic() < deadline:
        # Fast answers are recorded together, in one transaction per quarter second at most.
        _, mine = wait(mine, timeout=min(0.25, max(0.0, deadline - time.monotonic())),
                       return_when=ALL_COMPLETED)
        settled += _settle(engine, worker_id, flight, clock, settings)
    return settled + len(skipped)
