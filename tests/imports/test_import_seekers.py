"""Seeker import as a station clerk uses it: validate, commit, atomic, encodings, duplicates, families."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select, text

from app.models.family import Family
from app.models.notification import OutboxEvent
from app.models.seeker import Seeker
from tests.factories import World, row_counts, seeker_body
from tests.imports.sheets import XLSX, csv_bytes, open_xlsx, person, upload, xlsx_bytes

URL = "/api/v1/seekers/import"


def _count(world: World, model: Any, **where: Any) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    with world.engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def _post(world: World, headers: dict[str, str], content: bytes, name: str = "求职者.csv",
          mime: str = "text/csv", **params: Any) -> Any:
    return world.client.post(URL, params=params, files=upload(name, content, mime), headers=headers)


def test_validate_reports_every_bad_row_and_writes_nothing(world: World) -> None:
    station = world.station()
    good = person("李四")
    bad_id = person("张三")
    bad_id["身份证号"] = bad_id["身份证号"][:-1] + ("0" if bad_id["身份证号"][-1] != "0" else "1")
    rows = [good, bad_id, person("王五", 手机号="1234"), person("赵六", 期望月薪="很多"),
            person("钱七", 户籍地="火星县")]
    before = row_counts(world.engine)
    response = _post(world, station.headers, csv_bytes(rows), mode="validate")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["outcome"] == "invalid" and report["mode"] == "validate"
    assert (report["rows"], report["valid"], report["rejected"], report["stored"]) == (5, 1, 4, 0)
    by_row = {e["row"]: e for e in report["errors"]}
    assert set(by_row) == {3, 4, 5, 6}
    assert by_row[3]["column"] == "身份证号" and by_row[3]["rule"] == "id_check_digit"
    assert "校验位" in by_row[3]["message"]
    assert by_row[3]["value"] == bad_id["身份证号"][:6] + "********" + bad_id["身份证号"][-4:]
    assert by_row[4]["column"] == "手机号" and by_row[4]["rule"] == "mobile_format" and by_row[4]["value"] == "****"
    assert by_row[5]["column"] == "期望月薪" and by_row[5]["rule"] == "int_format" and by_row[5]["value"] == "很多"
    assert by_row[6]["column"] == "户籍地" and by_row[6]["rule"] == "region_unknown"
    # Nothing written, and no full number anywhere in the answer.
    assert row_counts(world.engine) == before
    for row in rows:
        assert row["身份证号"] not in response.text and row["手机号"] not in response.text


def test_commit_stores_valid_rows_as_registrations_would(world: World) -> None:
    station = world.station()
    rows = [person("李四", 技能="电焊工（高级）、叉车司机", 意向区域="北仑、330211"), person("王五", 手机号="12")]
    response = _post(world, station.headers, csv_bytes(rows), mode="commit")
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["outcome"], report["stored"], report["rejected"]) == ("partial", 1, 1)
    listed = world.client.get("/api/v1/seekers", headers=station.headers).json()["items"]
    assert [s["name"] for s in listed] == ["李四"]
    stored = listed[0]
    assert stored["origin_code"] == "522325" and stored["preferred_districts"] == ["330206", "330211"]
    assert stored["skills"][0] == {"name": "电焊工", "level": "高级", "years": 0}
    assert stored["skills"][1]["level"] == "中级"
    assert stored["consent_matching"] and stored["consent_push"]
    assert stored["id_number"].startswith("522325********")
    # The same event a registration through the API records, for the matcher to push jobs.
    assert _count(world, OutboxEvent, kind="seeker.registered", subject_id=stored["id"]) == 1


def test_atomic_commit_stores_nothing_when_one_row_is_bad(world: World) -> None:
    station = world.station()
    rows = [person("甲"), person("乙"), person("丙", 可到岗日期="下个月")]
    before = row_counts(world.engine)
    response = _post(world, station.headers, csv_bytes(rows), mode="commit", atomic="true")
    assert response.status_code == 422
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["code"] == "import_rejected" and body["outcome"] == "rejected" and body["stored"] == 0
    assert [(e["row"], e["column"], e["rule"]) for e in body["errors"]] == [(4, "可到岗日期", "date_format")]
    assert row_counts(world.engine) == before
    fixed = _post(world, station.headers, csv_bytes(rows[:2]), mode="commit", atomic="true")
    assert fixed.status_code == 200 and fixed.json()["stored"] == 2
    assert _count(world, Seeker, station_id=station.id) == 2


def test_gbk_utf8_bom_and_xlsx_files_all_read(world: World) -> None:
    station = world.station()
    for name, content, mime in (
        ("gbk.csv", csv_bytes([person("欧阳娜娜", 户籍地="黔西南州贞丰县")], encoding="gbk"), "text/csv"),
        ("bom.csv", csv_bytes([person("司马光")], encoding="utf-8-sig"), "text/csv"),
        ("sheet.xlsx", xlsx_bytes([person("诸葛亮")]), XLSX),
    ):
        response = _post(world, station.headers, content, name, mime, mode="commit")
        assert response.status_code == 200, (name, response.text)
        assert response.json()["stored"] == 1, (name, response.json())
    names = {s["name"] for s in world.client.get("/api/v1/seekers", headers=station.headers).json()["items"]}
    assert names == {"欧阳娜娜", "司马光", "诸葛亮"}


def test_raw_body_and_form_fields_work_like_query_parameters(world: World) -> None:
    station = world.station()
    raw = world.client.post(URL, params={"mode": "commit", "filename": "x.csv"}, content=csv_bytes([person("甲")]),
                            headers={**station.headers, "Content-Type": "text/csv"})
    assert raw.status_code == 200 and raw.json()["stored"] == 1
    form = world.client.post(URL, data={"mode": "commit", "atomic": "true"},
                             files=upload("y.csv", csv_bytes([person("乙")])), headers=station.headers)
    assert form.status_code == 200 and (form.json()["mode"], form.json()["atomic"]) == ("commit", True)


def test_people_registered_already_or_twice_in_the_file_are_reported_not_duplicated(world: World) -> None:
    station, other = world.station(), world.station("222401")
    known = seeker_body()
    assert world.client.post("/api/v1/seekers", json=known, headers=other.headers).status_code == 201
    twin = person("孪生")
    rows = [person("新人"), person("已登记", 身份证号=known["id_number"]), twin, {**twin, "姓名": "又一次"}]
    response = _post(world, station.headers, csv_bytes(rows), mode="commit")
    report = response.json()
    assert (report["stored"], report["duplicates"]) == (2, 2)
    errors = {e["row"]: e for e in report["errors"]}
    assert errors[3]["rule"] == "duplicate_person" and "已登记" in errors[3]["message"]
    assert errors[5]["rule"] == "duplicate_in_file" and "第 4 行" in errors[5]["message"]
    # Which station holds the person is not told.
    holder = world.client.get(f"/api/v1/stations/{other.id}", headers=other.headers).json()
    assert holder["code"] not in response.text and holder["name"] not in response.text
    assert _count(world, Seeker) == 3
    again = _post(world, station.headers, csv_bytes(rows), mode="commit").json()
    assert (again["stored"], again["duplicates"]) == (0, 4)


def test_families_are_formed_from_the_family_column(world: World) -> None:
    station = world.station()
    rows = [
        person("丈夫", sex="male", 家庭编号="F1", 亲情岗位="夫妻"),
        person("单身"),
        person("妻子", sex="female", 家庭编号="F1", 亲情岗位="夫妻"),
        person("父亲", birth=date(1970, 1, 1), 家庭编号="F2", 亲情岗位="父子"),
        person("儿子", birth=date(1975, 1, 1), 家庭编号="F2", 亲情岗位="父子"),  # 5 years apart: not a father
        person("哥哥", 家庭编号="F3", 亲情岗位="兄弟"),
        person("弟弟", 家庭编号="F3", 亲情岗位="兄弟", 手机号="bad"),
    ]
    response = _post(world, station.headers, csv_bytes(rows), mode="commit")
    report = response.json()
    assert report["families"] == {"found": 3, "created": 1, "rejected": 2}
    errors = {(e["row"], e["rule"]) for e in report["errors"]}
    assert {(5, "father_son_age_gap"), (6, "father_son_age_gap")} <= errors
    assert {(7, "family_member_invalid"), (8, "mobile_format"), (8, "family_member_invalid")} <= errors
    assert report["stored"] == 3  # the couple and the single man; rejected families store nobody
    families = world.client.get("/api/v1/families", headers=station.headers).json()
    items = families["items"] if isinstance(families, dict) else families
    assert len(items) == 1 and items[0]["kind"] == "couple" and len(items[0]["member_ids"]) == 2
    assert _count(world, Family) == 1


def test_an_unreadable_or_incomplete_file_is_a_problem(world: World) -> None:
    station = world.station()
    no_id = csv_bytes([person()], header=("姓名", "手机号", "户籍地"))
    response = _post(world, station.headers, no_id)
    assert response.status_code == 422 and response.json()["code"] == "import_file_invalid"
    assert "身份证号" in response.json()["detail_zh"]
    old = _post(world, station.headers, b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old.xls", "application/vnd.ms-excel")
    assert old.status_code == 422 and old.json()["errors"][0]["rule"] == "xls_unsupported"


def test_an_id_number_excel_turned_into_a_number_is_explained(world: World) -> None:
    station = world.station()
    row = person("数字")
    row["身份证号"] = float(row["身份证号"][:15] + "000")
    report = _post(world, station.headers, xlsx_bytes([row]), "n.xlsx", XLSX).json()
    assert report["errors"][0]["rule"] == "id_stored_as_number" and "文本" in report["errors"][0]["message"]


def test_only_stations_import_seekers(world: World) -> None:
    employer = world.employer()
    assert _post(world, employer.headers, csv_bytes([person()])).status_code == 403
    assert world.client.post(URL, files=upload("x.csv", csv_bytes([person()]))).status_code == 401


def test_the_error_workbook_puts_the_errors_beside_the_rows(world: World) -> None:
    station = world.station()
    rows = [person("好人"), person("坏人", 手机号="123"), person("示例-张三")]
    response = _post(world, station.headers, csv_bytes(rows), mode="commit", report="xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["x-import-stored"] == "1" and response.headers["x-import-outcome"] == "partial"
    workbook = open_xlsx(response.content)
    assert workbook.sheetnames == ["数据", "错误清单", "汇总"]
    data = list(workbook["数据"].iter_rows(values_only=True))
    header = list(data[0])
    assert header[: len(rows[0])] == list(rows[0])[: len(rows[0])] or header[0] == "姓名"
    assert header[-3:] == ["原行号", "导入结果", "错误说明"]
    # A commit lists only the row that was not stored, as sent, to be fixed and sent again.
    assert len(data) == 2
    bad = data[1]
    assert bad[0] == "坏人" and bad[-3] == 3 and bad[-2] == "有错误，未导入" and "手机号" in bad[-1]
    phone_cell = workbook["数据"].cell(row=2, column=header.index("手机号") + 1)
    assert phone_cell.fill.fgColor.rgb.endswith("FFC7CE")
    listing = list(workbook["错误清单"].iter_rows(values_only=True))
    assert listing[1][:4] == (3, "手机号", "***", "mobile_format")
    validate = _post(world, station.headers, csv_bytes(rows), report="xlsx")
    statuses = [r[-2] for r in list(open_xlsx(validate.content)["数据"].iter_rows(values_only=True))[1:]]
    assert statuses == ["有错误", "有错误", "已跳过（示例行）"]  # 好人 is a duplicate now


def test_the_template_opens_with_lists_and_a_sample_that_is_not_imported(world: World) -> None:
    station = world.station()
    response = world.client.get("/api/v1/seekers/import/template", headers=station.headers)
    assert response.status_code == 200 and response.headers["content-type"] == XLSX
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    workbook = open_xlsx(response.content)
    sheet = workbook["求职者"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["姓名", "身份证号", "手机号", "户籍地"] and "家庭编号" in header and "亲情岗位" in header
    assert str(sheet.cell(row=2, column=1).value).startswith("示例")
    formulas = {dv.formula1 for dv in sheet.data_validations.dataValidation}
    assert '"是,否"' in formulas and '"初级,中级,高级,技师,高级技师"' in formulas
    assert any("选项" in (f or "") for f in formulas)
    assert workbook["选项"].sheet_state == "hidden" and "填写说明" in workbook.sheetnames
    assert sheet.cell(row=2, column=2).number_format == "@"
    back = _post(world, station.headers, response.content, "template.xlsx", XLSX, mode="commit").json()
    assert (back["rows"], back["skipped"], back["stored"]) == (0, 1, 0)


def test_atomic_import_rolls_back_families_too(world: World, backend: str) -> None:
    station = world.station()
    rows = [person("丈夫", sex="male", 家庭编号="A", 亲情岗位="夫妻"),
            person("妻子", sex="female", 家庭编号="A", 亲情岗位="夫妻"), person("错", 同意匹配="也许")]
    assert _post(world, station.headers, csv_bytes(rows), mode="commit", atomic="true").status_code == 422
    with world.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM family")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM seeker")).scalar_one() == 0
