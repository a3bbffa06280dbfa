"""Delivery to a real receiver on loopback: signatures, retries, dead letters, rotation, leases."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.utils import format_datetime

import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from app.clock import utcnow
from app.models.webhook import WebhookAttempt, WebhookMessage
from app.notify import delivery, webhooks
from app.notify.delivery import Job, Result, claim, deliver_due, record
from app.notify.signing import sign
from app.settings import Settings
from tests.factories import World, mobile, resident_id
from tests.notify.test_webhook_receiver import EVENT, Answer, Receiver, messages, queue, register

API = "/api/v1/webhook-endpoints"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        yield r


@pytest.fixture
def hooks(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings with loopback receivers allowed, for the API and for the worker."""
    monkeypatch.setattr(settings, "allow_private_webhooks", True)
    return settings


def one(engine: Engine) -> WebhookMessage:
    found = list(messages(engine).values())
    assert len(found) == 1
    return found[0]


def test_delivered_with_a_valid_signature_and_the_standard_headers(
        world: World, engine: Engine, hooks: Settings, receiver: Receiver) -> None:
    station = world.station()
    endpoint = register(world, station, receiver)
    ids = queue(engine, station, 3)
    assert deliver_due(engine, "w1", settings=hooks) == 3
    got = receiver.wait_for(3)
    assert sorted(r.webhook_id for r in got) == sorted(ids)
    for request in got:
        assert request.verified_with == (0,)
        assert request.headers["content-type"] == "application/json"
        assert abs(int(request.headers["webhook-timestamp"]) - time.time()) < 10
        body = request.json()
        assert body["type"] == EVENT and set(body) == {"type", "timestamp", "data"}
        assert body["data"]["matches"][0]["rank"] == 1
    stored = messages(engine)
    assert all(m.status == "delivered" and m.attempts == 1 and m.delivered_at for m in stored.values())
    assert deliver_due(engine, "w1", settings=hooks) == 0
    attempts = world.client.get(f"{API}/{endpoint['id']}/messages/{ids[0]}/attempts", headers=station.headers)
    [attempt] = attempts.json()
    assert attempt["status_code"] == 204 and attempt["error"] is None and attempt["latency_ms"] > 0
    other = world.station()
    assert world.client.get(f"{API}/{endpoint['id']}/messages/{ids[0]}/attempts",
                            headers=other.headers).status_code == 404


def test_failures_retry_with_the_same_id_over_three_days_then_die_and_can_be_redelivered(
        world: World, engine: Engine, hooks: Settings, receiver: Receiver) -> None:
    station = world.station()
    endpoint = register(world, station, receiver)
    [msg_id] = queue(engine, station)
    receiver.answer = lambda _r, _n: Answer(500)
    schedule = hooks.webhook_retry_schedule
    now: datetime | None = None
    first_at = utcnow()
    for attempt in range(1, len(schedule) + 2):
        assert deliver_due(engine, "w1", now=now, settings=hooks) == 1
        message = one(engine)
        assert message.attempts == attempt
        if attempt <= len(schedule):
            assert message.status == "pending"
            ran_at = now or first_at
            delay = (message.next_attempt_at - ran_at).total_seconds()
            base = schedule[attempt - 1]
            assert 0.8 * base - 1 <= delay <= 1.2 * base + 3, (attempt, delay)  # +3 s: a busy test host
            now = message.next_attempt_at + timedelta(milliseconds=1)
    assert message.status == "dead" and message.last_error == "HTTP 500"
    assert now is not None and timedelta(days=2.3) < now - first_at < timedelta(days=3.7)
    got = receiver.wait_for(len(schedule) + 1)
    assert {r.webhook_id for r in got} == {msg_id}
    assert len({r.body for r in got}) == 1 and all(r.verified_with == (0,) for r in got)

    path = f"{API}/{endpoint['id']}/messages"
    dead = world.client.get(path, params={"status": "dead"}, headers=station.headers).json()["items"]
    assert [m["message_id"] for m in dead] == [msg_id]
    attempts = world.client.get(f"{path}/{msg_id}/attempts", headers=station.headers).json()
    assert [a["status_code"] for a in attempts] == [500] * (len(schedule) + 1)
    assert all(a["error"] == "HTTP 500" for a in attempts)

    receiver.answer = lambda _r, _n: Answer(200)
    again = world.client.post(f"{path}/{msg_id}/redeliver", headers=station.headers)
    assert again.status_code == 202 and again.json()["status"] == "pending"
    assert deliver_due(engine, "w1", settings=hooks) == 1
    assert one(engine).status == "delivered"
    assert receiver.snapshot()[-1].webhook_id == msg_id and receiver.snapshot()[-1].status == 200
    redelivered = world.client.post(f"{path}/{msg_id}/redeliver", headers=station.headers)
    assert redelivered.status_code == 202  # a delivered message can be sent again too


