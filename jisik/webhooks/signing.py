"""Standard Webhooks signatures: ``v1,`` + base64 HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{body}``
keyed with the base64 part of the ``whsec_`` secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from functools import lru_cache

__all__ = ["SECRET_PREFIX", "new_secret", "sign", "signature_header"]

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@lru_cache(maxsize=4096)
def _keyed(secret: str) -> hmac.HMAC:
    """An HMAC keyed with ``secret``, copied for each message (the key is decoded and padded once)."""
    return hmac.new(base64.b64decode(secret.removeprefix(SECRET_PREFIX)), digestmod=hashlib.sha256)


def sign(secret: str, event_id: str, timestamp: int, body: bytes) -> str:
    mac = _keyed(secret).copy()
    mac.update(f"{event_id}.{timestamp}.".encode())
    mac.update(body)
    return "v1," + base64.b64encode(mac.digest()).decode()


def signature_header(secrets_in_force: Iterable[str], event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value: one space-separated signature per secret in force (two during a
    rotation's overlap, so receivers holding either secret accept it)."""
    return " ".join(sign(secret, event_id, timestamp, body) for secret in secrets_in_force)
