"""Benchmark: from a vacancy's commit to its last push, with the whole population in the index.

A worker runs in a thread as `jobmatch worker` would; each new vacancy is committed through the
service and the clock stops when the transaction that wrote its pushes (seekers' inboxes, the
stations' digests, the employer's shortlist) has committed. Also reports the index built from the
database: `index.build` (seconds) and `index.memory` (bytes per seeker).
Prints `notify.vacancy_to_last_push` (`median_ms`, `p99_ms`, `n`). BENCH_NOTIFY_N sets the count.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.clock import today_shanghai
from app.db import make_engine
from app.models.employer import Employer
from app.models.notification import OutboxEvent
from app.models.vacancy import VacancyCreate
from app.services.matching import MatchService
from app.services.vacancies import create_vacancy
from app.settings import Settings
from app.worker import Worker
from benchmarks import population

OCCUPATIONS = ("电焊工", "普工", "缝纫工", "叉车司机", "装配工", "包装工", "质检员", "保安员", "厨师", "注塑工")
DISTRICTS = ("330203", "330206", "330212", "330282", "330281")


def _post(engine: Any, employer_id: int, i: int) -> int:
    with Session(engine) as session:
        employer = session.get(Employer, employer_id)
        assert employer is not None
        vacancy = create_vacancy(session, employer, VacancyCreate(
            title=OCCUPATIONS[i % len(OCCUPATIONS)], occupation=OCCUPATIONS[i % len(OCCUPATIONS)], headcount=20,
            district_code=DISTRICTS[i % len(DISTRICTS)], pay_min=5000, pay_max=7000,
            valid_until=today_shanghai() + timedelta(days=30)))
        session.commit()
        event_id = session.exec(select(OutboxEvent.id).where(OutboxEvent.subject_id == vacancy.id)
                                .where(OutboxEvent.kind == "vacancy.opened")).one()
        return int(event_id)  # type: ignore[arg-type]


def _wait_processed(engine: Any, event_id: int, timeout: float = 30.0) -> float:
    deadline = time.perf_counter() + timeout
    with Session(engine) as session:
        while time.perf_counter() < deadline:
            done = session.exec(select(OutboxEvent.processed_at).where(col(OutboxEvent.id) == event_id)).one()
            if done is not None:
                return time.perf_counter()
            session.rollback()
            time.sleep(0.002)
    raise TimeoutError(f"event {event_id} not fanned out in {timeout} s")


def run(emit: Callable[[dict[str, Any]], None]) -> None:
    backend = os.environ.get("BENCH_NOTIFY_BACKEND", "postgres")
    url = population.database(backend)
    settings = Settings(database_url=url, secret_key=population._key().decode(), worker_poll_seconds=0.005,
                        embedded_worker=False)
    engine = make_engine(url)
    matcher = MatchService(engine, settings)
    started = time.perf_counter()
    index = matcher.index
    build = time.perf_counter() - started
    size = {"seekers": population.SEEKERS, "vacancies": population.VACANCIES, "backend": backend}
    emit({"bench": "index.build", **size, "seconds": round(build, 1), "source": "database"})
    per_seeker = index.seeker_memory_bytes() / max(1, index.seeker_count)
    emit({"bench": "index.memory", **size, "bytes_per_seeker": round(per_seeker, 1), "source": "database"})
    worker = Worker(engine, settings, matcher, worker_id="bench")
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            if not worker.fan_out():
                time.sleep(settings.worker_poll_seconds)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    with Session(engine) as session:
        employer_ids = list(session.exec(select(Employer.id).order_by(Employer.id).limit(50)).all())
    n = int(os.environ.get("BENCH_NOTIFY_N", "40"))
    latencies = []
    try:
        for i in range(n):
            event_id = _post(engine, employer_ids[i % len(employer_ids)], i)  # type: ignore[arg-type]
            committed = time.perf_counter()
            latencies.append((_wait_processed(engine, event_id) - committed) * 1000)
    finally:
        stop.set()
        thread.join(timeout=30)
        engine.dispose()
    latencies.sort()
    emit({"bench": "notify.vacancy_to_last_push", **size, "median_ms": round(statistics.median(latencies), 1),
          "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1), "n": len(latencies)})
