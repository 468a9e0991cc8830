"""Random secrets handed out once (session tokens, API keys, invitation tokens); only their sha256 is kept."""

from __future__ import annotations

import secrets

from jisik.db.tenants import KEY_PREFIX, hash_api_key

__all__ = ["KEY_PREFIX", "PREFIX_CHARS", "new_secret", "secret_hash"]

PREFIX_CHARS = 10
"""How many leading characters of a key are kept in clear so people can tell keys apart."""


def new_secret(prefix: str) -> str:
    """``prefix`` followed by 256 random bits (URL-safe)."""
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """The stored form of a secret (sha256, hex): enough for random 256-bit secrets, fast to look up."""
    return hash_api_key(secret)
