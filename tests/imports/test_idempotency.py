"""Idempotency-Key: a retried POST acts once, on SQLite and on PostgreSQL, even when retries overlap."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from app.clock import utcnow
from app.idempotency import KeyStore
from app.main import create_app
from app.models.idempotency import IdempotencyRecord
from app.models.seeker import Seeker
from app.settings import Settings
from tests.factories import World, seeker_body
from tests.imports.sheets import csv_bytes, person, upload

_TABLE = IdempotencyRecord.__table__  # type: ignore[attr-defined]


def _seekers(world: World) -> int:
    with world.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(Seeker)).scalar_one())


def _post(world: World, headers: dict[str, str], body: dict[str, Any], key: str) -> Any:
    return world.client.post("/api/v1/seekers", json=body, headers={**headers, "Idempotency-Key": key})


def test_a_retry_replays_the_first_answer(world: World) -> None:
    station = world.station()
    body = seeker_body()
    first = _post(world, station.headers, body, '"reg-1"')
    assert first.status_code == 201 and "idempotent-replayed" not in first.headers
    again = _post(world, station.headers, dict(reversed(list(body.items()))), "reg-1")  # keys reordered: same JSON
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers["content-type"] == first.headers["content-type"]
    assert _seekers(world) == 1


def test_the_same_key_with_another_body_is_422(world: World) -> None:
    station = world.station()
    assert _post(world, station.headers, seeker_body(), "k").status_code == 201
    reused = _post(world, station.headers, seeker_body(), "k")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    other_path = world.client.post("/api/v1/families", json={"kind": "couple", "member_ids": [1, 2]},
                                   headers={**station.headers, "Idempotency-Key": "k"})
    assert other_path.status_code == 422 and other_path.json()["code"] == "idempotency_key_reused"
    assert _seekers(world) == 1


def test_a_retry_while_the_first_runs_is_409(world: World, app: FastAPI) -> None:
    station = world.station()
    body = seeker_body()
    # Claim the key as an attempt still running would, then retry: with the same body it must wait.
    first = _post(world, station.headers, body, "slow")  # learns the fingerprint the middleware computes
    with world.engine.begin() as conn:
        conn.execute(update(_TABLE).values(state="in_progress", response_enc=None,
                                           locked_until=utcnow() + timedelta(minutes=5)))
    retry = _post(world, station.headers, body, "slow")
    assert retry.status_code == 409 and retry.json()["code"] == "idempotency_in_progress"
    assert retry.headers["retry-after"] == "1"
    # A claim left behind by a crashed process is taken over once its lock runs out.
    with world.engine.begin() as conn:
        conn.execute(update(_TABLE).values(locked_until=utcnow() - timedelta(seconds=1)))
    taken_over = _post(world, station.headers, body, "slow")
    assert taken_over.status_code == 409 and taken_over.json()["code"] == "duplicate_person"
    assert first.status_code == 201 and _seekers(world) == 1


def test_keys_belong_to_their_caller(world: World) -> None:
    a, b = world.station(), world.station("222401")
    assert _post(world, a.headers, seeker_body(), "shared").status_code == 201
    second = _post(world, b.headers, seeker_body(), "shared")
    assert second.status_code == 201 and "idempotent-replayed" not in second.headers
    assert _seekers(world) == 2


def test_client_errors_are_kept_server_errors_are_not(world: World, settings: Settings) -> None:
    station = world.station()
    invalid = {**seeker_body(), "phone": "12"}
    first = _post(world, station.headers, invalid, "bad")
    again = _post(world, station.headers, invalid, "bad")
    assert first.status_code == again.status_code == 422
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()

    app = create_app(settings, world.engine)
    calls: list[int] = []

    @app.post("/flaky")
    def flaky() -> dict[str, int]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        return {"calls": len(calls)}

    with TestClient(app, raise_server_exceptions=False) as client:
        headers = {**station.headers, "Idempotency-Key": "boom"}
        assert client.post("/flaky", headers=headers).status_code == 500
        ok = client.post("/flaky", headers=headers)
        assert ok.status_code == 200 and ok.json() == {"calls": 2}
        replay = client.post("/flaky", headers=headers)
        assert replay.json() == {"calls": 2} and replay.headers["idempotent-replayed"] == "true"
    assert len(calls) == 2


def test_keys_expire_after_the_ttl(world: World) -> None:
    station = world.station()
    content = csv_bytes([person()])
    headers = {**station.headers, "Idempotency-Key": "daily"}
    first = world.client.post("/api/v1/seekers/import", files=upload("a.csv", content), headers=headers)
    assert first.status_code == 200
    with world.engine.begin() as conn:
        conn.execute(update(_TABLE).values(created_at=utcnow() - timedelta(hours=25)))
    fresh = world.client.post("/api/v1/seekers/import", files=upload("a.csv", content), headers=headers)
    assert fresh.status_code == 200 and "idempotent-replayed" not in fresh.headers


def test_a_multipart_retry_with_a_new_boundary_is_the_same_request(world: World) -> None:
    station = world.station()
    content = csv_bytes([person("甲"), person("乙")])
    headers = {**station.headers, "Idempotency-Key": "upload-7"}
    first = world.client.post("/api/v1/seekers/import?mode=commit", files=upload("a.csv", content), headers=headers)
    again = world.client.post("/api/v1/seekers/import?mode=commit", files=upload("a.csv", content), headers=headers)
    assert first.json()["stored"] == 2
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    changed = world.client.post("/api/v1/seekers/import?mode=commit", files=upload("a.csv", content + b"x,"),
                                headers=headers)
    assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
    assert _seekers(world) == 2


def test_stored_responses_are_encrypted(world: World) -> None:
    station = world.station()
    body = seeker_body(name="独一无二的名字")
    _post(world, station.headers, body, "secret")
    with world.engine.connect() as conn:
        row = conn.execute(select(_TABLE)).one()
    assert row.state == "done" and row.status_code == 201
    assert "独一无二" not in row.response_enc and "masked" not in row.response_enc
    assert station.key not in str(tuple(row))


def test_an_invalid_key_is_400_and_anonymous_posts_are_not_recorded(world: World) -> None:
    station = world.station()
    bad = world.client.post("/api/v1/seekers", json=seeker_body(),
                            headers={**station.headers, "Idempotency-Key": "x" * 300})
    assert bad.status_code == 400 and bad.json()["code"] == "idempotency_key_invalid"
    anonymous = world.client.post("/api/v1/enrol", json={"code": "NOPE"}, headers={"Idempotency-Key": "a"})
    assert anonymous.status_code == 401
    with world.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(_TABLE)).scalar_one() == 0


def test_five_sends_over_a_flaky_link_register_one_seeker(world: World) -> None:
    """A station's phone sends one registration five times, three of them at the same moment."""
    station = world.station()
    body = seeker_body()
    headers = {**station.headers, "Idempotency-Key": "7c1e3a52-flaky"}
    statuses: list[int] = []
    bodies: list[dict[str, Any]] = []
    barrier = threading.Barrier(3)

    def send() -> None:
        barrier.wait()
        response = world.client.post("/api/v1/seekers", json=body, headers=headers)
        statuses.append(response.status_code)
        bodies.append(response.json())

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for _ in range(2):  # the link comes back: two more retries, one after the other
        response = world.client.post("/api/v1/seekers", json=body, headers=headers)
        statuses.append(response.status_code)
        bodies.append(response.json())
    assert len(statuses) == 5, statuses
    assert set(statuses) <= {201, 409}, statuses
    created = [b for s, b in zip(statuses, bodies, strict=True) if s == 201]
    assert created and all(b["id"] == created[0]["id"] for b in created)
    assert all(b["code"] == "idempotency_in_progress" for s, b in zip(statuses, bodies, strict=True) if s == 409)
    assert statuses[-1] == 201
    assert _seekers(world) == 1


def test_the_store_claims_a_key_once(world: World, app: FastAPI) -> None:
    store = KeyStore(world.engine, app.state.vault, app.state.settings)
    first = store.claim("scope", "key", "fp")
    assert first.outcome == "claimed"
    assert store.claim("scope", "key", "fp").outcome == "in_progress"
    assert store.claim("scope", "key", "other").outcome == "mismatch"
    store.release(first)
    assert store.claim("scope", "key", "other").outcome == "claimed"


def test_a_workbook_answer_is_replayed_byte_for_byte(world: World) -> None:
    station = world.station()
    content = csv_bytes([person("甲"), person("乙", 手机号="1")])
    headers = {**station.headers, "Idempotency-Key": "wb-1"}
    url = "/api/v1/seekers/import?mode=commit&report=xlsx"
    first = world.client.post(url, files=upload("a.csv", content), headers=headers)
    again = world.client.post(url, files=upload("a.csv", content), headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == first.content and again.headers["x-import-stored"] == "1"
    assert again.headers["content-disposition"] == first.headers["content-disposition"]
    assert _seekers(world) == 1
