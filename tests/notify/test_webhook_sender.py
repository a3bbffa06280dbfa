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


def serve_until_hung_up(closed: threading.Event) -> Callable[[socket.socket], None]:
    """Answers every request on a kept-alive connection; ``closed`` is set once the client hangs up."""

    def handle(conn: socket.socket) -> None:
        while read_request(conn):
            conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")
        closed.set()

    return handle


def all_set(events: list[threading.Event], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    return all(event.wait(max(0.0, deadline - time.monotonic())) for event in events)


def test_idle_connections_to_receivers_not_posted_to_again_are_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    # Short keep-alive and sweep interval so the test need not wait 5 s; the logic is the same.
    monkeypatch.setattr(sender, "KEEPALIVE_SECONDS", 0.3)
    monkeypatch.setattr(sender, "SWEEP_SECONDS", 0.1)
    closed = [threading.Event() for _ in range(6)]
    servers = [RawServer(serve_until_hung_up(event)) for event in closed]
    connections = Connections(allow_private=True)
    try:
        for n, server in enumerate(servers):
            assert connections.post(server.url, BODY.encode(), headers(new_secret(), n), 5.0).status == 204
        time.sleep(0.5)  # every one of them is now past the keep-alive
        assert connections.post(servers[0].url, BODY.encode(), headers(new_secret(), 9), 5.0).status == 204
        # Before the fix only the origin posted to dropped its expired connection; the other five stayed
        # open (in CLOSE_WAIT once the receiver hangs up) until the process ran out of files.
        assert all_set(closed[1:]), "the receivers not posted to again still hold an open connection"
        assert connections.idle_count == 1  # only the fresh connection to servers[0]
        assert servers[0].connections == 2
    finally:
        connections.close()
        for server in servers:
            server.close()


def test_a_sweep_closes_expired_connections_without_any_post(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker sweeps every round, so an idle worker lets go of them too."""
    monkeypatch.setattr(sender, "KEEPALIVE_SECONDS", 0.3)
    monkeypatch.setattr(sender, "SWEEP_SECONDS", 0.1)
    closed = [threading.Event() for _ in range(3)]
    servers = [RawServer(serve_until_hung_up(event)) for event in closed]
    connections = Connections(allow_private=True)
    try:
        for n, server in enumerate(servers):
            connections.post(server.url, BODY.encode(), headers(new_secret(), n), 5.0)
        connections.sweep()  # too early: nothing has expired
        assert connections.idle_count == 3 and not any(event.is_set() for event in closed)
        time.sleep(0.5)
        connections.sweep()
        assert all_set(closed) and connections.idle_count == 0
    finally:
        connections.close()
        for server in servers:
            server.close()


def test_idle_connections_are_capped_across_receivers_least_recently_used_first() -> None:
    closed = [threading.Event() for _ in range(8)]
    servers = [RawServer(serve_until_hung_up(event)) for event in closed]
    connections = Connections(allow_private=True, max_idle=3)
    try:
        for n, server in enumerate(servers):
            connections.post(server.url, BODY.encode(), headers(new_secret(), n), 5.0)
        assert connections.idle_count == 3
        assert all_set(closed[:5])  # the five used longest ago were closed
        for n, server in enumerate(servers[5:]):  # the three most recent are still there to reuse
            connections.post(server.url, BODY.encode(), headers(new_secret(), 10 + n), 5.0)
        assert [server.connections for server in servers[5:]] == [1, 1, 1]
        assert not any(event.is_set() for event in closed[5:])
    finally:
        connections.close()
        for server in servers:
            server.close()


@pytest.mark.parametrize("where", ["status line", "body"])
def test_a_receiver_dripping_its_answer_is_cut_off_at_the_send_deadline(where: str) -> None:
    """A byte every 0.1 s keeps each read inside a 0.5 s socket timeout: before the fix the send took the
    receiver's 5 s and succeeded; now the 0.5 s is the budget of the whole send."""
    stop = threading.Event()
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n"

    def drip(conn: socket.socket) -> None:
        if not read_request(conn):
            return
        slow = head if where == "status line" else b"x" * 50
        if where == "body":
            conn.sendall(head)
        for byte in slow:
            if stop.wait(5.0 / len(slow)):
                return
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                return  # we hung up: good
        if where == "status line":
            conn.sendall(b"x" * 50)

    server = RawServer(drip)
    connections = Connections(allow_private=True)
    started = time.monotonic()
    try:
        with pytest.raises(TimeoutError):
            connections.post(server.url, BODY.encode(), headers(new_secret(), 1), 0.5)
        assert time.monotonic() - started < 4.0  # generous: the drip alone lasts 5 s
    finally:
        stop.set()
        connections.close()
        server.close()
    assert connections.idle_count == 0


def test_a_kept_alive_connection_is_reused_under_the_new_sends_own_deadline(receiver: Receiver) -> None:
    connections = Connections(allow_private=True)
    try:
        assert connections.post(receiver.url, BODY.encode(), headers(receiver.secrets[0], 1), 0.3).status == 204
        time.sleep(0.4)  # the first send's deadline has passed, the keep-alive has not
        assert connections.post(receiver.url, BODY.encode(), headers(receiver.secrets[0], 2), 5.0).status == 204
    finally:
        connections.close()
    assert len({r.peer for r in receiver.wait_for(2)}) == 1
