"""The webhook-endpoints API: owners manage their own, the secret is shown once, private URLs refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from app.clock import utcnow
from app.settings import Settings
from tests.factories import MISSING_ID, World
from tests.notify.test_webhook_receiver import EVENT, queue

API = "/api/v1/webhook-endpoints"
HOOK = "http://127.0.0.1:9/hooks"


@pytest.fixture(autouse=True)
def private_allowed(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "allow_private_webhooks", True)


def create(world: World, headers: dict[str, str], **fields: object) -> dict[str, object]:
    body = {"url": HOOK, "event_types": [EVENT], **fields}
    response = world.client.post(API, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_secret_is_shown_once_and_stored_encrypted(world: World, engine: Engine) -> None:
    station = world.station()
    created = create(world, station.headers, description="县站对接系统")
    secret = str(created["secret"])
    assert secret.startswith("whsec_")
    assert created["owner_role"] == "station" and created["owner_id"] == station.id
    one = world.client.get(f"{API}/{created['id']}", headers=station.headers).json()
    listed = world.client.get(API, headers=station.headers).json()["items"]
    assert "secret" not in one and all("secret" not in e for e in listed)
    assert one["description"] == "县站对接系统"
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT secret_enc FROM webhook_endpoint")).scalar_one()
    assert secret not in stored and secret.removeprefix("whsec_") not in stored


def test_other_owners_get_404_and_the_admin_sees_all(world: World) -> None:
    mine, theirs, employer = world.station(), world.station(), world.employer()
    endpoint = create(world, mine.headers)
    create(world, employer.headers, event_types=["match.vacancy_shortlist"])
    path = f"{API}/{endpoint['id']}"
    for method, suffix, body in [("GET", "", None), ("PATCH", "", {"enabled": False}), ("DELETE", "", None),
                                 ("POST", "/rotate-secret", None), ("GET", "/messages", None)]:
        for stranger in (theirs, employer):
            response = world.client.request(method, path + suffix, json=body, headers=stranger.headers)
            assert response.status_code == 404, (method, suffix, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
    assert world.client.get(f"{API}/{MISSING_ID}", headers=mine.headers).status_code == 404
    assert [e["id"] for e in world.client.get(API, headers=theirs.headers).json()["items"]] == []
    assert len(world.client.get(API, headers=world.admin.headers).json()["items"]) == 2
    assert world.client.get(path, headers=world.admin.headers).status_code == 200


def test_only_stations_and_employers_register_endpoints(world: World) -> None:
    station = world.station()
    seeker = world.seeker_actor(station, world.seeker(station))
    body = {"url": HOOK, "event_types": [EVENT]}
    assert world.client.post(API, json=body, headers=seeker.headers).status_code == 403
    assert world.client.get(API, headers=seeker.headers).status_code == 403
    admin = world.client.post(API, json=body, headers=world.admin.headers)
    assert admin.status_code == 403 and admin.json()["errors"][0]["rule"] == "role"
    assert world.client.post(API, json=body).status_code == 401


def test_private_urls_are_refused_unless_allowed(world: World, settings: Settings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    station = world.station()
    monkeypatch.setattr(settings, "allow_private_webhooks", False)
    for url in ("http://127.0.0.1:8080/hook", "http://localhost/hook", "http://[::1]/hook",
                "http://169.254.169.254/latest", "http://10.0.0.8/hook"):
        response = world.client.post(API, json={"url": url, "event_types": [EVENT]}, headers=station.headers)
        assert response.status_code == 422, url
        [error] = response.json()["errors"]
        assert (error["field"], error["rule"]) == ("url", "url_private_address")
    endpoint = create(world, station.headers, url="https://8.8.8.8/hook")
    patched = world.client.patch(f"{API}/{endpoint['id']}", json={"url": HOOK}, headers=station.headers)
    assert patched.status_code == 422 and patched.json()["errors"][0]["rule"] == "url_private_address"
    monkeypatch.setattr(settings, "allow_private_webhooks", True)
    assert world.client.patch(f"{API}/{endpoint['id']}", json={"url": HOOK},
                              headers=station.headers).status_code == 200


def test_bad_input_is_a_problem(world: World) -> None:
    station = world.station()
    for body in ({"url": "ftp://example.com/x", "event_types": [EVENT]},
                 {"url": HOOK, "event_types": ["seeker.phone_changed"]},
                 {"url": HOOK, "event_types": []},
                 {"url": HOOK, "event_types": [EVENT], "secret": "whsec_mine"}):
        response = world.client.post(API, json=body, headers=station.headers)
        assert response.status_code == 422, body
        assert response.json()["code"] == "validation_failed"


def test_patch_events_url_and_enabled(world: World) -> None:
    station = world.station()
    endpoint = create(world, station.headers)
    path = f"{API}/{endpoint['id']}"
    body = {"event_types": ["match.seeker_jobs", EVENT, EVENT], "url": "http://127.0.0.1:10/new"}
    patched = world.client.patch(path, json=body, headers=station.headers).json()
    assert patched["event_types"] == ["match.seeker_jobs", EVENT]
    assert patched["url"] == "http://127.0.0.1:10/new"
    disabled = world.client.patch(path, json={"enabled": False}, headers=station.headers).json()
    assert disabled["disabled_at"] is not None and disabled["disabled_reason"] == "disabled by its owner"
    enabled = world.client.patch(path, json={"enabled": True}, headers=station.headers).json()
    assert enabled["disabled_at"] is None and enabled["disabled_reason"] is None


def test_delete_removes_endpoint_and_its_queue(world: World, engine: Engine) -> None:
    station = world.station()
    endpoint = create(world, station.headers)
    queue(engine, station, 3)
    path = f"{API}/{endpoint['id']}"
    assert world.client.delete(path, headers=station.headers).status_code == 204
    assert world.client.get(path, headers=station.headers).status_code == 404
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM webhook_message")).scalar_one() == 0


def test_rotation_shows_a_new_secret_once_and_starts_the_overlap(world: World, settings: Settings) -> None:
    station = world.station()
    endpoint = create(world, station.headers)
    rotated = world.client.post(f"{API}/{endpoint['id']}/rotate-secret", headers=station.headers)
    assert rotated.status_code == 200
    body = rotated.json()
    assert body["secret"].startswith("whsec_") and body["secret"] != endpoint["secret"]
    expires = datetime.fromisoformat(body["previous_secret_expires_at"].replace("Z", "+00:00"))
    overlap = timedelta(hours=settings.webhook_secret_overlap_hours)
    assert abs(expires - (utcnow() + overlap)) < timedelta(minutes=1)


def test_messages_are_listed_by_status_with_cursor_pages(world: World, engine: Engine) -> None:
    station = world.station()
    endpoint = create(world, station.headers)
    ids = queue(engine, station, 5)
    path = f"{API}/{endpoint['id']}/messages"
    page = world.client.get(path, params={"limit": 2, "status": "pending"}, headers=station.headers).json()
    seen = [m["message_id"] for m in page["items"]]
    while page["next_cursor"]:
        page = world.client.get(path, params={"limit": 2, "status": "pending", "cursor": page["next_cursor"]},
                                headers=station.headers).json()
        seen += [m["message_id"] for m in page["items"]]
    assert seen == ids
    assert world.client.get(path, params={"status": "dead"}, headers=station.headers).json()["items"] == []
    assert world.client.get(path, params={"status": "lost"}, headers=station.headers).status_code == 422
    assert "payload" not in page["items"][0]
    missing = world.client.get(f"{path}/msg_NOPE/attempts", headers=station.headers)
    assert missing.status_code == 404
    pending = world.client.post(f"{path}/{ids[0]}/redeliver", headers=station.headers)
    assert pending.status_code == 409 and pending.json()["errors"][0]["rule"] == "message_pending"
