"""Charter batches: capacity respected, families never split, manifests masked, arrival starts placements."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.clock import today_shanghai
from app.models.application import Application
from app.services.transport import Unit, pack
from tests.factories import Actor, World, world_family
from tests.placements.helpers import API, advance, apply, move, row, rows

_ids = iter(range(1, 10**9))


def _unit(size: int, district: str, start: date, family: int | None) -> Unit:
    apps = [Application(id=next(_ids), seeker_id=1, vacancy_id=1, employer_id=1, station_id=1, source="station")
            for _ in range(size)]
    return Unit(apps, district, start, family)


units_strategy = st.lists(
    st.tuples(st.integers(1, 4), st.sampled_from(["330203", "330212", "330282"]), st.integers(0, 40)),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(specs=units_strategy, capacity=st.integers(4, 12), window=st.integers(1, 10))
def test_pack_never_splits_a_family_and_respects_capacity(specs: list[tuple[int, str, int]], capacity: int,
                                                          window: int) -> None:
    base = date(2025, 1, 1)
    units = [_unit(size, district, base + timedelta(days=offset), i if size > 1 else None)
             for i, (size, district, offset) in enumerate(specs)]
    batches, unplaced = pack(units, capacity, window)
    assert unplaced == []
    seen = [id(u) for batch in batches for u in batch]
    assert sorted(seen) == sorted(id(u) for u in units)  # everyone travels, exactly once
    for batch in batches:
        assert sum(u.size for u in batch) <= capacity
        assert len({u.district_code for u in batch}) == 1
        starts = [u.start for u in batch]
        assert (max(starts) - min(starts)).days < window
    # A family's applications are one unit: a unit's members are never in two batches.
    where = {a.id: i for i, batch in enumerate(batches) for u in batch for a in u.applications}
    for unit in units:
        assert len({where[a.id] for a in unit.applications}) == 1


def test_pack_fills_vehicles_and_reports_families_too_big() -> None:
    start = date(2025, 5, 1)
    singles = [_unit(1, "330203", start, None) for _ in range(7)]
    family = _unit(3, "330203", start, 1)
    giant = _unit(5, "330203", start, 2)
    batches, unplaced = pack([*singles, family, giant], 4, 7)
    assert unplaced == [giant]
    assert sorted(sum(u.size for u in b) for b in batches) == [2, 4, 4]
    assert any(family in b for b in batches)


def _hired(world: World, station: Actor, employer: Actor, vacancy: dict[str, Any], start_in: int) -> int:
    app_id = apply(world, station, world.seeker(station), vacancy["id"])["id"]
    advance(world.client, employer, app_id, "hired",
            start_date=(today_shanghai() + timedelta(days=start_in)).isoformat())
    return app_id


def _hired_family(world: World, station: Actor, employer: Actor, vacancy: dict[str, Any], start_in: int) -> list[int]:
    family = world_family(world, station, "brothers")
    r = world.client.post(f"{API}/applications/family", json={"family_id": family["id"], "members": [
        {"seeker_id": s, "vacancy_id": vacancy["id"]} for s in family["member_ids"]]}, headers=station.headers)
    apps = [a["id"] for a in r.json()]
    start = (today_shanghai() + timedelta(days=start_in)).isoformat()
    advance(world.client, employer, apps[0], "hired", start_date=start)
    return apps


def test_plan_depart_arrive(world: World, monkeypatch: Any) -> None:
    from app.settings import get_settings

    monkeypatch.setattr(get_settings(), "charter_capacity_bus", 4)
    station, employer = world.station(), world.employer()
    haishu = world.vacancy(employer, headcount=30)
    yinzhou = world.vacancy(employer, headcount=30, district_code="330212")
    singles = [_hired(world, station, employer, haishu, 5) for _ in range(3)]
    family = _hired_family(world, station, employer, haishu, 6)
    late = _hired(world, station, employer, haishu, 20)          # outside the 7-day window
    elsewhere = _hired(world, station, employer, yinzhou, 5)     # another destination
    other_station = world.station()
    _hired(world, other_station, employer, haishu, 5)            # not this station's worker
    r = world.client.post(f"{API}/transport-batches/plan", json={"mode": "bus", "window_days": 7},
                          headers=station.headers)
    assert r.status_code == 201, r.text
    batches = r.json()["batches"]
    by_apps = [sorted(p["application_id"] for p in b["passengers"]) for b in batches]
    assert all(b["capacity"] == 4 and b["seats_taken"] <= 4 for b in batches)
    # Five for Haishu within the window: the family and two singles fill one bus, the third single rides
    # the next; the late starter and the Yinzhou worker ride on their own.
    assert sorted(map(len, by_apps)) == [1, 1, 1, 4]
    assert any(set(family) <= set(a) and len(a) == 4 for a in by_apps)
    assert [elsewhere] in by_apps and [late] in by_apps
    assert sorted(a for apps in by_apps for a in apps) == sorted([*singles, *family, late, elsewhere])
    assert {b["district_code"] for b in batches} == {"330203", "330212"}
    passenger = batches[0]["passengers"][0]
    assert passenger["id_number"].count("*") == 8 and passenger["phone"].count("*") == 4
    # Planning again seats nobody twice.
    again = world.client.post(f"{API}/transport-batches/plan", json={"mode": "bus"}, headers=station.headers)
    assert again.json()["batches"] == []
    # The family's batch departs and arrives: every passenger's placement starts on the arrival day.
    batch = next(b for b in batches if set(family) <= {p["application_id"] for p in b["passengers"]})
    url = f"{API}/transport-batches/{batch['id']}"
    r = world.client.post(f"{url}/arrive", headers=station.headers)
    assert (r.status_code, r.json()["allowed"]) == (409, ["departed"])
    assert world.client.post(f"{url}/depart", headers=station.headers).json()["status"] == "departed"
    on = (today_shanghai() - timedelta(days=1)).isoformat()
    r = world.client.post(f"{url}/arrive", json={"arrived_on": on}, headers=station.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "arrived" and r.json()["arrived_on"] == on
    for p in r.json()["passengers"]:
        assert p["application_status"] == "arrived"
        placement = rows(world.engine, "placement", application_id=p["application_id"])
        assert len(placement) == 1 and placement[0]["arrived_on"].isoformat() == on
    assert world.client.post(f"{url}/depart", headers=station.headers).status_code == 409


def test_a_passenger_who_withdrew_does_not_arrive(world: World) -> None:
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=5)
    stays, leaves = _hired(world, station, employer, vacancy, 3), _hired(world, station, employer, vacancy, 3)
    batch = world.client.post(f"{API}/transport-batches/plan", json={"mode": "train"},
                              headers=station.headers).json()["batches"][0]
    assert batch["capacity"] == 118
    assert move(world.client, station, leaves, "withdrawn").status_code == 200
    url = f"{API}/transport-batches/{batch['id']}"
    world.client.post(f"{url}/depart", headers=station.headers)
    assert world.client.post(f"{url}/arrive", headers=station.headers).status_code == 200
    assert row(world.engine, "application", stays)["status"] == "arrived"
    assert row(world.engine, "application", leaves)["status"] == "withdrawn"
    assert rows(world.engine, "placement", application_id=leaves) == []


def test_manifest_downloads_and_ownership(world: World) -> None:
    station, employer = world.station(), world.employer()
    vacancy = world.vacancy(employer, headcount=5)
    _hired(world, station, employer, vacancy, 3)
    batch = world.client.post(f"{API}/transport-batches/plan", json={"mode": "flight"},
                              headers=station.headers).json()["batches"][0]
    url = f"{API}/transport-batches/{batch['id']}"
    xlsx = world.client.get(f"{url}/manifest?format=xlsx", headers=station.headers)
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[0][:2] == ("姓名", "身份证号（脱敏）")
    assert values[1][1].count("*") == 8
    assert isinstance(values[1][7], __import__("datetime").datetime)  # a real date cell
    text = world.client.get(f"{url}/manifest?format=csv", headers=station.headers).content.decode("utf-8-sig")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0][0] == "姓名" and len(parsed) == 2
    for stranger in (world.station(),):
        assert world.client.get(url, headers=stranger.headers).status_code == 404
        assert world.client.post(f"{url}/depart", headers=stranger.headers).status_code == 404
    assert world.client.get(url, headers=employer.headers).status_code == 403
    assert world.client.get(url, headers=world.admin.headers).status_code == 200
    listed = world.client.get(f"{API}/transport-batches", headers=world.station().headers).json()["items"]
    assert listed == []
    r = world.client.post(f"{API}/transport-batches/plan", json={"mode": "bus"}, headers=world.admin.headers)
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "station_id")
