"""Delivering queued webhook messages: at least once, never two workers on the same message at once.

One round: claim due messages under a lease in a short transaction (PostgreSQL: ``FOR UPDATE SKIP LOCKED``,
so workers never wait for each other; SQLite: one worker), reading their bodies and endpoints in the same
transaction, commit, POST them outside any transaction (a small thread pool sharing kept-alive
connections per receiver, see ``app.notify.sender``), then record attempts and outcomes in another short
transaction. Sends are queued per endpoint and at most ``webhook_endpoint_concurrency`` of one endpoint's
sends hold a sender thread at once, an endpoint already sending never takes the last free thread, and a
worker claims only a small share of its batch for one endpoint, so slow receivers cannot take every thread
or every claim. Each send ends within ``webhook_timeout_seconds`` in all. A send slower than the round's
budget keeps running under a heartbeat that renews its lease, and a later round records it. The outcome
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
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, Table, insert, or_, select, update

from app.clock import utcnow
from app.models.webhook import WebhookAttempt, WebhookEndpoint, WebhookMessage
from app.notify.lanes import Lanes
from app.notify.sender import Connections
from app.notify.signing import webhook_headers
from app.notify.webhooks import live_secrets
from app.pii import get_vault
from app.settings import Settings, get_settings

logger = logging.getLogger(__name__)

MESSAGES: Table = WebhookMessage.__table__  # type: ignore[attr-defined]
ENDPOINTS: Table = WebhookEndpoint.__table__  # type: ignore[attr-defined]
ATTEMPTS: Table = WebhookAttempt.__table__  # type: ignore[attr-defined]

# A receiver may slow us down with Retry-After, but not park a message for longer than this.
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
DISABLED = "endpoint disabled"
# How long a round waits for its own sends before it returns and lets the worker claim more.
ROUND_BUDGET_SECONDS = 2.0
# A round returns early, to claim more, once half its sends are done or a sender thread is idle while there
# is room in the batch; but not before this, so each claim and record covers enough messages to be worth
# a transaction.
ROUND_MIN_SECONDS = 0.05
TICK_SECONDS = 0.02
# Finished sends of a long round are recorded (and leases renewed) this often.
SETTLE_SECONDS = 0.25
# A worker holds at most this many times the per-endpoint limit of one endpoint's messages (in flight and
# queued behind them, so a freed lane finds its next send without waiting for a claim), and never more
# than half its batch: a slow receiver's backlog cannot fill the batch, nor can two of them.
ENDPOINT_CLAIM_FACTOR = 2
# An endpoint whose last sends all took less than this, and none of whose sends has been running longer, is
# quick: a worker may hold up to a quarter of its batch of its messages, so a claim and a record cover a
# whole batch on a busy worker (at twice the limit, four quick endpoints filled only a third of it, and
# the transactions per message tripled). An endpoint turning slow is held to the factor above again: its
# queued sends beyond it are handed back at once. Still, two of them can never fill more than half the batch.
QUICK_SECONDS = 0.25
QUICK_BATCH_SHARE = 4

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
    """Sender threads and kept-alive connections per process: connections to a receiver are reused."""

    def __init__(self, allow_private: bool, concurrency: int, per_endpoint: int) -> None:
        # Idle connections beyond what the threads could use at once only hold files open.
        self.connections = Connections(allow_private=allow_private, max_idle=2 * concurrency)
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="webhook-send")
        self.lanes: Lanes[Result] = Lanes(self.pool, concurrency, per_endpoint)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.connections.close()


_runtimes: dict[tuple[bool, int, int], _Runtime] = {}
_runtimes_lock = threading.Lock()


def endpoint_limit(settings: Settings) -> int:
    """Sends in flight per endpoint and worker: the setting, and never every sender thread (unless there
    is only one). See ``Lanes`` for the thread kept back from endpoints already sending."""
    threads = max(1, settings.webhook_concurrency)
    return max(1, min(settings.webhook_endpoint_concurrency, threads - 1))


def _runtime(settings: Settings) -> _Runtime:
    key = (settings.allow_private_webhooks, max(1, settings.webhook_concurrency), endpoint_limit(settings))
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


_CLAIMED = (MESSAGES.c.id, MESSAGES.c.message_id, MESSAGES.c.endpoint_id, MESSAGES.c.payload,
            MESSAGES.c.attempts)


def _lease(conn: Connection, worker_id: str, batch: int, now: datetime, lease_seconds: float,
           held: Mapping[int, int], per_endpoint: int, caps: Mapping[int, int] | None = None) -> list[Row[Any]]:
    """Leases up to ``batch`` due messages, at most ``per_endpoint`` of one endpoint (or its entry in
    ``caps``) counting the ``held`` ones; returns them oldest first."""
    caps = caps or {}
    free = or_(MESSAGES.c.lease_until.is_(None), MESSAGES.c.lease_until < now)
    due = (
        select(MESSAGES.c.id, MESSAGES.c.endpoint_id)
        .where(MESSAGES.c.status == "pending", MESSAGES.c.next_attempt_at <= now, free)
        .order_by(MESSAGES.c.next_attempt_at)
        .limit(batch)
    )
    full = [endpoint for endpoint, count in held.items() if count >= caps.get(endpoint, per_endpoint)]
    if full:
        # A backlog of one endpoint is skipped in the index scan, not claimed and then left unsent.
        due = due.where(MESSAGES.c.endpoint_id.not_in(full))
    if conn.dialect.name == "postgresql":
        # Rows another worker is claiming right now are skipped, not waited for.
        due = due.with_for_update(skip_locked=True)
    taken = Counter(held)
    picked: dict[int, int] = {}
    for pk, endpoint_id in conn.execute(due):
        if taken[endpoint_id] < caps.get(endpoint_id, per_endpoint):
            taken[endpoint_id] += 1
            picked[pk] = len(picked)
    if not picked:
        return []
    rows = conn.execute(
        update(MESSAGES)
        # Re-checked: on SQLite the SELECT above runs before the write transaction begins.
        .where(MESSAGES.c.id.in_(picked), MESSAGES.c.status == "pending", free)
        .values(lease_owner=worker_id, lease_until=now + timedelta(seconds=lease_seconds))
        .returning(*_CLAIMED)
    ).all()
    return sorted(rows, key=lambda row: picked[row.id])


def claim(engine: Engine, worker_id: str, batch: int, now: datetime, lease_seconds: float) -> list[int]:
    """Leases up to ``batch`` due messages to ``worker_id`` and commits; returns their primary keys."""
    with engine.begin() as conn:
        return [row.id for row in _lease(conn, worker_id, batch, now, lease_seconds, {}, batch)]


_ENDPOINT_COLUMNS = (ENDPOINTS.c.id, ENDPOINTS.c.url, ENDPOINTS.c.secret_enc, ENDPOINTS.c.previous_secret_enc,
                     ENDPOINTS.c.previous_secret_expires_at, ENDPOINTS.c.disabled_at)


def _claim_jobs(engine: Engine, worker_id: str, batch: int, settings: Settings, now: datetime,
                held: Mapping[int, int], per_endpoint: int, caps: Mapping[int, int] | None = None) -> list[Job]:
    """Claims and reads what to send in one transaction. Plain rows: ORM objects would cost more than the
    sends on a busy worker."""
    with engine.begin() as conn:
        messages = _lease(conn, worker_id, batch, now, settings.webhook_lease_seconds, held, per_endpoint, caps)
        if not messages:
            return []
        endpoints = {e.id: e for e in conn.execute(
            select(*_ENDPOINT_COLUMNS).where(ENDPOINTS.c.id.in_({m.endpoint_id for m in messages})))}
    vault = get_vault(settings)
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


def send(connections: Connections, job: Job, timeout: float, clock: Clock) -> Result:
    """One POST; never raises, every failure becomes the attempt's error text."""
    assert job.secrets is not None
    # The timestamp is the real time of this attempt: receivers reject stale ones as replays.
    headers = webhook_headers(job.secrets, job.message_id, int(time.time()), job.body)
    started = time.perf_counter()
    at = clock()
    try:
        answer = connections.post(job.url, job.body.encode(), headers, timeout)
    except Exception as exc:  # the receiver's failure is data, not a crash of the worker
        latency = (time.perf_counter() - started) * 1000
        return Result(job, at, None, latency, f"{type(exc).__name__}: {exc}"[:500])
    latency = (time.perf_counter() - started) * 1000
    if 200 <= answer.status < 300:
        return Result(job, at, answer.status, latency)
    return Result(job, at, answer.status, latency, f"HTTP {answer.status}",
                  parse_retry_after(answer.retry_after, clock()))


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


