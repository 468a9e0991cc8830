"""SSRF-guarded URL fetching.

Every hop (the first URL and each redirect) is resolved through DNS, and every address it resolves to
must be public: loopback, private, link-local, carrier-grade NAT, multicast, reserved and cloud
metadata addresses are refused unless the host or address is on the allow-list. The connection then
goes to the address that was checked (the name is not resolved a second time), with the original
Host header and TLS server name, so DNS rebinding cannot swap in an internal address.

A page that cannot be fetched (unknown host, refused or timed-out connection, a server error) is the
document's failure (ParseFailed naming the cause), never an outage of jisik's own services: ingest
fails such a document at once instead of holding a slot for its outage budget.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from jisik.errors import Blocked, InvalidInput, ParseFailed, TooLarge

__all__ = ["FetchedPage", "UrlFetcher", "UrlPolicy"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
}
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    content: bytes
    content_type: str


class UrlPolicy:
    """Decides whether an address may be contacted. ``allow`` holds host names, IPs or CIDRs."""

    def __init__(self, allow: list[str]) -> None:
        self._hosts: set[str] = set()
        self._networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in allow:
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                self._networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self._hosts.add(entry.rstrip("."))

    def host_allowed(self, host: str) -> bool:
        return host.lower().rstrip(".") in self._hosts

    def address_allowed(self, address: IPAddress) -> bool:
        if any(address in network for network in self._networks):
            return True
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return address.is_global and not address.is_multicast and address not in _METADATA


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise InvalidInput(f"malformed URL: {exc}", field="url") from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(
            f"only http and https URLs can be read, not {parts.scheme or 'none'!r}", field="url"
        )
    if not parts.hostname:
        raise InvalidInput("the URL has no host", field="url")
    if parts.username or parts.password:
        raise InvalidInput("URLs with embedded credentials are not accepted", field="url")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


class UrlFetcher:
    def __init__(
        self,
        policy: UrlPolicy,
        *,
        timeout_s: float = 30.0,
        max_redirects: int = 5,
        max_bytes: int = 20 * 1024 * 1024,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self.max_redirects = max_redirects
        self.max_bytes = max_bytes
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=timeout_s,
            trust_env=False,
            transport=transport,
            headers={"User-Agent": "jisik-docreader/0.1 (+https://github.com/jisik)"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def resolve(self, host: str, port: int) -> IPAddress:
        """The first address of ``host``, after checking that every address it resolves to is allowed.

        :raises Blocked: when any address is internal and neither host nor address is allow-listed.
        :raises ParseFailed: when the host does not resolve.
        """
        try:
            literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None:
            addresses = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except socket.gaierror as exc:
                raise ParseFailed(f"cannot resolve host {host!r}") from exc
            addresses = list(
                dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
            )
        if not addresses:
            raise ParseFailed(f"host {host!r} has no addresses")
        if not self.policy.host_allowed(host):
            for address in addresses:
                if not self.policy.address_allowed(address):
                    raise Blocked(
                        f"refused to fetch {host!r}: it resolves to a non-public address ({address})"
                    )
        return addresses[0]

    async def fetch(self, url: str) -> FetchedPage:
        current = url
        for _hop in range(self.max_redirects + 1):
            scheme, host, port = _split(current)
            address = await self.resolve(host, port)
            parts = urlsplit(current)
            netloc = f"[{address}]" if address.version == 6 else str(address)
            pinned = urlunsplit((scheme, f"{netloc}:{port}", parts.path or "/", parts.query, ""))
            default_port = port == (443 if scheme == "https" else 80)
            host_header = host if default_port else f"{host}:{port}"
            extensions = {"sni_hostname": host} if scheme == "https" else {}
            try:
                request = self._client.build_request(
                    "GET", pinned, headers={"Host": host_header}, extensions=extensions
                )
                response = await self._client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise ParseFailed(f"{host}: timed out") from exc
            except httpx.HTTPError as exc:
                raise ParseFailed(f"{host}: connection failed ({type(exc).__name__})") from exc
            try:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("location")
                    if not location:
                        raise ParseFailed(f"{host}: redirect without a Location header")
                    current = urljoin(current, location)
                    continue
                if response.status_code >= 400:
                    raise ParseFailed(f"{current}: the server answered HTTP {response.status_code}")
                body = bytearray()
                async for piece in response.aiter_bytes():
                    body.extend(piece)
                    if len(body) > self.max_bytes:
                        raise TooLarge(
                            f"{current}: the page is larger than {self.max_bytes // (1 << 20)} MiB"
                        )
                return FetchedPage(current, bytes(body), response.headers.get("content-type", ""))
            finally:
                await response.aclose()
        raise Blocked(f"{url}: more than {self.max_redirects} redirects")
