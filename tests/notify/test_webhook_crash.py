"""The worker is killed with SIGKILL at random moments while it delivers; nothing may be lost.

Each cycle starts the real `jobmatch worker` in a subprocess against the test database, waits until it is
delivering, lets it run a random moment and kills it. A final worker then finishes. Every message must
have reached the receiver at least once, repeats only ever with the message's own webhook-id, and none
may be left pending.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.settings import PROJECT_ROOT, Settings
from tests.factories import World
from tests.notify.test_webhook_receiver import Answer, Received, Receiver, messages, queue, register

MESSAGES = 200
KILLS = 20
LEASE_SECONDS = 1.5


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


def worker_env(settings: Settings, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOBMATCH_")}
    env.update({
        "JOBMATCH_DATABASE_URL": settings.effective_database_url,
        "JOBMATCH_SECRET_KEY": settings.secret_key,
        "JOBMATCH_ALLOW_GENERATED_SECRET": "false",
        "JOBMATCH_VAR_DIR": str(var_dir),
        "JOBMATCH_ALLOW_PRIVATE_WEBHOOKS": "true",
        "JOBMATCH_WEBHOOK_LEASE_SECONDS": str(LEASE_SECONDS),
        "JOBMATCH_WEBHOOK_CONCURRENCY": "3",
        "JOBMATCH_WEBHOOK_RETRY_SCHEDULE": json.dumps([0.2] * 10),
        "JOBMATCH_WORKER_POLL_SECONDS": "0.05",
        "JOBMATCH_LOG_LEVEL": "ERROR",
    })
    return env


# `jobmatch worker`, forked from a parent that has done the imports once (no threads, no connections yet):
# each worker then starts in milliseconds, so the suite spends its time killing workers, not importing.
ZYGOTE = """
import os, signal, sys
from app.worker import run_worker
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        run_worker()
        os._exit(0)
    print(pid, flush=True)
"""


class Workers:
    """Starts worker processes on demand, kills them with SIGKILL, and leaves none behind."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        # Output goes to a file, not a pipe: a chatty worker must never block on a full pipe.
        with log.open("ab") as out:
            self.zygote = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=PROJECT_ROOT, env=env,
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=out)
        self.pids: list[int] = []

    def start(self) -> int:
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write(b"go\n")
        self.zygote.stdin.flush()
        line = self.zygote.stdout.readline()
        assert line, "the worker parent died"
        self.pids.append(int(line))
        return self.pids[-1]

    @staticmethod
    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while self.alive(pid) and time.monotonic() < deadline:
            time.sleep(0.005)

    def close(self) -> None:
        for pid in self.pids:
            if self.alive(pid):
                self.kill(pid)
        for stream in (self.zygote.stdin, self.zygote.stdout):
            if stream:
                stream.close()
        self.zygote.kill()
        self.zygote.wait(timeout=10)


def test_sigkill_at_random_moments_loses_nothing(world: World, engine: Engine, settings: Settings,
                                                 receiver: Receiver, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setattr(settings, "allow_private_webhooks", True)
    rng = random.Random()
    station = world.station()
    register(world, station, receiver)

    def answer(_request: Received, _n: int) -> Answer:
        roll = rng.random()
        if roll < 0.08:
            return Answer(500)  # a transient failure: retried under the same webhook-id
        if roll < 0.25:
            return Answer(204, sleep=rng.uniform(0.2, 0.5))  # a slow receiver: killed mid-request
        return Answer(204, sleep=rng.uniform(0.02, 0.08))

    receiver.answer = answer
    ids = queue(engine, station, MESSAGES)
    env = worker_env(settings, tmp_path)
    log = tmp_path / "worker.log"

    workers = Workers(env, log)
    kills = 0
    try:
        while kills < KILLS:
            before = len(receiver.snapshot())
            worker = workers.start()
            deadline = time.monotonic() + 20
            while len(receiver.snapshot()) == before and time.monotonic() < deadline:
                time.sleep(0.005)
            assert workers.alive(worker), log.read_text()[-2000:]
            time.sleep(rng.uniform(0.0, 0.3))
            assert len(receiver.acked_ids()) < MESSAGES, f"all delivered after {kills} kills"
            workers.kill(worker)
            kills += 1
        acked_before_final = len(receiver.acked_ids())
        workers.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if all(m.status != "pending" for m in messages(engine).values()):
                break
            time.sleep(0.1)
    finally:
        workers.close()

    stored = messages(engine)
    assert sorted(stored) == sorted(ids)
    assert {m.status for m in stored.values()} == {"delivered"}, log.read_text()[-2000:]
    got = receiver.snapshot()
    assert receiver.acked_ids() == set(ids), "every message arrived at least once"
    assert all(r.verified_with == (0,) for r in got)
    ids_per_notification: dict[int, set[str]] = defaultdict(set)
    for request in got:
        ids_per_notification[request.json()["data"]["seq"]].add(request.webhook_id)
    assert all(len(found) == 1 for found in ids_per_notification.values()), "repeats reuse their webhook-id"
    assert len(ids_per_notification) == MESSAGES
    repeats = len([r for r in got if 200 <= r.status < 300]) - MESSAGES
    print(f"\n{kills} kills ({acked_before_final} acknowledged before the last worker), {len(got)} requests, "
          f"{repeats} repeated deliveries, "
          f"{sum(1 for r in got if r.status >= 500)} transient failures")
