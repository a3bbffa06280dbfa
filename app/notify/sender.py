"""The webhook worker's HTTP client: kept-alive connections per receiver on the standard library.

``http.client`` does a fraction of the work httpx does per request (no URL model, header validation
layers or cookie jar), and a webhook POST needs none of it. Every new connection goes through
``connect_checked``, so the SSRF rule is applied to the address actually connected to; a kept-alive
connection stays on the address that was checked when it was opened. Redirects are never followed and no
proxy is read from the environment.
"""

from __future__ import annotations

import http.client
import select
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.notify.urls import connect_checked

# Only a little of a receiver's answer is read: nobody needs it, and a huge one must not stall a sender.
MAX_RESPONSE_BYTES = 64 * 1024
# Shorter than the usual server keep-alive (5 s in uvicorn and nginx's keepalive_timeout default is 75 s),
# so a connection is rarely reused just as the receiver closes it.
KEEPALIVE_SECONDS = 4.0
MAX_IDLE_PER_ORIGIN = 32
# Idle connections across all origins, when the owner does not say: each is an open file, and a receiver
# never posted to again would otherwise keep its connection (in CLOSE_WAIT once it hangs up) for good.
MAX_IDLE_TOTAL = 16
# How often the idle connections of every origin are checked for expiry: often enough that a dead one is
# closed within about KEEPALIVE_SECONDS + this, rarely enough to cost nothing on a busy worker.
SWEEP_SECONDS = 1.0
USER_AGENT = "jobmatch-webhooks/1"

Origin = tuple[str, str, int]
# Failures of a kept-alive connection that the receiver closed before it read our request.
_STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    retry_after: str | None


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the send took longer than its timeout")
    return left


class _DeadlineSocket(socket.socket):
    """Socket I/O under one deadline for the whole send. A socket timeout bounds each operation only, so a
    receiver dripping a byte just inside it could hold a sender thread for ever; the timeout is shrunk to
    what is left of the send's budget before every read and write instead."""

    deadline: float | None = None

    def _budget(self) -> None:
        if self.deadline is not None:
            self.settimeout(_remaining(self.deadline))

    def recv(self, *args: Any) -> Any:
        self._budget()
        return super().recv(*args)

    def recv_into(self, *args: Any) -> Any:
        self._budget()
        return super().recv_into(*args)

    def send(self, *args: Any) -> Any:
        self._budget()
        return super().send(*args)

    def sendall(self, *args: Any) -> Any:
        self._budget()
        return super().sendall(*args)


class _DeadlineSSLSocket(_DeadlineSocket, ssl.SSLSocket):
    """The same over TLS (the context's ``sslsocket_class``): ``SSLSocket.sendall`` writes through
    ``send``, and reads come through ``recv_into``, so each TLS record is budgeted too."""


def _open(host: str, port: int, deadline: float, allow_private: bool) -> _DeadlineSocket:
    _remaining(deadline)  # a spent budget fails here, before any lookup
    plain = connect_checked(host, port, deadline, allow_private=allow_private)
    sock = _DeadlineSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
    sock.settimeout(_remaining(deadline))
    sock.deadline = deadline
    return sock


class _Plain(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, deadline: float, allow_private: bool) -> None:
        super().__init__(host, port)
        self.allow_private = allow_private
        self.deadline = deadline

    def connect(self) -> None:
        self.sock = _open(self.host, self.port, self.deadline, self.allow_private)


class _Tls(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, deadline: float, allow_private: bool,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, context=context)
        self.allow_private = allow_private
        self.deadline = deadline
        self.tls = context

    def connect(self) -> None:
        # The certificate is verified against the URL's host name, not the address connected to. The
        # handshake runs under the socket's timeout, already shrunk to what is left of the budget; the
        # context makes a _DeadlineSSLSocket, which carries the deadline on from there.
        sock = self.tls.wrap_socket(_open(self.host, self.port, self.deadline, self.allow_private),
                                    server_hostname=self.host)
        assert isinstance(sock, _DeadlineSSLSocket)
        sock.deadline = self.deadline
        self.sock = sock


_Conn = _Plain | _Tls


def _set_deadline(conn: _Conn, deadline: float) -> None:
    """A kept-alive connection is reused under the new send's deadline."""
    conn.deadline = deadline
    if isinstance(conn.sock, _DeadlineSocket):
        conn.sock.deadline = deadline
        conn.sock.settimeout(_remaining(deadline))


