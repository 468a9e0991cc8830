"""Whose fault a failed try was, and so how long a document may keep its slot.

- The document's own (it cannot be read, fetched or resolved, is refused, too large, over a budget:
  InvalidInput and its kinds, ParseFailed, Blocked, NotFound, QuotaExceeded): it fails at once and
  the reason is recorded on it.
- A parser crash or an overrun time limit (ParserCrashed, DeadlineExceeded): retried ``crash_retries``
  times (one by default), then failed. One retry because a worker can die for reasons outside the
  document (killed by the kernel under memory pressure elsewhere, by an operator) and a deadline can
  pass because the service was busy; a document that does it again would do it every time.
- A service of jisik's own or PostgreSQL is down (Unavailable, a lost database connection): waited out
  for ``outage_budget_s`` without using up the document's tries, trying again every
  ``outage_retry_s`` at most so the document moves on within seconds of the service's return.
- Anything else (an unexpected error): retried with backoff up to ``max_attempts``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from jisik.db.outage import database_is_down
from jisik.errors import (
    Blocked,
    DeadlineExceeded,
    InvalidInput,
    NotFound,
    ParseFailed,
    ParserCrashed,
    QuotaExceeded,
    Unavailable,
)
from jisik.settings import IngestSettings

__all__ = ["Fault", "TryLedger", "classify"]

_DOCUMENT_FAULTS = (InvalidInput, ParseFailed, Blocked, NotFound, QuotaExceeded)


class Fault(enum.Enum):
    DOCUMENT = "document"
    CRASH_OR_DEADLINE = "crash_or_deadline"
    OUTAGE = "outage"
    TRANSIENT = "transient"


def classify(error: BaseException) -> Fault:
    if isinstance(error, ParserCrashed | DeadlineExceeded):  # ParserCrashed before ParseFailed, its base
        return Fault.CRASH_OR_DEADLINE
    if isinstance(error, _DOCUMENT_FAULTS):
        return Fault.DOCUMENT
    if isinstance(error, Unavailable) or database_is_down(error):
        return Fault.OUTAGE
    return Fault.TRANSIENT


@dataclass
class TryLedger:
    """The failed tries of one document in one stage; decides between another try and giving up."""

    settings: IngestSettings
    attempts: int = 0  # tries that count against the document (not outage waits)
    crashes: int = 0  # crashes and overrun deadlines
    waits: int = 0  # every failed try, for the backoff
    outage_since: float | None = None  # set while the last failed try was an outage

    def failed(self, error: BaseException, reason: str, now: float) -> str | None:
        """Record a failed try at loop time ``now``; the reason to fail the document with, or None to retry."""
        self.waits += 1
        fault = classify(error)
        if fault is Fault.OUTAGE:
            self.outage_since = now if self.outage_since is None else self.outage_since
            budget = self.settings.outage_budget_s
            if now - self.outage_since >= budget:
                return f"{reason} (still unavailable after {budget:.0f} s)"
            return None
        self.outage_since = None
        self.attempts += 1
        if fault is Fault.DOCUMENT:
            return reason
        if fault is Fault.CRASH_OR_DEADLINE:
            self.crashes += 1
            if self.crashes > self.settings.crash_retries:
                return f"{reason} (gave up after {self.crashes} tries)"
            return None
        if self.attempts >= self.settings.max_attempts:
            return f"{reason} (gave up after {self.attempts} tries)"
        return None

    def backoff_s(self) -> float:
        """Delay before the next try: doubles with every failed try, up to ``retry_backoff_max_s``, and
        up to ``outage_retry_s`` while an outage is waited out."""
        settings = self.settings
        longest = settings.outage_retry_s if self.outage_since is not None else settings.retry_backoff_max_s
        return min(longest, settings.retry_backoff_s * 2 ** max(0, self.waits - 1))
