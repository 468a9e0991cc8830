"""Backoff on failed authentication, per client address (API keys and the admin token alike).

The first ``free_failures`` failures within ``window_s`` cost nothing; each one after that locks the
address out for twice as long as the last (``base_s``, ``2*base_s`` ... up to ``max_s``). While locked
out, every attempt from that address is answered 429 with Retry-After, before any key is looked at.
A success does not clear the record, so a caller holding one valid key cannot reset it between guesses.
State is in memory, per gateway process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.requests import Request

from jisik.errors import RateLimited, Unauthenticated
from jisik.settings import GatewaySettings

__all__ = ["AuthFailureLimiter", "counted_attempt"]

_MAX_TRACKED = 100_000


@dataclass(slots=True)
class _Record:
    failures: int = 0
    first_at: float = 0.0
    locked_until: float = 0.0


class AuthFailureLimiter:
    def __init__(
        self,
        *,
        free_failures: int = 5,
        base_s: float = 1.0,
        max_s: float = 900.0,
        window_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.base_s = base_s
        self.max_s = max_s
        self.window_s = window_s
        self._clock = clock
        self._records: dict[str, _Record] = {}

    def check(self, client: str) -> None:
        """:raises RateLimited: ``client`` is locked out now."""
        record = self._records.get(client)
        wait = record.locked_until - self._clock() if record else 0.0
        if wait > 0:
            raise RateLimited(
                f"too many failed authentication attempts; try again in {max(1, round(wait))}s",
                retry_after_s=wait,
            )

    def failed(self, client: str) -> None:
        now = self._clock()
        record = self._records.get(client)
        if record is None or now - record.first_at > max(self.window_s, record.locked_until - record.first_at):
            if len(self._records) >= _MAX_TRACKED:
                self._forget_stale(now)
            record = self._records[client] = _Record(first_at=now)
        record.failures += 1
        excess = record.failures - self.free_failures
        if excess > 0:
            record.locked_until = now + min(self.max_s, self.base_s * 2 ** min(excess - 1, 30))

    def _forget_stale(self, now: float) -> None:
        for client, record in list(self._records.items()):
            if now - record.first_at > self.window_s and record.locked_until <= now:
                del self._records[client]
        while len(self._records) >= _MAX_TRACKED:  # still full: drop the oldest records
            del self._records[next(iter(self._records))]


    @classmethod
    def from_settings(cls, settings: GatewaySettings) -> AuthFailureLimiter:
        return cls(
            free_failures=settings.auth_free_failures,
            base_s=settings.auth_lockout_base_s,
            max_s=settings.auth_lockout_max_s,
        )


@contextmanager
def counted_attempt(request: Request) -> Iterator[None]:
    """Run one authentication attempt: refused (429) while the caller is locked out, counted if it
    raises Unauthenticated."""
    limiter: AuthFailureLimiter = request.app.state.auth_limiter
    client = request.client.host if request.client else "unknown"
    limiter.check(client)
    try:
        yield
    except Unauthenticated:
        limiter.failed(client)
        raise