def test_retry_after_is_honoured_when_longer_than_the_backoff(world: World, engine: Engine, hooks: Settings,
                                                             receiver: Receiver) -> None:
    station = world.station()
    register(world, station, receiver)
    queue(engine, station)
    started = utcnow()
    not_before = started + timedelta(hours=3)
    answers = [Answer(429, {"Retry-After": "3600"}),
               Answer(503, {"Retry-After": format_datetime(not_before, usegmt=True)}),
               Answer(429, {"Retry-After": "1"})]
    receiver.answer = lambda _r, n: answers[n]
    deliver_due(engine, "w1", settings=hooks)
    first = one(engine).next_attempt_at
    assert 3590 <= (first - started).total_seconds() <= 3610  # seconds form, far above the 5 s backoff
    deliver_due(engine, "w1", now=first, settings=hooks)
    second = one(engine).next_attempt_at
    assert abs((second - not_before).total_seconds()) <= 2  # HTTP-date form: an absolute time
    deliver_due(engine, "w1", now=second, settings=hooks)
    third = one(engine).next_attempt_at
    assert 0.8 * 1800 - 1 <= (third - second).total_seconds() <= 1.2 * 1800 + 3  # shorter: backoff wins


def test_410_disables_the_endpoint_and_the_rest_of_its_queue_goes_dead(
        world: World, engine: Engine, hooks: Settings, receiver: Receiver) -> None:
    station = world.station()
    endpoint = register(world, station, receiver)
    first, second = queue(engine, station, 2)
    receiver.answer = lambda _r, _n: Answer(410)
    assert deliver_due(engine, "w1", batch=1, settings=hooks) == 1
    shown = world.client.get(f"{API}/{endpoint['id']}", headers=station.headers).json()
    assert shown["disabled_at"] is not None and "410" in shown["disabled_reason"]
    assert messages(engine)[first].status == "dead"
    assert deliver_due(engine, "w1", settings=hooks) == 1
    skipped = messages(engine)[second]
    assert (skipped.status, skipped.last_error) == ("dead", "endpoint disabled")
    assert len(receiver.snapshot()) == 1  # nothing is sent to a disabled endpoint
    assert queue(engine, station) == []  # nor queued for it

    receiver.answer = lambda _r, _n: Answer(204)
    world.client.patch(f"{API}/{endpoint['id']}", json={"enabled": True}, headers=station.headers)
    redeliver = world.client.post(f"{API}/{endpoint['id']}/messages/{second}/redeliver",
                                  headers=station.headers)
    assert redeliver.status_code == 202
    deliver_due(engine, "w1", settings=hooks)
    assert messages(engine)[second].status == "delivered"


def test_redelivery_to_a_disabled_endpoint_is_refused(world: World, engine: Engine, hooks: Settings,
                                                      receiver: Receiver) -> None:
    station = world.station()
    endpoint = register(world, station, receiver)
    [msg_id] = queue(engine, station)
    deliver_due(engine, "w1", settings=hooks)
    world.client.patch(f"{API}/{endpoint['id']}", json={"enabled": False}, headers=station.headers)
    refused = world.client.post(f"{API}/{endpoint['id']}/messages/{msg_id}/redeliver",
                                headers=station.headers)
    assert refused.status_code == 409 and refused.json()["errors"][0]["rule"] == "endpoint_disabled"


