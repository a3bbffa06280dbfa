"""Sustained webhook deliveries per second to a loopback receiver.

Two `jobmatch worker` processes on PostgreSQL (goal: at least 1,000 per second), one on SQLite. Each run
builds its own temporary database, queues the messages due at one instant a few seconds ahead (so worker
start-up is not measured), and times from that instant to the last message recorded as delivered.
Prints one JSON line per backend: {"bench": "notify.webhooks_per_s", "backend", "per_s", "messages", ...}.

    .venv/bin/python -m benchmarks.bench_webhooks
BENCH_WEBHOOK_MESSAGES scales the queue (default 20,000 on PostgreSQL, 10,000 on SQLite);
BENCH_WEBHOOK_CONCURRENCY sets each worker's concurrent sends (default: the setting, 8);
BENCH_WEBHOOK_ENDPOINTS the number of receiving endpoints the messages are spread over (default 4; with 1,
the per-endpoint limit and claim share are what bound a worker).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

PG_ADMIN_URL = os.environ.get("JOBMATCH_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parent.parent
LEAD_SECONDS = 5.0
EVENT = "match.station_digest"

Emit = Callable[[dict[str, Any]], None]


async def receiver_app(scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
    """The loopback receiver: reads the body and answers 204, as a well-behaved station system would."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _receiver() -> Iterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.bench_webhooks:receiver_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=10)


@contextmanager
def _database(backend: str) -> Iterator[str]:
    from app.migrate import migrate

    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            migrate(url)
            yield url
        return
    import psycopg

    name = f"jobmatch_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        migrate(url)
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _digest(n: int) -> dict[str, Any]:
    """About the size of a real station digest: five ranked seekers with their reasons."""
    seekers = [{"seeker_id": 1000 + n * 10 + r, "rank": r + 1, "score": 90.0 - r,
                "reasons": ["技能匹配：电焊工", "同乡结对"]} for r in range(5)]
    return {"event_id": n, "vacancy_id": n % 97, "seekers": seekers}


def _queue(url: str, key: str, hook: str, count: int, start: Any) -> None:
    """Endpoints of as many stations (four unless BENCH_WEBHOOK_ENDPOINTS says otherwise), and ``count``
    digests due at ``start`` spread over them, inserted in bulk."""
    from sqlalchemy import insert
    from sqlmodel import Session

    from app.db import make_engine
    from app.models.webhook import WebhookEndpoint, WebhookMessage
    from app.notify.signing import new_secret
    from app.notify.webhooks import new_message_id
    from app.pii import Vault

    vault = Vault(key.encode())
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            endpoints = [WebhookEndpoint(owner_role="station", owner_id=n, url=hook, event_types=[EVENT],
                                         secret_enc=vault.encrypt(new_secret()))
                         for n in range(1, 1 + _endpoints())]
            session.add_all(endpoints)
            session.flush()
            ids = [e.id for e in endpoints]
            rows = [{
                "message_id": new_message_id(), "endpoint_id": ids[n % len(ids)], "event_type": EVENT,
                "payload": {"type": EVENT, "timestamp": start.isoformat(), "data": _digest(n)},
                "status": "pending", "attempts": 0, "next_attempt_at": start, "created_at": start,
            } for n in range(count)]
            for chunk in range(0, count, 5000):
                session.execute(insert(WebhookMessage), rows[chunk:chunk + 5000])
            session.commit()
    finally:
        engine.dispose()


def _endpoints() -> int:
    return int(os.environ.get("BENCH_WEBHOOK_ENDPOINTS") or 4)


