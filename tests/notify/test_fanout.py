"""From a committed change to ranked pushes in inboxes: seekers, their stations, the employer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, update
from sqlmodel import Session, select

from app.clock import utcnow
from app.models.notification import HeldPush
from app.models.webhook import WebhookEndpoint, WebhookMessage
from app.settings import Settings
from app.worker import Worker
from tests.factories import Actor, World

ALWAYS_AWAKE = {"quiet_start": "00:00", "quiet_end": "00:00"}


@pytest.fixture
def work(app: FastAPI, engine: Engine, settings: Settings):  # type: ignore[no-untyped-def]
    def run(**overrides: Any) -> dict[str, int]:
        worker = Worker(engine, settings.model_copy(update=overrides), app.state.matcher, worker_id="test")
        totals: dict[str, int] = {}
        # Until nothing is left: a round may create work for the next (held pushes due now).
        for _ in range(5):
            counts = worker.run_round(housekeeping=False)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            if not any(counts.values()):
                break
        return totals

    return run


def inbox(world: World, actor: Actor) -> list[dict[str, Any]]:
    r = world.client.get("/api/v1/notifications", headers=actor.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def awake_welder(world: World, station: Actor, **fields: Any) -> Actor:
    body = {"skills": [{"name": "电焊", "level": "中级", "years": 4}], "preferred_districts": ["330203"]}
    body.update(fields)
    seeker_id = world.seeker(station, **body)
    actor = world.seeker_actor(station, seeker_id)
    r = world.client.patch("/api/v1/me", json=ALWAYS_AWAKE, headers=actor.headers)
    assert r.status_code == 200, r.text
    return actor


def test_new_vacancy_reaches_seeker_station_and_employer_ranked(world: World, work) -> None:  # type: ignore[no-untyped-def]
    station = world.station()
    best = awake_welder(world, station, expected_pay=6000)
    other = awake_welder(world, station, skills=[{"name": "钳工", "level": "初级", "years": 1}])
    work()  # the registrations' own events
    employer = world.employer()
    vacancy = world.vacancy(employer, occupation="电焊工", pay_min=6000, pay_max=8000)
    work(push_threshold=0)

    [push] = [n for n in inbox(world, best) if n["kind"] == "job.match"]
    assert push["vacancy_id"] == vacancy["id"] and push["rank"] == 1
    assert push["body"]["reasons"] and any("焊" in r for r in push["body"]["reasons"])
    assert "电焊工" in push["title"]

    digests = [n for n in inbox(world, station) if n["kind"] == "station.digest"]
    assert len(digests) == 1
    listed = digests[0]["body"]["seekers"]
    assert listed[0]["seeker_id"] == best.id
    assert [e["rank"] for e in listed] == list(range(1, len(listed) + 1))
    assert listed == sorted(listed, key=lambda e: -e["score"])
    assert other.id in [e["seeker_id"] for e in listed] or len(listed) == 1

    [shortlist] = [n for n in inbox(world, employer) if n["kind"] == "employer.shortlist"]
    first = shortlist["body"]["candidates"][0]["seeker"]
    assert first["id"] == best.id and first["display_name"].endswith("*")
    assert "id_number" not in first and "phone" not in first


def test_the_same_job_is_pushed_once_unless_it_changes_in_a_way_that_matters(world: World, work) -> None:  # type: ignore[no-untyped-def]
    station = world.station()
    seeker = awake_welder(world, station)
    employer = world.employer()
    vacancy = world.vacancy(employer, occupation="电焊工")
    work(push_threshold=0)
    url = f"/api/v1/vacancies/{vacancy['id']}"
    world.client.patch(url, json={"description": "厂区环境好"}, headers=employer.headers)
    world.client.patch(url, json={"status": "paused"}, headers=employer.headers)
    world.client.patch(url, json={"status": "open"}, headers=employer.headers)
    work(push_threshold=0)
    assert len([n for n in inbox(world, seeker) if n["kind"] == "job.match"]) == 1
    world.client.patch(url, json={"pay_max": 9000}, headers=employer.headers)
    work(push_threshold=0)
    pushes = [n for n in inbox(world, seeker) if n["kind"] == "job.match"]
    assert len(pushes) == 2 and pushes[0]["body"]["pay_max"] == 9000


def test_no_push_to_a_seeker_who_refused_pushes_but_the_station_still_hears(world: World, work) -> None:  # type: ignore[no-untyped-def]
    station = world.station()
    quiet = awake_welder(world, station)
    world.client.patch("/api/v1/me", json={"consent_push": False}, headers=quiet.headers)
    employer = world.employer()
    world.vacancy(employer, occupation="电焊工")
    work(push_threshold=0)
    assert [n for n in inbox(world, quiet) if n["kind"] == "job.match"] == []
    assert [n for n in inbox(world, station) if n["kind"] == "station.digest"]


def test_quiet_hours_hold_pushes_and_release_them_later_in_rank_order(world: World, work, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    station = world.station()
    seeker = awake_welder(world, station)
    # Quiet all day except one minute that has just passed: every push now must wait.
    world.client.patch("/api/v1/me", json={"quiet_start": "00:00", "quiet_end": "23:59"}, headers=seeker.headers)
    employer = world.employer()
    good = world.vacancy(employer, occupation="电焊工", pay_min=7000, pay_max=9000)
    world.vacancy(employer, occupation="钳工")
    work(push_threshold=0)
    assert [n for n in inbox(world, seeker) if n["kind"] == "job.match"] == []
    with Session(engine) as s:
        held = s.exec(select(HeldPush).where(HeldPush.seeker_id == seeker.id)).all()
        assert {h.vacancy_id for h in held} >= {good["id"]}
        assert all(h.reason == "quiet_hours" for h in held)
    # Morning comes: quiet hours over, the held pushes are due.
    world.client.patch("/api/v1/me", json=ALWAYS_AWAKE, headers=seeker.headers)
    with Session(engine) as s:
        s.execute(update(HeldPush).values(release_at=utcnow()))
        s.commit()
    work(push_threshold=0)
    pushes = [n for n in inbox(world, seeker) if n["kind"] == "job.match"]
    assert pushes and pushes[-1]["vacancy_id"] == good["id"]  # newest first: the best was released first
    assert all(n.get("vacancy_id") for n in pushes)


def test_daily_cap_holds_the_rest_instead_of_dropping_them(world: World, work, engine: Engine) -> None:  # type: ignore[no-untyped-def]
    station = world.station()
    seeker = awake_welder(world, station)
    employer = world.employer()
    for _ in range(3):
        world.vacancy(employer, occupation="电焊工")
    work(push_threshold=0, push_daily_cap=2)
    assert len([n for n in inbox(world, seeker) if n["kind"] == "job.match"]) == 2
    with Session(engine) as s:
        held = s.exec(select(HeldPush).where(HeldPush.seeker_id == seeker.id)).all()
    assert len(held) == 1 and held[0].reason == "daily_cap"


def test_new_seeker_gets_top_jobs_and_station_gets_them_too(world: World, work) -> None:  # type: ignore[no-untyped-def]
    employer = world.employer()
    vacancy = world.vacancy(employer, occupation="电焊工")
    work(push_threshold=0)
    station = world.station()
    seeker_id = world.seeker(station, skills=[{"name": "焊工", "level": "高级", "years": 8}],
                             preferred_districts=["330203"])
    # The station sets the quiet hours before the worker picks up the registration.
    r = world.client.patch(f"/api/v1/seekers/{seeker_id}", json=ALWAYS_AWAKE, headers=station.headers)
    assert r.status_code == 200, r.text
    work(push_threshold=0)
    seeker = world.seeker_actor(station, seeker_id)
    assert [n["vacancy_id"] for n in inbox(world, seeker) if n["kind"] == "job.match"] == [vacancy["id"]]
    [jobs] = [n for n in inbox(world, station) if n["kind"] == "station.seeker_jobs"]
    assert jobs["body"]["jobs"][0]["id"] == vacancy["id"]


def test_station_endpoint_receives_a_digest_message_without_personal_numbers(  # type: ignore[no-untyped-def]
    world: World, work, engine: Engine
) -> None:
    station = world.station()
    awake_welder(world, station)
    with Session(engine) as s:
        s.add(WebhookEndpoint(owner_role="station", owner_id=station.id, url="http://127.0.0.1:9/x",
                              event_types=["match.station_digest"], secret_enc=world.vault.encrypt("whsec_AAAA")))
        s.commit()
    employer = world.employer()
    world.vacancy(employer, occupation="电焊工")
    work(push_threshold=0, allow_private_webhooks=True)  # a loopback receiver that refuses: no DNS, no network
    with Session(engine) as s:
        messages = s.exec(select(WebhookMessage).where(WebhookMessage.event_type == "match.station_digest")).all()
    assert len(messages) == 1
    text = str(messages[0].payload)
    assert "id_number" not in text and "phone" not in text and "王小明" not in text


def test_notifications_are_marked_read(world: World, work) -> None:  # type: ignore[no-untyped-def]
    station = world.station()
    seeker = awake_welder(world, station)
    world.vacancy(world.employer(), occupation="电焊工")
    work(push_threshold=0)
    [note] = [n for n in inbox(world, seeker) if n["kind"] == "job.match"]
    r = world.client.post(f"/api/v1/notifications/{note['id']}/read", headers=seeker.headers)
    assert r.status_code == 200 and r.json()["read_at"]
    r = world.client.get("/api/v1/notifications?unread=true", headers=seeker.headers)
    assert note["id"] not in [n["id"] for n in r.json()["items"]]
    r = world.client.post(f"/api/v1/notifications/{note['id']}/read", headers=station.headers)
    assert r.status_code == 404
