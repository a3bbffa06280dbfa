"""ID and mobile numbers: never in clear in the database or the logs, masked in every response but the
owning station's audited full read."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text

from app.validation.identity import make_resident_id
from tests.factories import World, seeker_body

ID_NUMBER = make_resident_id("522301", date(1988, 7, 14), 123, "male")
PHONE = "13812345678"


def _register(world: World, station_headers: dict[str, str], id_number: str = ID_NUMBER,
              phone: str = PHONE) -> dict:  # type: ignore[type-arg]
    response = world.client.post("/api/v1/seekers", json=seeker_body(id_number=id_number, phone=phone),
                                 headers=station_headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _every_stored_value(engine: Engine) -> str:
    """Every column of every row of every table the database has (not just the ones the models know)."""
    chunks: list[str] = []
    with engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


def test_numbers_are_not_stored_in_clear(world: World, backend: str) -> None:
    station = world.station()
    seeker = _register(world, station.headers)
    stored = _every_stored_value(world.engine)
    # The row is there (its masked forms are), but the numbers themselves are not.
    assert seeker["id_number"] in stored and seeker["phone"] in stored
    assert ID_NUMBER not in stored
    assert PHONE not in stored
    assert ID_NUMBER[6:] not in stored  # not even the part after the area code
    if backend == "sqlite":
        url = world.engine.url.database
        assert url
        files = [Path(url), Path(url + "-wal")]
        raw = b"".join(f.read_bytes() for f in files if f.exists())
        assert seeker["id_number"].encode() in raw  # the scan reads what was just written
        assert ID_NUMBER.encode() not in raw
        assert PHONE.encode() not in raw


def test_responses_show_masked_numbers(world: World) -> None:
    station = world.station()
    seeker = _register(world, station.headers)
    assert seeker["id_number"] == ID_NUMBER[:6] + "*" * 8 + ID_NUMBER[-4:]
    assert seeker["phone"] == "138****5678"
    listed = world.client.get("/api/v1/seekers", headers=station.headers).json()["items"]
    assert [s["id_number"] for s in listed] == [seeker["id_number"]]
    admin_view = world.client.get(f"/api/v1/seekers/{seeker['id']}", headers=world.admin.headers).text
    assert ID_NUMBER not in admin_view and PHONE not in admin_view


def test_owning_station_reads_identity_and_is_audited(world: World) -> None:
    station = world.station()
    seeker = _register(world, station.headers)
    response = world.client.get(f"/api/v1/seekers/{seeker['id']}/identity", headers=station.headers)
    assert response.status_code == 200, response.text
    assert response.json() == {"id": seeker["id"], "name": "王小明", "id_number": ID_NUMBER, "phone": PHONE}
    events = world.client.get("/api/v1/audit-events", headers=world.admin.headers).json()["items"]
    seen = [(e["action"], e["subject_type"], e["subject_id"], e["actor_role"], e["actor_id"]) for e in events]
    assert seen == [("seeker.identity_read", "seeker", seeker["id"], "station", station.id)]
    assert ID_NUMBER not in str(events) and PHONE not in str(events)
    filtered = world.client.get(f"/api/v1/audit-events?action=seeker.identity_read&subject_id={seeker['id']}",
                                headers=world.admin.headers).json()["items"]
    assert len(filtered) == 1


def test_identity_is_refused_to_everyone_else(world: World) -> None:
    station = world.station()
    seeker = _register(world, station.headers)
    seeker_key = world.seeker_actor(station, seeker["id"])
    url = f"/api/v1/seekers/{seeker['id']}/identity"
    callers: list[tuple[dict[str, str], int]] = [
        (world.admin.headers, 403), (world.employer().headers, 403), (seeker_key.headers, 403),
        (world.station().headers, 404), ({}, 401),
    ]
    for headers, status in callers:
        response = world.client.get(url, headers=headers)
        assert response.status_code == status, response.text
        assert ID_NUMBER not in response.text
    # Refusals leave no audit record: only reads that happened are recorded.
    assert world.client.get("/api/v1/audit-events", headers=world.admin.headers).json()["items"] == []


def test_logs_never_contain_the_numbers(world: World, caplog: pytest.LogCaptureFixture) -> None:
    station, other = world.station(), world.station()
    # SQLAlchemy keeps its loggers at WARNING unless told otherwise: open them too, so that SQL statements
    # and their parameters are part of what is checked.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="sqlalchemy"):
        seeker = _register(world, station.headers)
        world.client.get(f"/api/v1/seekers/{seeker['id']}/identity", headers=station.headers)
        duplicate = world.client.post("/api/v1/seekers", json=seeker_body(id_number=ID_NUMBER, phone=PHONE),
                                      headers=other.headers)
        assert duplicate.status_code == 409
        mistyped = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
        body = seeker_body(id_number=mistyped, phone="1381234567")
        bad = world.client.post("/api/v1/seekers", json=body, headers=other.headers)
        assert bad.status_code == 422
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert any(r.name.startswith("sqlalchemy.engine") for r in caplog.records), "SQL was not captured"
    assert ID_NUMBER not in logged and ID_NUMBER[:17] not in logged
    assert PHONE not in logged and "1381234567" not in logged


def test_key_is_needed_to_read_the_numbers(world: World) -> None:
    from cryptography.fernet import Fernet

    from app.pii import SecretKeyMissing, Vault

    station = world.station()
    _register(world, station.headers)
    with world.engine.connect() as conn:
        token, fingerprint = conn.execute(text("SELECT id_number_enc, id_fingerprint FROM seeker")).one()
    assert world.vault.decrypt(token) == ID_NUMBER
    stranger = Vault(Fernet.generate_key())
    with pytest.raises(SecretKeyMissing):
        stranger.decrypt(token)
    assert stranger.fingerprint(ID_NUMBER) != fingerprint
