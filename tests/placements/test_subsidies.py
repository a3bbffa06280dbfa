"""Subsidy rules as data, and the per-employer report of qualifying workers (masked), rules and amounts."""

from __future__ import annotations

import io
from datetime import timedelta

from openpyxl import load_workbook

from app.clock import today_shanghai
from tests.factories import World
from tests.placements.helpers import API
from tests.placements.population import Story, write_placements


def _rule(world: World, **fields: object) -> dict[str, object]:
    body = {"name": "示例：稳岗补贴", "kind": "job_retention", "is_example": True, "requires_registered_poor": True,
            "min_stable_days": 90, "origin_codes": ["522300"], "amount_per_person": 1000,
            "valid_from": "2020-01-01", **fields}
    r = world.client.post(f"{API}/subsidy-rules", json=body, headers=world.admin.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_report_lists_qualifying_workers_per_employer(world: World) -> None:
    today = today_shanghai()
    station = world.station()
    a, b = world.employer("330203"), world.employer("330212")
    vacancies = {"330203": world.vacancy(a, caring_post=True)["id"],
                 "330212": world.vacancy(b, district_code="330212")["id"]}
    retention = _rule(world)
    introduction = _rule(world, name="示例：职介补贴", kind="job_introduction", requires_registered_poor=False,
                         min_stable_days=0, origin_codes=[], caring_post_only=True, amount_per_person=500)
    _rule(world, name="停用规则", amount_per_person=9999, active=False)
    _rule(world, name="已过期规则", amount_per_person=7777, valid_to=(today - timedelta(days=365)).isoformat())

    def person(origin: str, poor: bool, district: str, arrived_ago: int, left_ago: int | None = None) -> Story:
        seeker = world.seeker(station, area=origin, registered_poor=poor, poverty_evidence_ref="JDLK" if poor else None,
                              name="李小红")
        return Story(seeker, origin, poor, district, a.id if district == "330203" else b.id,
                     today - timedelta(days=arrived_ago),
                     today - timedelta(days=left_ago) if left_ago is not None else None)

    s1 = person("522325", True, "330203", 120)          # stable 30 days ago: retention
    s2 = person("522325", True, "330203", 100, 20)      # left before day 90: nothing
    s3 = person("222401", True, "330203", 120)          # Yanbian: not this rule's origin
    s4 = person("522301", False, "330203", 10)          # arrived on a caring post: introduction
    s5 = person("522301", True, "330212", 89)           # stable only tomorrow
    s6 = person("522326", True, "330212", 150)          # stable on the period's first day
    write_placements(world.engine, [s1, s2, s3, s4, s5, s6], station, vacancies)
    period = f"{(today - timedelta(days=60)).isoformat()}..{today.isoformat()}"
    r = world.client.get(f"{API}/subsidies", params={"period": period}, headers=world.admin.headers)
    assert r.status_code == 200, r.text
    report = r.json()
    got = {(e["employer_id"], w["seeker_id"], w["rule_id"], w["amount"]) for e in report["employers"]
           for w in e["workers"]}
    assert got == {(a.id, s1.seeker_id, retention["id"], 1000), (a.id, s4.seeker_id, introduction["id"], 500),
                   (b.id, s6.seeker_id, retention["id"], 1000)}
    totals = {e["employer_id"]: e["total_amount"] for e in report["employers"]}
    assert totals == {a.id: 1500, b.id: 1000} and report["total_amount"] == 2500
    worker = report["employers"][0]["workers"][0]
    assert worker["name"] == "李*" and worker["id_number"].count("*") == 8
    assert report["includes_example_rules"] and "示例" in report["notice"]
    mine = world.client.get(f"{API}/subsidies", params={"period": period, "employer_id": b.id},
                            headers=a.headers).json()
    assert [e["employer_id"] for e in mine["employers"]] == [a.id]
    xlsx = world.client.get(f"{API}/subsidies", params={"period": period, "format": "xlsx"},
                            headers=world.admin.headers)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["补贴明细", "企业汇总", "说明"]
    detail = list(book["补贴明细"].values)
    assert detail[0][-1] == "金额（元）" and sorted(row[-1] for row in detail[1:]) == [500, 1000, 1000]
    assert {row[-2] for row in detail[1:]} == {"是"}
    summary = list(book["企业汇总"].values)
    assert summary[-1] == ("合计", None, 3, 2500)
    assert "示例" in book["说明"]["A2"].value


def test_rules_are_managed_by_the_bureau(world: World) -> None:
    station, employer = world.station(), world.employer()
    body = {"name": "稳岗补贴", "kind": "job_retention", "amount_per_person": 1000, "valid_from": "2024-01-01"}
    for actor in (station, employer):
        assert world.client.post(f"{API}/subsidy-rules", json=body, headers=actor.headers).status_code == 403
    rule = _rule(world)
    r = world.client.patch(f"{API}/subsidy-rules/{rule['id']}", json={"amount_per_person": 1200},
                           headers=world.admin.headers)
    assert (r.status_code, r.json()["amount_per_person"]) == (200, 1200)
    assert world.client.patch(f"{API}/subsidy-rules/987654", json={"active": False},
                              headers=world.admin.headers).status_code == 404
    listed = world.client.get(f"{API}/subsidy-rules", headers=employer.headers).json()
    assert [x["id"] for x in listed] == [rule["id"]]
    assert world.client.get(f"{API}/subsidies", params={"period": "2025"}, headers=station.headers).status_code == 403
    bad = world.client.post(f"{API}/subsidy-rules", json={**body, "origin_codes": ["999999"]},
                            headers=world.admin.headers)
    assert (bad.status_code, bad.json()["errors"][0]["rule"]) == (422, "region_unknown")
