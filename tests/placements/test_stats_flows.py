"""Posts, funnel, charter transport and training demand, each against figures set up by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from app.clock import today_shanghai
from app.db import metadata
from tests.factories import World, set_columns
from tests.placements.helpers import API, advance, apply, move

STATS = f"{API}/stats"


def _get(world: World, path: str, **params: Any) -> list[dict[str, Any]]:
    r = world.client.get(f"{STATS}/{path}", params=params, headers=world.admin.headers)
    assert r.status_code == 200, r.text
    return r.json()["rows"]  # type: ignore[no-any-return]


def test_posts_opened_and_filled(world: World) -> None:
    a, b = world.employer("330203", dormitories=10), world.employer("330212", dormitories=4)
    set_columns(world.engine, "employer", a.id, couple_dormitories_used=3)
    set_columns(world.engine, "employer", b.id, couple_dormitories_used=1)
    caring_a = world.vacancy(a, headcount=10, caring_post=True)
    set_columns(world.engine, "vacancy", caring_a["id"], hired_count=4)
    family_a = world.vacancy(a, headcount=6, family_posts={"couple": 2, "brothers": 1})
    set_columns(world.engine, "vacancy", family_a["id"], hired_count=6, status="filled",
                family_posts_used={"couple": 1})
    caring_b = world.vacancy(b, headcount=5, district_code="330212", caring_post=True,
                             family_posts={"father_son": 1})
    set_columns(world.engine, "vacancy", caring_b["id"], family_posts_used={"father_son": 1})
    world.vacancy(b, headcount=7, district_code="330212", caring_post=True, status="draft")  # opened nothing
    rows = {r["district_code"]: r for r in _get(world, "posts")}
    zero = dict.fromkeys(("couple_opened", "couple_filled", "father_son_opened", "father_son_filled",
                          "brothers_opened", "brothers_filled"), 0)
    assert rows["330203"] == {"district_code": "330203", "district": "海曙区", "caring_opened": 10,
                              "caring_filled": 4, **zero, "couple_opened": 2, "couple_filled": 1,
                              "brothers_opened": 1, "dormitories": 10, "dormitories_used": 3}
    assert rows["330212"] == {"district_code": "330212", "district": "鄞州区", "caring_opened": 5,
                              "caring_filled": 0, **zero, "father_son_opened": 1, "father_son_filled": 1,
                              "dormitories": 4, "dormitories_used": 1}
    total = rows[""]
    assert (total["caring_opened"], total["caring_filled"], total["dormitories_used"]) == (15, 4, 4)
    only_b = _get(world, "posts", employer_id=b.id)
    assert [r["district_code"] for r in only_b] == ["330212", ""]
    last_year = _get(world, "posts", period=str(today_shanghai().year - 1))
    assert last_year[-1]["caring_opened"] == 0


def _notify(world: World, seeker: int, kind: str, vacancy: int | None, read: bool, role: str = "seeker") -> None:
    now = datetime.now(UTC)
    with world.engine.begin() as conn:
        conn.execute(insert(metadata.tables["notification"]).values(
            recipient_role=role, recipient_id=seeker, kind=kind, title="t", body={}, rank=1, vacancy_id=vacancy,
            created_at=now, visible_at=now, read_at=now if read else None))


def test_funnel_counts_each_step(world: World) -> None:
    station, employer = world.station(), world.employer()
    here = world.vacancy(employer, headcount=10)
    there = world.vacancy(employer, headcount=10, district_code="330212")
    seekers = [world.seeker(station) for _ in range(6)]
    for i, seeker in enumerate(seekers):
        _notify(world, seeker, "job.match", here["id"], read=i < 3)
        _notify(world, seeker, "job.match", there["id"], read=False)
    _notify(world, seekers[0], "family.match", None, read=True)
    _notify(world, seekers[0], "application.changed", here["id"], read=True)   # not a push
    _notify(world, station.id, "job.match", here["id"], read=True, role="station")  # not a seeker
    apps = [apply(world, station, s, (here if i < 4 else there)["id"])["id"] for i, s in enumerate(seekers)]
    long_ago = (today_shanghai() - timedelta(days=95)).isoformat()
    advance(world.client, employer, apps[0], "arrived", arrived_on=long_ago)   # stable
    advance(world.client, employer, apps[1], "arrived")                        # arrived today
    advance(world.client, employer, apps[2], "hired")                          # hired, not yet there
    advance(world.client, employer, apps[3], "hired")
    assert move(world.client, station, apps[3], "withdrawn").status_code == 200  # was hired all the same
    assert move(world.client, employer, apps[5], "rejected").status_code == 200
    rows = {r["step"]: r for r in _get(world, "funnel")}
    assert {k: rows[k]["count"] for k in rows} == {"pushed": 13, "read": 4, "applied": 6, "hired": 4,
                                                   "arrived": 2, "stable": 1}
    assert rows["read"]["conversion"] == round(4 / 13, 4) and rows["pushed"]["conversion"] is None
    assert rows["stable"]["conversion"] == 0.5 and rows["applied"]["of_first"] == round(6 / 13, 4)
    haishu = {r["step"]: r["count"] for r in _get(world, "funnel", district_code="330203")}
    assert haishu == {"pushed": 6, "read": 3, "applied": 4, "hired": 4, "arrived": 2, "stable": 1}
    last_year = {r["step"]: r["count"] for r in _get(world, "funnel", period=str(today_shanghai().year - 1))}
    assert set(last_year.values()) == {0}


def test_workers_moved_by_charter(world: World) -> None:
    station, employer = world.station(), world.employer()
    haishu = world.vacancy(employer, headcount=10)
    yinzhou = world.vacancy(employer, headcount=10, district_code="330212")
    for vacancy, n in ((haishu, 3), (yinzhou, 2)):
        for _ in range(n):
            app_id = apply(world, station, world.seeker(station, area="222401"), vacancy["id"])["id"]
            advance(world.client, employer, app_id, "hired")
    batches = world.client.post(f"{API}/transport-batches/plan", json={"mode": "bus"},
                                headers=station.headers).json()["batches"]
    for batch in batches:
        world.client.post(f"{API}/transport-batches/{batch['id']}/depart", headers=station.headers)
        assert world.client.post(f"{API}/transport-batches/{batch['id']}/arrive",
                                 headers=station.headers).status_code == 200
    still_planned = apply(world, station, world.seeker(station), haishu["id"])["id"]
    advance(world.client, employer, still_planned, "hired")
    world.client.post(f"{API}/transport-batches/plan", json={"mode": "bus"}, headers=station.headers)
    rows = _get(world, "transport")
    assert [(r["mode"], r["district_code"], r["batches"], r["passengers"]) for r in rows] == [
        ("bus", "330203", 1, 3), ("bus", "330212", 1, 2), ("", "", 2, 5)]
    assert _get(world, "transport", origin_code="522300")[-1]["passengers"] == 0
    assert _get(world, "transport", origin_code="222400")[-1]["passengers"] == 5
    assert _get(world, "transport", district_code="330212")[-1]["passengers"] == 2


def test_training_demand_names_what_the_region_lacks(world: World) -> None:
    station, employer = world.station(), world.employer()
    world.vacancy(employer, title="叉车司机", occupation="叉车司机", headcount=5, certificates=["叉车证"])
    world.vacancy(employer, title="电焊工", occupation="电焊工", headcount=3)
    world.vacancy(employer, title="包装工", occupation="包装工", headcount=1)
    forklift = [{"name": "叉车", "level": None, "years": 1}]
    for _ in range(2):
        world.seeker(station, skills=forklift)
    world.seeker(station, skills=forklift, certificates=["叉车证"])
    world.seeker(station, skills=[{"name": "焊工", "level": None, "years": 2}])
    world.seeker(station, skills=[{"name": "包装工", "level": None, "years": 2}])
    elsewhere = world.station("222401")
    world.seeker(elsewhere, area="222401", skills=forklift, certificates=["叉车证"])
    rows = _get(world, "training-demand", origin_code="522300")
    got = [(r["kind"], r["name"], r["vacancies"], r["places"], r["seekers_with"], r["shortage"]) for r in rows]
    assert got == [("证书", "叉车证", 1, 5, 1, 4), ("技能", "叉车司机", 1, 5, 3, 2), ("技能", "焊工", 1, 3, 1, 2)]
    assert rows[0]["seekers_to_train"] == 2  # forklift drivers without the card
    everywhere = _get(world, "training-demand")
    assert everywhere[0][("seekers_with")] == 2 and everywhere[0]["shortage"] == 3