def test_during_rotation_both_secrets_sign_and_afterwards_only_the_new(
        world: World, engine: Engine, hooks: Settings, receiver: Receiver) -> None:
    station = world.station()
    endpoint = register(world, station, receiver)
    rotated = world.client.post(f"{API}/{endpoint['id']}/rotate-secret", headers=station.headers).json()
    receiver.secrets.append(rotated["secret"])  # secrets: [old, new]
    queue(engine, station)
    deliver_due(engine, "w1", settings=hooks)
    [request] = receiver.wait_for(1)
    assert request.verified_with == (0, 1)
    new_sig, old_sig = request.headers["webhook-signature"].split(" ")
    body = request.body.decode()
    stamp = int(request.headers["webhook-timestamp"])
    assert new_sig == sign(rotated["secret"], request.webhook_id, stamp, body)
    assert old_sig == sign(endpoint["secret"], request.webhook_id, stamp, body)

    later = utcnow() + timedelta(hours=hooks.webhook_secret_overlap_hours, minutes=1)
    queue(engine, station)
    deliver_due(engine, "w1", now=later, settings=hooks)
    assert receiver.wait_for(2)[1].verified_with == (1,)


def test_payloads_carry_ids_and_scores_never_personal_numbers(world: World, engine: Engine, hooks: Settings,
                                                              receiver: Receiver) -> None:
    station = world.station()
    register(world, station, receiver)
    assert station.id is not None
    with Session(engine) as session:
        for bad in ({"seeker_id": 5, "id_number": resident_id()}, {"seekers": [{"phone": mobile()}]},
                    {"note": f"联系 {mobile()}"}):
            with pytest.raises(webhooks.UnsafePayload):
                webhooks.enqueue(session, "station", station.id, EVENT, bad)
        session.rollback()
    seeker = world.seeker(station)
    with Session(engine) as session:
        digest = {"seekers": [{"seeker_id": seeker, "score": 88.0, "rank": 1, "reasons": ["技能匹配"]}]}
        webhooks.enqueue(session, "station", station.id, EVENT, digest)
        session.commit()
    deliver_due(engine, "w1", settings=hooks)
    [request] = receiver.wait_for(1)
    assert not re.search(rb"\d{11}", request.body)
    assert request.json()["data"]["seekers"][0]["seeker_id"] == seeker


def test_enqueue_fans_out_to_subscribed_enabled_endpoints_and_only_flushes(world: World, engine: Engine,
                                                                         hooks: Settings) -> None:
    station, other = world.station(), world.station()
    with Receiver() as a, Receiver() as b, Receiver() as c, Receiver() as d:
        subscribed = register(world, station, a)
        register(world, station, b, events=["match.seeker_jobs"])
        disabled = register(world, station, c)
        register(world, other, d)
    world.client.patch(f"{API}/{disabled['id']}", json={"enabled": False}, headers=station.headers)
    assert station.id is not None
    with Session(engine) as session:
        queued = webhooks.enqueue(session, "station", station.id, EVENT, {"digest": [1, 2]})
        assert [m.endpoint_id for m in queued] == [subscribed["id"]]
        assert queued[0].message_id.startswith("msg_") and len(queued[0].message_id) == 30
        session.rollback()
    assert messages(engine) == {}


def test_the_worker_refuses_a_private_address_at_delivery_time(world: World, engine: Engine, hooks: Settings,
                                                             receiver: Receiver) -> None:
    station = world.station()
    endpoint = register(world, station, receiver)  # registered while private addresses were allowed
    [msg_id] = queue(engine, station)
    strict = hooks.model_copy(update={"allow_private_webhooks": False})
    deliver_due(engine, "w1", settings=strict)
    time.sleep(0.1)
    assert receiver.snapshot() == []
    message = one(engine)
    assert message.status == "pending" and message.attempts == 1
    [attempt] = world.client.get(f"{API}/{endpoint['id']}/messages/{msg_id}/attempts",
                                 headers=station.headers).json()
    assert attempt["status_code"] is None
    assert "destination refused" in attempt["error"] and "loopback" in attempt["error"]
    assert "whsec_" not in attempt["error"]


