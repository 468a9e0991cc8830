"""Validation of an ID token (OpenID Connect Core 1.0 §3.1.3.7): signature by the issuer's published
keys with an asymmetric algorithm, then issuer, audience (and ``azp`` when there are several),
expiry, issue time, subject and the nonce this sign-in sent. Any failure is ``Unauthenticated``."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import BadSignatureError, ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError

from jisik.errors import Unauthenticated

from .provider import ProviderDirectory

__all__ = ["ALGORITHMS", "IdentityClaims", "validate_id_token"]

# Asymmetric only: a symmetric algorithm would let anyone holding the client secret forge tokens.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
_MAX_GROUPS = 200
_MAX_GROUP_CHARS = 100


@dataclass(frozen=True, slots=True)
class IdentityClaims:
    """Who signed in, as the provider vouches for it."""

    subject: str
    email: str
    email_verified: bool
    name: str
    groups: tuple[str, ...]


def _groups(value: Any) -> tuple[str, ...]:
    """The group claim as names: a list of strings (or one string); other entries are ignored."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    names = {item.strip(): None for item in items if isinstance(item, str) and 0 < len(item.strip()) <= _MAX_GROUP_CHARS}
    return tuple(list(names)[:_MAX_GROUPS])


async def _decode(token: str, directory: ProviderDirectory, issuer: str) -> jwt.Token:
    for refresh in (False, True):  # a key id the cached set lacks: the provider may have rotated its keys
        keys = await directory.keys(issuer, refresh=refresh)
        try:
            return jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        except BadSignatureError as exc:
            raise Unauthenticated("the ID token's signature does not verify with the provider's keys") from exc
        except InvalidKeyIdError as exc:  # no key in the set has the token's key id
            if refresh:
                raise Unauthenticated("the ID token is signed with a key the provider does not publish") from exc
        except JoseError as exc:
            raise Unauthenticated(f"the ID token is malformed or uses a refused algorithm ({exc.error})") from exc
    raise AssertionError("unreachable")


async def validate_id_token(
    token: str,
    *,
    directory: ProviderDirectory,
    issuer: str,
    client_id: str,
    nonce: str,
    group_claim: str,
    leeway_s: int = 60,
    now: int | None = None,
) -> IdentityClaims:
    """The token's identity, once every check passed.

    :raises Unauthenticated: a bad signature, issuer, audience, nonce, expiry or a missing claim.
    """
    decoded = await _decode(token, directory, issuer)
    claims = decoded.claims
    registry = jwt.JWTClaimsRegistry(
        now=now if now is not None else int(time.time()), leeway=leeway_s,
        iss={"essential": True, "value": issuer}, aud={"essential": True, "value": client_id},
        sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise Unauthenticated("the ID token has expired") from exc
    except ClaimError as exc:
        raise Unauthenticated(f"the ID token's {exc.claim} claim is missing or wrong") from exc
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != client_id:
        raise Unauthenticated("the ID token's azp claim is missing or wrong")
    if int(claims["iat"]) > registry.now + leeway_s:
        raise Unauthenticated("the ID token's iat claim is in the future")
    return IdentityClaims(
        subject=str(claims["sub"]),
        email=str(claims.get("email") or ""),
        email_verified=claims.get("email_verified") is True,
        name=str(claims.get("name") or ""),
        groups=_groups(claims.get(group_claim)),
    )
