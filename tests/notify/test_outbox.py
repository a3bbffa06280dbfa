"""The outbox records an event with every change that can lead to a push, in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.clock import today_shanghai
from app.models.notification import OutboxEvent
from app.models.vacancy import Vacancy
from tests.factories import World


def events(engine: Engine) -> list[tuple[str, int]]:
    with Session(engine) as s:
        return [(e.kind, e.subject_id) for e in s.exec(select(OutboxEvent).order_by(OutboxEvent.id)).all()]


def test_open_vacancy_records_an_event_but_a_draft_does_not(world: World, engine: Engine) -> None:
    employer = world.employer()
    opened = world.vacancy(employer)
    world.vacancy(employer, status="draft")
    assert events(engine) == [("vacancy.opened", opened["id"])]


def test_material_change_records_change_and_hired_count_does_not(world: World, engine: Engine) -> None:
    employer = world.employer()
    v = world.vacancy(employer)
    r = world.client.patch(f"/api/v1/vacancies/{v['id']}", json={"pay_max": 8000}, headers=employer.headers)
    assert r.status_code == 200
    r = world.client.patch(f"/api/v1/vacancies/{v['id']}", json={"description": "包吃住"}, headers=employer.headers)
    assert r.status_code == 200
    assert events(engine) == [("vacancy.opened", v["id"]), ("vacancy.changed", v["id"])]


def test_rejected_request_leaves_no_event(world: World, engine: Engine) -> None:
    employer = world.employer()
    body = {"title": "普工", "occupation": "普工", "headcount": 5, "district_code": "330203", "pay_min": 5000,
            "pay_max": 4000}
    r = world.client.post("/api/v1/vacancies", json=body, headers=employer.headers)
    assert r.status_code == 422
    assert events(engine) == []


def test_rolled_back_transaction_leaves_no_event(world: World, engine: Engine) -> None:
    employer = world.employer()
    with Session(engine) as s:
        s.add(Vacancy(employer_id=employer.id, title="普工", occupation="普工", headcount=3,
                      district_code="330203", pay_min=4000, pay_max=5000,
                      valid_until=today_shanghai() + timedelta(days=5)))
        s.flush()
        assert len(s.exec(select(OutboxEvent)).all()) == 1  # visible inside the transaction
        s.rollback()
    assert events(engine) == []


def test_seeker_registration_and_skill_change_are_recorded(world: World, engine: Engine) -> None:
    station = world.station()
    seeker_id = world.seeker(station)
    r = world.client.patch(f"/api/v1/seekers/{seeker_id}", json={"skills": [{"name": "焊工", "level": "中级"}]},
                           headers=station.headers)
    assert r.status_code == 200
    r = world.client.patch(f"/api/v1/seekers/{seeker_id}", json={"name": "王小明"}, headers=station.headers)
    assert events(engine) == [("seeker.registered", seeker_id), ("seeker.changed", seeker_id)]


@pytest.mark.parametrize("kind", ["couple"])
def test_family_registration_is_one_event(world: World, engine: Engine, kind: str) -> None:
    station = world.station()
    husband = world.seeker(station, sex="male")
    wife = world.seeker(station, sex="female")
    r = world.client.post("/api/v1/families", json={"kind": kind, "member_ids": [husband, wife]},
                          headers=station.headers)
    assert r.status_code == 201, r.text
    family_events = [e for e in events(engine) if e[0].startswith("family.")]
    assert family_events == [("family.registered", r.json()["id"])]
