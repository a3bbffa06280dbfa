"""Idempotency-Key on every POST (IETF httpapi idempotency-key draft), as a pure ASGI middleware.

A client on a weak link sends `Idempotency-Key: <unique string>` with a POST and may retry it as often as
it likes:

* the first attempt claims the key in its own committed transaction (state `in_progress`; the unique
  constraint on (caller, key) lets only one of two simultaneous first attempts through), runs, and then
  records the response (status, headers, body; encrypted with the vault) in another transaction;
* a retry with the same key and the same request gets the recorded response again, with
  `Idempotent-Replayed: true`; one with a different method, path, query or body is 422
  `idempotency_key_reused`; one while the first is still running is 409 `idempotency_in_progress`;
* a 5xx (or a crash) deletes the claim so the retry runs again; a 4xx is recorded like a success: the
  same request would fail the same way;
* keys belong to the caller (the SHA-256 of its bearer token) and expire 24 h after the first attempt
  (`JOBMATCH_IDEMPOTENCY_TTL_HOURS`). A claim left by a process that died is taken over after
  `JOBMATCH_IDEMPOTENCY_LOCK_SECONDS`. Requests without a bearer token, and 401 answers, are not recorded.

The body is spooled (memory, then disk) and fingerprinted before the app sees it: JSON by its canonical
form, multipart forms by their parts rather than their random boundary, anything else by its bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

import anyio
from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.clock import utcnow
from app.errors import PROBLEM_TYPE_BASE
from app.models.idempotency import IdempotencyRecord
from app.multipart import SPOOL_MEMORY, BadUpload, MultipartParser, boundary_of
from app.pii import Vault
from app.settings import Settings

REPLAYED_HEADER = "idempotent-replayed"
_TABLE = IdempotencyRecord.__table__  # type: ignore[attr-defined]
_SKIPPED_HEADERS = {b"content-length", b"date", b"server", REPLAYED_HEADER.encode()}
_CHUNK = 64 * 1024
_INVALID_KEY = ("Idempotency-Key 应为1至255个可见ASCII字符",
                "Idempotency-Key must be 1 to 255 visible ASCII characters")
_TOO_LARGE = ("请求内容超过上限", "The body exceeds the limit")
_IN_PROGRESS = ("相同 Idempotency-Key 的请求仍在处理中，请稍后重试",
                "A request with this Idempotency-Key is still being processed")


@dataclass
class Claim:
    outcome: str  # claimed, replay, mismatch, in_progress, not_kept
    owner: str | None = None
    record_id: int | None = None
    status: int | None = None
    headers: list[tuple[bytes, bytes]] | None = None
    body: bytes = b""


class KeyStore:
    """The table, in short transactions of its own, never the request's."""

    def __init__(self, engine: Engine, vault: Vault, settings: Settings) -> None:
        self.engine, self.vault = engine, vault
        self.ttl = timedelta(hours=settings.idempotency_ttl_hours)
        self.lock = timedelta(seconds=settings.idempotency_lock_seconds)

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim:
        for _ in range(5):
            now, owner = utcnow(), secrets.token_hex(16)
            try:
                with self.engine.begin() as conn:
                    row_id = conn.execute(insert(_TABLE).values(
                        scope=scope, key=key, fingerprint=fingerprint, state="in_progress", owner=owner,
                        locked_until=now + self.lock, created_at=now, response_kept=True,
                    ).returning(_TABLE.c.id)).scalar_one()
                return Claim("claimed", owner=owner, record_id=row_id)
            except IntegrityError:
                pass
            with self.engine.begin() as conn:
                row = conn.execute(select(_TABLE).where(_TABLE.c.scope == scope, _TABLE.c.key == key)).first()
                if row is None:
                    continue  # expired and deleted meanwhile: claim it afresh
                if row.created_at < now - self.ttl:
                    conn.execute(delete(_TABLE).where(_TABLE.c.id == row.id, _TABLE.c.owner == row.owner))
                    continue
                if row.fingerprint != fingerprint:
                    return Claim("mismatch")
                if row.state == "done":
                    return self._replay(row)
                if row.locked_until >= now:
                    return Claim("in_progress")
                taken = conn.execute(
                    update(_TABLE)
                    .where(_TABLE.c.id == row.id, _TABLE.c.owner == row.owner, _TABLE.c.state == "in_progress")
                    .values(owner=owner, locked_until=now + self.lock)
                )
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    return Claim("claimed", owner=owner, record_id=row.id)
        return Claim("in_progress")

    def _replay(self, row: Any) -> Claim:
        if not row.response_kept or row.response_enc is None:
            return Claim("not_kept", status=row.status_code)
        stored = json.loads(self.vault.decrypt(row.response_enc))
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored["headers"]]
        return Claim("replay", status=row.status_code, headers=headers, body=base64.b64decode(stored["body"]))

    def complete(self, claim: Claim, status: int, headers: list[tuple[bytes, bytes]], body: bytes | None) -> None:
        values: dict[str, Any] = {"state": "done", "status_code": status, "completed_at": utcnow(),
                                  "response_kept": body is not None}
        if body is not None:
            kept = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers if k.lower() not in _SKIPPED_HEADERS]
            values["response_enc"] = self.vault.encrypt(
                json.dumps({"headers": kept, "body": base64.b64encode(body).decode()})
            )
        with self.engine.begin() as conn:
            conn.execute(update(_TABLE).where(_TABLE.c.id == claim.record_id, _TABLE.c.owner == claim.owner)
                         .values(**values))

    def release(self, claim: Claim) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(_TABLE).where(_TABLE.c.id == claim.record_id, _TABLE.c.owner == claim.owner))

    def purge_expired(self) -> int:
        with self.engine.begin() as conn:
            result = conn.execute(delete(_TABLE).where(_TABLE.c.created_at < utcnow() - self.ttl))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def parse_key(value: str) -> str | None:
    """A Structured Field string (`"abc"`) or, leniently, a bare token: 1 to 255 visible ASCII characters."""
    key = value.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not 1 <= len(key) <= 255 or not all(33 <= ord(c) <= 126 for c in key):
        return None
    return key


