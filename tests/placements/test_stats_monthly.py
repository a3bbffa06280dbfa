"""Monthly figures: hired, arrived, left and reached 90 days, per calendar month in China's time.

Placements and hire events are written by hand around month boundaries in a past year, so the expected
figures are read off the table below, not computed."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert

from app.clock import today_shanghai
from app.db import metadata
from tests.factories import Actor, World

API = "/api/v1/stats/monthly"


def _place(world: World, station: Actor, employer: Actor, vacancy: int, *, arrived: date,
           left: date | None = None, hired_at: datetime | None = None, seeker: int | None = None) -> int:
    seeker = seeker or world.seeker(station)
    t = metadata.tables
    with world.engine.begin() as conn:
        app_id = conn.execute(insert(t["application"]).values(
            seeker_id=seeker, vacancy_id=vacancy, employer_id=employer.id, station_id=station.id,
            status="arrived", source="station", arrived_on=arrived)).inserted_primary_key[0]
        if hired_at is not None:
            conn.execute(insert(t["application_event"]).values(application_id=app_id, to_status="hired",
                                                               actor_role="employer", at=hired_at))
        conn.execute(insert(t["placement"]).values(
            application_id=app_id, seeker_id=seeker, vacancy_id=vacancy, employer_id=employer.id,
            station_id=station.id, arrived_on=arrived, status="left" if left else "active", left_on=left))
    return seeker


def _scene(world: World) -> tuple[Actor, Actor, int]:
    station, employer = world.station(), world.employer()
    return station, employer, world.vacancy(employer, headcount=50)["id"]


def _months(world: World, actor: Actor, **params: Any) -> dict[str, dict[str, int]]:
    r = world.client.get(API, params=params, headers=actor.headers)
    assert r.status_code == 200, r.text
    return {row.pop("month"): row for row in r.json()["rows"]}


def test_months_split_at_midnight_in_shanghai(world: World) -> None:
    station, employer, vacancy = _scene(world)
    # Hired 23:59 on 31 March in Shanghai (15:59 UTC) and 00:30 on 1 April (16:30 UTC the day before).
    _place(world, station, employer, vacancy, arrived=date(2024, 1, 31),
           hired_at=datetime(2024, 3, 31, 15, 59, tzinfo=UTC))
    _place(world, station, employer, vacancy, arrived=date(2024, 2, 1), left=date(2024, 3, 31),
           hired_at=datetime(2024, 3, 31, 16, 30, tzinfo=UTC))
    # Left on day 90 exactly: reached stable employment all the same, as the employment figures count it.
    _place(world, station, employer, vacancy, arrived=date(2024, 3, 1), left=date(2024, 5, 30),
           hired_at=datetime(2023, 12, 31, 16, 0, tzinfo=UTC))  # 1 January, 00:00 in Shanghai
    _place(world, station, employer, vacancy, arrived=date(2023, 12, 15))  # stable on 14 March 2024
    _place(world, station, employer, vacancy, arrived=date(2024, 12, 31),  # stable only in 2025
           hired_at=datetime(2024, 12, 31, 16, 0, tzinfo=UTC))  # 1 January 2025 in Shanghai: not in 2024
    # Left a day short of 90: never stable.
    _place(world, station, employer, vacancy, arrived=date(2024, 6, 1), left=date(2024, 8, 29),
           hired_at=datetime(2024, 5, 31, 15, 59, 59, tzinfo=UTC))
    got = _months(world, world.admin, period="2024")
    assert list(got) == [f"2024-{m:02d}" for m in range(1, 13)]
    expected = {month: dict.fromkeys(("hired", "arrived", "left", "stable"), 0) for month in got}
    for month, figure in (("01", "hired"), ("03", "hired"), ("04", "hired"), ("05", "hired"),
                          ("01", "arrived"), ("02", "arrived"), ("03", "arrived"), ("06", "arrived"),
                          ("12", "arrived"), ("03", "left"), ("05", "left"), ("08", "left"),
                          ("03", "stable"), ("04", "stable"), ("05", "stable")):
        expected[f"2024-{month}"][figure] += 1
    assert got == expected


def test_window_people_and_filters(world: World) -> None:
    station, employer, vacancy = _scene(world)
    person = _place(world, station, employer, vacancy, arrived=date(2024, 4, 2), left=date(2024, 4, 20))
    _place(world, station, employer, vacancy, arrived=date(2024, 4, 25), seeker=person)  # back, same month
    other_employer = world.employer("330212")
    elsewhere = world.vacancy(other_employer, district_code="330212")["id"]
    _place(world, station, other_employer, elsewhere, arrived=date(2024, 4, 10))
    other = world.station("222401")
    _place(world, other, employer, vacancy, arrived=date(2024, 4, 3), seeker=world.seeker(other, area="222401"))
    # The last three months of the period, a person counted once a month.
    assert _months(world, world.admin, period="2024-06", months=3) == {
        "2024-04": {"hired": 0, "arrived": 3, "left": 1, "stable": 0},
        "2024-05": dict.fromkeys(("hired", "arrived", "left", "stable"), 0),
        "2024-06": dict.fromkeys(("hired", "arrived", "left", "stable"), 0)}
    april = {"period": "2024-04"}
    assert _months(world, world.admin, **april)["2024-04"]["arrived"] == 3
    assert _months(world, station, **april)["2024-04"]["arrived"] == 2
    assert _months(world, other, **april)["2024-04"]["arrived"] == 1
    assert _months(world, world.admin, district_code="330212", **april)["2024-04"]["arrived"] == 1
    assert _months(world, world.admin, employer_id=employer.id, **april)["2024-04"]["arrived"] == 2
    assert _months(world, world.admin, origin_code="222400", **april)["2024-04"]["arrived"] == 1
    # With no period, the last twelve months up to this one.
    recent = list(_months(world, world.admin))
    today = today_shanghai()
    assert len(recent) == 12 and recent[-1] == f"{today.year:04d}-{today.month:02d}"


def test_csv_and_limits(world: World) -> None:
    station, employer, vacancy = _scene(world)
    _place(world, station, employer, vacancy, arrived=date(2024, 2, 29))
    r = world.client.get(API, params={"period": "2024-Q1", "format": "csv"}, headers=station.headers)
    assert r.status_code == 200, r.text
    parsed = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert parsed == [["月份", "录用人数", "到岗人数", "离职人数", "满3个月稳定就业人数"],
                      ["2024-01", "0", "0", "0", "0"], ["2024-02", "0", "1", "0", "0"], ["2024-03", "0", "0", "0", "0"]]
    r = world.client.get(API, params={"period": "2000-01-01..2024-12-31"}, headers=world.admin.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (422, "too_many_months")
    r = world.client.get(API, params={"months": 121}, headers=world.admin.headers)
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "months")
    assert world.client.get(API, headers=employer.headers).status_code == 403


def test_a_period_starting_mid_month_counts_its_first_month_from_that_day(world: World) -> None:
    """2025-01-15..2025-03-10: hires, arrivals and departures of 1-14 January are outside the period."""
    station, employer, vacancy = _scene(world)
    # Hired 14 January, 23:30 in Shanghai; arrived and left before the period began.
    _place(world, station, employer, vacancy, arrived=date(2025, 1, 3), left=date(2025, 1, 14),
           hired_at=datetime(2025, 1, 14, 15, 30, tzinfo=UTC))
    # Hired 15 January, 00:30 in Shanghai (16:30 UTC the day before); arrived on the first day of the period.
    _place(world, station, employer, vacancy, arrived=date(2025, 1, 15),
           hired_at=datetime(2025, 1, 14, 16, 30, tzinfo=UTC))
    # Arrived after the period's last day: outside it, though in March.
    _place(world, station, employer, vacancy, arrived=date(2025, 3, 11))
    r = world.client.get(API, params={"period": "2025-01-15..2025-03-10"}, headers=world.admin.headers)
    assert r.status_code == 200, r.text
    assert r.json()["filters"]["period_start"] == "2025-01-15"
    assert _months(world, world.admin, period="2025-01-15..2025-03-10") == {
        "2025-01": {"hired": 1, "arrived": 1, "left": 0, "stable": 0},
        "2025-02": dict.fromkeys(("hired", "arrived", "left", "stable"), 0),
        "2025-03": dict.fromkeys(("hired", "arrived", "left", "stable"), 0)}
    # The whole of January still counts all three.
    assert _months(world, world.admin, period="2025-01")["2025-01"] == {"hired": 2, "arrived": 2, "left": 1,
                                                                       "stable": 0}
