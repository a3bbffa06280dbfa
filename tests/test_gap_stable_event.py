"""Day 90, stable employment (稳定就业): the worker records one placement.changed event (status "stable") per
placement, exactly once however often it runs, and the fan-out takes it to the seeker's and station's inbox
and to the station's and employer's webhooks like the other placement events."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.clock import today_shanghai
from app.models.webhook import WebhookEndpoint, WebhookMessage
from app.services.placements import STABLE_ANNOUNCE_WINDOW_DAYS, announce_stable
from app.settings import Settings
from app.worker import Worker
from tests.factories import Actor, World
from tests.placements.helpers import API, advance, apply, rows

TODAY = today_shanghai()


@pytest.fixture
def worker(app: FastAPI, engine: Engine, settings: Settings) -> Worker:
    return Worker(engine, settings, app.state.matcher, worker_id="test-stable")


def _placed(world: World, station: Actor, employer: Actor, days_ago: int) -> int:
    """A worker of ``station`` who arrived at ``employer`` ``days_ago`` days ago: the placement's id."""
    vacancy = world.vacancy(employer, headcount=3)
    app_id = apply(world, station, world.seeker(station), vacancy["id"])["id"]
    advance(world.client, employer, app_id, "arrived", arrived_on=(TODAY - timedelta(days=days_ago)).isoformat())
    placement_id: int = rows(world.engine, "placement", application_id=app_id)[0]["id"]
    return placement_id


def _stable_events(world: World) -> list[dict[str, Any]]:
    return [e for e in rows(world.engine, "outbox_event", kind="placement.changed")
            if e["data"].get("status") == "stable"]


def _announce(world: World, today: date = TODAY) -> int:
    with Session(world.engine) as session:
        announced = announce_stable(session, today=today)
        session.commit()
    return announced


def test_day_89_is_not_announced_day_90_is_and_only_once(world: World, worker: Worker) -> None:
    station, employer = world.station(), world.employer()
    day_89, day_90 = _placed(world, station, employer, 89), _placed(world, station, employer, 90)
    assert worker.announce_stable(TODAY) == 1
    [event] = _stable_events(world)
    placement = rows(world.engine, "placement", id=day_90)[0]
    assert (event["subject_type"], event["subject_id"]) == ("placement", day_90)
    assert event["data"] == {
        "status": "stable", "placement_id": day_90, "seeker_id": placement["seeker_id"],
        "vacancy_id": placement["vacancy_id"], "station_id": station.id, "employer_id": employer.id,
        "arrived_on": (TODAY - timedelta(days=90)).isoformat(), "stable_on": TODAY.isoformat(),
    }
    assert placement["stable_announced_at"] is not None
    assert rows(world.engine, "placement", id=day_89)[0]["stable_announced_at"] is None
    # Re-runs the same day find nothing; the next day the day-89 worker reaches day 90, the other is not repeated.
    assert worker.announce_stable(TODAY) == 0 and _announce(world) == 0
    assert worker.announce_stable(TODAY + timedelta(days=1)) == 1
    assert worker.announce_stable(TODAY + timedelta(days=2)) == 0
    assert sorted(e["subject_id"] for e in _stable_events(world)) == sorted([day_89, day_90])


def test_left_before_day_90_and_old_news_are_not_announced_a_late_run_catches_up(world: World) -> None:
    station, employer = world.station(), world.employer()
    left = _placed(world, station, employer, 95)
    r = world.client.post(f"{API}/placements/{left}/check-ins", headers=station.headers, json={
        "outcome": "left", "reason": "家中有事返乡", "left_on": (TODAY - timedelta(days=10)).isoformat()})
    assert r.status_code == 201, r.text
    # Stable a week before the window opened: a deploy or a year of demo history stays quiet.
    _placed(world, station, employer, 90 + STABLE_ANNOUNCE_WINDOW_DAYS)
    # Stable six days ago while no worker ran: announced late, once, with the day it became stable.
    late = _placed(world, station, employer, 90 + STABLE_ANNOUNCE_WINDOW_DAYS - 1)
    assert _announce(world) == 1
    [event] = _stable_events(world)
    assert event["subject_id"] == late
    assert event["data"]["stable_on"] == (TODAY - timedelta(days=STABLE_ANNOUNCE_WINDOW_DAYS - 1)).isoformat()


