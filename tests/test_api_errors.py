"""Bad input gets a clear answer and loses nothing: RFC 9457 problem details naming the field and the rule,
in Chinese and English, and not a single row changed."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import today_shanghai
from app.validation.identity import make_resident_id, resident_id_check_char
from tests.factories import World, credit_code, employer_body, row_counts, seeker_body

PROBLEM = "application/problem+json"
PROBLEM_FIELDS = {"type", "title", "status", "code", "detail", "detail_zh"}


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body.keys() >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"].endswith("/" + code)
    assert body["detail"] and body["detail_zh"] and body["title"]
    return body


def test_unknown_path_is_a_problem_404(client: TestClient) -> None:
    for path in ("/api/v1/no-such-thing", "/nowhere"):
        assert_problem(client.get(path), 404, "not_found")


def test_wrong_method_is_a_problem_405(client: TestClient) -> None:
    body = assert_problem(client.delete("/api/v1/regions"), 405, "method_not_allowed")
    assert body["detail_zh"] != body["detail"]
    assert_problem(client.put("/healthz"), 405, "method_not_allowed")


def _id_with(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def _bad_credit_code() -> str:
    good = credit_code()
    return good[:17] + ("1" if good[17] != "1" else "2")


def _future_id() -> str:
    return _id_with(f"522325{today_shanghai() + timedelta(days=30):%Y%m%d}123")


def _young_id() -> str:
    return make_resident_id("522325", today_shanghai().replace(year=today_shanghai().year - 15), 123, "male")


def _bad_check_digit() -> str:
    good = make_resident_id("522325", date(1990, 5, 6), 123, "male")
    return good[:17] + ("0" if good[17] != "0" else "1")


@dataclass(frozen=True)
class Bad:
    """A request that breaks one rule: who sends it, where, and which field and rule the answer names."""

    name: str
    prepare: Callable[[World], Callable[[], Any]]  # creates the callers, returns the request to send
    field: str
    rule: str


def _seeker(**fields: Any) -> Callable[[World], Callable[[], Any]]:
    def prepare(world: World) -> Callable[[], Any]:
        station = world.station()
        body = {**seeker_body(), **fields}  # `sex` is a parameter of seeker_body, so merge afterwards
        return lambda: world.client.post("/api/v1/seekers", json=body, headers=station.headers)

    return prepare


def _vacancy(**fields: Any) -> Callable[[World], Callable[[], Any]]:
    def prepare(world: World) -> Callable[[], Any]:
        body = {"title": "电焊工", "occupation": "电焊工", "headcount": 4, "district_code": "330203",
                "pay_min": 5000, "pay_max": 7000, **fields}
        employer = world.employer()
        return lambda: world.client.post("/api/v1/vacancies", json=body, headers=employer.headers)

    return prepare


def _employer(**fields: Any) -> Callable[[World], Callable[[], Any]]:
    def prepare(world: World) -> Callable[[], Any]:
        admin = world.admin
        body = employer_body(**fields)
        return lambda: world.client.post("/api/v1/employers", json=body, headers=admin.headers)

    return prepare


def _vacancy_for_other_employer(world: World) -> Callable[[], Any]:
    other, me = world.employer(), world.employer()
    body = {"title": "普工", "occupation": "普工", "headcount": 2, "district_code": "330203", "pay_min": 1,
            "pay_max": 2, "employer_id": other.id}
    return lambda: world.client.post("/api/v1/vacancies", json=body, headers=me.headers)


def _employer_changes_itself(**change: Any) -> Callable[[World], Callable[[], Any]]:
    def prepare(world: World) -> Callable[[], Any]:
        me = world.employer()
        return lambda: world.client.patch(f"/api/v1/employers/{me.id}", json=change, headers=me.headers)

    return prepare


BAD = [
    Bad("unknown field", _seeker(nickname="小明"), "nickname", "extra_forbidden"),
    Bad("id is read-only", _seeker(id=5), "id", "extra_forbidden"),
    Bad("station_id is read-only", _seeker(station_id=1), "station_id", "extra_forbidden"),
    Bad("birth_date comes from the ID", _seeker(birth_date="1990-01-01"), "birth_date", "extra_forbidden"),
    Bad("sex comes from the ID", _seeker(sex="female"), "sex", "extra_forbidden"),
    Bad("hired_count is read-only", _vacancy(hired_count=3), "hired_count", "extra_forbidden"),
    Bad("vacancy id is read-only", _vacancy(id=3), "id", "extra_forbidden"),
    Bad("unknown nested field", _vacancy(skills=[{"name": "焊工", "grade": 3}]), "skills.0.grade",
        "extra_forbidden"),
    Bad("posting for another employer", _vacancy_for_other_employer, "employer_id", "read_only"),
    Bad("employer sets verified", _employer_changes_itself(verified=True), "verified", "read_only"),
    Bad("employer moves district", _employer_changes_itself(district_code="330206"), "district_code",
        "read_only"),
    Bad("id_length", _seeker(id_number="52232519900101123"), "id_number", "id_length"),
    Bad("id_format", _seeker(id_number="5223251990010112AX"), "id_number", "id_format"),
    Bad("id_province", _seeker(id_number=_id_with("99232519900101123")), "id_number", "id_province"),
    Bad("id_birth_date", _seeker(id_number=_id_with("52232519900230123")), "id_number", "id_birth_date"),
    Bad("id_birth_future", _seeker(id_number=_future_id()), "id_number", "id_birth_future"),
    Bad("id_too_young", _seeker(id_number=_young_id()), "id_number", "id_too_young"),
    Bad("id_check_digit", _seeker(id_number=_bad_check_digit()), "id_number", "id_check_digit"),
    Bad("mobile", _seeker(phone="12812345678"), "phone", "mobile_format"),
    Bad("mobile too short", _seeker(phone="1381234567"), "phone", "mobile_format"),
    Bad("credit code check", _employer(credit_code=_bad_credit_code()), "credit_code", "credit_code_check"),
    Bad("employer outside Ningbo", _employer(district_code="522325"), "district_code",
        "region_not_workplace"),
    Bad("vacancy outside Ningbo", _vacancy(district_code="522301"), "district_code", "region_not_workplace"),
    Bad("preferred district outside Ningbo", _seeker(preferred_districts=["330203", "522325"]),
        "preferred_districts", "region_not_workplace"),
    Bad("unknown origin", _seeker(origin_code="999999"), "origin_code", "region_unknown"),
    Bad("pay range", _vacancy(pay_min=6000, pay_max=5000), "pay_max", "pay_range"),
    Bad("past valid_until", _vacancy(valid_until="2020-01-01"), "valid_until", "past_date"),
    Bad("poverty without evidence", _seeker(registered_poor=True), "poverty_evidence_ref",
        "evidence_required"),
]


@pytest.mark.parametrize("bad", BAD, ids=lambda b: b.name)
def test_bad_input_names_field_and_rule_and_changes_nothing(world: World, bad: Bad) -> None:
    send = bad.prepare(world)
    before = row_counts(world.engine)
    response = send()
    body = assert_problem(response, 422, "validation_failed")
    assert {"field": bad.field, "rule": bad.rule} in [{"field": e["field"], "rule": e["rule"]}
                                                      for e in body["errors"]], body
    for error in body["errors"]:
        assert error["message"] and error["message_zh"]
    assert row_counts(world.engine) == before


def test_rejected_request_adds_no_row_anywhere(world: World) -> None:
    station = world.station()
    before = row_counts(world.engine)
    response = world.client.post("/api/v1/seekers", json=seeker_body(phone="abc"), headers=station.headers)
    assert_problem(response, 422, "validation_failed")
    assert row_counts(world.engine) == before


def test_rejected_patch_leaves_the_seeker_as_it_was(world: World) -> None:
    station = world.station()
    seeker_id = world.seeker(station)
    url = f"/api/v1/seekers/{seeker_id}"
    before = world.client.get(url, headers=station.headers).json()
    # The phone is valid and would be applied first; the district then fails: nothing may stick.
    change = {"phone": "13600001111", "name": "改名", "preferred_districts": ["522325"]}
    response = world.client.patch(url, json=change, headers=station.headers)
    assert_problem(response, 422, "validation_failed")
    assert world.client.get(url, headers=station.headers).json() == before


def test_rejected_vacancy_patch_changes_nothing(world: World) -> None:
    employer = world.employer()
    vacancy = world.vacancy(employer)
    url = f"/api/v1/vacancies/{vacancy['id']}"
    for body, rule in (({"title": "新标题", "pay_min": 9000}, "pay_range"),
                       ({"hired_count": 3}, "extra_forbidden"), ({"employer_id": 99}, "extra_forbidden"),
                       ({"title": "新标题", "district_code": "522325"}, "region_not_workplace")):
        response = world.client.patch(url, json=body, headers=employer.headers)
        assert rule in [e["rule"] for e in assert_problem(response, 422, "validation_failed")["errors"]]
    assert world.client.get(url, headers=employer.headers).json() == vacancy


def test_bad_numbers_are_never_echoed(world: World) -> None:
    station = world.station()
    number = _bad_check_digit()
    body = seeker_body(id_number=number)
    response = world.client.post("/api/v1/seekers", json=body, headers=station.headers)
    assert_problem(response, 422, "validation_failed")
    assert number not in response.text
    phone = "12812345678"
    response = world.client.post("/api/v1/seekers", json=seeker_body(phone=phone), headers=station.headers)
    assert phone not in response.text


def test_malformed_query_and_json_are_problems(world: World) -> None:
    employer = world.employer()
    body = assert_problem(world.client.get("/api/v1/vacancies?limit=abc", headers=employer.headers), 422,
                          "validation_failed")
    assert body["errors"][0]["field"] == "limit"
    response = world.client.post("/api/v1/vacancies", content=b"{oops",
                                 headers={**employer.headers, "content-type": "application/json"})
    assert assert_problem(response, 422, "validation_failed")["errors"][0]["rule"] == "json_invalid"
