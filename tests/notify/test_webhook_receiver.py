"""A real HTTP receiver on loopback for the webhook tests, and the helpers they share.

The receiver verifies every request with the Standard Webhooks reference library, records what arrived
and answers as the test tells it (status, headers, delay). It is a module of tests so that the project's
test layout needs no extra package; the few tests at the bottom check the receiver itself.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.models.webhook import WebhookMessage
from app.notify import webhooks
from app.notify.signing import new_secret, webhook_headers
from tests.factories import Actor, World


@dataclass(frozen=True)
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    sleep: float = 0.0


@dataclass(frozen=True)
class Received:
    webhook_id: str
    headers: dict[str, str]
    body: bytes
    verified_with: tuple[int, ...]  # indices into Receiver.secrets that verify the signature
    status: int = 204
    peer: tuple[str, int] = ("", 0)  # the sender's address and port: one port per connection

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class Receiver:
    """Records every request; ``answer`` decides the response from the request and its arrival number."""

    def __init__(self) -> None:
        self.secrets: list[str] = []
        self.answer: Callable[[Received, int], Answer] = lambda _r, _n: Answer()
        self.received: list[Received] = []
        self.overlaps: list[str] = []  # webhook-ids that arrived while the same id was still in flight
        self.peak = 0  # the most requests it was answering at once
        self._busy = 0
        self._in_flight: Counter[str] = Counter()
        self._arrivals: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def __enter__(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the worker's pooled client expects

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-request: like any server, drop the half-read request
                headers = {k.lower(): v for k, v in self.headers.items()}
                webhook_id = headers.get("webhook-id", "")
                number = receiver._enter(webhook_id)
                try:
                    secrets = list(receiver.secrets)
                    verified = tuple(i for i, s in enumerate(secrets) if _verifies(s, body, headers))
                    draft = Received(webhook_id, headers, body, verified)
                    answer = receiver.answer(draft, number)
                    if answer.sleep:
                        time.sleep(answer.sleep)
                    with receiver._lock:
                        receiver.received.append(Received(webhook_id, headers, body, verified, answer.status,
                                                          self.client_address[:2]))
                finally:
                    receiver._leave(webhook_id)
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _enter(self, webhook_id: str) -> int:
        """Notes the arrival; returns how many requests with this id arrived before it."""
        with self._lock:
            if self._in_flight[webhook_id]:
                self.overlaps.append(webhook_id)
            self._in_flight[webhook_id] += 1
            self._arrivals[webhook_id] += 1
            self._busy += 1
            self.peak = max(self.peak, self._busy)
            return self._arrivals[webhook_id] - 1

    def _leave(self, webhook_id: str) -> None:
        with self._lock:
            self._in_flight[webhook_id] -= 1
            self._busy -= 1

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def acked_ids(self) -> set[str]:
        return {r.webhook_id for r in self.snapshot() if 200 <= r.status < 300}

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.snapshot()
            if len(got) >= count:
                return got
            time.sleep(0.01)
        raise AssertionError(f"receiver got {len(self.snapshot())} requests, expected {count}")


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Workers are killed mid-request on purpose; their reset connections are not test failures.
        pass


def _verifies(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


# ---- shared helpers -------------------------------------------------------------------------------------

EVENT = "match.station_digest"


def register(world: World, owner: Actor, receiver: Receiver,
             events: list[str] | None = None) -> dict[str, Any]:
    """Registers ``receiver`` as a webhook endpoint of ``owner``; the receiver learns the secret."""
    response = world.client.post("/api/v1/webhook-endpoints", headers=owner.headers,
                                 json={"url": receiver.url, "event_types": events or [EVENT]})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    receiver.secrets.append(body["secret"])
    return body


def queue(engine: Engine, owner: Actor, count: int = 1, event: str = EVENT) -> list[str]:
    """Queues ``count`` messages for ``owner`` as the fan-out would, committed; returns their webhook-ids."""
    role = "station" if owner.key.startswith("jm_sta") else "employer"
    assert owner.id is not None
    ids: list[str] = []
    with Session(engine, expire_on_commit=False) as session:
        for n in range(count):
            payload = {"seq": n, "matches": [{"seeker_id": 1000 + n, "score": 87.5, "rank": 1}]}
            ids += [m.message_id for m in webhooks.enqueue(session, role, owner.id, event, payload)]
        session.commit()
    return ids


def messages(engine: Engine) -> dict[str, WebhookMessage]:
    with Session(engine, expire_on_commit=False) as session:
        return {m.message_id: m for m in session.exec(select(WebhookMessage)).all()}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


# ---- the receiver itself ---------------------------------------------------------------------------------

def test_receiver_verifies_signatures_with_the_reference_library(receiver: Receiver) -> None:
    good, other = new_secret(), new_secret()
    receiver.secrets += [good, other]
    body = '{"type":"match.station_digest","data":{"seq":1}}'
    with httpx.Client() as client:
        now = int(time.time())
        client.post(receiver.url, content=body, headers=webhook_headers([good], "msg_1", now, body))
        client.post(receiver.url, content=body + " ", headers=webhook_headers([good], "msg_2", now, body))
    first, tampered = receiver.wait_for(2)
    assert first.verified_with == (0,)
    assert tampered.verified_with == ()


def test_receiver_answers_as_told_and_records_overlaps(receiver: Receiver) -> None:
    receiver.answer = lambda _r, n: Answer(500 if n == 0 else 200, {"retry-after": "7"}, sleep=0.2)
    with httpx.Client() as client:
        threads = [threading.Thread(target=client.post, args=(receiver.url,),
                                    kwargs={"content": b"{}", "headers": {"webhook-id": "msg_same"}})
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(r.status for r in receiver.wait_for(2)) == [200, 500]
    assert receiver.overlaps == ["msg_same"]
