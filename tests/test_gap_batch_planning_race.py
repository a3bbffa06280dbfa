"""Charter planning under concurrency: plans of one station started at the same moment (by the station and
by the bureau for it) seat every hired worker exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from typing import Any

from app.clock import today_shanghai
from tests.factories import World
from tests.placements.helpers import API, advance, apply, rows

PLANNERS = 6


def test_simultaneous_plans_of_one_station_seat_each_worker_once(world: World, backend: str) -> None:
    """Without the station lock this fails on both databases (PostgreSQL: real row-level concurrency):
    every plan reads the same unseated workers before any commits, and seats them again."""
    station, employer, other_station = world.station(), world.employer(), world.station()
    vacancy = world.vacancy(employer, headcount=30)
    hired = []
    for offset in range(8):
        app_id = apply(world, station, world.seeker(station), vacancy["id"])["id"]
        advance(world.client, employer, app_id, "hired",
                start_date=(today_shanghai() + timedelta(days=3 + offset % 2)).isoformat())
        hired.append(app_id)
    # Another station's worker, planned at the same moment: the lock is per station and does not hold it up.
    theirs = apply(world, other_station, world.seeker(other_station), vacancy["id"])["id"]
    advance(world.client, employer, theirs, "hired")

    callers: list[tuple[dict[str, str], dict[str, Any]]] = [
        (station.headers, {"mode": "bus"}) if i % 2 else (world.admin.headers, {"mode": "bus",
                                                                                "station_id": station.id})
        for i in range(PLANNERS)
    ]
    callers.append((other_station.headers, {"mode": "bus"}))
    barrier = threading.Barrier(len(callers))
    results: list[Any] = [None] * len(callers)

    def plan(i: int) -> None:
        headers, body = callers[i]
        barrier.wait()
        results[i] = world.client.post(f"{API}/transport-batches/plan", json=body, headers=headers)

    threads = [threading.Thread(target=plan, args=(i,)) for i in range(len(callers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert [r.status_code for r in results] == [201] * len(callers), [r.text for r in results]
    seats = Counter(p["application_id"] for p in rows(world.engine, "transport_passenger"))
    assert seats == Counter({**dict.fromkeys(hired, 1), theirs: 1}), backend
    # One plan seated the station's workers; the others found nobody left to seat.
    planned = [len(r.json()["batches"]) for r in results[:PLANNERS]]
    assert sorted(planned)[:-1] == [0] * (PLANNERS - 1) and max(planned) >= 1
    assert sum(b["seats_taken"] for r in results[:PLANNERS] for b in r.json()["batches"]) == len(hired)