def _held_by(worker_id: str) -> ColumnElement[bool]:
    """Rows whose lease this worker still holds: an UPDATE under it changes nothing once the lease was lost."""
    return (MESSAGES.c.lease_owner == worker_id) & (MESSAGES.c.status == "pending")


def record(engine: Engine, worker_id: str, results: Sequence[Result], now: datetime,
           schedule: Sequence[float]) -> int:
    """Writes attempts and outcomes in one short transaction; returns how many outcomes were accepted.

    Every UPDATE matches only while this worker holds the lease; a result whose lease was lost changes
    nothing, though its attempt is still logged because the request did go out.
    """
    held = _held_by(worker_id)
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
            .where(MESSAGES.c.id.in_(pks), _held_by(worker_id))
            .values(lease_until=now + timedelta(seconds=lease_seconds))
        ).rowcount)


@dataclass
class _Flight:
    """Sends a worker has started and not yet recorded; they may outlive the round that started them."""

    sends: dict[Future[Result], Job] = field(default_factory=dict)
    last_beat: float = field(default_factory=time.monotonic)
    # Endpoints whose last recorded sends were all quick (see QUICK_SECONDS); any other is held closer.
    quick: set[int] = field(default_factory=set)


_flights: dict[tuple[int, str], _Flight] = {}
_flights_lock = threading.Lock()


