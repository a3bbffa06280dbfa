"""The live stream over a real HTTP server: pushes arrive without polling, and a phone that drops the
connection gets everything it missed when it reconnects with Last-Event-ID."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from app.models.notification import Notification
from tests.factories import World


@pytest.fixture
def server(app: FastAPI, client) -> Iterator[str]:  # type: ignore[no-untyped-def]
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


def push(engine: Engine, seeker_id: int, n: int) -> int:
    with Session(engine) as s:
        note = Notification(recipient_role="seeker", recipient_id=seeker_id, kind="job.match", title=f"岗位 {n}",
                            body={"n": n}, rank=1)
        s.add(note)
        s.commit()
        assert note.id is not None
        return note.id


def read_events(url: str, headers: dict[str, str], want: int, timeout: float = 10,
                opened: threading.Event | None = None) -> tuple[list[tuple[int, dict]], bool]:
    """Read up to `want` notification events, then hang up; also say whether the stream's preamble came."""
    events: list[tuple[int, dict]] = []
    saw_preamble = False
    with httpx.stream("GET", url, headers=headers, timeout=timeout) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event_id, data = None, None
        for line in r.iter_lines():
            if line.startswith("retry:"):
                saw_preamble = True
                if opened is not None:
                    opened.set()
            elif line.startswith("id:"):
                event_id = int(line[3:].strip())
            elif line.startswith("data:"):
                data = json.loads(line[5:])
            elif line == "" and data is not None:
                assert event_id is not None
                events.append((event_id, data))
                event_id, data = None, None
                if len(events) >= want:
                    break
    return events, saw_preamble


def test_live_push_arrives_on_the_open_stream(world: World, server: str, engine: Engine) -> None:
    station = world.station()
    seeker = world.seeker_actor(station, world.seeker(station))
    got: list[tuple[int, dict]] = []
    opened = threading.Event()

    def listen() -> None:
        events, _ = read_events(f"{server}/api/v1/notifications/stream", seeker.headers, want=1, opened=opened)
        got.extend(events)

    listener = threading.Thread(target=listen)
    listener.start()
    # Connected before the push exists: only live delivery can bring it.
    assert opened.wait(timeout=10)
    note_id = push(engine, seeker.id, 1)
    listener.join(timeout=15)
    assert [e[0] for e in got] == [note_id]
    assert got[0][1]["title"] == "岗位 1"


def test_reconnecting_with_last_event_id_misses_nothing(world: World, server: str, engine: Engine) -> None:
    station = world.station()
    seeker = world.seeker_actor(station, world.seeker(station))
    other = world.seeker_actor(station, world.seeker(station))
    rng = random.Random(7)
    sent = [push(engine, seeker.id, n) for n in range(5)]
    push(engine, other.id, 99)  # someone else's push never shows up
    received: list[int] = []
    last = 0
    for round_no in range(6):
        # Pushes keep arriving while the phone is away.
        sent += [push(engine, seeker.id, 100 + round_no * 10 + i) for i in range(rng.randint(0, 4))]
        headers = {**seeker.headers, "Last-Event-ID": str(last)}
        # The phone drops the connection after a random number of events, without saying so.
        events, saw_preamble = read_events(f"{server}/api/v1/notifications/stream", headers,
                                           want=rng.randint(1, 4))
        assert saw_preamble
        received += [event_id for event_id, _ in events]
        last = received[-1] if received else last
    events, _ = read_events(f"{server}/api/v1/notifications/stream", {**seeker.headers, "Last-Event-ID": str(last)},
                            want=len(sent) - len(received)) if len(received) < len(sent) else ([], True)
    received += [event_id for event_id, _ in events]
    assert received == sent  # every push once, in order, none of another seeker's


def test_stream_sends_heartbeats_while_idle(world: World, server: str, app: FastAPI) -> None:
    station = world.station()
    seeker = world.seeker_actor(station, world.seeker(station))
    original = app.state.settings.stream_heartbeat_seconds
    app.state.settings.stream_heartbeat_seconds = 0.3
    try:
        beats = 0
        with httpx.stream("GET", f"{server}/api/v1/notifications/stream", headers=seeker.headers, timeout=10) as r:
            started = time.monotonic()
            for line in r.iter_lines():
                if line.startswith(": heartbeat"):
                    beats += 1
                if beats >= 2 or time.monotonic() - started > 5:
                    break
        assert beats >= 2
    finally:
        app.state.settings.stream_heartbeat_seconds = original
