"""Bulk redelivery of an endpoint's dead letters, each with its own webhook-id, paced by the worker."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from app.clock import utcnow
from app.notify.delivery import deliver_due
from app.settings import Settings
from tests.factories import World, set_columns
from tests.notify.test_webhook_receiver import Answer, Receiver, messages, queue, register

API = "/api/v1/webhook-endpoints"


@pytest.fixture
def hooks(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(settings, "allow_private_webhooks", True)
    return settings.model_copy(update={"webhook_retry_schedule": []})  # the first failure is final


def test_every_dead_message_is_queued_again_and_delivered_with_its_own_id(
        world: World, engine: Engine, hooks: Settings) -> None:
    station, other = world.station(), world.station()
    with Receiver() as receiver, Receiver() as theirs:
        endpoint = register(world, station, receiver)
        register(world, other, theirs)
        receiver.answer = lambda _r, _n: Answer(503)
        dead = queue(engine, station, 5)
        their_dead = queue(engine, other, 2)
        theirs.answer = lambda _r, _n: Answer(503)
        while deliver_due(engine, "w1", settings=hooks):
            pass
        receiver.answer = lambda _r, _n: Answer(204)
        [delivered] = queue(engine, station)
        deliver_due(engine, "w1", settings=hooks)
        [waiting] = queue(engine, station)  # pending, and not yet due: left alone
        stored = messages(engine)
        assert {stored[i].status for i in dead + their_dead} == {"dead"}
        assert stored[delivered].status == "delivered"
        set_columns(engine, "webhook_message", stored[waiting].id or 0,
                    next_attempt_at=utcnow() + timedelta(hours=1))

        response = world.client.post(f"{API}/{endpoint['id']}/messages/redeliver", headers=station.headers)
        assert response.status_code == 202 and response.json() == {"queued": 5}
        stored = messages(engine)
        assert all((stored[i].status, stored[i].attempts) == ("pending", 0) for i in dead)
        assert {stored[i].status for i in their_dead} == {"dead"}  # another owner's endpoint is untouched
        assert stored[delivered].status == "delivered" and stored[waiting].status == "pending"
        assert stored[dead[0]].last_error == "HTTP 503"  # why it died stays visible until the next attempt

        before = len(receiver.snapshot())
        while deliver_due(engine, "w1", settings=hooks):
            pass
        again = receiver.snapshot()[before:]
        assert sorted(r.webhook_id for r in again) == sorted(dead)
        assert all(r.verified_with == (0,) and r.status == 204 for r in again)
        first_bodies = {r.webhook_id: r.body for r in receiver.snapshot()[:before] if r.webhook_id in dead}
        assert all(first_bodies[r.webhook_id] == r.body for r in again)  # the same bytes as first sent
        assert {messages(engine)[i].status for i in dead} == {"delivered"}
        attempts = world.client.get(f"{API}/{endpoint['id']}/messages/{dead[0]}/attempts",
                                    headers=station.headers).json()
        assert [a["status_code"] for a in attempts] == [503, 204]  # the history is kept
        again_response = world.client.post(f"{API}/{endpoint['id']}/messages/redeliver", headers=station.headers)
        assert again_response.json() == {"queued": 0}


def test_since_limits_redelivery_to_messages_created_after_it(world: World, engine: Engine,
                                                             hooks: Settings) -> None:
    station = world.station()
    with Receiver() as receiver:
        endpoint = register(world, station, receiver)
        receiver.answer = lambda _r, _n: Answer(500)
        old, recent = queue(engine, station, 2)
        deliver_due(engine, "w1", settings=hooks)
    outage = utcnow() - timedelta(hours=2)
    set_columns(engine, "webhook_message", messages(engine)[old].id or 0, created_at=outage - timedelta(days=1))
    response = world.client.post(f"{API}/{endpoint['id']}/messages/redeliver",
                                 params={"since": outage.isoformat()}, headers=station.headers)
    assert response.status_code == 202 and response.json() == {"queued": 1}
    stored = messages(engine)
    assert (stored[old].status, stored[recent].status) == ("dead", "pending")
    with Receiver() as receiver:  # the receiver is back: nothing is left half-done for later tests
        receiver.secrets.append(endpoint["secret"])
        world.client.patch(f"{API}/{endpoint['id']}", json={"url": receiver.url}, headers=station.headers)
        deliver_due(engine, "w1", settings=hooks)
        assert [r.webhook_id for r in receiver.wait_for(1)] == [recent]


def test_since_without_a_timezone_is_read_as_asia_shanghai(world: World, engine: Engine, hooks: Settings) -> None:
    """A date or a naive date-time is a Chinese calendar moment, as the stats read their dates; before the
    fix both compared a naive value with an aware column and answered 500."""
    station = world.station()
    with Receiver() as receiver:
        endpoint = register(world, station, receiver)
        receiver.answer = lambda _r, _n: Answer(500)
        ids = queue(engine, station, 3)
        deliver_due(engine, "w1", settings=hooks)
    # 23:59 on 31 October in Shanghai, then 00:45 and 01:30 on 1 November: UTC would put all three in October.
    created = [datetime(2026, 10, 31, 15, 59, tzinfo=UTC), datetime(2026, 10, 31, 16, 45, tzinfo=UTC),
               datetime(2026, 10, 31, 17, 30, tzinfo=UTC)]
    stored = messages(engine)
    for message_id, at in zip(ids, created, strict=True):
        set_columns(engine, "webhook_message", stored[message_id].id or 0, created_at=at)
    path = f"{API}/{endpoint['id']}/messages/redeliver"

    by_day = world.client.post(path, params={"since": "2026-11-01"}, headers=station.headers)
    assert by_day.status_code == 202, by_day.text
    assert by_day.json() == {"queued": 2}  # read as UTC midnight it would be 0
    stored = messages(engine)
    assert [stored[i].status for i in ids] == ["dead", "pending", "pending"]

    for message_id in ids:
        set_columns(engine, "webhook_message", stored[message_id].id or 0, status="dead")
    by_moment = world.client.post(path, params={"since": "2026-11-01T01:00:00"}, headers=station.headers)
    assert by_moment.status_code == 202, by_moment.text
    assert by_moment.json() == {"queued": 1}
    assert [messages(engine)[i].status for i in ids] == ["dead", "dead", "pending"]
    # An explicit offset is taken as given: 01:00 UTC on 1 November is after all three.
    explicit = world.client.post(path, params={"since": "2026-11-01T01:00:00Z"}, headers=station.headers)
    assert explicit.status_code == 202 and explicit.json() == {"queued": 0}


def test_a_disabled_endpoint_refuses_bulk_redelivery(world: World, engine: Engine, hooks: Settings) -> None:
    station = world.station()
    with Receiver() as receiver:
        endpoint = register(world, station, receiver)
        receiver.answer = lambda _r, _n: Answer(410)
        [gone] = queue(engine, station)
        deliver_due(engine, "w1", settings=hooks)
    path = f"{API}/{endpoint['id']}/messages/redeliver"
    refused = world.client.post(path, headers=station.headers)
    assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "endpoint_disabled"
    assert messages(engine)[gone].status == "dead"
    bad = world.client.post(path, params={"since": "yesterday"}, headers=station.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "validation_failed"
