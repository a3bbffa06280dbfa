"""Exports: a station's workbook (masked, or full and audited for the owner), an employer's applicants."""

from __future__ import annotations

from sqlalchemy import text

from tests.factories import World, seeker_body, world_family
from tests.imports.sheets import open_xlsx


def _rows(content: bytes, sheet: str) -> list[tuple[object, ...]]:
    return list(open_xlsx(content)[sheet].iter_rows(values_only=True))


def _audits(world: World, action: str) -> int:
    with world.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM audit_event WHERE action = :a"), {"a": action}).scalar_one())


def test_a_station_exports_its_data_masked(world: World) -> None:
    station, other = world.station(), world.station("222401")
    body = seeker_body(name="导出人")
    created = world.client.post("/api/v1/seekers", json=body, headers=station.headers).json()
    family = world_family(world, station, "couple")
    world.seeker(other)
    response = world.client.get(f"/api/v1/stations/{station.id}/export.xlsx", headers=station.headers)
    assert response.status_code == 200, response.text
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    workbook = open_xlsx(response.content)
    assert workbook.sheetnames[:2] == ["求职者", "家庭"]
    seekers = _rows(response.content, "求职者")
    header = seekers[0]
    assert header[:4] == ("编号", "姓名", "身份证号", "手机号")
    assert len(seekers) == 1 + 3  # this station's three seekers only
    mine = next(r for r in seekers if r[0] == created["id"])
    assert mine[2] == created["id_number"] and mine[3] == created["phone"]
    assert body["id_number"] not in response.content.decode("latin-1")
    families = _rows(response.content, "家庭")
    assert {r[0] for r in families[1:]} == {family["id"]} and {r[1] for r in families[1:]} == {"夫妻"}
    assert _audits(world, "station.export_full") == 0


def test_the_full_export_is_the_owners_and_audited(world: World) -> None:
    station, other = world.station(), world.station()
    body = seeker_body()
    world.client.post("/api/v1/seekers", json=body, headers=station.headers)
    full = world.client.get(f"/api/v1/stations/{station.id}/export.xlsx?full=true", headers=station.headers)
    assert full.status_code == 200
    row = _rows(full.content, "求职者")[1]
    assert (row[2], row[3]) == (body["id_number"], body["phone"])
    assert _audits(world, "station.export_full") == 1
    admin = world.client.get(f"/api/v1/stations/{station.id}/export.xlsx?full=true", headers=world.admin.headers)
    assert admin.status_code == 403
    assert world.client.get(f"/api/v1/stations/{station.id}/export.xlsx",
                            headers=world.admin.headers).status_code == 200
    for path in ("export.xlsx", "export.xlsx?full=true"):
        stranger = world.client.get(f"/api/v1/stations/{station.id}/{path}", headers=other.headers)
        assert stranger.status_code == 404
    employer = world.employer()
    assert world.client.get(f"/api/v1/stations/{station.id}/export.xlsx",
                            headers=employer.headers).status_code == 403
    assert _audits(world, "station.export_full") == 1


def test_an_employer_downloads_its_applicants_masked(world: World) -> None:
    station, employer, rival = world.station(), world.employer(), world.employer()
    body = seeker_body(name="申请人")
    seeker = world.client.post("/api/v1/seekers", json=body, headers=station.headers).json()
    vacancy = world.vacancy(employer)
    applied = world.client.post("/api/v1/applications", json={"vacancy_id": vacancy["id"], "seeker_id": seeker["id"]},
                                headers=station.headers)
    assert applied.status_code == 201, applied.text
    response = world.client.get(f"/api/v1/employers/{employer.id}/applicants.xlsx", headers=employer.headers)
    assert response.status_code == 200
    rows = _rows(response.content, "应聘者")
    assert len(rows) == 2 and rows[1][4] == "申*" and rows[1][2] == vacancy["title"]
    text_dump = str(rows)
    for secret in (body["id_number"], seeker["id_number"], body["phone"], seeker["phone"]):
        assert secret not in text_dump
    assert world.client.get(f"/api/v1/employers/{employer.id}/applicants.xlsx",
                            headers=rival.headers).status_code == 404
    station_sheets = open_xlsx(world.client.get(f"/api/v1/stations/{station.id}/export.xlsx",
                                                headers=station.headers).content)
    applications = list(station_sheets["求职申请"].iter_rows(values_only=True))
    assert len(applications) == 2 and applications[1][1] == seeker["id"]
    assert "安置记录" in station_sheets.sheetnames