@lru_cache(maxsize=4096)
def _split(url: str) -> tuple[Origin, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or (443 if scheme == "https" else 80)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return (scheme, parts.hostname or "", port), target


def _closed_by_peer(sock: socket.socket) -> bool:
    """An idle connection with something to read has been closed (or spoken on) by the receiver."""
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _close(conn: http.client.HTTPConnection, response: http.client.HTTPResponse | None) -> None:
    # A response keeps its own handle on the socket: both must go, or the socket lingers until collected.
    if response is not None:
        response.close()
    conn.close()


class Connections:
    """Kept-alive connections per origin; each is used by one send at a time. Safe across threads.

    Idle connections are bounded in age and number across all origins, not only per origin: one idle past
    ``KEEPALIVE_SECONDS`` is closed whichever origin is posted to next (a sweep at most every
    ``SWEEP_SECONDS``, on a take, a give-back or ``sweep()``), and past ``max_idle`` the least recently
    used goes. Otherwise a receiver never posted to again keeps its socket open for good, in CLOSE_WAIT once
    it hangs up, until the process runs out of files (on SQLite that process is the API server).
    """

    def __init__(self, *, allow_private: bool, max_idle: int = MAX_IDLE_TOTAL) -> None:
        self.allow_private = allow_private
        self.max_idle = max(0, max_idle)
        # Per origin, oldest first: a give-back appends, a take pops the newest (the likeliest still open).
        self._idle: dict[Origin, list[tuple[float, _Conn]]] = {}
        self._last_sweep = time.monotonic()
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    @property
    def idle_count(self) -> int:
        """Connections sitting idle across all origins."""
        with self._lock:
            return self._idle_total_locked()

    def _idle_total_locked(self) -> int:
        # At most max_idle entries in all: cheaper to count than to keep a running total in step.
        return sum(len(idle) for idle in self._idle.values())

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            # httpx's context: certifi's roots, as before, whatever the host's own store holds.
            self._tls = httpx.create_ssl_context(trust_env=False)
            self._tls.sslsocket_class = _DeadlineSSLSocket
        return self._tls

    def _new(self, origin: Origin, deadline: float) -> _Conn:
        scheme, host, port = origin
        if scheme == "https":
            return _Tls(host, port, deadline, self.allow_private, self._context())
        return _Plain(host, port, deadline, self.allow_private)

    def _expired_locked(self, now: float) -> list[_Conn]:
        """Removes every origin's connections idle too long, at most once per SWEEP_SECONDS; the caller
        closes them outside the lock."""
        if now - self._last_sweep < SWEEP_SECONDS:
            return []
        self._last_sweep = now
        expired: list[_Conn] = []
        for origin, idle in list(self._idle.items()):
            fresh = [(since, conn) for since, conn in idle if now - since < KEEPALIVE_SECONDS]
            expired += [conn for since, conn in idle if now - since >= KEEPALIVE_SECONDS]
            if fresh:
                self._idle[origin] = fresh
            else:
                del self._idle[origin]
        return expired

    def _pop_locked(self, origin: Origin, index: int) -> tuple[float, _Conn]:
        idle = self._idle[origin]
        entry = idle.pop(index)
        if not idle:
            del self._idle[origin]
        return entry

    def _take(self, origin: Origin, deadline: float) -> _Conn | None:
        now = time.monotonic()
        while True:
            with self._lock:
                expired = self._expired_locked(now)
                entry = self._pop_locked(origin, -1) if origin in self._idle else None
            for old in expired:
                old.close()
            if entry is None:
                return None
            since, conn = entry
            if conn.sock is not None and now - since < KEEPALIVE_SECONDS and not _closed_by_peer(conn.sock):
                _set_deadline(conn, deadline)
                return conn
            conn.close()

    def _give_back(self, origin: Origin, conn: _Conn) -> None:
        now = time.monotonic()
        with self._lock:
            dropped = self._expired_locked(now)
            if self._closed or self.max_idle == 0 or len(self._idle.get(origin, ())) >= MAX_IDLE_PER_ORIGIN:
                dropped.append(conn)
            else:
                if self._idle_total_locked() >= self.max_idle:
                    # The least recently used: the first of some origin's list, each being oldest first.
                    oldest = min(self._idle, key=lambda o: self._idle[o][0][0])
                    dropped.append(self._pop_locked(oldest, 0)[1])
                self._idle.setdefault(origin, []).append((now, conn))
        for old in dropped:
            old.close()

    def sweep(self) -> None:
        """Closes the connections idle too long, of every origin (at most once per SWEEP_SECONDS). The
        worker calls it every round, so connections go even when nothing more is sent anywhere."""
        with self._lock:
            expired = self._expired_locked(time.monotonic())
        for old in expired:
            old.close()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Answer:
        """One POST within ``timeout`` seconds in all (connect, TLS, request and answer); raises what the
        connection raised, ``TimeoutError`` once the time is up. A kept-alive connection that the receiver
        closed while it sat idle is replaced once (a repeat, if it did arrive, carries the same
        ``webhook-id``)."""
        deadline = time.monotonic() + timeout
        origin, target = _split(url)
        conn = self._take(origin, deadline)
        reused = conn is not None
        while True:
            if conn is None:
                conn = self._new(origin, deadline)
            response: http.client.HTTPResponse | None = None
            try:
                conn.request("POST", target, body=body, headers={"user-agent": USER_AGENT, **headers})
                response = conn.getresponse()
                response.read(MAX_RESPONSE_BYTES)
                answer = Answer(response.status, response.getheader("retry-after"))
            except _STALE:
                _close(conn, response)
                if not reused:
                    raise
                conn, reused = None, False
                continue
            except BaseException:
                _close(conn, response)
                raise
            if response.isclosed() and not response.will_close and conn.sock is not None:
                self._give_back(origin, conn)
            else:  # an unread remainder or "Connection: close": the connection cannot carry another request
                _close(conn, response)
            return answer

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [conn for conns in self._idle.values() for _, conn in conns]
            self._idle.clear()
        for conn in idle:
            conn.close()
