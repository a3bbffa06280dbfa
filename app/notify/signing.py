"""Standard Webhooks v1 signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
``{webhook-id}.{webhook-timestamp}.{body}`` with the endpoint's secret, base64 in ``webhook-signature``.

Receivers verify with any Standard Webhooks library; during a secret rotation the header carries one
signature per live secret, space-separated, so receivers holding either secret accept the message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32


def new_secret() -> str:
    """A fresh endpoint secret: ``whsec_`` and the base64 of 32 random bytes (the spec asks 24 to 64)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    """One ``v1,<base64 signature>`` entry."""
    digest = hmac.new(_key(secret), f"{msg_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(live_secrets: Sequence[str], msg_id: str, timestamp: int, body: str) -> str:
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in live_secrets)


def webhook_headers(live_secrets: Sequence[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    """The headers of one attempt; the timestamp is taken fresh per attempt so replays are detectable."""
    if not live_secrets:
        raise ValueError("a webhook must be signed with at least one secret")
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(live_secrets, msg_id, timestamp, body),
        "content-type": "application/json",
    }
