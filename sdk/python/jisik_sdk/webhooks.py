"""Checking a webhook the gateway sent (Standard Webhooks: ``webhook-id``, ``webhook-timestamp`` and
``webhook-signature`` with one or more ``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from .errors import WebhookVerificationError

__all__ = ["TOLERANCE_S", "verify_webhook"]

TOLERANCE_S = 300  # how far the timestamp may be from now, either way (replayed requests are refused)


def _key(secret: str) -> bytes:
    try:
        return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error as exc:
        raise WebhookVerificationError("the secret is not a whsec_ base64 secret") from exc


def verify_webhook(
    body: bytes | str, headers: Mapping[str, str], secret: str, *, now: float | None = None
) -> dict[str, Any]:
    """The event (parsed JSON body) when the request is signed with ``secret`` and fresh; otherwise
    :class:`WebhookVerificationError`. Pass the raw body exactly as received."""
    lowered = {name.lower(): value for name, value in headers.items()}
    try:
        message_id, stamp, signatures = (lowered[name] for name in ("webhook-id", "webhook-timestamp",
                                                                      "webhook-signature"))
    except KeyError as exc:
        raise WebhookVerificationError(f"missing header {exc.args[0]}") from None
    try:
        timestamp = int(stamp)
    except ValueError:
        raise WebhookVerificationError("webhook-timestamp is not an integer") from None
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_S:
        raise WebhookVerificationError("webhook-timestamp is too far from now")
    raw = body.encode() if isinstance(body, str) else body
    digest = hmac.new(_key(secret), f"{message_id}.{timestamp}.".encode() + raw, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    for candidate in signatures.split():
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature, expected):
            event: dict[str, Any] = json.loads(raw)
            return event
    raise WebhookVerificationError("no signature matches the secret")
