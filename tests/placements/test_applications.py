"""Applying and every transition of an application, legal and illegal, with who may make it."""

from __future__ import annotations

import pytest

from tests.factories import World, set_columns
from tests.placements.helpers import API, advance, apply, move, row, rows

ALL_TARGETS = ("shortlisted", "offered", "hired", "arrived", "rejected", "withdrawn", "no_show")
LEGAL = {
    "applied": {"shortlisted", "rejected", "withdrawn"},
    "shortlisted": {"offered", "rejected", "withdrawn"},
    "offered": {"hired", "rejected", "withdrawn"},
    "hired": {"arrived", "no_show", "withdrawn"},
    "arrived": set(),
    "rejected": set(),
    "withdrawn": set(),
    "no_show": set(),
}
EMPLOYER_MOVES = {"shortlisted", "offered", "hired", "arrived", "rejected", "no_show"}


def _scene(world: World):  # type: ignore[no-untyped-def]
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=5)
    return station, employer, vacancy


def _reach(world: World, status: str):  # type: ignore[no-untyped-def]
    """A fresh application in ``status``, with the actors that own it."""
    station, employer, vacancy = _scene(world)
    seeker = world.seeker(station)
    application = apply(world, station, seeker, vacancy["id"])
    path = {"applied": [], "shortlisted": ["shortlisted"], "offered": ["shortlisted", "offered"],
            "hired": ["shortlisted", "offered", "hired"], "arrived": ["shortlisted", "offered", "hired", "arrived"],
            "rejected": ["rejected"], "withdrawn": [], "no_show": ["shortlisted", "offered", "hired", "no_show"]}
    for step in path[status]:
        assert move(world.client, employer, application["id"], step).status_code == 200
    if status == "withdrawn":
        assert move(world.client, station, application["id"], "withdrawn").status_code == 200
    return station, employer, vacancy, seeker, application["id"]


@pytest.mark.parametrize("status", list(LEGAL))
def test_every_transition_from_every_state(world: World, status: str) -> None:
    """Each state × each target: the legal ones succeed for their party, the rest are 409 listing the legal."""
    for target in ALL_TARGETS:
        station, employer, _, _seeker, app_id = _reach(world, status)
        actor = employer if target in EMPLOYER_MOVES else station
        r = move(world.client, actor, app_id, target)
        if target in LEGAL[status]:
            assert r.status_code == 200, (status, target, r.text)
            assert r.json()[0]["status"] == target
            history = rows(world.engine, "application_event", application_id=app_id)
            assert (history[-1]["from_status"], history[-1]["to_status"]) == (status, target)
            assert history[-1]["actor_role"] == ("employer" if actor is employer else "station")
        else:
            assert r.status_code == 409, (status, target, r.text)
            body = r.json()
            assert body["code"] == "conflict"
            assert body["errors"][0]["rule"] == "transition"
            assert set(body["allowed"]) == {t for t in LEGAL[status] if t in (
                EMPLOYER_MOVES if actor is employer else {"withdrawn"})}
            assert row(world.engine, "application", app_id)["status"] == status


def test_whole_path_is_recorded_with_who_and_when(world: World) -> None:
    station, employer, vacancy = _scene(world)
    seeker = world.seeker(station)
    app_id = apply(world, station, seeker, vacancy["id"])["id"]
    advance(world.client, employer, app_id, "arrived")
    got = world.client.get(f"{API}/applications/{app_id}", headers=station.headers).json()
    assert [(h["from_status"], h["to_status"]) for h in got["history"]] == [
        (None, "applied"), ("applied", "shortlisted"), ("shortlisted", "offered"), ("offered", "hired"),
        ("hired", "arrived")]
    assert [h["actor_role"] for h in got["history"]] == ["station"] + ["employer"] * 4
    assert all(h["at"] for h in got["history"])
    assert got["placement_id"] is not None
    assert got["allowed"] == []
    events = rows(world.engine, "outbox_event", kind="application.changed")
    mine = [e for e in events if e["subject_id"] == app_id]
    assert [e["data"]["status"] for e in mine] == ["applied", "shortlisted", "offered", "hired", "arrived"]
    assert mine[0]["data"] == {"status": "applied", "seeker_id": seeker, "vacancy_id": vacancy["id"],
                               "station_id": station.id, "application_id": app_id}
    assert mine[-1]["data"]["placement_id"] == got["placement_id"]


