"""The per-endpoint in-flight limit and the send deadline, against real receivers on loopback: slow ones
held by the test until the fast ones are done, and one that drips its answer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine

from app.notify.delivery import deliver_due, endpoint_limit
from app.notify.lanes import Lanes
from app.settings import Settings
from tests.factories import World
from tests.notify.test_webhook_receiver import EVENT, Answer, Received, Receiver, messages, queue, register
from tests.notify.test_webhook_sender import RawServer, read_request


@pytest.fixture
def limited(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Four sender threads, at most two of them for one endpoint; loopback receivers allowed (for the API
    too, which reads the shared settings)."""
    monkeypatch.setattr(settings, "allow_private_webhooks", True)
    return settings.model_copy(update={"webhook_concurrency": 4, "webhook_endpoint_concurrency": 2})


@contextmanager
def polling_worker(engine: Engine, settings: Settings, batch: int = 100) -> Iterator[None]:
    """Rounds back to back, as `jobmatch worker` runs them, until every message is settled."""
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            if deliver_due(engine, "limited", batch=batch, settings=settings) == 0:
                stop.wait(0.02)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield
        deadline = time.monotonic() + 30
        while any(m.status == "pending" for m in messages(engine).values()) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=30)


def test_the_setting_leaves_a_thread_to_other_endpoints(settings: Settings) -> None:
    assert Settings().webhook_endpoint_concurrency == 4 and Settings().webhook_concurrency == 8
    assert endpoint_limit(settings.model_copy(update={"webhook_endpoint_concurrency": 2})) == 2
    assert endpoint_limit(settings.model_copy(update={"webhook_endpoint_concurrency": 50})) == 7
    assert endpoint_limit(settings.model_copy(update={"webhook_concurrency": 1})) == 1


def held_until(gate: threading.Event) -> Callable[[Received, int], Answer]:
    """A slow receiver whose answers wait for the test to open ``gate`` (30 s at most, should a test fail
    first): "every fast delivery went out before the first slow one completed" then depends on the order
    of events only, not on how fast a loaded machine runs."""

    def answer(_request: Received, _number: int) -> Answer:
        gate.wait(30)
        return Answer(204)

    return answer


def test_a_slow_receiver_holds_only_its_share_of_the_sender_threads(world: World, engine: Engine,
                                                                    limited: Settings) -> None:
    slow_owner, fast_owner = world.station(), world.station()
    gate = threading.Event()
    with Receiver() as slow, Receiver() as fast:
        register(world, slow_owner, slow)
        register(world, fast_owner, fast)
        slow.answer = held_until(gate)
        slow_ids = queue(engine, slow_owner, 4)  # due first: without the limit they take all four threads
        fast_ids = queue(engine, fast_owner, 12)
        with polling_worker(engine, limited):
            try:
                fast.wait_for(12, timeout=20)
                assert slow.snapshot() == [], "every fast delivery was acknowledged before any slow one"
            finally:
                gate.set()
        assert slow.peak == 2  # the limit, reached and never passed
        assert fast.acked_ids() == set(fast_ids) and slow.acked_ids() == set(slow_ids)
    assert {m.status for m in messages(engine).values()} == {"delivered"}


@pytest.mark.parametrize(("threads", "limit"), [(4, 2), (8, 4)])
def test_two_slow_receivers_with_backlogs_leave_a_thread_to_a_fast_one(
        world: World, engine: Engine, limited: Settings, threads: int, limit: int) -> None:
    """Each slow endpoint is held to its limit, and together they never take the last thread: before the
    fix (8 threads and a limit of 4, the defaults, or 4 and 2) the two of them took every thread and
    claimed the whole batch, and the fast receiver waited for the slow ones."""
    settings = limited.model_copy(update={"webhook_concurrency": threads, "webhook_endpoint_concurrency": limit})
    owners = [world.station() for _ in range(3)]
    gate = threading.Event()
    with Receiver() as slow_a, Receiver() as slow_b, Receiver() as fast:
        for owner, receiver in zip(owners, (slow_a, slow_b, fast), strict=True):
            register(world, owner, receiver)
        slow_a.answer = slow_b.answer = held_until(gate)
        # Backlogs larger than the limits, due before the fast receiver's messages.
        slow_ids = queue(engine, owners[0], 3 * limit) + queue(engine, owners[1], 3 * limit)
        fast_ids = queue(engine, owners[2], 12)
        with polling_worker(engine, settings):
            try:
                fast.wait_for(12, timeout=20)
                assert slow_a.snapshot() == [] and slow_b.snapshot() == [], \
                    "every fast delivery was acknowledged before any slow one"
                # Nothing slow has finished yet, so each peak is what that receiver holds right now.
                assert slow_a.peak + slow_b.peak <= threads - 1
            finally:
                gate.set()
        assert max(slow_a.peak, slow_b.peak) <= limit
        assert fast.acked_ids() == set(fast_ids)
        assert slow_a.acked_ids() | slow_b.acked_ids() == set(slow_ids)
    assert {m.status for m in messages(engine).values()} == {"delivered"}


