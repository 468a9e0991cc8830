"""Repeated log lines back off: while a dependency is down, the same warning would otherwise be written
many times a second (Kafka clients retry every 100 ms)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["RepeatBackoff"]


@dataclass
class _Repeats:
    next_allowed: float
    interval: float
    last_seen: float
    suppressed: int = 0


_PRUNE_AT = 1000


class RepeatBackoff(logging.Filter):
    """Lets the first of a run of identical warnings through, then one per interval, the interval
    doubling from ``first_s`` up to ``max_s``; a passing line says how many were held back. A line
    quiet for ``max_s`` starts over. Lines that differ (another document, another node) and lines
    below WARNING always pass."""

    def __init__(self, first_s: float = 1.0, max_s: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.first_s = first_s
        self.max_s = max_s
        self._clock = clock
        self._repeats: dict[tuple[str, int, str], _Repeats] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        now = self._clock()
        key = (record.name, record.levelno, record.getMessage())
        repeats = self._repeats.get(key)
        if repeats is None or now - repeats.last_seen > self.max_s:
            if len(self._repeats) >= _PRUNE_AT:
                self._forget_quiet(now)
            self._repeats[key] = _Repeats(next_allowed=now + self.first_s, interval=self.first_s, last_seen=now)
            return True
        repeats.last_seen = now
        if now < repeats.next_allowed:
            repeats.suppressed += 1
            return False
        if repeats.suppressed:
            record.msg, record.args = f"{record.getMessage()} [{repeats.suppressed} more like this held back]", None
            repeats.suppressed = 0
        repeats.interval = min(self.max_s, repeats.interval * 2)
        repeats.next_allowed = now + repeats.interval
        return True

    def _forget_quiet(self, now: float) -> None:
        self._repeats = {key: repeats for key, repeats in self._repeats.items() if now - repeats.last_seen <= self.max_s}