def test_a_worker_that_lost_its_lease_cannot_overwrite_the_result(
        world: World, engine: Engine, hooks: Settings, receiver: Receiver) -> None:
    station = world.station()
    register(world, station, receiver)
    queue(engine, station)
    now = utcnow()
    [pk] = claim(engine, "stalled", 10, now, hooks.webhook_lease_seconds)
    assert deliver_due(engine, "taker", now=now, settings=hooks) == 0  # the lease is still held
    later = now + timedelta(seconds=hooks.webhook_lease_seconds + 1)
    assert deliver_due(engine, "taker", now=later, settings=hooks) == 1
    assert one(engine).status == "delivered"
    with Session(engine) as session:
        message = session.get(WebhookMessage, pk)
        assert message is not None
        job = Job(pk, message.message_id, message.endpoint_id, "http://x", "{}", 0, ("whsec_AAAA",))
    accepted = record(engine, "stalled", [Result(job, later, 500, 10.0, "HTTP 500")], later,
                      hooks.webhook_retry_schedule)
    assert accepted == 0
    message = one(engine)
    assert message.status == "delivered" and message.attempts == 1
    with Session(engine) as session:
        workers = session.exec(select(WebhookAttempt.worker)).all()
    assert sorted(w or "" for w in workers) == ["stalled", "taker"]  # the stale attempt is still logged


def test_a_heartbeat_keeps_a_slow_send_from_being_taken_over(world: World, engine: Engine, hooks: Settings,
                                                            receiver: Receiver) -> None:
    station = world.station()
    register(world, station, receiver)
    queue(engine, station)
    short = hooks.model_copy(update={"webhook_lease_seconds": 1.0})
    receiver.answer = lambda _r, _n: Answer(204, sleep=2.6)
    stop = threading.Event()

    def worker() -> None:  # polls like `jobmatch worker`: rounds record and renew what is in flight
        while not stop.is_set() and one(engine).status == "pending":
            deliver_due(engine, "slow", settings=short)
            stop.wait(0.1)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        for _ in range(4):  # well past the lease the message was first claimed with
            time.sleep(0.5)
            assert claim(engine, "eager", 10, utcnow(), 1.0) == []
        thread.join(timeout=10)  # it stops by itself once the delivery is recorded
    finally:
        stop.set()
        thread.join(timeout=10)
    assert one(engine).status == "delivered"
    assert len(receiver.snapshot()) == 1


def test_a_slow_receiver_does_not_hold_back_other_endpoints(world: World, engine: Engine, hooks: Settings,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "ROUND_BUDGET_SECONDS", 0.3)
    slow_owner, fast_owner = world.station(), world.station()
    with Receiver() as slow, Receiver() as fast:
        register(world, slow_owner, slow)
        register(world, fast_owner, fast)
        slow.answer = lambda _r, _n: Answer(204, sleep=3.0)
        [slow_id] = queue(engine, slow_owner)
        assert deliver_due(engine, "w1", settings=hooks) == 0  # the round returns; the send goes on
        queue(engine, fast_owner, 5)
        assert deliver_due(engine, "w1", settings=hooks) == 5
        assert len(fast.snapshot()) == 5 and slow.snapshot() == []  # delivered while the slow one waits
        assert messages(engine)[slow_id].status == "pending"
        deadline = time.monotonic() + 10
        while messages(engine)[slow_id].status == "pending" and time.monotonic() < deadline:
            deliver_due(engine, "w1", settings=hooks)  # a later round records the slow send
            time.sleep(0.05)
    assert messages(engine)[slow_id].status == "delivered"
    assert len(slow.snapshot()) == 1


def test_two_workers_on_postgresql_never_send_the_same_message_at_once(world: World, engine: Engine,
                                                                       hooks: Settings, receiver: Receiver,
                                                                       backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite runs a single delivery worker: concurrent claiming is a PostgreSQL feature")
    station, other = world.station(), world.station()
    register(world, station, receiver)
    register(world, other, receiver)
    ids = queue(engine, station, 150) + queue(engine, other, 150)
    receiver.answer = lambda _r, _n: Answer(204, sleep=0.003)
    counts: dict[str, int] = {}

    def work(worker_id: str) -> None:
        total = 0
        while True:
            handled = deliver_due(engine, worker_id, batch=10, settings=hooks)
            if handled == 0:
                break
            total += handled
        counts[worker_id] = total

    threads = [threading.Thread(target=work, args=(f"pg-{n}",)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    got = receiver.snapshot()
    assert receiver.overlaps == []
    assert sorted(r.webhook_id for r in got) == sorted(ids)  # each exactly once
    assert all(count > 0 for count in counts.values()) and sum(counts.values()) == 300
    with Session(engine) as session:
        per_message = session.exec(
            select(WebhookAttempt.message_pk, func.count()).group_by(WebhookAttempt.message_pk)  # type: ignore[call-overload]
        ).all()
    assert len(per_message) == 300 and {n for _, n in per_message} == {1}
