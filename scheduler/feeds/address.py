"""Where a feed may be fetched from: the public internet, and the internal addresses
and host names the configuration lists (``monitor.allow_private``), nothing else.

Two checks. ``url_problem`` looks at an address as written, when a feed is added or
configured: no credentials in it, no numeric host spellings (``2130706433``,
``0x7f.1``, ``0177.0.0.1``) that resolvers read as an address, no internal name or
address literal. ``GuardedBackend`` checks the address actually connected to: it
resolves the host itself, refuses every address that is not public (private,
loopback, link-local, multicast, reserved, unspecified, shared) unless allowed, and
connects to the address it checked — so a name that resolves to a public address
when the feed is added and to an internal one when it is polled (DNS rebinding), or
a redirect to an internal host, is refused on every hop.

Nothing here reads the network except the resolver, and nothing touches a database.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from scheduler.feeds import FeedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names that only ever mean something inside a network (RFC 6761, 6762, 8375, and
# cloud metadata services such as metadata.google.internal).
INTERNAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".lan")
INTERNAL_NAMES = ("localhost", "localhost.localdomain")
ALLOW_KEY = "monitor.allow_private"
# A host made only of numbers (decimal, octal with a leading 0, hex with 0x) and
# dots is read as an address by resolvers, in forms a person would not recognise.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_DOTTED_QUAD = re.compile(rf"^{_OCTET}(\.{_OCTET}){{3}}$")


@dataclass(frozen=True)
class AddressPolicy:
    """The internal networks and host names feeds may be fetched from."""

    networks: tuple[IPNetwork, ...] = ()
    hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AddressPolicy:
        """From ``allow_private`` entries: CIDR networks or addresses (``10.1.0.0/16``,
        ``127.0.0.1``) and host names (``feeds.intranet.example``). Raises
        ``ValueError`` naming a bad entry."""
        networks: list[IPNetwork] = []
        hosts: set[str] = set()
        for raw in entries:
            entry = raw.strip().lower()
            if not entry:
                raise ValueError("an empty entry")
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if _NUMERIC_HOST.match(entry) or not re.fullmatch(r"[a-z0-9.-]+", entry):
                raise ValueError(f"{raw!r} is neither a network (10.0.0.0/8) nor a host name")
            hosts.add(entry.rstrip("."))
        return cls(tuple(networks), frozenset(hosts))

    def allows_host(self, host: str) -> bool:
        return host.lower().rstrip(".") in self.hosts

    def allows_address(self, address: IPAddress) -> bool:
        return any(address in network for network in self.networks)


def address_kind(address: IPAddress) -> str | None:
    """Why ``address`` is not on the public internet (``"loopback"``, ``"private"``…),
    or ``None`` for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address_kind(address.ipv4_mapped)
    for kind, flag in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    ):
        if flag:
            return kind
    if not address.is_global:
        return "non-public"
    return None


def _host_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def url_problem(url: str, policy: AddressPolicy) -> str | None:
    """Why ``url`` may not be a feed address, or ``None``. Looks at the address as
    written only (no DNS): the connection is checked again by ``GuardedBackend``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return "Not a valid address."
    if parts.scheme not in ("http", "https") or not host:
        return "Give an http:// or https:// address."
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return (
            "Credentials in a feed address are refused (they would be stored and shown); "
            "name an environment variable with token_env in the feed's configuration."
        )
    if policy.allows_host(host):
        return None
    literal = _host_literal(host)
    if literal is None and _NUMERIC_HOST.match(host) and not _DOTTED_QUAD.match(host):
        return "Write a numeric host as a plain dotted address (like 203.0.113.7)."
    if literal is not None:
        kind = address_kind(literal)
        if kind is not None and not policy.allows_address(literal):
            return _refusal(host, kind)
        return None
    name = host.lower().rstrip(".")
    if name in INTERNAL_NAMES or name.endswith(INTERNAL_SUFFIXES) or "." not in name:
        return (
            f"{host} is an internal host name, not a public feed; to poll an internal "
            f"feed, list it in {ALLOW_KEY}."
        )
    return None


def _refusal(host: str, kind: str) -> str:
    return (
        f"{host} is a {kind} address, not on the public internet; to poll an internal "
        f"feed, list it in {ALLOW_KEY}."
    )


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend, resolving each host itself and connecting only to
    an address the policy allows (TLS still verifies the host name)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FeedError(f"cannot resolve the host name {host}") from exc
        found: list[IPAddress] = []
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            if address not in found:
                found.append(address)
        return found

    def allowed(self, host: str, addresses: Sequence[IPAddress]) -> list[IPAddress]:
        """The addresses of ``host`` we may connect to; raises ``FeedError`` when none."""
        if self.policy.allows_host(host):
            return list(addresses)
        usable = [a for a in addresses if address_kind(a) is None or self.policy.allows_address(a)]
        if not usable:
            kind = address_kind(addresses[0]) if addresses else "unknown"
            raise FeedError("refused: " + _refusal(host, kind or "non-public"))
        return usable

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in self.allowed(host, self.resolve(host, port)):
            try:
                return super().connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last


def guarded_transport(policy: AddressPolicy, **options: Any) -> httpx.HTTPTransport:
    """An httpx transport whose connections all go through ``GuardedBackend``. httpx
    offers no public hook for httpcore's network backend, so it is set on the
    transport's pool; tests/feeds/test_address.py proves the refusal end to end."""
    transport = httpx.HTTPTransport(**options)
    pool: Any = transport._pool
    pool._network_backend = GuardedBackend(policy)
    return transport