def test_the_event_reaches_inboxes_and_webhooks_once(world: World, worker: Worker, engine: Engine) -> None:
    station, employer = world.station(), world.employer()
    placement_id = _placed(world, station, employer, 90)
    with Session(engine) as s:
        for role, owner in (("station", station.id), ("employer", employer.id)):
            s.add(WebhookEndpoint(owner_role=role, owner_id=owner, url=f"http://127.0.0.1:9/{role}",
                                  event_types=["placement.changed"], secret_enc=world.vault.encrypt("whsec_AAAA")))
        s.commit()
    worker.fan_out(batch=100)  # the application's own events first
    for _ in range(3):  # re-runs of the day-90 job and of the fan-out change nothing more
        worker.announce_stable(TODAY)
        worker.fan_out(batch=100)

    with Session(engine) as s:
        messages = s.exec(select(WebhookMessage).where(WebhookMessage.event_type == "placement.changed")).all()
        owners = {m.endpoint_id: s.get(WebhookEndpoint, m.endpoint_id) for m in messages}
    stable = [m for m in messages if m.payload["data"]["status"] == "stable"]
    assert sorted(owners[m.endpoint_id].owner_role for m in stable) == ["employer", "station"]  # type: ignore[union-attr]
    for message in stable:
        assert message.payload["type"] == "placement.changed"
        assert message.payload["data"]["placement_id"] == placement_id
        assert message.payload["data"]["stable_on"] == TODAY.isoformat()
        assert "王小明" not in str(message.payload)

    seeker_id = rows(world.engine, "placement", id=placement_id)[0]["seeker_id"]
    seeker = world.seeker_actor(station, seeker_id)
    for actor in (station, seeker):
        items = world.client.get("/api/v1/notifications", headers=actor.headers).json()["items"]
        notes = [n for n in items if n["kind"] == "placement.changed" and n["body"]["status"] == "stable"]
        assert len(notes) == 1, items
        assert "稳定就业" in notes[0]["title"] and notes[0]["body"]["placement_id"] == placement_id


def test_two_workers_at_once_announce_each_placement_once(world: World) -> None:
    """On PostgreSQL a real race (several workers run there): the conditional claim lets one through."""
    station, employer = world.station(), world.employer()
    placements = [_placed(world, station, employer, 90) for _ in range(4)]
    barrier = threading.Barrier(4)
    counts: list[int] = []

    def run() -> None:
        barrier.wait()
        counts.append(_announce(world))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(counts) == len(placements) and len(counts) == 4
    assert sorted(e["subject_id"] for e in _stable_events(world)) == sorted(placements)


def _leave(world: World, station: Actor, placement_id: int, left_on: date) -> None:
    r = world.client.post(f"{API}/placements/{placement_id}/check-ins", headers=station.headers, json={
        "outcome": "left", "reason": "家中有事返乡", "left_on": left_on.isoformat()})
    assert r.status_code == 201, r.text


def test_a_worker_who_left_after_day_90_while_the_job_was_stopped_is_announced_on_catch_up(world: World) -> None:
    """Arrived 92 days ago, the job stopped on days 90-92: leaving on day 90 or 91 came after stable employment
    (the figures count them stable), leaving on day 89 did not."""
    station, employer = world.station(), world.employer()
    arrived_on = TODAY - timedelta(days=92)
    left_day_91, left_day_90, left_day_89 = (_placed(world, station, employer, 92) for _ in range(3))
    _leave(world, station, left_day_91, arrived_on + timedelta(days=91))
    _leave(world, station, left_day_90, arrived_on + timedelta(days=90))
    _leave(world, station, left_day_89, arrived_on + timedelta(days=89))
    assert _announce(world) == 2
    events = _stable_events(world)
    assert sorted(e["subject_id"] for e in events) == sorted([left_day_91, left_day_90])
    assert {e["data"]["stable_on"] for e in events} == {(arrived_on + timedelta(days=90)).isoformat()}
    assert rows(world.engine, "placement", id=left_day_89)[0]["stable_announced_at"] is None
    assert _announce(world) == 0 and len(_stable_events(world)) == 2
