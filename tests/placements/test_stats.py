"""The bureau's figures, checked against populations whose true figures the tests count themselves."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from app.clock import today_shanghai
from app.seed.places import REGIONS_BY_CODE
from tests.factories import World
from tests.placements.population import COUNTIES, Story, build, employed, stayed

API = "/api/v1/stats"


def _truth(stories: list[Story], on: date, *, district: str | None = None,
           registered_until: date | None = None) -> dict[str, dict[str, int]]:
    """Per county, counted one person at a time."""
    truth: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("registered", "registered_poor", "employed", "stable", "stable_long", "stable_cumulative"), 0))
    for s in stories:
        t = truth[s.origin]
        if s.registered is not None and s.registered <= (registered_until or on):
            t["registered"] += 1
            t["registered_poor"] += s.poor
        if district is not None and s.district != district:
            continue
        days = stayed(s, on)
        if employed(s, on):
            t["employed"] += 1
            t["stable"] += days >= 90
            t["stable_long"] += days >= 180
        t["stable_cumulative"] += days >= 90
    return truth


def _rows(world: World, path: str, **params: Any) -> list[dict[str, Any]]:
    r = world.client.get(f"{API}/{path}", params=params, headers=world.admin.headers)
    assert r.status_code == 200, r.text
    return r.json()["rows"]  # type: ignore[no-any-return]


def _by_code(rows: list[dict[str, Any]], level: str) -> dict[str, dict[str, Any]]:
    return {r["code"]: r for r in rows if r["level"] == level}


FIGURES = ("registered", "registered_poor", "employed", "stable", "stable_long", "stable_cumulative")


def test_employment_by_origin_matches_the_population(world: World) -> None:
    stories, _ = build(world)
    today = today_shanghai()
    truth = _truth(stories, today)
    rows = _rows(world, "employment")
    counties = _by_code(rows, "county")
    assert set(counties) == set(truth)
    for code, figures in truth.items():
        assert {k: counties[code][k] for k in FIGURES} == figures, code
    prefectures = _by_code(rows, "prefecture")
    for prefecture in ("522300", "222400"):
        expected = {k: sum(t[k] for c, t in truth.items() if COUNTIES[c] == prefecture) for k in FIGURES}
        assert {k: prefectures[prefecture][k] for k in FIGURES} == expected
        assert prefectures[prefecture]["name"] == REGIONS_BY_CODE[prefecture].name
    total = rows[-1]
    assert total["level"] == "total"
    assert {k: total[k] for k in FIGURES} == {k: sum(t[k] for t in truth.values()) for k in FIGURES}
    assert total["employed"] > 0 and total["stable"] > 0 and total["stable_long"] > 0


def test_filters_origin_district_and_period(world: World) -> None:
    stories, scene = build(world, seed=11)
    today = today_shanghai()
    qianxinan = _rows(world, "employment", origin_code="522300")
    assert {r["code"] for r in qianxinan if r["level"] == "county"} <= {c for c, p in COUNTIES.items() if p == "522300"}
    expected = _truth([s for s in stories if COUNTIES[s.origin] == "522300"], today)
    assert qianxinan[-1]["employed"] == sum(t["employed"] for t in expected.values())
    one_county = _rows(world, "employment", origin_code="222426")
    assert one_county[-1]["registered"] == sum(1 for s in stories if s.origin == "222426")
    in_haishu = _rows(world, "employment", district_code="330203")
    truth = _truth(stories, today, district="330203")
    assert in_haishu[-1]["employed"] == sum(t["employed"] for t in truth.values())
    assert in_haishu[-1]["registered"] == len(stories)  # registration does not depend on the workplace
    by_employer = _rows(world, "employment", employer_id=scene["employers"]["330212"].id)
    truth = _truth(stories, today, district="330212")
    assert by_employer[-1]["stable"] == sum(t["stable"] for t in truth.values())
    # A past month: figures as of its last day.
    month_end = (today.replace(day=1) - timedelta(days=1)).replace(day=1) - timedelta(days=1)
    period = f"{month_end.year}-{month_end.month:02d}"
    past = _rows(world, "employment", period=period)
    truth = _truth(stories, month_end)
    assert {k: past[-1][k] for k in FIGURES} == {k: sum(t[k] for t in truth.values()) for k in FIGURES}
    registered_in = sum(1 for s in stories if s.registered and s.registered.replace(day=1) == month_end.replace(day=1))
    assert past[-1]["registered_in_period"] == registered_in


def test_cumulative_stable_since_a_date(world: World) -> None:
    stories, _ = build(world, seed=5)
    today = today_shanghai()
    since = today - timedelta(days=60)
    expected = sum(1 for s in stories if s.arrived and stayed(s, today) >= 90
                   and s.arrived + timedelta(days=90) >= since)
    assert _rows(world, "employment", since=since.isoformat())[-1]["stable_cumulative"] == expected


def test_heat_map_is_geojson_of_county_seats(world: World) -> None:
    stories, _ = build(world, seed=3)
    truth = _truth(stories, today_shanghai())
    r = world.client.get(f"{API}/heatmap", headers=world.admin.headers)
    assert r.status_code == 200, r.text
    geo = r.json()
    assert geo["type"] == "FeatureCollection"
    for feature in geo["features"]:
        code = feature["properties"]["code"]
        seat = REGIONS_BY_CODE[code]
        assert feature["geometry"] == {"type": "Point", "coordinates": [seat.longitude, seat.latitude]}
        for key in ("registered", "employed", "stable"):
            assert feature["properties"][key] == truth[code][key], (code, key)
    assert {f["properties"]["code"] for f in geo["features"]} == set(truth)
    xlsx = world.client.get(f"{API}/heatmap?format=xlsx", headers=world.admin.headers)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    header, *rows = list(sheet.values)
    assert header[:2] == ("县市代码", "县市")
    by_code = {row[0]: row for row in rows}
    for code, figures in truth.items():
        assert by_code[code][5:] == (figures["registered"], figures["employed"], figures["stable"])
        assert isinstance(by_code[code][3], float)


@pytest.mark.parametrize("path", ["employment", "posts", "funnel", "transport", "training-demand", "heatmap",
                                  "monthly"])
def test_every_statistic_downloads_as_csv_and_xlsx(world: World, path: str) -> None:
    build(world, n=12, seed=1)
    url = f"{API}/{path}"
    xlsx = world.client.get(url, params={"format": "xlsx"}, headers=world.admin.headers)
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx.headers["content-disposition"]
    values = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    header = values[0]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in str(h)) for h in header), header
    csv_text = world.client.get(url, params={"format": "csv"}, headers=world.admin.headers).content
    assert csv_text.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(csv_text.decode("utf-8-sig"))))
    assert tuple(parsed[0]) == header
    assert len(parsed) == len(values)
    if path != "heatmap":
        body = world.client.get(url, headers=world.admin.headers).json()
        keys = [c["key"] for c in body["columns"]]
        assert [c["label"] for c in body["columns"]] == list(header)
        for json_row, xlsx_row, csv_row in zip(body["rows"], values[1:], parsed[1:], strict=True):
            for key, cell, text in zip(keys, xlsx_row, csv_row, strict=True):
                value = json_row[key]
                if isinstance(value, bool) or value is None:
                    continue
                if isinstance(value, (int, float)):
                    assert cell == value and not isinstance(cell, str), (key, cell)  # numbers stay numbers
                    assert float(text) == value
                else:
                    assert str("" if cell is None else cell) == str(value) and text == str(value)


def test_statistics_are_for_the_bureau_and_the_stations(world: World) -> None:
    employer, station = world.employer(), world.station()
    assert world.client.get(f"{API}/employment", headers=employer.headers).status_code == 403
    assert world.client.get(f"{API}/posts", headers=station.headers).status_code == 403
    assert world.client.get(f"{API}/employment", headers=station.headers).status_code == 200
    assert world.client.get(f"{API}/employment").status_code == 401
    r = world.client.get(f"{API}/employment", params={"period": "2025-13"}, headers=world.admin.headers)
    assert (r.status_code, r.json()["errors"][0]["rule"]) == (422, "period_format")
