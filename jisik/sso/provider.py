"""A provider's discovery document and signing keys, fetched through the egress guard and cached.

The discovery document must name exactly the configured issuer (OpenID Connect Discovery 1.0 §4.3):
a mismatch is refused, so a wrong or spoofed issuer never gets as far as a token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from jisik.errors import InvalidInput, Unauthenticated, Unavailable
from jisik.netguard import AddressPolicy, guarded_client

__all__ = ["ProviderConnections", "ProviderDirectory", "ProviderMetadata"]

_MAX_DOCUMENT_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


@dataclass(slots=True)
class _Cached:
    metadata: ProviderMetadata
    keys: KeySet | None
    fetched_at: float
    keys_at: float = field(default=0.0)


async def _json(http: httpx.AsyncClient, url: str) -> dict[str, Any]:
    try:
        response = await http.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise Unavailable(f"the identity provider is unreachable ({type(exc).__name__})") from exc
    if response.status_code != 200 or len(response.content) > _MAX_DOCUMENT_BYTES:
        raise Unavailable(f"the identity provider answered {response.status_code} for {url}")
    try:
        data = response.json()
    except ValueError as exc:
        raise Unavailable(f"the identity provider sent no JSON at {url}") from exc
    if not isinstance(data, dict):
        raise Unavailable(f"the identity provider sent no JSON object at {url}")
    return data


class ProviderDirectory:
    """Discovery documents and key sets per issuer, kept for ``ttl_s``; keys are fetched again at once
    when a token names a key id the cached set lacks (the provider rotated its keys)."""

    def __init__(self, http: httpx.AsyncClient, *, ttl_s: float) -> None:
        self._http = http
        self._ttl_s = ttl_s
        self._cache: dict[str, _Cached] = {}

    async def metadata(self, issuer: str) -> ProviderMetadata:
        cached = self._cache.get(issuer)
        if cached is not None and time.monotonic() - cached.fetched_at < self._ttl_s:
            return cached.metadata
        document = await _json(self._http, issuer.rstrip("/") + "/.well-known/openid-configuration")
        if document.get("issuer") != issuer:
            raise Unauthenticated("the identity provider's discovery document names another issuer")
        try:
            metadata = ProviderMetadata(
                issuer=issuer,
                authorization_endpoint=str(document["authorization_endpoint"]),
                token_endpoint=str(document["token_endpoint"]),
                jwks_uri=str(document["jwks_uri"]),
            )
        except KeyError as exc:
            raise Unavailable(f"the identity provider's discovery document lacks {exc.args[0]}") from exc
        self._cache[issuer] = _Cached(metadata, None, time.monotonic())
        return metadata

    async def keys(self, issuer: str, *, refresh: bool = False) -> KeySet:
        metadata = await self.metadata(issuer)
        cached = self._cache[issuer]
        if cached.keys is not None and not refresh and time.monotonic() - cached.keys_at < self._ttl_s:
            return cached.keys
        document = await _json(self._http, metadata.jwks_uri)
        try:
            keys = KeySet.import_key_set(document)  # type: ignore[arg-type]  # a JWKS document, checked by joserfc
        except (JoseError, ValueError, TypeError, KeyError) as exc:
            raise InvalidInput("the identity provider's key set is malformed", field="issuer") from exc
        cached.keys, cached.keys_at = keys, time.monotonic()
        return keys

    def forget(self, issuer: str) -> None:
        """Drop what is cached for ``issuer`` (its settings changed)."""
        self._cache.pop(issuer, None)


@dataclass(slots=True)
class ProviderConnections:
    """The one HTTP client for identity providers (through the egress guard) and its directory."""

    http: httpx.AsyncClient
    directory: ProviderDirectory

    @classmethod
    def open(cls, policy: AddressPolicy, *, timeout_s: float, ttl_s: float) -> ProviderConnections:
        http = guarded_client(policy, timeout=timeout_s, follow_redirects=False)
        return cls(http, ProviderDirectory(http, ttl_s=ttl_s))

    async def aclose(self) -> None:
        await self.http.aclose()
