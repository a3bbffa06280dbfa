"""Vacancies: the status life cycle, headcount against hires, and postings that expire unless refreshed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session

from app.clock import today_shanghai
from app.services.vacancies import expire_stale
from tests.factories import Actor, World, set_columns


def _patch(world: World, employer: Actor, vacancy_id: int, **change: Any) -> Any:
    return world.client.patch(f"/api/v1/vacancies/{vacancy_id}", json=change, headers=employer.headers)


def _status(world: World, employer: Actor, vacancy_id: int) -> str:
    response = world.client.get(f"/api/v1/vacancies/{vacancy_id}", headers=employer.headers)
    return response.json()["status"]  # type: ignore[no-any-return]


def _expire(world: World) -> int:
    with Session(world.engine) as session:
        count = expire_stale(session)
        session.commit()
    return count


def test_status_life_cycle_and_closed_is_final(world: World) -> None:
    employer = world.employer()
    vacancy = world.vacancy(employer, status="draft")
    assert vacancy["status"] == "draft"
    for target in ("open", "paused", "open", "closed"):
        response = _patch(world, employer, vacancy["id"], status=target)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == target
    for target in ("open", "paused", "draft"):
        response = _patch(world, employer, vacancy["id"], status=target)
        assert response.status_code == 409, response.text
        body = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert body["allowed"] == ["closed"]
        assert body["errors"][0]["field"] == "status" and body["errors"][0]["rule"] == "transition"
    assert _status(world, employer, vacancy["id"]) == "closed"


def test_a_draft_cannot_be_paused(world: World) -> None:
    employer = world.employer()
    vacancy = world.vacancy(employer, status="draft")
    response = _patch(world, employer, vacancy["id"], status="paused", title="改了标题")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["closed", "draft", "open"]
    unchanged = world.client.get(f"/api/v1/vacancies/{vacancy['id']}", headers=employer.headers).json()
    assert unchanged == vacancy


def test_clients_cannot_set_filled_or_expired(world: World) -> None:
    employer = world.employer()
    vacancy = world.vacancy(employer)
    for status in ("filled", "expired"):
        response = _patch(world, employer, vacancy["id"], status=status)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "status"


def test_headcount_never_drops_below_hires(world: World) -> None:
    employer = world.employer()
    vacancy = world.vacancy(employer, headcount=10)
    set_columns(world.engine, "vacancy", vacancy["id"], hired_count=6)
    response = _patch(world, employer, vacancy["id"], headcount=5)
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == ("headcount", "below_hired")
    filled = _patch(world, employer, vacancy["id"], headcount=6)
    assert filled.status_code == 200 and filled.json()["status"] == "filled"
    reopened = _patch(world, employer, vacancy["id"], headcount=8)
    assert reopened.json()["status"] == "open" and reopened.json()["hired_count"] == 6


def test_family_posts_fit_the_headcount(world: World) -> None:
    employer = world.employer()
    response = world.client.post("/api/v1/vacancies", headers=employer.headers, json={
        "title": "普工", "occupation": "普工", "headcount": 3, "district_code": "330203", "pay_min": 4000,
        "pay_max": 5000, "family_posts": {"couple": 2}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["rule"] == "family_posts_exceed_headcount"


def test_stale_postings_expire_and_refreshing_reopens(world: World) -> None:
    employer = world.employer()
    today = today_shanghai()
    open_one, paused, fresh = (world.vacancy(employer) for _ in range(3))
    draft = world.vacancy(employer, status="draft")
    _patch(world, employer, paused["id"], status="paused").raise_for_status()
    for vacancy in (open_one, paused, draft):
        set_columns(world.engine, "vacancy", vacancy["id"], valid_until=today - timedelta(days=1))
    assert _expire(world) == 2
    statuses = {v["id"]: _status(world, employer, v["id"]) for v in (open_one, paused, draft, fresh)}
    assert statuses == {open_one["id"]: "expired", paused["id"]: "expired", draft["id"]: "draft",
                        fresh["id"]: "open"}
    assert _expire(world) == 0
    public = world.client.get("/api/v1/vacancies", headers=world.station().headers).json()["items"]
    assert [v["id"] for v in public] == [fresh["id"]]

    # Reopening without a new date is refused; a new valid-until date brings the posting back.
    stuck = _patch(world, employer, open_one["id"], status="open")
    assert stuck.status_code == 422 and stuck.json()["errors"][0]["rule"] == "expired"
    refreshed = _patch(world, employer, open_one["id"], valid_until=(today + timedelta(days=30)).isoformat())
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["status"] == "open"
    past = _patch(world, employer, paused["id"], valid_until=(today - timedelta(days=3)).isoformat())
    assert past.status_code == 422 and past.json()["errors"][0]["rule"] == "past_date"
    assert _status(world, employer, paused["id"]) == "expired"


def test_vacancy_defaults_and_owner(world: World) -> None:
    employer = world.employer(latitude=29.87, longitude=121.55)
    body = {"title": "叉车司机", "occupation": "叉车司机", "headcount": 2, "district_code": "330203",
            "pay_min": 6000, "pay_max": 8000, "certificates": ["叉车证"]}
    created = world.client.post("/api/v1/vacancies", json=body, headers=employer.headers).json()
    assert created["employer_id"] == employer.id and created["hired_count"] == 0
    assert created["status"] == "open"
    assert created["valid_until"] == (today_shanghai() + timedelta(days=30)).isoformat()
    assert (created["latitude"], created["longitude"]) == (29.87, 121.55)
    admin_body = {**body, "employer_id": employer.id}
    by_bureau = world.client.post("/api/v1/vacancies", json=admin_body, headers=world.admin.headers)
    assert by_bureau.status_code == 201 and by_bureau.json()["employer_id"] == employer.id
    missing_owner = world.client.post("/api/v1/vacancies", json=body, headers=world.admin.headers)
    assert missing_owner.status_code == 422
    assert missing_owner.json()["errors"][0] == {**missing_owner.json()["errors"][0], "field": "employer_id",
                                                 "rule": "missing"}
