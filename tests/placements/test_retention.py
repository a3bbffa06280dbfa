"""Retention: the 90-day boundary, check-ins, leaving (active again), and the station's follow-up list."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from app.clock import today_shanghai
from app.models.placement import Placement
from app.services.placements import is_stable, is_stable_now, placement_public, reached
from tests.factories import Actor, World, world_family
from tests.placements.helpers import API, advance, apply, move, row, rows


def _placed(world: World, station: Actor, employer: Actor, days_ago: int) -> tuple[int, int]:
    """A seeker of ``station`` who arrived at ``employer`` ``days_ago`` days ago: (seeker, placement)."""
    vacancy = world.vacancy(employer, headcount=3)
    seeker = world.seeker(station)
    app_id = apply(world, station, seeker, vacancy["id"])["id"]
    advance(world.client, employer, app_id, "arrived",
            arrived_on=(today_shanghai() - timedelta(days=days_ago)).isoformat())
    placement = rows(world.engine, "placement", application_id=app_id)[0]
    return seeker, placement["id"]


def test_day_89_is_not_stable_and_day_90_is() -> None:
    arrived = date(2025, 3, 1)
    p = Placement(application_id=1, seeker_id=1, vacancy_id=1, employer_id=1, station_id=1, arrived_on=arrived)
    assert not is_stable(p, arrived + timedelta(days=89))
    assert is_stable(p, arrived + timedelta(days=90))
    assert not reached(arrived, None, arrived + timedelta(days=179), 180)
    assert reached(arrived, None, arrived + timedelta(days=180), 180)
    # Leaving on day 89 never becomes stable; leaving on day 95 was stable, though not employed now.
    p.status, p.left_on = "left", arrived + timedelta(days=89)
    assert not is_stable(p, arrived + timedelta(days=400))
    p.left_on = arrived + timedelta(days=95)
    assert is_stable(p, arrived + timedelta(days=400))
    assert not is_stable_now(p, arrived + timedelta(days=400))


def test_the_service_reads_the_boundary_from_the_injected_day(world: World) -> None:
    station, employer = world.station(), world.employer()
    _, placement_id = _placed(world, station, employer, 10)
    with Session(world.engine) as s:
        placement = s.get(Placement, placement_id)
        assert placement is not None
        arrived = placement.arrived_on
        day_89 = placement_public(s, placement, today=arrived + timedelta(days=89))
        day_90 = placement_public(s, placement, today=arrived + timedelta(days=90))
    assert (day_89.days_employed, day_89.stable) == (89, False)
    assert (day_90.days_employed, day_90.stable, day_90.stable_on) == (90, True, arrived + timedelta(days=90))


def test_api_shows_stable_on_the_ninetieth_day(world: World) -> None:
    station, employer = world.station(), world.employer()
    _, p89 = _placed(world, station, employer, 89)
    _, p90 = _placed(world, station, employer, 90)
    got89 = world.client.get(f"{API}/placements/{p89}", headers=station.headers).json()
    got90 = world.client.get(f"{API}/placements/{p90}", headers=employer.headers).json()
    assert (got89["days_employed"], got89["stable"]) == (89, False)
    assert (got90["days_employed"], got90["stable"]) == (90, True)


def test_check_ins_and_leaving(world: World) -> None:
    station, employer = world.station(), world.employer()
    seeker, placement_id = _placed(world, station, employer, 40)
    assert row(world.engine, "seeker", seeker)["status"] == "placed"
    url = f"{API}/placements/{placement_id}/check-ins"
    r = world.client.post(url, json={"outcome": "employed", "note": "适应良好"}, headers=station.headers)
    assert r.status_code == 201, r.text
    r = world.client.post(url, json={"outcome": "left"}, headers=employer.headers)
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "reason")
    left_on = (today_shanghai() - timedelta(days=2)).isoformat()
    r = world.client.post(url, json={"outcome": "left", "reason": "家中有事返乡", "left_on": left_on},
                          headers=employer.headers)
    assert r.status_code == 201, r.text
    placement = row(world.engine, "placement", placement_id)
    assert (placement["status"], placement["left_on"].isoformat(), placement["left_reason"]) == (
        "left", left_on, "家中有事返乡")
    # Active again: the matcher picks the worker up and the station can re-match them.
    assert row(world.engine, "seeker", seeker)["status"] == "active"
    events = [e for e in rows(world.engine, "outbox_event", kind="placement.changed")
              if e["subject_id"] == placement_id]
    assert events[-1]["data"]["status"] == "left" and events[-1]["data"]["seeker_id"] == seeker
    r = world.client.post(url, json={"outcome": "employed"}, headers=station.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (409, "placement_closed")
    got = world.client.get(f"{API}/placements/{placement_id}", headers=station.headers).json()
    assert [c["outcome"] for c in got["check_ins"]] == ["employed", "left"]
    me = world.seeker_actor(station, seeker)
    assert world.client.post(url, json={"outcome": "employed"}, headers=me.headers).status_code == 403
    for stranger in (world.station(), world.employer()):
        assert world.client.get(f"{API}/placements/{placement_id}", headers=stranger.headers).status_code == 404
        assert world.client.post(url, json={"outcome": "employed"}, headers=stranger.headers).status_code == 404


def test_check_in_dates_are_checked(world: World) -> None:
    station, employer = world.station(), world.employer()
    _, placement_id = _placed(world, station, employer, 5)
    url = f"{API}/placements/{placement_id}/check-ins"
    tomorrow = (today_shanghai() + timedelta(days=1)).isoformat()
    before_arrival = (today_shanghai() - timedelta(days=6)).isoformat()
    for body in ({"outcome": "employed", "checked_on": tomorrow},
                 {"outcome": "employed", "checked_on": before_arrival},
                 {"outcome": "left", "reason": "x", "left_on": before_arrival}):
        assert world.client.post(url, json=body, headers=station.headers).status_code == 422, body


def test_follow_ups_by_urgency(world: World) -> None:
    station, employer = world.station(), world.employer()
    _, due_7 = _placed(world, station, employer, 8)          # 7-day call, one day late: due
    _, overdue_7 = _placed(world, station, employer, 20)     # 7-day call, 13 days late: overdue
    _, covered_30 = _placed(world, station, employer, 31)    # 30-day call made on day 29: nothing to do
    _placed(world, station, employer, 3)                     # no call yet
    _, due_90 = _placed(world, station, employer, 90)        # 90-day call today
    _, stable_done = _placed(world, station, employer, 100)  # 90-day call made: nothing more
    left_seeker, left = _placed(world, station, employer, 50)
    rematched_seeker, rematched = _placed(world, station, employer, 50)
    _placed(world, world.station(), employer, 20)            # another station's worker
    today = today_shanghai()
    # Day 29 of the 31-day placement; day 91 of the 100-day one.
    for placement_id, checked_on in ((covered_30, today - timedelta(days=2)), (stable_done, today - timedelta(days=9))):
        r = world.client.post(f"{API}/placements/{placement_id}/check-ins",
                              json={"outcome": "employed", "checked_on": checked_on.isoformat()},
                              headers=station.headers)
        assert r.status_code == 201, r.text
    for placement_id in (left, rematched):
        r = world.client.post(f"{API}/placements/{placement_id}/check-ins",
                              json={"outcome": "left", "reason": "工资不满意"}, headers=station.headers)
        assert r.status_code == 201, r.text
    apply(world, station, rematched_seeker, world.vacancy(world.employer())["id"])
    r = world.client.get(f"{API}/follow-ups", headers=station.headers)
    assert r.status_code == 200, r.text
    got = [(f["placement_id"], f["urgency"], f["checkpoint_day"], f["days_overdue"]) for f in r.json()]
    assert got == [(overdue_7, "overdue", 7, 13), (due_7, "due", 7, 1), (due_90, "due", 90, 0),
                   (left, "left", None, 0)]
    assert r.json()[-1]["seeker_id"] == left_seeker and r.json()[-1]["left_reason"] == "工资不满意"
    assert r.json()[0]["phone"].count("*") == 4
    assert world.client.get(f"{API}/follow-ups", headers=employer.headers).status_code == 403
    everyone = world.client.get(f"{API}/follow-ups", headers=world.admin.headers).json()
    assert len(everyone) == len(got) + 1


def test_a_family_leaving_gives_back_its_dormitory(world: World) -> None:
    station, employer = world.station(), world.employer(dormitories=2)
    vacancy = world.vacancy(employer, headcount=4)
    family = world_family(world, station, "couple", needs_couple_dormitory=True)
    r = world.client.post(f"{API}/applications/family", json={"family_id": family["id"], "members": [
        {"seeker_id": s, "vacancy_id": vacancy["id"]} for s in family["member_ids"]]}, headers=station.headers)
    apps = r.json()
    advance(world.client, employer, apps[0]["id"], "arrived")
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 1
    placements = rows(world.engine, "placement")
    assert len(placements) == 2
    body = {"outcome": "left", "reason": "返乡"}
    world.client.post(f"{API}/placements/{placements[0]['id']}/check-ins", json=body, headers=station.headers)
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 1
    world.client.post(f"{API}/placements/{placements[1]['id']}/check-ins", json=body, headers=station.headers)
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 0
    assert move(world.client, employer, apps[0]["id"], "no_show").status_code == 409


def test_a_couple_leaving_at_the_same_moment_gives_the_dormitory_back_once(world: World) -> None:
    import threading

    station, employer = world.station(), world.employer(dormitories=2)
    vacancy = world.vacancy(employer, headcount=4)
    for _ in range(2):
        family = world_family(world, station, "couple", needs_couple_dormitory=True)
        apps = world.client.post(f"{API}/applications/family", json={"family_id": family["id"], "members": [
            {"seeker_id": s, "vacancy_id": vacancy["id"]} for s in family["member_ids"]]},
            headers=station.headers).json()
        advance(world.client, employer, apps[0]["id"], "arrived")
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 2
    first_couple = [p["id"] for p in rows(world.engine, "placement")][:2]
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def leave(placement_id: int) -> None:
        barrier.wait()
        r = world.client.post(f"{API}/placements/{placement_id}/check-ins", json={"outcome": "left", "reason": "返乡"},
                              headers=station.headers)
        codes.append(r.status_code)

    threads = [threading.Thread(target=leave, args=(p,)) for p in first_couple]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert codes == [201, 201]
    assert row(world.engine, "employer", employer.id)["couple_dormitories_used"] == 1
