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
from urllib.parse import urlsplit

import httpx

from app.notify.urls import connect_checked

# Only a little of a receiver's answer is read: nobody needs it, and a huge one must not stall a sender.
MAX_RESPONSE_BYTES = 64 * 1024
# Shorter than the usual server keep-alive (5 s in uvicorn and nginx's keepalive_timeout default is 75 s),
# so a connection is rarely reused just as the receiver closes it.
KEEPALIVE_SECONDS = 4.0
MAX_IDLE_PER_ORIGIN = 32
USER_AGENT = "jobmatch-webhooks/1"

Origin = tuple[str, str, int]
# Failures of a kept-alive connection that the receiver closed before it read our request.
_STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    retry_after: str | None


class _Plain(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, timeout: float, allow_private: bool) -> None:
        super().__init__(host, port, timeout=timeout)
        self.allow_private = allow_private

    def connect(self) -> None:
        self.sock = connect_checked(self.host, self.port, self.timeout, allow_private=self.allow_private)


class _Tls(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, timeout: float, allow_private: bool,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.allow_private = allow_private
        self.tls = context

    def connect(self) -> None:
        sock = connect_checked(self.host, self.port, self.timeout, allow_private=self.allow_private)
        # The certificate is verified against the URL's host name, not the address connected to.
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


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
    """Kept-alive connections per origin; each is used by one send at a time. Safe across threads."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private
        self._idle: dict[Origin, list[tuple[float, http.client.HTTPConnection]]] = {}
        self._lock = threading.Lock()
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            # httpx's context: certifi's roots, as before, whatever the host's own store holds.
            self._tls = httpx.create_ssl_context(trust_env=False)
        return self._tls

    def _new(self, origin: Origin, timeout: float) -> http.client.HTTPConnection:
        scheme, host, port = origin
        if scheme == "https":
            return _Tls(host, port, timeout, self.allow_private, self._context())
        return _Plain(host, port, timeout, self.allow_private)

    def _take(self, origin: Origin, timeout: float) -> http.client.HTTPConnection | None:
        now = time.monotonic()
        while True:
            with self._lock:
                idle = self._idle.get(origin)
                if not idle:
                    return None
                since, conn = idle.pop()
            if conn.sock is not None and now - since < KEEPALIVE_SECONDS and not _closed_by_peer(conn.sock):
                conn.sock.settimeout(timeout)
                return conn
            conn.close()

    def _give_back(self, origin: Origin, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(origin, [])
            if not self._closed and len(idle) < MAX_IDLE_PER_ORIGIN:
                idle.append((time.monotonic(), conn))
                return
        conn.close()

    def post(self, url: str, body: bytes, headers: Mapping[str, str], timeout: float) -> Answer:
        """One POST; raises what the connection raised. A kept-alive connection that the receiver closed
        while it sat idle is replaced once (a repeat, if it did arrive, carries the same ``webhook-id``)."""
        origin, target = _split(url)
        conn = self._take(origin, timeout)
        reused = conn is not None
        while True:
            if conn is None:
                conn = self._new(origin, timeout)
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
