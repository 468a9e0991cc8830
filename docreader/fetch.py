"""URL import: fetch one page through the shared address policy (:mod:`jisik.netguard`).

Redirects are followed here one hop at a time (so the count is bounded and each hop's URL is
re-checked by the guarded transport); bodies are read with a size cap.

A page that cannot be fetched (unknown host, refused or timed-out connection, a server error) is the
document's failure (ParseFailed naming the cause), never an outage of jisik's own services: ingest
fails such a document at once instead of holding a slot for its outage budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from jisik.errors import Blocked, ParseFailed, TooLarge, Unavailable
from jisik.netguard import AddressPolicy, guarded_client

__all__ = ["FetchedPage", "UrlFetcher"]

_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    content: bytes
    content_type: str


class UrlFetcher:
    def __init__(
        self,
        policy: AddressPolicy,
        *,
        timeout_s: float = 30.0,
        max_redirects: int = 5,
        max_bytes: int = 20 * 1024 * 1024,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.policy = policy
        self.max_redirects = max_redirects
        self.max_bytes = max_bytes
        self._client = guarded_client(
            policy,
            inner=transport,
            follow_redirects=False,
            timeout=timeout_s,
            headers={"User-Agent": "jisik-docreader/0.1 (+https://github.com/jisik)"},
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(self, url: str) -> FetchedPage:
        current = url
        for _hop in range(self.max_redirects + 1):
            host = self.policy.check_url(current).host
            try:
                response = await self._client.send(self._client.build_request("GET", current), stream=True)
            except Unavailable as exc:  # the host does not resolve
                raise ParseFailed(exc.message) from exc
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
