"""Editing a vacancy never takes back what hired families hold: family-post slots below the slots in use,
or a headcount below the hires, are refused with a problem and change nothing; lowering to what is in use
still works, and an edit racing a hire cannot slip under it."""

from __future__ import annotations

import threading
from typing import Any

from tests.factories import Actor, World, row_counts, world_family
from tests.placements.helpers import API, advance, move, row


def _patch(world: World, employer: Actor, vacancy_id: int, **change: Any) -> Any:
    return world.client.patch(f"{API}/vacancies/{vacancy_id}", json=change, headers=employer.headers)


def _offered_couple(world: World, station: Actor, employer: Actor, vacancy_id: int) -> int:
    """A couple applied together to ``vacancy_id`` and offered: the id of one member's application."""
    family = world_family(world, station, "couple")
    members = [{"seeker_id": s, "vacancy_id": vacancy_id} for s in family["member_ids"]]
    r = world.client.post(f"{API}/applications/family", json={"family_id": family["id"], "members": members},
                          headers=station.headers)
    assert r.status_code == 201, r.text
    app_id: int = r.json()[0]["id"]
    advance(world.client, employer, app_id, "offered")
    return app_id


def test_family_posts_cannot_drop_below_the_slots_hired_families_hold(world: World) -> None:
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=10, family_posts={"couple": 2, "brothers": 1})
    assert move(world.client, employer, _offered_couple(world, station, employer, vacancy["id"]),
                "hired").status_code == 200
    stored = row(world.engine, "vacancy", vacancy["id"])
    assert stored["family_posts_used"] == {"couple": 1}
    before = row_counts(world.engine)

    # Zeroing the kind, or leaving it out of the new posts (the dict is replaced whole), would drop it to 0.
    for posts in ({"couple": 0, "brothers": 1}, {"brothers": 3}):
        r = _patch(world, employer, vacancy["id"], family_posts=posts, title="改了标题")
        assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json"), r.text
        body = r.json()
        assert body["code"] == "validation_failed"
        [error] = body["errors"]
        assert (error["field"], error["rule"]) == ("family_posts.couple", "below_used")
        assert "1" in error["message"] and "亲情岗位" in error["message_zh"]
        assert body["detail_zh"].startswith("family_posts.couple") and body["used"] == {"couple": 1}

    # Nothing stored changed: not the vacancy, and no outbox event or any other row.
    assert row(world.engine, "vacancy", vacancy["id"]) == stored
    assert row_counts(world.engine) == before

    # Down to exactly the slots in use is allowed, and so is dropping a kind nobody holds.
    r = _patch(world, employer, vacancy["id"], family_posts={"couple": 1})
    assert r.status_code == 200, r.text
    assert (r.json()["family_posts"], r.json()["family_posts_used"]) == (
        {"couple": 1, "father_son": 0, "brothers": 0}, {"couple": 1})
    # The slot left is taken, so the next couple cannot be hired on a family post.
    r = move(world.client, employer, _offered_couple(world, station, employer, vacancy["id"]), "hired")
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "family_post_full")


def test_headcount_cannot_drop_below_the_hired_and_nothing_changes(world: World) -> None:
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=4, family_posts={"couple": 1})
    assert move(world.client, employer, _offered_couple(world, station, employer, vacancy["id"]),
                "hired").status_code == 200
    stored = row(world.engine, "vacancy", vacancy["id"])
    before = row_counts(world.engine)
    r = _patch(world, employer, vacancy["id"], headcount=1, pay_max=9000)
    assert r.status_code == 422, r.text
    assert (r.json()["errors"][0]["field"], r.json()["errors"][0]["rule"]) == ("headcount", "below_hired")
    assert row(world.engine, "vacancy", vacancy["id"]) == stored and row_counts(world.engine) == before
    r = _patch(world, employer, vacancy["id"], headcount=2)
    assert r.status_code == 200 and (r.json()["status"], r.json()["hired_count"]) == ("filled", 2)


def test_an_edit_racing_a_hire_never_leaves_more_slots_used_than_offered(world: World) -> None:
    """On PostgreSQL a real race: the edit takes the vacancy's row lock before checking, as hiring does, so
    either the hire wins and the edit is refused, or the edit wins and the hire finds no family post."""
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=10, family_posts={"couple": 1})
    app_id = _offered_couple(world, station, employer, vacancy["id"])
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def hire() -> None:
        barrier.wait()
        results["hire"] = move(world.client, employer, app_id, "hired")

    def edit() -> None:
        barrier.wait()
        results["edit"] = _patch(world, employer, vacancy["id"], family_posts={"couple": 0})

    threads = [threading.Thread(target=hire), threading.Thread(target=edit)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    outcome = (results["hire"].status_code, results["edit"].status_code)
    assert outcome in {(200, 422), (409, 200)}, [r.text for r in results.values()]
    stored = row(world.engine, "vacancy", vacancy["id"])
    assert stored["family_posts_used"].get("couple", 0) <= stored["family_posts"].get("couple", 0)