def release_unsent(engine: Engine, worker_id: str, pks: Sequence[int]) -> None:
    """Hands back leases of messages this worker claimed and did not send: due again for any worker."""
    with engine.begin() as conn:
        conn.execute(update(MESSAGES)
                     .where(MESSAGES.c.id.in_(pks), _held_by(worker_id))
                     .values(lease_owner=None, lease_until=None))


def _shed_slow(lanes: Lanes[Result], flight: _Flight, keep: int) -> None:
    """An endpoint with a send running longer than QUICK_SECONDS is no longer quick, and its queued sends
    beyond ``keep`` are taken back (``_settle`` releases them): a receiver turning slow does not keep
    the larger share it was claimed while quick."""
    for endpoint_id in lanes.lagging(QUICK_SECONDS):
        flight.quick.discard(endpoint_id)
        lanes.shed(endpoint_id, keep)


def _settle(engine: Engine, worker_id: str, flight: _Flight, clock: Clock, settings: Settings) -> int:
    """Records the sends that have finished, releases those taken back unsent, and renews the leases of
    those still running."""
    done = [f for f in flight.sends if f.done()]
    jobs = {f: flight.sends.pop(f) for f in done}
    unsent = [job.pk for f, job in jobs.items() if f.cancelled()]
    done = [f for f in done if not f.cancelled()]
    if unsent:
        release_unsent(engine, worker_id, unsent)
    if done:
        results = [f.result() for f in done]
        slowest: dict[int, float] = {}
        for result in results:
            endpoint_id = result.job.endpoint_id
            slowest[endpoint_id] = max(slowest.get(endpoint_id, 0.0), result.latency_ms or 0.0)
        for endpoint_id, latency_ms in slowest.items():
            if latency_ms < QUICK_SECONDS * 1000:
                flight.quick.add(endpoint_id)
            else:
                flight.quick.discard(endpoint_id)
        record(engine, worker_id, results, clock(), settings.webhook_retry_schedule)
    lease = settings.webhook_lease_seconds
    if flight.sends and time.monotonic() - flight.last_beat >= max(0.05, lease / 3):
        heartbeat(engine, worker_id, [job.pk for job in flight.sends.values()], clock(), lease)
        flight.last_beat = time.monotonic()
    return len(done)


