"""Hiring takes places atomically: the race for the last place, and families hired whole or not at all."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest

from tests.factories import Actor, World, row_counts, world_family
from tests.placements.helpers import API, advance, apply, move, row, rows


def _family_apply(world: World, station: Actor, family: dict[str, Any], vacancies: list[int]) -> list[dict[str, Any]]:
    members = [{"seeker_id": s, "vacancy_id": v} for s, v in zip(family["member_ids"], vacancies, strict=True)]
    r = world.client.post(f"{API}/applications/family", json={"family_id": family["id"], "members": members},
                          headers=station.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _race(world: World, employer: Actor, application_ids: list[int]) -> list[Any]:
    barrier = threading.Barrier(len(application_ids))
    results: list[Any] = [None] * len(application_ids)

    def hire(i: int) -> None:
        barrier.wait()
        results[i] = move(world.client, employer, application_ids[i], "hired")

    threads = [threading.Thread(target=hire, args=(i,)) for i in range(len(application_ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_ten_clerks_race_for_the_last_place(world: World) -> None:
    """On both databases (PostgreSQL: real row-level concurrency), exactly one hire wins."""
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=1)
    ids = []
    for _ in range(10):
        app_id = apply(world, station, world.seeker(station), vacancy["id"])["id"]
        advance(world.client, employer, app_id, "offered")
        ids.append(app_id)
    results = _race(world, employer, ids)
    assert Counter(r.status_code for r in results) == {200: 1, 409: 9}, [r.text for r in results]
    assert {r.json()["errors"][0]["rule"] for r in results if r.status_code == 409} == {"vacancy_full"}
    v = row(world.engine, "vacancy", vacancy["id"])
    assert (v["hired_count"], v["status"]) == (1, "filled")
    assert [a["status"] for a in rows(world.engine, "application")].count("hired") == 1
    assert len([e for e in rows(world.engine, "application_event") if e["to_status"] == "hired"]) == 1


def test_the_same_hire_clicked_twice_at_once_hires_once(world: World) -> None:
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=5)
    app_id = apply(world, station, world.seeker(station), vacancy["id"])["id"]
    advance(world.client, employer, app_id, "offered")
    results = _race(world, employer, [app_id] * 4)
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409], [r.text for r in results]
    assert {r.json()["errors"][0]["rule"] for r in results if r.status_code == 409} <= {
        "concurrent_update", "transition"}
    assert row(world.engine, "vacancy", vacancy["id"])["hired_count"] == 1
    assert [e["to_status"] for e in rows(world.engine, "application_event")].count("hired") == 1


def test_two_couples_race_for_the_last_dormitory(world: World) -> None:
    station, employer = world.station(), world.employer(dormitories=1)
    vacancy = world.vacancy(employer, headcount=10, family_posts={"couple": 2})
    first_ids = []
    for _ in range(2):
        family = world_family(world, station, "couple", needs_couple_dormitory=True)
        apps = _family_apply(world, station, family, [vacancy["id"]] * 2)
        advance(world.client, employer, apps[0]["id"], "offered")
        first_ids.append(apps[0]["id"])
    results = _race(world, employer, first_ids)
    assert sorted(r.status_code for r in results) == [200, 409]
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 1
    v = row(world.engine, "vacancy", vacancy["id"])
    assert (v["hired_count"], v["family_posts_used"]) == (2, {"couple": 1})


def test_family_moves_together_and_takes_post_and_dormitory(world: World) -> None:
    station, employer = world.station(), world.employer(dormitories=3)
    welder = world.vacancy(employer, headcount=4, family_posts={"couple": 1})
    packer = world.vacancy(employer, title="包装工", occupation="包装工", headcount=4)
    family = world_family(world, station, "couple", needs_couple_dormitory=True)
    apps = _family_apply(world, station, family, [welder["id"], packer["id"]])
    assert {a["group_id"] for a in apps} == {apps[0]["group_id"]} and apps[0]["family_id"] == family["id"]
    r = move(world.client, employer, apps[1]["id"], "shortlisted")
    assert r.status_code == 200 and [a["status"] for a in r.json()] == ["shortlisted", "shortlisted"]
    for step in ("offered", "hired"):
        assert move(world.client, employer, apps[0]["id"], step).status_code == 200
    assert (row(world.engine, "vacancy", welder["id"])["hired_count"],
            row(world.engine, "vacancy", packer["id"])["hired_count"]) == (1, 1)
    assert row(world.engine, "vacancy", welder["id"])["family_posts_used"] == {"couple": 1}
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 1
    assert {row(world.engine, "seeker", s)["status"] for s in family["member_ids"]} == {"placed"}
    # Withdrawing gives every place back.
    assert move(world.client, station, apps[1]["id"], "withdrawn").status_code == 200
    assert (row(world.engine, "vacancy", welder["id"])["hired_count"],
            row(world.engine, "vacancy", packer["id"])["hired_count"]) == (0, 0)
    assert row(world.engine, "vacancy", welder["id"])["family_posts_used"] == {}
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 0
    assert {row(world.engine, "seeker", s)["status"] for s in family["member_ids"]} == {"active"}


def _offered_family(world: World, station: Actor, employer: Actor, vacancies: list[int], kind: str = "brothers",
                    **fields: Any) -> list[dict[str, Any]]:
    family = world_family(world, station, kind, **fields)
    apps = _family_apply(world, station, family, vacancies)
    advance(world.client, employer, apps[0]["id"], "offered")
    return apps


def test_one_full_vacancy_means_nobody_is_hired(world: World) -> None:
    station, employer = world.station(), world.employer()
    roomy = world.vacancy(employer, headcount=5, family_posts={"brothers": 1})
    tight = world.vacancy(employer, title="叉车司机", occupation="叉车司机", headcount=1)
    apps = _offered_family(world, station, employer, [roomy["id"], tight["id"]])
    # Someone else takes the tight vacancy's only place after the family applied.
    loner = apply(world, station, world.seeker(station), tight["id"])["id"]
    advance(world.client, employer, loner, "hired")
    before = row_counts(world.engine)
    r = move(world.client, employer, apps[0]["id"], "hired")
    assert r.status_code == 409
    assert (r.json()["errors"][0]["rule"], r.json()["vacancy_id"]) == ("vacancy_full", tight["id"])
    assert row_counts(world.engine) == before
    v = row(world.engine, "vacancy", roomy["id"])
    assert (v["hired_count"], v["family_posts_used"], v["status"]) == (0, {}, "open")
    assert {row(world.engine, "application", a["id"])["status"] for a in apps} == {"offered"}
    assert {row(world.engine, "seeker", a["seeker_id"])["status"] for a in apps} == {"active"}


def test_no_dormitory_left_means_nobody_is_hired(world: World) -> None:
    station, employer = world.station(), world.employer(dormitories=1)
    vacancy = world.vacancy(employer, headcount=10)
    first = _offered_family(world, station, employer, [vacancy["id"]] * 2, "couple", needs_couple_dormitory=True)
    second = _offered_family(world, station, employer, [vacancy["id"]] * 2, "couple", needs_couple_dormitory=True)
    assert move(world.client, employer, first[0]["id"], "hired").status_code == 200
    before = row_counts(world.engine)
    r = move(world.client, employer, second[1]["id"], "hired")
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "no_couple_dormitory")
    assert row_counts(world.engine) == before
    assert row(world.engine, "vacancy", vacancy["id"])["hired_count"] == 2
    assert {row(world.engine, "application", a["id"])["status"] for a in second} == {"offered"}


def test_family_post_slots_run_out_and_come_back(world: World) -> None:
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=10, family_posts={"brothers": 1})
    first = _offered_family(world, station, employer, [vacancy["id"]] * 2)
    second = _offered_family(world, station, employer, [vacancy["id"]] * 2)
    assert move(world.client, employer, first[0]["id"], "hired").status_code == 200
    r = move(world.client, employer, second[0]["id"], "hired")
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "family_post_full")
    assert row(world.engine, "vacancy", vacancy["id"])["hired_count"] == 2
    assert move(world.client, employer, first[0]["id"], "no_show").status_code == 200
    assert row(world.engine, "vacancy", vacancy["id"])["family_posts_used"] == {}
    assert move(world.client, employer, second[0]["id"], "hired").status_code == 200
    got = world.client.get(f"{API}/vacancies/{vacancy['id']}", headers=employer.headers).json()
    assert (got["hired_count"], got["family_posts_used"]) == (2, {"brothers": 1})


def test_family_application_rules(world: World) -> None:
    station, employer, other_employer = world.station(), world.employer(), world.employer()
    family = world_family(world, station, "brothers")
    mine = world.vacancy(employer)
    theirs = world.vacancy(other_employer)
    body = {"family_id": family["id"], "members": [{"seeker_id": family["member_ids"][0], "vacancy_id": mine["id"]},
                                                   {"seeker_id": family["member_ids"][1], "vacancy_id": theirs["id"]}]}
    r = world.client.post(f"{API}/applications/family", json=body, headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (422, "same_employer")
    body["members"] = [*body["members"][:1], {"seeker_id": world.seeker(station), "vacancy_id": mine["id"]}]
    r = world.client.post(f"{API}/applications/family", json=body, headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (422, "family_members")
    r = world.client.post(f"{API}/applications/family", json={**body, "members": [
        {"seeker_id": s, "vacancy_id": mine["id"]} for s in family["member_ids"]]}, headers=world.station().headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (422, "family_not_found")
    couple = world_family(world, station, "couple", needs_couple_dormitory=True)
    r = world.client.post(f"{API}/applications/family", json={"family_id": couple["id"], "members": [
        {"seeker_id": s, "vacancy_id": mine["id"]} for s in couple["member_ids"]]}, headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "no_couple_dormitory")
    assert rows(world.engine, "application") == []


# app/watermarks.py still calls session.query() when a family is deleted (SQLModel deprecates it).
@pytest.mark.filterwarnings("ignore:(?s).*session.query:DeprecationWarning")
def test_dissolving_a_family_keeps_its_applications(world: World) -> None:
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer)
    family = world_family(world, station, "brothers")
    apps = _family_apply(world, station, family, [vacancy["id"]] * 2)
    r = world.client.delete(f"{API}/families/{family['id']}", headers=station.headers)
    assert r.status_code == 204, r.text
    assert {row(world.engine, "application", a["id"])["group_id"] for a in apps} == {apps[0]["group_id"]}
