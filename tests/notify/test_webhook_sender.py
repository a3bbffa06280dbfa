"""The worker's HTTP client on loopback: kept-alive connections, receivers that close them, timeouts,
oversized answers, and the SSRF check at connect time when a host name starts resolving elsewhere."""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from app.notify import sender, urls
from app.notify.sender import Connections
from app.notify.signing import new_secret, webhook_headers
from app.notify.urls import DestinationRefused
from tests.notify.test_webhook_receiver import Answer, Receiver

BODY = '{"type":"match.station_digest","data":{"seq":1}}'


def headers(secret: str, n: int) -> dict[str, str]:
    return webhook_headers([secret], f"msg_{n}", int(time.time()), BODY)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as r:
        r.secrets.append(new_secret())
        yield r


class RawServer:
    """A loopback TCP server whose every connection is handled by ``handle`` (a socket in, nothing out)."""

    def __init__(self, handle: Callable[[socket.socket], None]) -> None:
        self.handle = handle
        self.connections = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/hooks"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        with conn:
            self.handle(conn)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sock.close()


def read_request(conn: socket.socket) -> bool:
    """Reads one request with a Content-Length body; False when the client closed the connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length"))
    while len(body) < length:
        body += conn.recv(65536)
    return True


def test_sends_to_one_receiver_reuse_one_connection(receiver: Receiver) -> None:
    connections = Connections(allow_private=True)
    try:
        for n in range(20):
            answer = connections.post(receiver.url, BODY.encode(), headers(receiver.secrets[0], n), 5.0)
            assert answer.status == 204
    finally:
        connections.close()
    got = receiver.wait_for(20)
    assert len({r.peer for r in got}) == 1
    assert all(r.verified_with == (0,) for r in got)  # the reference library accepts every one
    assert {r.headers["user-agent"] for r in got} == {sender.USER_AGENT}


def test_a_connection_the_receiver_closed_is_not_reused(receiver: Receiver) -> None:
    receiver.answer = lambda _r, _n: Answer(204, {"Connection": "close"})
    connections = Connections(allow_private=True)
    try:
        for n in range(3):
            assert connections.post(receiver.url, BODY.encode(), headers(receiver.secrets[0], n), 5.0).status == 204
    finally:
        connections.close()
    assert len({r.peer for r in receiver.wait_for(3)}) == 3


def test_a_kept_alive_connection_closed_while_idle_is_replaced_once(monkeypatch: pytest.MonkeyPatch) -> None:
    def answer_once_then_hang_up(conn: socket.socket) -> None:
        if read_request(conn):
            conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    server = RawServer(answer_once_then_hang_up)
    # The idle check would notice the hang-up; without it the request meets a closed connection, as when
    # the receiver's close crosses our request on the wire.
    monkeypatch.setattr(sender, "_closed_by_peer", lambda _sock: False)
    connections = Connections(allow_private=True)
    try:
        assert connections.post(server.url, BODY.encode(), headers(new_secret(), 1), 5.0).status == 204
        time.sleep(0.1)
        assert connections.post(server.url, BODY.encode(), headers(new_secret(), 2), 5.0).status == 204
    finally:
        connections.close()
        server.close()
    assert server.connections == 2


def test_a_receiver_that_never_answers_times_out() -> None:
    stop = threading.Event()
    server = RawServer(lambda conn: stop.wait(10))
    connections = Connections(allow_private=True)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            connections.post(server.url, BODY.encode(), headers(new_secret(), 1), 0.3)
    finally:
        stop.set()
        connections.close()
        server.close()
    assert time.monotonic() - started < 3


def test_only_the_start_of_a_huge_answer_is_read_and_its_connection_dropped() -> None:
    sent: list[int] = []

    def flood(conn: socket.socket) -> None:
        while read_request(conn):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n")
            try:
                for _ in range(10_000_000 // 65536 + 1):
                    conn.sendall(b"x" * 65536)
                    sent.append(65536)
            except OSError:
                return  # we closed it: good

    server = RawServer(flood)
    connections = Connections(allow_private=True)
    try:
        for n in range(2):
            assert connections.post(server.url, BODY.encode(), headers(new_secret(), n), 5.0).status == 200
    finally:
        connections.close()
        server.close()
    assert server.connections == 2  # a half-read connection cannot carry the next request
    assert sum(sent) < 10_000_000


def test_a_host_name_that_now_resolves_to_loopback_is_refused_at_connect_time(
        receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> None:
    port = int(receiver.url.split(":")[2].split("/")[0])
    answers = {"public": [ipaddress.ip_address("8.8.8.8")], "rebound": [ipaddress.ip_address("127.0.0.1")]}
    state = {"dns": "public"}
    # No real DNS: the resolver answers what the test says, first a public address, then loopback.
    monkeypatch.setattr(urls, "resolve", lambda host, _port: answers[state["dns"]])
    url = f"http://hooks.example.test:{port}/hooks"
    assert urls.check_webhook_url(url, allow_private=False) == url  # as at registration
    state["dns"] = "rebound"
    connections = Connections(allow_private=False)
    try:
        with pytest.raises(DestinationRefused, match="loopback"):
            connections.post(url, BODY.encode(), headers(receiver.secrets[0], 1), 5.0)
    finally:
        connections.close()
    time.sleep(0.1)
    assert receiver.snapshot() == []