def deliver_due(engine: Engine, worker_id: str, *, batch: int = 100, now: datetime | None = None,
                settings: Settings | None = None) -> int:
    """Claims, sends and records due messages; returns how many outcomes were settled.

    At most ``batch`` messages are in flight per worker, for one endpoint at most twice its per-endpoint
    limit and half the batch (see ``Lanes`` for how they share the sender threads). A round waits for its
    sends for up to ``ROUND_BUDGET_SECONDS``, and returns earlier once there is room to claim more; a slower
    send keeps running (under heartbeat) and a later round records it, so one slow receiver does not hold
    back every other endpoint. ``now`` moves
    this worker's clock (tests use it to make retries due); ``settings`` defaults to the process settings
    and decides the vault key, lease, timeout, limits and whether private addresses are allowed.
    """
    settings = settings or get_settings()
    offset = (now - utcnow()) if now is not None else timedelta(0)

    def clock() -> datetime:
        return utcnow() + offset

    runtime = _runtime(settings)
    # Every round, busy or idle: connections to receivers not posted to again are closed all the same.
    runtime.connections.sweep()
    with _flights_lock:
        flight = _flights.setdefault((id(engine), worker_id), _Flight())
    per_endpoint = max(1, min(ENDPOINT_CLAIM_FACTOR * runtime.lanes.limit, batch // 2))
    quick_share = max(per_endpoint, batch // QUICK_BATCH_SHARE)
    _shed_slow(runtime.lanes, flight, per_endpoint)
    settled = _settle(engine, worker_id, flight, clock, settings)
    room = batch - len(flight.sends)
    jobs: list[Job] = []
    if room > 0:
        held = Counter(job.endpoint_id for job in flight.sends.values())
        caps = dict.fromkeys(flight.quick, quick_share)
        jobs = _claim_jobs(engine, worker_id, room, settings, clock(), held, per_endpoint, caps)
    skipped = [Result(job, clock()) for job in jobs if job.secrets is None]
    if skipped:
        record(engine, worker_id, skipped, clock(), settings.webhook_retry_schedule)
    if not flight.sends:
        flight.last_beat = time.monotonic()
    mine: set[Future[Result]] = set()
    for job in jobs:
        if job.secrets is not None:
            future = runtime.lanes.submit(
                job.endpoint_id, partial(send, runtime.connections, job, settings.webhook_timeout_seconds, clock))
            flight.sends[future] = job
            mine.add(future)
    if not mine:
        if flight.sends:  # earlier rounds' sends: quick ones are recorded now rather than after a poll
            wait(set(flight.sends), timeout=SETTLE_SECONDS, return_when=ALL_COMPLETED)
            settled += _settle(engine, worker_id, flight, clock, settings)
        return settled + len(skipped)
    started = last_settle = time.monotonic()
    deadline = started + ROUND_BUDGET_SECONDS
    total = len(mine)
    while mine:
        _, mine = wait(mine, timeout=TICK_SECONDS, return_when=ALL_COMPLETED)
        moment = time.monotonic()
        if not mine or moment >= deadline:
            break
        if moment - started >= ROUND_MIN_SECONDS and (
                2 * len(mine) <= total or (len(flight.sends) < batch and runtime.lanes.spare_threads())):
            break  # the next round records what is done and claims for the idle threads
        if moment - last_settle >= SETTLE_SECONDS:
            _shed_slow(runtime.lanes, flight, per_endpoint)
            settled += _settle(engine, worker_id, flight, clock, settings)
            last_settle = moment
    return settled + _settle(engine, worker_id, flight, clock, settings) + len(skipped)
