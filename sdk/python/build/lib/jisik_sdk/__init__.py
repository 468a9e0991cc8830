"""Typed Python client for the jisik gateway.

    from jisik_sdk import Jisik
    with Jisik("http://127.0.0.1:8080", api_key="sk-...") as jisik:
        base = jisik.create_knowledge_base("handbook")
"""

from . import models
from .client import API_PREFIX, Jisik, Page
from .errors import ApiError, IndexingFailed, JisikError, StreamInterrupted, WebhookVerificationError
from .streaming import ChatEvent
from .webhooks import verify_webhook

__all__ = [
    "API_PREFIX",
    "ApiError",
    "ChatEvent",
    "IndexingFailed",
    "Jisik",
    "JisikError",
    "Page",
    "StreamInterrupted",
    "WebhookVerificationError",
    "models",
    "verify_webhook",
]
