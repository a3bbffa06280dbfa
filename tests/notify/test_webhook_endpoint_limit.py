"""The per-endpoint in-flight limit, against real receivers on loopback: one slow, one fast."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine

from app.notify.delivery import deliver_due, endpoint_limit
from app.settings import Settings
from tests.factories import World
from tests.notify.test_webhook_receiver import Answer, Receiver, messages, queue, register

SLOW_SECONDS = 1.5


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


def test_a_slow_receiver_holds_only_its_share_of_the_sender_threads(world: World, engine: Engine,
                                                                    limited: Settings) -> None:
    slow_owner, fast_owner = world.station(), world.station()
    with Receiver() as slow, Receiver() as fast:
        register(world, slow_owner, slow)
        register(world, fast_owner, fast)
        slow.answer = lambda _r, _n: Answer(204, sleep=SLOW_SECONDS)
        slow_ids = queue(engine, slow_owner, 4)  # due first: without the limit they take all four threads
        fast_ids = queue(engine, fast_owner, 12)
        started = time.monotonic()
        with polling_worker(engine, limited):
            fast.wait_for(12, timeout=SLOW_SECONDS * 4)
            fast_done = time.monotonic() - started
            assert slow.snapshot() == [], "every fast delivery went out while the slow receiver sat on its first"
        assert fast_done < SLOW_SECONDS
        assert slow.peak == 2  # the limit, reached and never passed
        assert fast.acked_ids() == set(fast_ids) and slow.acked_ids() == set(slow_ids)
    assert {m.status for m in messages(engine).values()} == {"delivered"}


def test_a_slow_backlog_larger_than_the_batch_does_not_stop_other_endpoints_being_claimed(
        world: World, engine: Engine, limited: Settings) -> None:
    slow_owner, fast_owner = world.station(), world.station()
    with Receiver() as slow, Receiver() as fast:
        register(world, slow_owner, slow)
        register(world, fast_owner, fast)
        slow.answer = lambda _r, _n: Answer(204, sleep=SLOW_SECONDS / 3)
        # Eight slow messages due before the fast ones, and a batch of four: a plain "oldest first" claim
        # would take only slow messages until the slow backlog is gone.
        slow_ids = queue(engine, slow_owner, 8)
        fast_ids = queue(engine, fast_owner, 6)
        started = time.monotonic()
        with polling_worker(engine, limited, batch=4):
            fast.wait_for(6, timeout=SLOW_SECONDS * 4)
            fast_done = time.monotonic() - started
            assert len(slow.snapshot()) <= 4  # the slow backlog (4 rounds of 2 at best) is still going
        assert fast_done < SLOW_SECONDS
        assert slow.peak <= 2
        assert fast.acked_ids() == set(fast_ids) and slow.acked_ids() == set(slow_ids)
    assert {m.status for m in messages(engine).values()} == {"delivered"}
