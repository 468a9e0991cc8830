"""Model service metrics beyond the per-RPC latency: chat tokens and time to the first token."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from jisik.metrics import LATENCY_BUCKETS

__all__ = ["CHAT_FIRST_TOKEN_SECONDS", "CHAT_TOKENS"]

CHAT_TOKENS = Counter(
    "jisik_model_chat_tokens",
    "Tokens chat completions used, by model source (local, remote) and kind (prompt, completion)",
    ("source", "kind"),
)
CHAT_FIRST_TOKEN_SECONDS = Histogram(
    "jisik_model_chat_first_token_seconds",
    "Time from a chat request to its first streamed text, by model source",
    ("source",),
    buckets=LATENCY_BUCKETS,
)
