"""A station's key reads the bureau's figures counted over its own seekers only; the bureau's count everyone.

Two stations, each with a population of known histories (tests/placements/population.py): every figure a
station sees is the one counted by hand from its own people's stories, and the bureau's from both."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from app.clock import today_shanghai
from app.errors import Forbidden
from app.services.stats_common import StatsFilter
from app.services.stats_posts import post_rows
from tests.factories import Actor, World
from tests.placements.population import Story, build, employed, stayed
from tests.placements.test_stats import FIGURES, _truth

API = "/api/v1/stats"


def _get(world: World, actor: Actor, path: str, **params: Any) -> Any:
    r = world.client.get(f"{API}/{path}", params=params, headers=actor.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _total(truth: dict[str, dict[str, int]]) -> dict[str, int]:
    return {k: sum(t[k] for t in truth.values()) for k in FIGURES}


def _two_stations(world: World) -> tuple[list[Story], dict[str, Any], list[Story], dict[str, Any]]:
    mine, scene = build(world, n=30, seed=2)
    theirs, other = build(world, n=30, seed=9)
    return mine, scene, theirs, other


def test_employment_and_heat_map_count_only_the_stations_own_seekers(world: World) -> None:
    mine, scene, theirs, _ = _two_stations(world)
    station, today = scene["station"], today_shanghai()
    answer = _get(world, station, "employment")
    assert answer["filters"]["station_id"] == station.id
    assert {k: answer["rows"][-1][k] for k in FIGURES} == _total(_truth(mine, today))
    for row in answer["rows"]:
        if row["level"] == "county":
            assert {k: row[k] for k in FIGURES} == _truth(mine, today)[row["code"]], row["code"]
    everyone = _get(world, world.admin, "employment")
    assert everyone["filters"]["station_id"] is None
    assert {k: everyone["rows"][-1][k] for k in FIGURES} == _total(_truth(mine + theirs, today))
    assert everyone["rows"][-1]["registered"] == 60 and answer["rows"][-1]["registered"] == 30

    heat = _get(world, station, "heatmap")
    truth = _truth(mine, today)
    assert {f["properties"]["code"]: (f["properties"]["registered"], f["properties"]["employed"],
                                      f["properties"]["stable"]) for f in heat["features"]} == {
        code: (t["registered"], t["employed"], t["stable"]) for code, t in truth.items()}


def test_a_stations_filters_narrow_its_own_figures_never_widen_them(world: World) -> None:
    mine, scene, theirs, other = _two_stations(world)
    station, today = scene["station"], today_shanghai()
    their_employer = other["employers"]["330212"].id
    # Another station's people at their employer: the bureau sees them, the station sees none of them.
    assert _get(world, world.admin, "employment", employer_id=their_employer)["rows"][-1]["employed"] == sum(
        1 for s in theirs if s.employer == their_employer and employed(s, today))
    assert _get(world, station, "employment", employer_id=their_employer)["rows"][-1]["employed"] == 0
    in_yinzhou = _get(world, station, "employment", district_code="330212")["rows"][-1]
    assert in_yinzhou["stable"] == sum(1 for s in mine if s.district == "330212" and employed(s, today)
                                       and stayed(s, today) >= 90)
    csv_text = world.client.get(f"{API}/employment", params={"format": "csv"}, headers=station.headers).text
    assert csv_text.splitlines()[-1].startswith("total,,合计,,30,")  # 30 registered: its own, not 60


def test_funnel_and_monthly_figures_follow_the_stations_people(world: World) -> None:
    mine, scene, theirs, _ = _two_stations(world)
    station, today = scene["station"], today_shanghai()
    funnel = {r["step"]: r["count"] for r in _get(world, station, "funnel")["rows"]}
    assert funnel["applied"] == sum(1 for s in mine if s.arrived)
    assert funnel["stable"] == sum(1 for s in mine if stayed(s, today) >= 90)
    everyone = {r["step"]: r["count"] for r in _get(world, world.admin, "funnel")["rows"]}
    assert everyone["applied"] == sum(1 for s in mine + theirs if s.arrived)

    def arrivals(stories: list[Story]) -> int:
        year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
        first = date(year, month + 1, 1)  # the first of the twelve months shown
        return sum(1 for s in stories if s.arrived and s.arrived >= first)

    months = _get(world, station, "monthly", months=12)["rows"]
    assert sum(m["arrived"] for m in months) == arrivals(mine)
    assert sum(m["arrived"] for m in _get(world, world.admin, "monthly", months=12)["rows"]) == arrivals(mine + theirs)


def test_training_demand_counts_the_stations_own_seekers_against_every_open_vacancy(world: World) -> None:
    mine, theirs, employer = world.station(), world.station("222401"), world.employer()
    world.vacancy(employer, title="叉车司机", occupation="叉车司机", headcount=5, certificates=["叉车证"])
    forklift = [{"name": "叉车", "level": None, "years": 1}]
    world.seeker(mine, skills=forklift, certificates=["叉车证"])
    for _ in range(2):
        world.seeker(theirs, area="222401", skills=forklift, certificates=["叉车证"])
    card = {r["name"]: r for r in _get(world, mine, "training-demand")["rows"]}["叉车证"]
    assert (card["vacancies"], card["places"], card["seekers_with"], card["shortage"]) == (1, 5, 1, 4)
    card = {r["name"]: r for r in _get(world, world.admin, "training-demand")["rows"]}["叉车证"]
    assert (card["seekers_with"], card["shortage"]) == (3, 2)


def test_charter_passengers_are_the_stations_own(world: World) -> None:
    from tests.placements.helpers import advance, apply

    employer = world.employer()
    vacancy = world.vacancy(employer, headcount=10)["id"]
    stations = [world.station(), world.station("222401")]
    for station, n in zip(stations, (2, 3), strict=True):
        for _ in range(n):
            advance(world.client, employer, apply(world, station, world.seeker(station), vacancy)["id"], "hired")
        for batch in world.client.post("/api/v1/transport-batches/plan", json={"mode": "bus"},
                                       headers=station.headers).json()["batches"]:
            world.client.post(f"/api/v1/transport-batches/{batch['id']}/depart", headers=station.headers)
            assert world.client.post(f"/api/v1/transport-batches/{batch['id']}/arrive",
                                     headers=station.headers).status_code == 200
    assert [_get(world, s, "transport")["rows"][-1]["passengers"] for s in stations] == [2, 3]
    assert _get(world, world.admin, "transport")["rows"][-1]["passengers"] == 5


def test_posts_are_the_bureaus_and_a_station_is_told_so(world: World) -> None:
    """One rule, the service's: a station's key is turned away by it with its reason, in every format."""
    station = world.station()
    for params in ({}, {"format": "csv"}, {"period": "2025"}):
        r = world.client.get(f"{API}/posts", params=params, headers=station.headers)
        problem = r.json()
        assert (r.status_code, problem["errors"][0]["rule"]) == (403, "role"), r.text
        assert problem["detail_zh"] == "此统计仅限人社局"
    assert _get(world, world.admin, "posts")["filters"]["station_id"] is None
    employer = world.employer()
    assert world.client.get(f"{API}/posts", headers=employer.headers).status_code == 403
    # The same rule guards the service for any other caller than the router.
    with Session(world.engine) as session, pytest.raises(Forbidden):
        post_rows(session, StatsFilter(station_id=station.id))