def test_a_slow_backlog_larger_than_the_batch_does_not_stop_other_endpoints_being_claimed(
        world: World, engine: Engine, limited: Settings) -> None:
    slow_owner, fast_owner = world.station(), world.station()
    gate = threading.Event()
    with Receiver() as slow, Receiver() as fast:
        register(world, slow_owner, slow)
        register(world, fast_owner, fast)
        slow.answer = held_until(gate)
        # Eight slow messages due before the fast ones, and a batch of four: a plain "oldest first" claim
        # would take only slow messages until the slow backlog is gone.
        slow_ids = queue(engine, slow_owner, 8)
        fast_ids = queue(engine, fast_owner, 6)
        with polling_worker(engine, limited, batch=4):
            try:
                fast.wait_for(6, timeout=20)
                assert slow.snapshot() == [], "every fast delivery was acknowledged before any slow one"
            finally:
                gate.set()
        assert slow.peak <= 2
        assert fast.acked_ids() == set(fast_ids) and slow.acked_ids() == set(slow_ids)
    assert {m.status for m in messages(engine).values()} == {"delivered"}


def test_a_receiver_dripping_its_answer_is_cut_off_at_the_timeout_and_frees_its_thread(
        world: World, engine: Engine, limited: Settings) -> None:
    """``webhook_timeout_seconds`` is the whole send's budget: a receiver sending a byte every 0.1 s, well
    inside any per-read timeout, is cut off when it is spent and the attempt fails as a timeout."""
    settings = limited.model_copy(update={"webhook_timeout_seconds": 0.5, "webhook_concurrency": 2,
                                          "webhook_endpoint_concurrency": 1})
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        if not read_request(conn):
            return
        for byte in b"HTTP/1.1 204 No Content\r\n\r\n":  # 2.7 s of drip
            if stop.wait(0.1):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return  # the worker hung up: what the test wants

    server = RawServer(drip)
    owner = world.station()
    try:
        created = world.client.post("/api/v1/webhook-endpoints", headers=owner.headers,
                                    json={"url": server.url, "event_types": [EVENT]})
        assert created.status_code == 201, created.text
        [message_id] = queue(engine, owner)
        started = time.monotonic()
        while messages(engine)[message_id].attempts == 0 and time.monotonic() - started < 10:
            deliver_due(engine, "drip", settings=settings)
        stored = messages(engine)[message_id]
        # Before the fix each byte reset the per-read timeout and the drip ran to its end: a 204.
        assert stored.attempts == 1 and (stored.last_error or "").startswith("TimeoutError"), stored.last_error
    finally:
        stop.set()
        server.close()


def test_an_endpoint_turning_slow_hands_back_its_queued_sends_beyond_its_share() -> None:
    """Quick endpoints may be claimed deeper (a whole batch per claim on a busy worker); once a send of one
    runs long it is lagging, and its queued sends beyond the given share are taken back unstarted."""
    pool = ThreadPoolExecutor(max_workers=2)
    lanes: Lanes[int] = Lanes(pool, threads=2, limit=1)
    gate = threading.Event()
    ran: list[int] = []

    def task(n: int) -> Callable[[], Any]:
        def run() -> Any:
            ran.append(n)
            gate.wait(5)
            return n
        return run

    try:
        futures = [lanes.submit(7, task(n)) for n in range(6)]
        time.sleep(0.1)
        assert lanes.lagging(0.05) == {7} and lanes.lagging(5.0) == set()
        shed = lanes.shed(7, keep=2)  # one running, one queued stay
        assert shed == futures[2:][::-1] and all(f.cancelled() for f in shed)
        gate.set()
        assert [f.result(timeout=5) for f in futures[:2]] == [0, 1]
        assert ran == [0, 1] and lanes.lagging(0.0) == set()
    finally:
        gate.set()
        pool.shutdown(wait=True)
