"""API keys (shown once, stored as a hash, revocable) and seekers' one-time enrolment codes."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text

from tests.factories import MISSING_ID, Actor, World, enrolment_code, set_columns


def _all_text(world: World, table: str) -> str:
    with world.engine.connect() as conn:
        return "\n".join(str(v) for row in conn.execute(text(f"SELECT * FROM {table}")) for v in row)


def _enrol(world: World, code: str) -> Any:
    return world.client.post("/api/v1/enrol", json={"code": code})


def _enrolled(world: World) -> tuple[Actor, int, Actor]:
    station = world.station()
    seeker_id = world.seeker(station)
    response = _enrol(world, enrolment_code(world, station, seeker_id))
    assert response.status_code == 201, response.text
    return station, seeker_id, Actor(seeker_id, response.json()["key"])


def test_enrolment_code_is_exchanged_once_for_a_seeker_key(world: World) -> None:
    station = world.station()
    seeker_id = world.seeker(station)
    issued = world.client.post(f"/api/v1/seekers/{seeker_id}/enrolment-code", headers=station.headers).json()
    assert len(issued["code"]) == 10 and issued["code"].isalnum()
    assert not set(issued["code"]) & set("01OIL")  # read aloud over the phone without confusion
    assert issued["code"] not in _all_text(world, "enrolment_code")
    first = _enrol(world, issued["code"])
    assert first.status_code == 201, first.text
    token = first.json()
    assert (token["role"], token["seeker_id"]) == ("seeker", seeker_id)
    second = _enrol(world, issued["code"])
    assert second.status_code == 401 and second.json()["code"] == "unauthorized"
    me = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['key']}"})
    assert me.status_code == 200 and me.json()["id"] == seeker_id


def test_code_typed_loosely_still_works(world: World) -> None:
    station = world.station()
    code = enrolment_code(world, station, world.seeker(station))
    assert _enrol(world, f" {code[:5].lower()}-{code[5:]} ").status_code == 201


def test_expired_unknown_and_replaced_codes_are_refused(world: World) -> None:
    station = world.station()
    seeker_id = world.seeker(station)
    old = enrolment_code(world, station, seeker_id)
    new = enrolment_code(world, station, seeker_id)
    assert _enrol(world, old).status_code == 401  # a new slip makes the old one worthless
    with world.engine.connect() as conn:
        row_id = conn.execute(text("SELECT max(id) FROM enrolment_code")).scalar_one()
    set_columns(world.engine, "enrolment_code", row_id, expires_at=datetime.now(UTC) - timedelta(minutes=1))
    expired = _enrol(world, new)
    assert expired.status_code == 401 and expired.headers["content-type"] == "application/problem+json"
    assert _enrol(world, "ABCDEFGHJK").status_code == 401
    assert world.client.post("/api/v1/enrol", json={"code": "ABCDEFGHJK", "seeker_id": 1}).status_code == 422


def test_seeker_key_reads_and_edits_only_itself(world: World) -> None:
    station, seeker_id, me = _enrolled(world)
    other = world.seeker(station)
    change = {"preferred_districts": ["330212", "330206"], "expected_pay": 6800,
              "available_from": "2030-03-01"}
    response = world.client.patch("/api/v1/me", json=change, headers=me.headers)
    assert response.status_code == 200, response.text
    stored = world.client.get(f"/api/v1/seekers/{seeker_id}", headers=station.headers).json()
    assert {k: stored[k] for k in change} == change
    assert world.client.get(f"/api/v1/seekers/{seeker_id}", headers=me.headers).status_code == 200
    assert world.client.get(f"/api/v1/seekers/{other}", headers=me.headers).status_code == 404
    assert world.client.patch(f"/api/v1/seekers/{other}", json={"expected_pay": 1},
                              headers=me.headers).status_code == 403
    assert world.client.patch(f"/api/v1/seekers/{seeker_id}", json={"expected_pay": 1},
                              headers=me.headers).status_code == 403
    for forbidden in ({"name": "改名"}, {"status": "placed"}, {"phone": "13900000000"}, {"station_id": 1}):
        response = world.client.patch("/api/v1/me", json=forbidden, headers=me.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["rule"] == "extra_forbidden"
    assert world.client.get("/api/v1/seekers", headers=me.headers).status_code == 403


def test_inactive_seeker_cannot_enrol(world: World) -> None:
    station = world.station()
    seeker_id = world.seeker(station)
    code = enrolment_code(world, station, seeker_id)
    world.client.patch(f"/api/v1/seekers/{seeker_id}", json={"status": "inactive"},
                       headers=station.headers).raise_for_status()
    response = _enrol(world, code)
    assert response.status_code == 409


def test_api_key_is_shown_once_and_stored_as_a_hash(world: World) -> None:
    employer = world.employer()
    body = {"role": "employer", "employer_id": employer.id, "label": "HR 系统"}
    response = world.client.post("/api/v1/api-keys", json=body, headers=world.admin.headers)
    assert response.status_code == 201, response.text
    issued = response.json()
    key = issued["key"]
    assert key.startswith("jm_emp_") and issued["prefix"] == key[:10]
    secret = key.removeprefix("jm_emp_")
    assert len(base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))) >= 32
    listed = world.client.get("/api/v1/api-keys", headers=world.admin.headers)
    assert key not in listed.text and secret[:16] not in listed.text
    mine = [k for k in listed.json() if k["id"] == issued["id"]]
    assert mine and "key" not in mine[0] and mine[0]["label"] == "HR 系统"
    stored = _all_text(world, "api_key")
    assert key not in stored and secret not in stored
    assert hashlib.sha256(key.encode()).hexdigest() in stored
    again = world.client.post("/api/v1/api-keys", json=body, headers=world.admin.headers).json()["key"]
    assert again != key
    as_employer = {"Authorization": f"Bearer {key}"}
    assert world.client.get(f"/api/v1/employers/{employer.id}", headers=as_employer).status_code == 200


def test_revoked_key_is_401_at_once(world: World) -> None:
    station = world.station()
    created = world.client.post("/api/v1/api-keys", json={"role": "station", "station_id": station.id},
                                headers=world.admin.headers).json()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert world.client.get("/api/v1/seekers", headers=headers).status_code == 200
    revoked = world.client.delete(f"/api/v1/api-keys/{created['id']}", headers=world.admin.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    response = world.client.get("/api/v1/seekers", headers=headers)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"
    # The station's other key still works: revocation is per key.
    assert world.client.get("/api/v1/seekers", headers=station.headers).status_code == 200
    missing = world.client.delete(f"/api/v1/api-keys/{MISSING_ID}", headers=world.admin.headers)
    assert missing.status_code == 404


def test_keys_name_exactly_one_real_owner(world: World) -> None:
    station, employer = world.station(), world.employer()
    for body, rule in (
        ({"role": "station"}, "owner_required"),
        ({"role": "station", "station_id": station.id, "employer_id": employer.id}, "owner_required"),
        ({"role": "employer", "employer_id": MISSING_ID}, "not_found"),
        ({"role": "admin", "station_id": station.id}, "owner_mismatch"),
        ({"role": "seeker"}, "literal_error"),
        ({"role": "admin", "key": "jm_adm_chosen-by-me"}, "extra_forbidden"),
    ):
        response = world.client.post("/api/v1/api-keys", json=body, headers=world.admin.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["rule"] == rule, body
    created = world.client.post("/api/v1/api-keys", json={"role": "admin"}, headers=world.admin.headers)
    assert created.status_code == 201 and created.json()["key"].startswith("jm_adm_")