def caller_scope(headers: Headers) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return hashlib.sha256(token.strip().encode()).hexdigest()


def body_digest(spool: IO[bytes], content_type: str) -> str:
    """A digest of what the body says: stable across multipart boundaries and JSON formatting."""
    spool.seek(0)
    digest = hashlib.sha256()
    try:
        boundary = boundary_of(content_type)
    except BadUpload:
        boundary = None
    if boundary is not None:
        def on_part(headers: dict[str, str]) -> None:
            digest.update(b"\0part\0" + headers.get("content-disposition", "").encode())

        parser = MultipartParser(boundary, on_part, digest.update, lambda: digest.update(b"\0end\0"))
        try:
            while chunk := spool.read(_CHUNK):
                parser.feed(chunk)
            parser.finish()
            return "multipart:" + digest.hexdigest()
        except BadUpload:
            spool.seek(0)
            digest = hashlib.sha256()
    if content_type.split(";")[0].strip().lower() == "application/json":
        raw = spool.read(SPOOL_MEMORY + 1)
        if len(raw) <= SPOOL_MEMORY:
            try:
                canonical = json.dumps(json.loads(raw), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                return "json:" + hashlib.sha256(canonical.encode()).hexdigest()
            except ValueError:
                pass
        spool.seek(0)
    while chunk := spool.read(_CHUNK):
        digest.update(chunk)
    return "bytes:" + digest.hexdigest()


def _problem(status: int, code: str, zh: str, en: str, path: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    titles = {400: ("请求有误", "Bad request"), 409: ("与现有数据冲突", "Conflicts with existing data"),
              413: ("文件过大", "Payload too large"), 422: ("输入不符合规则", "The input breaks a rule")}
    title_zh, title_en = titles[status]
    body = json.dumps({"type": PROBLEM_TYPE_BASE + code, "title": title_en, "title_zh": title_zh,
                       "status": status, "code": code, "detail": en, "detail_zh": zh, "instance": path},
                      ensure_ascii=False).encode()
    return status, [(b"content-type", b"application/problem+json")], body


async def _send_whole(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [h for h in headers if h[0].lower() != b"content-length"]
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._last_purge = float("-inf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        raw_key = headers.get("idempotency-key")
        caller = caller_scope(headers)
        if raw_key is None or caller is None:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        key = parse_key(raw_key)
        if key is None:
            await _send_whole(send, *_problem(400, "idempotency_key_invalid", *_INVALID_KEY, path))
            return
        state = scope["app"].state
        settings: Settings = state.settings
        limit = settings.import_max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _send_whole(send, *_problem(413, "payload_too_large", *_TOO_LARGE, path))
            return
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY) as spool:
            outcome = await _spool(receive, spool, limit)
            if outcome == "too_large":
                await _send_whole(send, *_problem(413, "payload_too_large", *_TOO_LARGE, path))
            if outcome != "complete":
                return  # too large, or the client went away before it finished sending
            digest = await anyio.to_thread.run_sync(body_digest, spool, headers.get("content-type", ""))
            query = scope.get("query_string", b"").decode("latin-1")
            fingerprint = hashlib.sha256(f"POST\n{path}?{query}\n{digest}".encode()).hexdigest()
            store = KeyStore(state.engine, state.vault, settings)
            await self._maybe_purge(store)
            claim = await anyio.to_thread.run_sync(store.claim, caller, key, fingerprint)
            if claim.outcome != "claimed":
                await _send_whole(send, *self._refusal(claim, path))
                return
            # The answer must pass through as bytes to be kept: no sending files by path.
            extensions = {k: v for k, v in scope.get("extensions", {}).items()
                          if k not in ("http.response.pathsend", "http.response.zerocopysend")}
            await self._run({**scope, "extensions": extensions}, _replaying(spool, receive), send, store, claim,
                            settings)

    def _refusal(self, claim: Claim, path: str) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if claim.outcome == "replay":
            assert claim.status is not None and claim.headers is not None
            return claim.status, [*claim.headers, (REPLAYED_HEADER.encode(), b"true")], claim.body
        if claim.outcome == "mismatch":
            return _problem(422, "idempotency_key_reused", "此 Idempotency-Key 已用于另一个请求，请为新请求换一个键",
                            "This Idempotency-Key was used with a different request", path)
        if claim.outcome == "not_kept":
            return _problem(409, "idempotency_response_not_kept",
                            f"此请求已处理（状态 {claim.status}），但响应过大未保存，请查询结果",
                            f"This request was processed (status {claim.status}); its response was too large "
                            "to keep", path)
        status, headers, body = _problem(409, "idempotency_in_progress", *_IN_PROGRESS, path)
        return status, [*headers, (b"retry-after", b"1")], body

    async def _run(self, scope: Scope, receive: Receive, send: Send, store: KeyStore, claim: Claim,
                   settings: Settings) -> None:
        cap = settings.idempotency_max_response_bytes
        status = 500
        headers: list[tuple[bytes, bytes]] = []
        body: bytearray | None = bytearray()

        async def capture(message: Message) -> None:
            nonlocal status, headers, body
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body" and body is not None:
                body += message.get("body", b"")
                if len(body) > cap:
                    body = None
            await send(message)

        try:
            await self.app(scope, receive, capture)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(store.release, claim)
            raise
        with anyio.CancelScope(shield=True):
            if status >= 500 or status == 401:
                await anyio.to_thread.run_sync(store.release, claim)
            else:
                kept = bytes(body) if body is not None else None
                await anyio.to_thread.run_sync(store.complete, claim, status, headers, kept)

    async def _maybe_purge(self, store: KeyStore) -> None:
        now = anyio.current_time()
        if now - self._last_purge > 3600:
            self._last_purge = now
            await anyio.to_thread.run_sync(store.purge_expired)


async def _spool(receive: Receive, spool: IO[bytes], limit: int) -> str:
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return "disconnected"
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return "too_large"
        spool.write(chunk)
        if not message.get("more_body", False):
            return "complete"


def _replaying(spool: IO[bytes], receive: Receive) -> Receive:
    """The app reads the spooled body as if from the client; after it, the client's own messages."""
    spool.seek(0)
    finished = False

    async def replay() -> Message:
        nonlocal finished
        if finished:
            return await receive()
        chunk = spool.read(_CHUNK)
        more = len(chunk) == _CHUNK
        if not more:
            finished = True
        return {"type": "http.request", "body": chunk, "more_body": more}

    return replay
