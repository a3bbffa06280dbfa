"""A body that is not JSON is a problem naming the body (not a character offset as if it were a field),
with the position in the message, and nothing of the body echoed back."""

from __future__ import annotations

from typing import Any

from tests.factories import World, row_counts

PROBLEM = "application/problem+json"


def _post_raw(world: World, path: str, content: bytes, headers: dict[str, str]) -> Any:
    return world.client.post(path, content=content, headers={**headers, "content-type": "application/json"})


def test_malformed_json_names_the_body_and_says_where(world: World) -> None:
    employer = world.employer()
    raw = '{"title": "普工",, "headcount": 3}'
    offset = raw.index(",,") + 1  # the second comma, counted in characters (普工 is two, not six bytes)
    before = row_counts(world.engine)
    r = _post_raw(world, "/api/v1/vacancies", raw.encode(), employer.headers)
    assert (r.status_code, r.headers["content-type"]) == (422, PROBLEM), r.text
    body = r.json()
    assert body["code"] == "validation_failed"
    [error] = body["errors"]
    assert (error["field"], error["rule"], error["position"]) == ("body", "json_invalid", offset)
    assert f"character {offset + 1} (offset {offset})" in error["message"]
    assert "Expecting" in error["message"]
    assert f"第 {offset + 1} 个字符" in error["message_zh"]
    assert body["detail"].startswith("body: ") and body["detail_zh"].startswith("body：")
    assert row_counts(world.engine) == before


def test_position_counts_newlines_too_and_patch_is_the_same(world: World) -> None:
    employer = world.employer()
    vacancy = world.vacancy(employer)
    raw = b'{\n  "title": "A",\n  "pay_max" 9000\n}'
    r = world.client.patch(f"/api/v1/vacancies/{vacancy['id']}", content=raw,
                           headers={**employer.headers, "content-type": "application/json"})
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["field"], error["position"]) == ("body", raw.index(b"9000"))
    assert "Expecting ':' delimiter" in error["message"]


def test_a_malformed_body_is_never_echoed(world: World) -> None:
    station = world.station()
    phone, id_number = "13912345678", "52232519900101123X"
    raw = f'{{"name": "王小明", "phone": "{phone}", "id_number": "{id_number}" '.encode()
    r = _post_raw(world, "/api/v1/seekers", raw, station.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"
    assert phone not in r.text and id_number not in r.text and "王小明" not in r.text


def test_other_body_errors_still_name_their_field(world: World) -> None:
    employer = world.employer()
    r = _post_raw(world, "/api/v1/vacancies", b'{"title": "A"}', employer.headers)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert "occupation" in fields and "body" not in fields
    r = _post_raw(world, "/api/v1/vacancies", b"", employer.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["rule"] == "missing"
