"""Vacancy import as an employer's HR system sends it: Chinese headers, district names, pay ranges."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.clock import today_shanghai
from tests.factories import World, row_counts
from tests.imports.sheets import XLSX, csv_bytes, open_xlsx, upload, xlsx_bytes

URL = "/api/v1/vacancies/import"
HEADER = ("岗位名称", "工种", "技能要求", "招聘人数", "工作地点", "月薪范围", "包住", "包吃", "爱心岗位", "夫妻岗",
          "有效期至", "岗位描述")


def job(title: str = "电焊工", **cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"岗位名称": title, "工种": title, "技能要求": "电焊工（中级）", "招聘人数": "10",
                           "工作地点": "北仑区", "月薪范围": "5000-7000", "包住": "是", "包吃": "否", "爱心岗位": "是",
                           "夫妻岗": "2", "有效期至": (today_shanghai() + timedelta(days=60)).isoformat(),
                           "岗位描述": "夫妻宿舍"}
    row.update(cells)
    return row


def test_commit_posts_the_valid_rows_and_reports_the_rest(world: World) -> None:
    employer = world.employer()
    rows = [job(), job("装配工", 工作地点="贞丰县"), job("普工", 月薪范围="7000-5000"), job("质检员", 夫妻岗="9")]
    response = world.client.post(URL, params={"mode": "commit"}, files=upload("jobs.csv", csv_bytes(rows, HEADER)),
                                 headers=employer.headers)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["stored"] == 1 and [c["row"] for c in report["created"]] == [2]
    errors = {e["row"]: e for e in report["errors"]}
    assert errors[3]["column"] == "工作地点" and errors[3]["rule"] == "region_not_workplace"
    assert errors[4]["column"] == "月薪范围" and errors[4]["rule"] == "pay_range"
    assert errors[5]["column"] == "夫妻岗" and errors[5]["rule"] == "family_posts_exceed_headcount"
    vacancy = world.client.get(f"/api/v1/vacancies/{report['created'][0]['id']}", headers=employer.headers).json()
    assert (vacancy["district_code"], vacancy["pay_min"], vacancy["pay_max"]) == ("330206", 5000, 7000)
    assert vacancy["family_posts"]["couple"] == 2 and vacancy["caring_post"] and vacancy["housing"]
    assert vacancy["skills"] == [{"name": "电焊工", "level": "中级", "years": 0}]


def test_validate_and_atomic_write_nothing(world: World) -> None:
    employer = world.employer()
    before = row_counts(world.engine)
    rows = [job(), job("普工", 招聘人数="很多")]
    validate = world.client.post(URL, files=upload("jobs.xlsx", xlsx_bytes(rows, HEADER), XLSX),
                                 headers=employer.headers)
    assert validate.json()["outcome"] == "invalid" and validate.json()["created"] == []
    atomic = world.client.post(URL, params={"mode": "commit", "atomic": "true"},
                               files=upload("jobs.csv", csv_bytes(rows, HEADER, "gbk")), headers=employer.headers)
    assert atomic.status_code == 422 and atomic.json()["stored"] == 0
    assert row_counts(world.engine) == before
    ok = world.client.post(URL, params={"mode": "commit", "atomic": "true"},
                           files=upload("jobs.csv", csv_bytes(rows[:1], HEADER)), headers=employer.headers)
    assert ok.status_code == 200 and ok.json()["stored"] == 1


def test_who_may_import_vacancies(world: World) -> None:
    employer, other_employer = world.employer(), world.employer()
    content = csv_bytes([job()], HEADER)
    assert world.client.post(URL, files=upload("j.csv", content), headers=world.station().headers).status_code == 403
    admin = world.client.post(URL, files=upload("j.csv", content), headers=world.admin.headers)
    assert admin.status_code == 422 and admin.json()["errors"][0]["field"] == "employer_id"
    for_employer = world.client.post(URL, params={"employer_id": employer.id, "mode": "commit"},
                                     files=upload("j.csv", content), headers=world.admin.headers)
    assert for_employer.json()["stored"] == 1
    other = world.client.post(URL, params={"employer_id": employer.id}, files=upload("j.csv", content),
                              headers=other_employer.headers)
    assert other.status_code == 422 and other.json()["errors"][0]["rule"] == "read_only"


def test_the_vacancy_template(world: World) -> None:
    employer = world.employer()
    response = world.client.get("/api/v1/vacancies/import/template", headers=employer.headers)
    sheet = open_xlsx(response.content)["岗位"]
    assert [c.value for c in sheet[1]][:2] == ["岗位名称", "工种"]
    assert sheet.data_validations.dataValidation
    back = world.client.post(URL, params={"mode": "commit"}, files=upload("t.xlsx", response.content, XLSX),
                             headers=employer.headers).json()
    assert (back["skipped"], back["stored"]) == (1, 0)
