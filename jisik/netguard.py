"""One outbound address policy for every server-side HTTP call made on a tenant's behalf.

URL import (docreader), image captioning, the model service's remote backends and webhooks all reach
URLs that tenants chose. Each such call goes through :class:`GuardedTransport`, which for every request
(the first one and every redirect hop) checks the URL's shape, resolves the host once, refuses it when
ANY address it resolves to is loopback, private, link-local, carrier-grade NAT, multicast, reserved,
unspecified or a cloud metadata address, and then connects to the address it checked (keeping the
original Host header and TLS server name), so DNS rebinding cannot swap in an internal address.

Hosts, addresses or CIDRs on the operator's allow-list (``JISIK_EGRESS_ALLOW_LIST``) are exempt.
Shape checks (no DNS) are available on their own for a quick first check at the gateway:
:meth:`AddressPolicy.check_url`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from jisik.errors import Blocked, InvalidInput, Unavailable

__all__ = ["AddressPolicy", "GuardedTransport", "Target", "guarded_client"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
# Names that resolve to this machine (RFC 6761) or to cloud metadata whatever DNS says.
_LOCAL_NAMES = (
    "localhost",
    "localhost.localdomain",
    "ip6-localhost",
    "ip6-loopback",
    "metadata.google.internal",
)


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL: scheme, normalised host (no brackets, no trailing dot) and port."""

    scheme: str
    host: str
    port: int
    literal: IPAddress | None


def _normalise_host(host: str) -> str:
    host = host.strip().lower().strip("[]")
    if host.endswith("."):
        host = host[:-1]
    if not host or host.endswith(".") or ".." in host:
        raise InvalidInput("the URL's host name is malformed", field="url")
    return host


def _literal(host: str) -> IPAddress | None:
    """The address ``host`` spells, or None for a name.

    :raises InvalidInput: for numeric hosts in a non-canonical form (``2130706433``, ``0x7f.1``,
        ``0177.0.0.1``, ``127.1``) that some resolvers turn into addresses.
    """
    try:
        return ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        pass
    last = host.rsplit(".", 1)[-1]
    numeric_tail = last.isdigit() or (
        last.startswith("0x") and all(c in "0123456789abcdef" for c in last[2:])
    )
    if numeric_tail:
        raise InvalidInput("numeric host addresses must be written as four decimal numbers", field="url")
    return None