def test_the_other_partys_move_is_409_with_what_this_caller_may_do(world: World) -> None:
    station, employer, vacancy = _scene(world)
    seeker = world.seeker(station)
    app_id = apply(world, station, seeker, vacancy["id"])["id"]
    r = move(world.client, station, app_id, "shortlisted")
    assert (r.status_code, r.json()["errors"][0]["rule"], r.json()["allowed"]) == (409, "transition_actor",
                                                                                   ["withdrawn"])
    r = move(world.client, employer, app_id, "withdrawn")
    assert (r.status_code, r.json()["allowed"]) == (409, ["shortlisted", "rejected"])
    me = world.seeker_actor(station, seeker)
    assert move(world.client, me, app_id, "shortlisted").status_code == 409
    assert row(world.engine, "application", app_id)["status"] == "applied"
    assert move(world.client, me, app_id, "withdrawn").status_code == 200
    assert move(world.client, world.admin, app_id, "shortlisted").status_code == 409


def test_reasons_and_start_date_are_required(world: World) -> None:
    station, employer, vacancy = _scene(world)
    app_id = apply(world, station, world.seeker(station), vacancy["id"])["id"]
    r = world.client.post(f"{API}/applications/{app_id}/transitions", json={"to": "rejected"},
                          headers=employer.headers)
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "reason")
    advance(world.client, employer, app_id, "offered")
    r = world.client.post(f"{API}/applications/{app_id}/transitions", json={"to": "hired"}, headers=employer.headers)
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "start_date")
    assert row(world.engine, "application", app_id)["status"] == "offered"


def test_seeker_applies_for_itself_only(world: World) -> None:
    station, _, vacancy = _scene(world)
    seeker = world.seeker(station)
    me = world.seeker_actor(station, seeker)
    r = world.client.post(f"{API}/applications", json={"vacancy_id": vacancy["id"]}, headers=me.headers)
    assert r.status_code == 201, r.text
    assert (r.json()["seeker_id"], r.json()["source"]) == (seeker, "seeker")
    other = world.seeker(station)
    r = world.client.post(f"{API}/applications", json={"vacancy_id": vacancy["id"], "seeker_id": other},
                          headers=me.headers)
    assert r.status_code == 422


