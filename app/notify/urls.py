"""Webhook URLs may only point at public internet addresses (no SSRF into our own network).

A URL is checked when it is registered, and every connection the delivery worker opens is checked again
at connect time, against the addresses it actually connects to: a host name that resolved to a public
address at registration can later resolve to 127.0.0.1 (DNS rebinding). Tests and the demo deliver to
loopback receivers and set ``allow_private_webhooks``.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from app.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DestinationRefused(ConnectionError):
    """The host resolves to an address webhooks may not reach; the message names the address and why."""


class CannotResolve(ConnectionError):
    pass


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """IPv6 forms that route to an IPv4 address, which must pass the same check."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal_reason(ip: IPAddress) -> str | None:
    """Why a webhook may not be sent to ``ip``, or None when it is a public unicast address."""
    inner = _embedded_ipv4(ip)
    if inner is not None:
        reason = refusal_reason(inner)
        return f"{reason} (embedded in {ip})" if reason else None
    for flag, label in (
        (ip.is_unspecified, "unspecified"),
        (ip.is_loopback, "loopback"),
        (ip.is_link_local, "link-local"),
        (ip.is_multicast, "multicast"),
        (ip.is_reserved, "reserved"),
        (ip.is_private, "private"),
        (not ip.is_global, "non-global"),
    ):
        if flag:
            return f"{ip} is a {label} address"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: dict[str, IPAddress] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        # Scoped IPv6 addresses come back as "fe80::1%eth0".
        text = str(sockaddr[0]).split("%", 1)[0]
        seen.setdefault(text, ipaddress.ip_address(text))
    return list(seen.values())


def first_refusal(addresses: Iterable[IPAddress]) -> str | None:
    # One private address among public ones is enough to refuse: the resolver picks which one is used.
    for ip in addresses:
        reason = refusal_reason(ip)
        if reason:
            return reason
    return None


def _invalid(rule: str, zh: str, en: str) -> ValidationFailed:
    return ValidationFailed(f"url：{zh}", f"url: {en}", field="url", rule=rule)


def check_webhook_url(url: str, *, allow_private: bool) -> str:
    """The URL as stored, or a 422 problem naming the broken rule."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _invalid("url_invalid", "不是有效的网址", "not a valid URL") from exc
    if parts.scheme not in ("http", "https"):
        raise _invalid("url_scheme", "只支持 http 或 https", "only http and https URLs are accepted")
    if not parts.hostname:
        raise _invalid("url_host", "缺少主机名", "the URL has no host")
    if parts.username or parts.password:
        # Credentials in a URL end up in logs and listings; receivers verify our signature instead.
        raise _invalid("url_credentials", "网址中不能包含用户名或密码",
                       "the URL must not contain credentials")
    if allow_private:
        return url
    try:
        addresses = resolve(parts.hostname, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise _invalid("url_unresolvable", "无法解析该主机名", "the host name does not resolve") from exc
    reason = first_refusal(addresses)
    if reason:
        raise _invalid("url_private_address", "不能指向内网、本机或保留地址",
                       f"the URL must point at a public address ({reason})")
    return url


def connect_checked(host: str, port: int, deadline: float, *, allow_private: bool) -> socket.socket:
    """Resolves, checks and connects in one step, so the address checked is the address used. Each address
    tried gets only what is left until ``deadline`` (``time.monotonic()``), so a host with many unreachable
    addresses cannot stretch one send's budget."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError, ValueError) as exc:
        raise CannotResolve(f"cannot resolve {host}") from exc
    reason = None if allow_private else first_refusal(addresses)
    if reason:
        raise DestinationRefused(f"destination refused: {reason}")
    last: OSError | None = None
    for ip in addresses:
        timeout = deadline - time.monotonic()
        if timeout <= 0:
            raise TimeoutError(f"timed out connecting to {host}")
        try:
            sock = socket.create_connection((str(ip), port), timeout)
        except OSError as exc:
            last = exc
            continue
        # Headers and body go out in one write, but the receiver's ACK must not wait for Nagle either.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
    raise last or ConnectionError(f"cannot connect to {host}")
