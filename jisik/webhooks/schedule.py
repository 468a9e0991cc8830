"""What happens after an attempt: done, retried later (exponential backoff with jitter, Retry-After on
429), given up after the retry window, and whether the endpoint is switched off (410 Gone)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from jisik.settings import WebhookSettings

from .delivery import Outcome

__all__ = ["Decision", "backoff_s", "decide"]

Status = Literal["pending", "succeeded", "failed"]


@dataclass(frozen=True, slots=True)
class Decision:
    status: Status
    next_attempt_at: datetime
    # Set when the endpoint must be disabled because of this answer.
    disable_reason: str = ""


def backoff_s(attempts: int, settings: WebhookSettings, rng: random.Random) -> float:
    """Delay after the ``attempts``-th failed attempt: base * 2^(attempts-1), capped, with jitter."""
    delay = min(settings.backoff_base_s * 2.0 ** min(attempts - 1, 40), settings.backoff_max_s)
    return float(delay * (1 + rng.uniform(-settings.backoff_jitter, settings.backoff_jitter)))


def decide(
    outcome: Outcome,
    *,
    attempts: int,
    created_at: datetime,
    now: datetime,
    settings: WebhookSettings,
    rng: random.Random,
) -> Decision:
    """The message's state after its ``attempts``-th attempt ended with ``outcome``."""
    if outcome.result == "succeeded":
        return Decision("succeeded", now)
    if outcome.status_code == 410:
        return Decision("failed", now, "the receiver answered 410 Gone")
    delay = backoff_s(attempts, settings, rng)
    if outcome.status_code == 429 and outcome.retry_after_s is not None:
        delay = min(outcome.retry_after_s, settings.max_retry_after_s)
    due = now + timedelta(seconds=delay)
    if due > created_at + timedelta(seconds=settings.retry_window_s):
        return Decision("failed", now)
    return Decision("pending", due)