def test_apply_rules(world: World) -> None:
    station, employer, vacancy = _scene(world)
    seeker = world.seeker(station)
    apply(world, station, seeker, vacancy["id"])
    r = world.client.post(f"{API}/applications", json={"seeker_id": seeker, "vacancy_id": vacancy["id"]},
                          headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "duplicate_application")
    other_station = world.station()
    r = world.client.post(f"{API}/applications", json={"seeker_id": seeker, "vacancy_id": vacancy["id"]},
                          headers=other_station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (422, "seeker_not_found")
    draft = world.vacancy(employer, status="draft")
    r = world.client.post(f"{API}/applications", json={"seeker_id": world.seeker(station), "vacancy_id": draft["id"]},
                          headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (422, "vacancy_not_found")
    paused = world.vacancy(employer, status="paused")
    r = world.client.post(f"{API}/applications", json={"seeker_id": world.seeker(station), "vacancy_id": paused["id"]},
                          headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "vacancy_not_open")
    inactive = world.seeker(station)
    set_columns(world.engine, "seeker", inactive, status="inactive")
    r = world.client.post(f"{API}/applications", json={"seeker_id": inactive, "vacancy_id": vacancy["id"]},
                          headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "seeker_not_active")


def test_employer_sees_the_applicant_masked(world: World) -> None:
    station, employer, vacancy = _scene(world)
    seeker = world.seeker(station, name="张三丰")
    app_id = apply(world, station, seeker, vacancy["id"])["id"]
    got = world.client.get(f"{API}/applications/{app_id}", headers=employer.headers).json()
    assert got["candidate"]["display_name"] == "张*"
    assert "id_number" not in got["candidate"] and "phone" not in got["candidate"]
    assert world.client.get(f"{API}/applications/{app_id}", headers=station.headers).json()["candidate"] is None


def test_hiring_places_the_seeker_and_withdrawal_frees_the_place(world: World) -> None:
    station, employer, _ = _scene(world)
    vacancy = world.vacancy(employer, headcount=1)
    seeker = world.seeker(station)
    app_id = apply(world, station, seeker, vacancy["id"])["id"]
    advance(world.client, employer, app_id, "hired")
    assert row(world.engine, "seeker", seeker)["status"] == "placed"
    v = row(world.engine, "vacancy", vacancy["id"])
    assert (v["hired_count"], v["status"]) == (1, "filled")
    # A filled vacancy takes no more applications, so it is no longer matched either.
    r = world.client.post(f"{API}/applications", json={"seeker_id": world.seeker(station),
                                                       "vacancy_id": vacancy["id"]}, headers=station.headers)
    assert r.status_code == 409
    assert move(world.client, station, app_id, "withdrawn").status_code == 200
    v = row(world.engine, "vacancy", vacancy["id"])
    assert (v["hired_count"], v["status"]) == (0, "open")
    assert row(world.engine, "seeker", seeker)["status"] == "active"


def test_no_show_frees_the_place(world: World) -> None:
    station, employer, _ = _scene(world)
    vacancy = world.vacancy(employer, headcount=2)
    seeker = world.seeker(station)
    app_id = apply(world, station, seeker, vacancy["id"])["id"]
    advance(world.client, employer, app_id, "hired")
    assert row(world.engine, "vacancy", vacancy["id"])["hired_count"] == 1
    assert move(world.client, employer, app_id, "no_show").status_code == 200
    assert row(world.engine, "vacancy", vacancy["id"])["hired_count"] == 0
    assert row(world.engine, "seeker", seeker)["status"] == "active"


def test_lists_are_scoped_to_the_parties(world: World) -> None:
    station, employer, vacancy = _scene(world)
    app_id = apply(world, station, world.seeker(station), vacancy["id"])["id"]
    other_station, other_employer = world.station(), world.employer()

    def ids(actor):  # type: ignore[no-untyped-def]
        r = world.client.get(f"{API}/applications", headers=actor.headers)
        assert r.status_code == 200, r.text
        return {a["id"] for a in r.json()["items"]}

    assert app_id in ids(station) and app_id in ids(employer) and app_id in ids(world.admin)
    assert app_id not in ids(other_station) and app_id not in ids(other_employer)
    for actor in (other_station, other_employer):
        r = world.client.get(f"{API}/applications/{app_id}", headers=actor.headers)
        assert (r.status_code, r.json()["code"]) == (404, "not_found")
        assert move(world.client, actor, app_id, "withdrawn").status_code == 404


# ---- a family member applies for the whole family from the phone ----------------------------------------

def _family_scene(world: World, **family: object):  # type: ignore[no-untyped-def]
    from tests.factories import world_family

    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=5, family_posts={"brothers": 1})
    found = world_family(world, station, "brothers", **family)
    me = world.seeker_actor(station, found["member_ids"][0])
    body = {"family_id": found["id"], "members": [{"seeker_id": s, "vacancy_id": vacancy["id"]}
                                                  for s in found["member_ids"]]}
    return station, employer, vacancy, found, me, body


def test_a_member_applies_for_its_own_family(world: World) -> None:
    station, employer, vacancy, family, me, body = _family_scene(world)
    r = world.client.post(f"{API}/applications/family", json=body, headers=me.headers)
    assert r.status_code == 201, r.text
    got = r.json()
    assert sorted(a["seeker_id"] for a in got) == sorted(family["member_ids"])
    # The member applied for itself from the phone, and for its relative, who did nothing.
    me_id, relative = family["member_ids"]
    assert {a["seeker_id"]: (a["source"], a["status"], a["family_id"]) for a in got} == {
        me_id: ("seeker", "applied", family["id"]), relative: ("relative", "applied", family["id"])}
    assert len({a["group_id"] for a in got}) == 1
    group = row(world.engine, "application_group", got[0]["group_id"])
    assert (group["family_post_kind"], group["station_id"]) == ("brothers", station.id)
    # Recorded as the member's act, and visible to the station and the employer like any family application.
    assert {e["actor_role"] for e in rows(world.engine, "application_event")} == {"seeker"}
    seen = world.client.get(f"{API}/applications?vacancy_id={vacancy['id']}", headers=employer.headers).json()
    assert len(seen["items"]) == 2
    # The other member now sees theirs in the app too.
    other = world.seeker_actor(station, family["member_ids"][1])
    mine = world.client.get(f"{API}/applications", headers=other.headers).json()["items"]
    assert [a["seeker_id"] for a in mine] == [family["member_ids"][1]]


def test_a_seeker_applies_for_no_family_but_its_own(world: World) -> None:
    from tests.factories import MISSING_ID, row_counts, world_family

    station, _, vacancy, _family, me, _ = _family_scene(world)
    neighbours = world_family(world, station, "brothers")  # same station, not my family
    far = world_family(world, world.station("222401"), "brothers")
    alone = world.seeker_actor(station, world.seeker(station))
    before = row_counts(world.engine)
    answers = []
    for actor, family_id, members in ((me, neighbours["id"], neighbours["member_ids"]),
                                      (me, far["id"], far["member_ids"]),
                                      (alone, neighbours["id"], neighbours["member_ids"]),
                                      (me, MISSING_ID, neighbours["member_ids"])):
        r = world.client.post(f"{API}/applications/family", headers=actor.headers, json={
            "family_id": family_id, "members": [{"seeker_id": s, "vacancy_id": vacancy["id"]} for s in members]})
        body = r.json()
        answers.append((r.status_code, body["errors"][0]["rule"], body["detail"].replace(str(family_id), "#")))
    # A family that is not mine answers exactly as one that does not exist.
    assert set(answers) == {(422, "family_not_found", "family_id: family # not found")}
    assert row_counts(world.engine) == before


def test_a_member_who_already_applied_alone_gets_a_clear_problem(world: World) -> None:
    from tests.factories import row_counts

    station, _, vacancy, family, me, body = _family_scene(world)
    # The other member tapped "我想去" for themselves first (what the app used to do).
    other = world.seeker_actor(station, family["member_ids"][1])
    alone = world.client.post(f"{API}/applications", json={"vacancy_id": vacancy["id"]}, headers=other.headers)
    assert alone.status_code == 201, alone.text
    before = row_counts(world.engine)
    r = world.client.post(f"{API}/applications/family", json=body, headers=me.headers)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert (problem["errors"][0]["field"], problem["errors"][0]["rule"]) == ("members", "member_already_applied")
    assert (problem["seeker_id"], problem["vacancy_id"], problem["application_id"]) == (
        family["member_ids"][1], vacancy["id"], alone.json()["id"])
    assert "撤回" in problem["detail_zh"]
    assert row_counts(world.engine) == before  # all or nothing: the first member's application was not kept
    # The station gets the same answer: the problem is the member's application, not who asks.
    r = world.client.post(f"{API}/applications/family", json=body, headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "member_already_applied")
    assert move(world.client, other, alone.json()["id"], "withdrawn").status_code == 200
    r = world.client.post(f"{API}/applications/family", json=body, headers=me.headers)
    assert r.status_code == 201, r.text
    group = r.json()[0]["group_id"]
    # Tapped again: the family's own application stands in the way, and there is nothing to withdraw.
    before = row_counts(world.engine)
    for actor in (me, other, station):
        again = world.client.post(f"{API}/applications/family", json=body, headers=actor.headers)
        problem = again.json()
        assert (again.status_code, problem["errors"][0]["field"], problem["errors"][0]["rule"]) == (
            409, "family_id", "family_already_applied"), again.text
        assert (problem["group_id"], problem["vacancy_id"]) == (group, vacancy["id"])
        assert "已一起申请" in problem["detail_zh"] and "撤回" not in problem["detail_zh"]
    # Applying alone to the vacancy the family applied for says the same, not a bare duplicate.
    alone = world.client.post(f"{API}/applications", json={"vacancy_id": vacancy["id"]}, headers=other.headers)
    assert (alone.status_code, alone.json()["errors"][0]["rule"], alone.json()["group_id"]) == (
        409, "family_already_applied", group)
    assert row_counts(world.engine) == before


def test_a_member_is_offered_moves_on_its_own_application_only(world: World) -> None:
    station, _, _, family, me, body = _family_scene(world)
    r = world.client.post(f"{API}/applications/family", json=body, headers=me.headers)
    assert r.status_code == 201, r.text
    me_id, relative = family["member_ids"]
    got = {a["seeker_id"]: a for a in r.json()}
    assert got[me_id]["allowed"] == ["withdrawn"]
    # The relative's application is shown, with no move: any move on it answers 404, as for a stranger.
    assert got[relative]["allowed"] == []
    assert move(world.client, me, got[relative]["id"], "withdrawn").status_code == 404
    # The relative, from its own phone, and the station see the moves they may make on it.
    theirs = world.seeker_actor(station, relative)
    for actor in (theirs, station):
        seen = world.client.get(f"{API}/applications/{got[relative]['id']}", headers=actor.headers).json()
        assert seen["allowed"] == ["withdrawn"]


def test_a_member_acts_only_for_consenting_relatives_of_a_family_that_stays_together(world: World) -> None:
    from tests.factories import row_counts

    _, _, _, family, me, body = _family_scene(world)
    set_columns(world.engine, "seeker", family["member_ids"][1], consent_matching=False, consent_push=False)
    _, _, _, _, apart, apart_body = _family_scene(world, must_stay_together=False)
    before = row_counts(world.engine)
    r = world.client.post(f"{API}/applications/family", json=body, headers=me.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "member_consent")
    assert r.json()["seeker_ids"] == [family["member_ids"][1]]
    r = world.client.post(f"{API}/applications/family", json=apart_body, headers=apart.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "family_not_together")
    assert row_counts(world.engine) == before
