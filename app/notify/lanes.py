"""Webhook sends queued per endpoint and started as sender threads come free."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class Lanes(Generic[T]):
    """Sends queued per endpoint and started as sender threads come free, so a slow receiver ties up only
    some of the threads and the others go on serving every other endpoint:

    * at most ``limit`` sends of one endpoint hold a thread at a time;
    * an endpoint that already has a send in flight never takes the last free thread (when there are two
      or more): that one is kept for an endpoint starting its first send. A per-endpoint limit alone let
      two slow endpoints take every thread between them; now endpoints with sends to spare can never hold
      them all. Endpoints each on their first send still can, if enough of them are slow at once, which
      is why every send also ends at its deadline (the timeout setting).

    A freed thread starts the next send of the endpoint that waited longest, so endpoints with backlogs
    take turns.
    """

    def __init__(self, pool: ThreadPoolExecutor, threads: int, limit: int) -> None:
        self.pool, self.threads, self.limit = pool, threads, limit
        self.reserve = 1 if threads >= 2 else 0
        # Insertion order is the turn order: an endpoint that starts a send and still has more goes last.
        self._queues: dict[int, deque[tuple[Callable[[], T], Future[T]]]] = {}
        # Sends running in all, kept apart from _running so it can be read without the lock.
        self._busy = 0
        # When each running send started, per endpoint: a send running long makes its endpoint slow. The
        # number of an endpoint's entries is its sends in flight.
        self._running: dict[int, dict[Future[T], float]] = {}
        self._lock = threading.Lock()

    def submit(self, endpoint_id: int, task: Callable[[], T]) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            self._queues.setdefault(endpoint_id, deque()).append((task, future))
            started = self._start_locked()
        for run in started:
            self.pool.submit(self._run, *run)
        return future

    def spare_threads(self) -> bool:
        """Whether a sender thread is idle (a hint: read without the lock)."""
        return self._busy < self.threads

    def _active(self, endpoint_id: int) -> int:
        return len(self._running.get(endpoint_id, ()))

    def _may_start(self, endpoint_id: int) -> bool:
        active = self._active(endpoint_id)
        if active >= self.limit:
            return False
        return self._busy < (self.threads if active == 0 else self.threads - self.reserve)

    def _start_locked(self) -> list[tuple[int, Callable[[], T], Future[T]]]:
        """Takes every send that may start now, each endpoint in turn; the caller submits them."""
        started: list[tuple[int, Callable[[], T], Future[T]]] = []
        progress = True
        while progress and self._busy < self.threads:
            progress = False
            for endpoint_id in list(self._queues):
                if self._busy >= self.threads:
                    break
                if not self._may_start(endpoint_id):
                    continue
                queue = self._queues.pop(endpoint_id)
                task, future = queue.popleft()
                if queue:
                    self._queues[endpoint_id] = queue
                self._busy += 1
                self._running.setdefault(endpoint_id, {})[future] = time.monotonic()
                started.append((endpoint_id, task, future))
                progress = True
        return started

    def lagging(self, seconds: float) -> set[int]:
        """Endpoints with a send running for ``seconds`` or longer."""
        since = time.monotonic() - seconds
        with self._lock:
            return {endpoint_id for endpoint_id, running in self._running.items()
                    if min(running.values()) <= since}

    def shed(self, endpoint_id: int, keep: int) -> list[Future[T]]:
        """Takes back the endpoint's queued sends (the last queued first) until at most ``keep`` are held,
        running and queued; returns their futures, cancelled: none of them was started."""
        with self._lock:
            queue = self._queues.get(endpoint_id)
            if not queue:
                return []
            excess = self._active(endpoint_id) + len(queue) - max(0, keep)
            shed: list[Future[T]] = []
            while queue and excess > 0:
                _, future = queue.pop()
                future.cancel()
                shed.append(future)
                excess -= 1
            if not queue:
                del self._queues[endpoint_id]
            return shed

    def _run(self, endpoint_id: int, task: Callable[[], T], future: Future[T]) -> None:
        try:
            future.set_result(task())
        except BaseException as exc:  # send() returns its failures; this is a bug, kept for the round
            future.set_exception(exc)
        with self._lock:
            self._busy -= 1
            running = self._running[endpoint_id]
            del running[future]
            if not running:
                del self._running[endpoint_id]
            started = self._start_locked()
        for run in started:
            self.pool.submit(self._run, *run)
