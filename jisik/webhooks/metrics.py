"""Prometheus metrics of webhook delivery (bounded labels: fixed results and status classes)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from jisik.metrics import LATENCY_BUCKETS

from .delivery import Outcome

__all__ = ["ATTEMPTS", "ATTEMPT_SECONDS", "ENDPOINTS_DISABLED", "MESSAGES_GIVEN_UP", "observe"]

ATTEMPTS = Counter(
    "jisik_webhook_attempts",
    "Webhook delivery attempts by result (succeeded, failed, timeout, error) and status class (2xx ... none)",
    ("result", "code_class"),
)
ATTEMPT_SECONDS = Histogram(
    "jisik_webhook_attempt_duration_seconds",
    "Time one webhook attempt took, from sending to the end of the bounded read",
    buckets=LATENCY_BUCKETS,
)
MESSAGES_GIVEN_UP = Counter(
    "jisik_webhook_messages_given_up",
    "Webhook messages that failed every attempt of their retry window (or hit 410 Gone)",
)
ENDPOINTS_DISABLED = Counter(
    "jisik_webhook_endpoints_disabled",
    "Webhook endpoints the worker disabled, by reason (gone: 410, failing: failed for days)",
    ("reason",),
)


def observe(outcome: Outcome) -> None:
    code = outcome.status_code
    code_class = f"{code // 100}xx" if code is not None and 100 <= code < 600 else "none"
    ATTEMPTS.labels(outcome.result, code_class).inc()
    ATTEMPT_SECONDS.observe(outcome.latency_ms / 1000)