def _ceiling(hook: str, requests: int = 2000) -> float:
    """Sequential POSTs on one kept-alive connection with the standard library: what this machine and
    receiver manage at all right now, to read the result against on a shared or busy host."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(hook)
    body = json.dumps({"type": EVENT, "data": _digest(1)}, ensure_ascii=False).encode()
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80)
    try:
        started = time.perf_counter()
        for _ in range(requests):
            conn.request("POST", parts.path, body=body, headers={"content-type": "application/json"})
            conn.getresponse().read()
        return requests / (time.perf_counter() - started)
    finally:
        conn.close()


def _progress(engine: Any) -> tuple[int, Any]:
    from sqlalchemy import text

    with engine.connect() as conn:
        pending = conn.execute(
            text("SELECT count(*) FROM webhook_message WHERE status = 'pending'")).scalar_one()
        last = conn.execute(text("SELECT max(delivered_at) FROM webhook_message")).scalar_one()
    return int(pending), last


def measure(backend: str, messages: int, workers: int) -> dict[str, Any]:
    from datetime import datetime

    from app.clock import utcnow
    from app.db import make_engine
    from app.settings import Settings

    key = Fernet.generate_key().decode()
    with _database(backend) as url, _receiver() as hook, tempfile.TemporaryDirectory() as var:
        ceiling = _ceiling(hook)
        start = utcnow() + timedelta(seconds=LEAD_SECONDS)
        _queue(url, key, hook, messages, start)
        start = max(start, utcnow())
        env = {k: v for k, v in os.environ.items() if not k.startswith("JOBMATCH_")}
        env.update({"JOBMATCH_DATABASE_URL": url, "JOBMATCH_SECRET_KEY": key, "JOBMATCH_VAR_DIR": var,
                    "JOBMATCH_ALLOW_GENERATED_SECRET": "false", "JOBMATCH_ALLOW_PRIVATE_WEBHOOKS": "true",
                    "JOBMATCH_WORKER_POLL_SECONDS": "0.05", "JOBMATCH_LOG_LEVEL": "WARNING"})
        concurrency = os.environ.get("BENCH_WEBHOOK_CONCURRENCY")
        if concurrency:
            env["JOBMATCH_WEBHOOK_CONCURRENCY"] = concurrency
        cpu_before = _children_cpu()
        procs = [subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], cwd=ROOT, env=env)
                 for _ in range(workers)]
        engine = make_engine(url)
        try:
            deadline = time.monotonic() + LEAD_SECONDS + 600
            pending, last = messages, None
            while time.monotonic() < deadline:
                time.sleep(1.0)  # gently: the poller shares the machine with what it measures
                pending, last = _progress(engine)
                if pending == 0:
                    break
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=20)
            worker_cpu = _children_cpu() - cpu_before
            engine.dispose()
    if pending or last is None:
        raise RuntimeError(f"{pending} of {messages} messages still pending")
    if isinstance(last, str):  # SQLite returns the stored text
        last = datetime.fromisoformat(last).replace(tzinfo=start.tzinfo)
    elif last.tzinfo is None:
        last = last.replace(tzinfo=start.tzinfo)
    seconds = (last - start).total_seconds()
    return {"bench": "notify.webhooks_per_s", "backend": backend, "per_s": round(messages / seconds, 1),
            "messages": messages, "workers": workers, "seconds": round(seconds, 2),
            "concurrency": int(os.environ.get("BENCH_WEBHOOK_CONCURRENCY") or Settings().webhook_concurrency),
            "endpoints": _endpoints(),
            "one_connection_ceiling_per_s": round(ceiling, 1), "load_avg_1m": round(os.getloadavg()[0], 2),
            # CPU the workers used per message (start-up included): on a busy host the fairer figure.
            "worker_cpu_ms_per_message": round(worker_cpu * 1000 / messages, 3)}


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def _pg_reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def run(emit: Emit) -> None:
    count = os.environ.get("BENCH_WEBHOOK_MESSAGES")
    emit(measure("sqlite", int(count or 10_000), workers=1))
    if _pg_reachable():
        emit(measure("postgres", int(count or 20_000), workers=2))
    else:
        emit({"bench": "notify.webhooks_per_s", "backend": "postgres",
              "skipped": f"unreachable: {PG_ADMIN_URL}"})


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    run(lambda row: print(json.dumps(row, ensure_ascii=False), flush=True))
