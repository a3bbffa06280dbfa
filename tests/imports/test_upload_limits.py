"""A file over the size limit is refused with 413 before it is read, and while it is read."""

from __future__ import annotations

from typing import Any

import anyio
from sqlalchemy import Engine

from app.main import create_app
from app.settings import Settings
from tests.factories import World

LIMIT = 1000


def _call(settings: Settings, engine: Engine, headers: dict[str, str], chunks: int = 10,
          chunk: bytes = b"x" * 400) -> tuple[list[dict[str, Any]], int]:
    """Drive the ASGI app directly, counting how much of the body it asks for."""
    app = create_app(settings.model_copy(update={"import_max_bytes": LIMIT}), engine)
    pulled = 0
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunk, "more_body": pulled < chunks}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/v1/seekers/import", "raw_path": b"/api/v1/seekers/import", "query_string": b"mode=commit",
        "root_path": "", "client": ("127.0.0.1", 50000), "server": ("testserver", 80),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    anyio.run(app, scope, receive, send)
    return sent, pulled


def _problem(sent: list[dict[str, Any]]) -> tuple[int, bytes]:
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


def test_a_declared_length_over_the_limit_is_refused_unread(world: World, settings: Settings, engine: Engine) -> None:
    station = world.station()
    for extra in ({}, {"Idempotency-Key": "big-1"}):
        headers = {**station.headers, "Content-Type": "text/csv", "Content-Length": str(50 * 1024 * 1024), **extra}
        sent, pulled = _call(settings, engine, headers)
        status, body = _problem(sent)
        assert status == 413 and b"payload_too_large" in body
        assert pulled == 0


def test_a_body_growing_past_the_limit_is_cut_off(world: World, settings: Settings, engine: Engine) -> None:
    station = world.station()
    for extra in ({}, {"Idempotency-Key": "big-2"}):
        # No Content-Length (chunked transfer): the bytes are counted while they are spooled.
        sent, pulled = _call(settings, engine, {**station.headers, "Content-Type": "text/csv", **extra})
        status, _ = _problem(sent)
        assert status == 413
        assert pulled == 3  # 1200 bytes seen, the remaining 2800 never read


def test_the_size_check_comes_after_authentication(settings: Settings, engine: Engine) -> None:
    sent, pulled = _call(settings, engine, {"Content-Type": "text/csv", "Content-Length": str(10 ** 9)})
    assert _problem(sent)[0] == 401 and pulled == 0