def _unwrap(address: IPAddress) -> IPAddress:
    """The IPv4 address inside an IPv4-mapped, IPv4-compatible, 6to4 or NAT64 IPv6 address."""
    if isinstance(address, ipaddress.IPv4Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in ipaddress.ip_network("64:ff9b::/96") or address in ipaddress.ip_network("::/96"):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _rule(entry: str) -> tuple[str | IPNetwork, int | None]:
    """An allow-list entry: ``host``, ``IP``, ``CIDR``, ``host:port``, ``IP:port`` or ``[IPv6]:port``."""
    entry = entry.strip().lower()
    port: int | None = None
    if entry.startswith("["):
        host, _, rest = entry[1:].partition("]")
        port = int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
        entry = host
    elif entry.count(":") == 1 and entry.rsplit(":", 1)[1].isdigit():
        entry, number = entry.rsplit(":", 1)
        port = int(number)
    try:
        return ipaddress.ip_network(entry, strict=False), port
    except ValueError:
        return entry.rstrip("."), port


class AddressPolicy:
    """Decides which hosts and addresses server-side calls may reach.

    ``allow`` entries: a host name, IP or CIDR (any port), or one of those with ``:port`` (that port
    only, e.g. ``127.0.0.1:11434`` for a local Ollama and nothing else on the machine).
    """

    def __init__(self, allow: Iterable[str] = ()) -> None:
        # Each rule is (host name or network, port or None for every port).
        self._allow = [_rule(entry) for entry in allow if entry.strip()]

    def with_hosts_of(self, urls: Iterable[str]) -> AddressPolicy:
        """A copy that also allows the hosts of ``urls`` (endpoints the operator configured)."""
        policy = AddressPolicy()
        extra = [_rule(urlsplit(url).hostname or "") for url in urls if url and urlsplit(url).hostname]
        policy._allow = [*self._allow, *extra]
        return policy

    def host_allowed(self, host: str, port: int | None = None) -> bool:
        name = host.lower().rstrip(".")
        return any(rule == name and wanted in (None, port) for rule, wanted in self._allow)

    def address_allowed(self, address: IPAddress, port: int | None = None) -> bool:
        inner = _unwrap(address)
        for rule, wanted in self._allow:
            if wanted not in (None, port) or isinstance(rule, str):
                continue
            if address in rule or inner in rule:
                return True
        return inner.is_global and not inner.is_multicast and inner not in _METADATA and address not in _METADATA

    def check_url(self, url: str) -> Target:
        """Shape checks without DNS: http(s), a host, no credentials, canonical numeric hosts, and no
        local names or internal literal addresses (unless allow-listed).

        :raises InvalidInput: the URL is malformed.
        :raises Blocked: it names this machine or an internal address.
        """
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise InvalidInput("the URL is malformed", field="url") from exc
        if parts.scheme not in ("http", "https"):
            raise InvalidInput(
                f"only http and https URLs are accepted, not {parts.scheme or 'none'!r}", field="url"
            )
        if not parts.hostname:
            raise InvalidInput("the URL has no host", field="url")
        if parts.username is not None or parts.password is not None:
            raise InvalidInput("URLs with embedded credentials are not accepted", field="url")
        host = _normalise_host(parts.hostname)
        literal = _literal(host)
        target = Target(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), literal)
        if self.host_allowed(host, target.port):
            return target
        if literal is not None and not self.address_allowed(literal, target.port):
            raise Blocked(
                "the URL points to an internal address, which is not allowed "
                "(an operator can allow it with JISIK_EGRESS_ALLOW_LIST)",
                field="url",
            )
        if literal is None and (host in _LOCAL_NAMES or host.endswith(".localhost")):
            raise Blocked(
                "the URL points to this server, which is not allowed "
                "(an operator can allow it with JISIK_EGRESS_ALLOW_LIST)",
                field="url",
            )
        return target

    async def resolve(self, target: Target) -> IPAddress:
        """The address to connect to, after checking every address the host resolves to.

        :raises Unavailable: the host cannot be resolved.
        :raises Blocked: an address is internal and neither host nor address is allow-listed.
        """
        if target.literal is not None:
            addresses = [target.literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(
                    target.host, target.port, type=socket.SOCK_STREAM
                )
            except (socket.gaierror, UnicodeError) as exc:
                raise Unavailable(f"cannot resolve host {target.host!r}", field="url") from exc
            addresses = list(
                dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
            )
        if not addresses:
            raise Unavailable(f"host {target.host!r} has no addresses")
        allowed = self.host_allowed(target.host, target.port) or all(
            self.address_allowed(address, target.port) for address in addresses
        )
        if not allowed:
            raise Blocked(f"refused to contact {target.host!r}: it is not a public address", field="url")
        return addresses[0]

    async def check(self, url: str) -> IPAddress:
        """:meth:`check_url` then :meth:`resolve`: the address ``url`` may be fetched from."""
        return await self.resolve(self.check_url(url))


class GuardedTransport(httpx.AsyncBaseTransport):
    """An httpx transport that applies an :class:`AddressPolicy` to every request it sends and pins
    the connection to the address it checked."""

    def __init__(self, policy: AddressPolicy, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self.policy = policy
        self._inner = inner or httpx.AsyncHTTPTransport(trust_env=False)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self.policy.check_url(str(request.url))
        address = await self.policy.resolve(target)
        netloc = f"[{address}]" if address.version == 6 else str(address)
        pinned = request.url.copy_with(host=netloc.strip("[]"), port=target.port)
        extensions: dict[str, Any] = dict(request.extensions)
        if target.scheme == "https":
            extensions["sni_hostname"] = target.host
        forwarded = httpx.Request(
            request.method, pinned, headers=request.headers, stream=request.stream, extensions=extensions
        )
        return await self._inner.handle_async_request(forwarded)

    async def aclose(self) -> None:
        await self._inner.aclose()


def guarded_client(
    policy: AddressPolicy, *, inner: httpx.AsyncBaseTransport | None = None, **options: Any
) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose every request (redirects included) passes ``policy``.

    Proxies from the environment are ignored: they would bypass the address check.
    """
    return httpx.AsyncClient(transport=GuardedTransport(policy, inner), trust_env=False, **options)
