"""Signing, URL safety, retry schedule and payload rules, without a database."""

from __future__ import annotations

import base64
import ipaddress
import itertools
import random
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.errors import ValidationFailed
from app.notify.delivery import parse_retry_after, retry_delay
from app.notify.signing import new_secret, sign, webhook_headers
from app.notify.urls import check_webhook_url, refusal_reason
from app.notify.webhooks import UnsafePayload, check_payload, new_message_id
from app.settings import Settings
from tests.factories import mobile, resident_id

BODY = '{"type":"match.vacancy_shortlist","timestamp":"2026-11-27T08:00:00Z","data":{"vacancy_id":7}}'


def test_secret_has_the_standard_prefix_and_24_to_64_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert 24 <= len(base64.b64decode(secret.removeprefix("whsec_"))) <= 64
    assert new_secret() != secret


def test_signature_matches_the_reference_library() -> None:
    secret = new_secret()
    now = int(time.time())
    expected = Webhook(secret).sign("msg_abc", datetime.fromtimestamp(now, UTC), BODY)
    assert sign(secret, "msg_abc", now, BODY) == expected
    headers = webhook_headers([secret], "msg_abc", now, BODY)
    assert Webhook(secret).verify(BODY, headers)["data"] == {"vacancy_id": 7}
    assert headers["content-type"] == "application/json"


def test_two_secrets_give_two_signatures_each_verifiable_alone() -> None:
    new, old, stranger = new_secret(), new_secret(), new_secret()
    headers = webhook_headers([new, old], "msg_rot", int(time.time()), BODY)
    assert re.fullmatch(r"v1,\S+ v1,\S+", headers["webhook-signature"])
    Webhook(new).verify(BODY, headers)
    Webhook(old).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(stranger).verify(BODY, headers)


def test_message_ids_are_unique_sortable_ulids() -> None:
    ids = [new_message_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"msg_[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)
    time.sleep(0.002)
    assert new_message_id()[:14] >= ids[0][:14]


@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
    "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.10",
    "::1", "::", "fe80::1", "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "64:ff9b::7f00:1", "2002:7f00:1::1", "2001:db8::1",
])
def test_non_public_addresses_are_refused(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", ["8.8.8.8", "223.5.5.5", "2400:3200::1", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert refusal_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/hook", "http://localhost/hook", "https://[::1]/hook", "http://[::ffff:7f00:1]/x",
    "http://169.254.169.254/latest/meta-data", "http://0x7f.1/hook", "http://2130706433/hook",
])
def test_private_urls_are_refused_with_a_stable_rule(url: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_webhook_url(url, allow_private=False)
    assert (caught.value.field, caught.value.rule) == ("url", "url_private_address")
    assert check_webhook_url(url, allow_private=True) == url


@pytest.mark.parametrize(("url", "rule"), [
    ("ftp://example.com/hook", "url_scheme"),
    ("file:///etc/passwd", "url_scheme"),
    ("http:///nohost", "url_host"),
    ("https://user:pw@8.8.8.8/hook", "url_credentials"),
    ("http://8.8.8.8:99999/hook", "url_invalid"),
])
def test_malformed_urls_are_refused_even_when_private_ones_are_allowed(url: str, rule: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_webhook_url(url, allow_private=True)
    assert caught.value.rule == rule


def test_a_public_literal_address_is_accepted() -> None:
    assert check_webhook_url(" https://8.8.8.8/hooks/jobmatch ", allow_private=False) == "https://8.8.8.8/hooks/jobmatch"


def test_default_schedule_spans_about_three_days_and_grows() -> None:
    schedule = Settings().webhook_retry_schedule
    assert schedule[:4] == [5, 300, 1800, 7200]
    assert all(a <= b for a, b in itertools.pairwise(schedule))
    assert 2.5 * 86400 <= sum(schedule) <= 3.5 * 86400


def test_retry_delay_has_bounded_jitter_and_ends() -> None:
    rng = random.Random(4)
    schedule = [5.0, 300.0, 1800.0]
    for attempt, base in enumerate(schedule, start=1):
        delays = [retry_delay(attempt, schedule, None, rng) for _ in range(200)]
        assert all(d is not None and 0.8 * base <= d <= 1.2 * base for d in delays)
        assert len({round(d or 0, 3) for d in delays}) > 100  # really jittered
    assert retry_delay(len(schedule) + 1, schedule) is None


def test_retry_after_wins_only_when_longer() -> None:
    assert retry_delay(1, [5.0], retry_after=120.0) == 120.0
    delay = retry_delay(1, [300.0], retry_after=2.0)
    assert delay is not None and delay >= 240
    assert retry_delay(1, [5.0], retry_after=10 * 86400.0) == 86400.0  # a receiver cannot park it for ever


def test_retry_after_as_seconds_or_http_date() -> None:
    now = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(format_datetime(now + timedelta(hours=2), usegmt=True), now) == 7200.0
    assert parse_retry_after(format_datetime(now - timedelta(hours=2), usegmt=True), now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


@pytest.mark.parametrize("payload", [
    {"id_number": "x"},
    {"seekers": [{"seeker_id": 1, "phone": "x"}]},
    {"nested": {"Mobile": "x"}},
    {"note": f"ID {resident_id()}"},
    {"items": [{"contact": mobile()}]},
])
def test_payloads_with_personal_numbers_are_refused(payload: dict[str, object]) -> None:
    with pytest.raises(UnsafePayload) as caught:
        check_payload(payload)
    assert not re.search(r"\d{11}", str(caught.value))  # the number itself is not quoted


def test_ids_and_scores_pass() -> None:
    check_payload({"vacancy_id": 12, "matches": [{"seeker_id": 13912345678 // 10**6, "score": 91.5,
                                                   "reasons": ["技能匹配：电焊工"]}],
                   "at": "2026-11-27T08:00:00Z"})
