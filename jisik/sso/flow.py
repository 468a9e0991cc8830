"""The authorization code flow with PKCE (RFC 7636, S256): the request that sends the browser to the
provider, and the back-channel exchange of the returned code for tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx

from jisik.errors import Unauthenticated, Unavailable

from .provider import ProviderMetadata

__all__ = ["AuthorizationRequest", "code_challenge", "exchange_code", "start_authorization"]


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    url: str
    state: str
    nonce: str
    code_verifier: str


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def start_authorization(
    metadata: ProviderMetadata, *, client_id: str, redirect_uri: str, scopes: str
) -> AuthorizationRequest:
    """A fresh state, nonce and code verifier, and the provider URL carrying them."""
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    query = urlencode({
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scopes,
        "state": state, "nonce": nonce, "code_challenge": code_challenge(verifier), "code_challenge_method": "S256",
    })
    separator = "&" if "?" in metadata.authorization_endpoint else "?"
    return AuthorizationRequest(f"{metadata.authorization_endpoint}{separator}{query}", state, nonce, verifier)


async def exchange_code(
    http: httpx.AsyncClient,
    metadata: ProviderMetadata,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> str:
    """The ID token for ``code`` (client_secret_basic authentication).

    :raises Unauthenticated: the provider refused the code. :raises Unavailable: it could not be asked.
    """
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "code_verifier": code_verifier}
    try:
        response = await http.post(metadata.token_endpoint, data=form, auth=(client_id, client_secret),
                                   headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise Unavailable(f"the identity provider is unreachable ({type(exc).__name__})") from exc
    if response.status_code in (400, 401):
        raise Unauthenticated("the identity provider refused the sign-in code")
    if response.status_code != 200:
        raise Unavailable(f"the identity provider's token endpoint answered {response.status_code}")
    try:
        token = response.json().get("id_token")
    except (ValueError, AttributeError) as exc:
        raise Unavailable("the identity provider's token endpoint sent no JSON object") from exc
    if not isinstance(token, str) or not token:
        raise Unauthenticated("the identity provider sent no ID token")
    return token
