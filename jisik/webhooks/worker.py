"""The delivery worker: claims due messages, sends them concurrently, records every attempt.

Concurrency is bounded globally and per endpoint, and each attempt has a whole-attempt deadline, so a
receiver that hangs, drips or answers slowly ties up at most ``endpoint_concurrency`` slots of its own;
other endpoints keep being claimed and served. Each endpoint also has a short queue of claimed messages
(as many as its slots), so a slot that frees starts the next attempt at once instead of waiting for a
claim's round trip; a queued message whose lease ran out is dropped (it is due again in the database).
Outcomes are written in batches (one transaction per flush). At-least-once: a message leaves
``pending`` only when its outcome is written; if the process dies first, the lease runs out and the
message is sent again with the same ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
import time
from collections import Counter, deque
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.errors import Unavailable
from jisik.netguard import AddressPolicy
from jisik.secret_box import SecretBox
from jisik.settings import WebhookSettings

from . import metrics
from .delivery import USER_AGENT, Outcome, attempt
from .http1 import ConnectionPools
from .schedule import decide
from .store import Claimed, Recorded, claim, record, release

__all__ = ["DeliveryWorker"]

logger = logging.getLogger(__name__)

_FLUSH_INTERVAL_S = 0.05
_REFILL_DELAY_S = 0.02
_OPENED_SECRETS_KEPT = 10_000


class DeliveryWorker:
    """Delivers webhook messages from the database until ``stop`` is set.

    :param box: opens the endpoints' sealed signing secrets.
    :param ssl_context: trust for https receivers (tests pass their own CA); by default the system's.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: WebhookSettings,
        policy: AddressPolicy,
        box: SecretBox,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._policy = policy
        self._ssl_context = ssl_context
        self._box = box
        self._opened: dict[str, str] = {}
        # Per endpoint: attempts running, and claimed messages (running or queued) with their claim time.
        self._busy: Counter[str] = Counter()
        self._queues: dict[str, deque[tuple[Claimed, float]]] = {}
        self._held: dict[str, Claimed] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._done: list[Recorded] = []
        self._rng = random.Random()
        self._slot_freed = asyncio.Event()
        self._pools: ConnectionPools | None = None

    async def run(self, stop: asyncio.Event) -> None:
        pools = self._pools = ConnectionPools(self._policy, user_agent=USER_AGENT, ssl_context=self._ssl_context)
        writer = asyncio.create_task(self._write_outcomes(stop))
        try:
            await self._claim_loop(stop)
            await self._release_unstarted()
            if self._tasks:
                await asyncio.wait(self._tasks, timeout=self._settings.attempt_timeout_s + 1)
        finally:
            for task in self._tasks:
                task.cancel()
            stop.set()
            await writer
            pools.close()

    async def _claim_loop(self, stop: asyncio.Event) -> None:
        settings = self._settings
        while not stop.is_set():
            # Cleared before the claim, so an attempt ending meanwhile wakes the wait below at once.
            self._slot_freed.clear()
            # Room for every slot to be running and to have one message queued behind it.
            wanted = min(2 * settings.global_concurrency - len(self._held), settings.claim_batch)
            claimed: list[Claimed] = []
            if wanted > 0:
                held = Counter(message.endpoint_id for message in self._held.values())
                try:
                    async with self._sessions.begin() as session:
                        claimed = await claim(
                            session, limit=wanted, per_endpoint=2 * settings.endpoint_concurrency,
                            busy=held, lease_s=settings.lease_s,
                        )
                except Exception:  # noqa: BLE001 - the database may be down for a while; keep trying
                    logger.exception("claiming webhook messages failed; retrying")
            claimed_at = time.monotonic()
            for message in claimed:
                if message.id in self._held:
                    continue  # its lease ran out while queued here; the claim renewed it
                self._held[message.id] = message
                self._queues.setdefault(message.endpoint_id, deque()).append((message, claimed_at))
            self._dispatch()
            if claimed and len(claimed) == wanted:
                continue
            # Nothing more is due, or the slots (global or per endpoint) are taken: wait for an attempt
            # to end (then a few milliseconds more, so one claim refills several slots) or the poll.
            waiters = [asyncio.ensure_future(stop.wait())]
            if self._tasks:
                waiters.append(asyncio.ensure_future(self._slot_freed.wait()))
            done, pending = await asyncio.wait(waiters, timeout=settings.poll_interval_s,
                                               return_when=asyncio.FIRST_COMPLETED)
            for waiter in pending:
                waiter.cancel()
            if done and not stop.is_set():
                await asyncio.sleep(_REFILL_DELAY_S)

    def _dispatch(self) -> None:
        """Start queued messages while the global and their endpoint's slots allow, endpoints in turn."""
        limit = self._settings.global_concurrency
        expired_before = time.monotonic() - self._settings.lease_s
        progress = True
        while progress and self._queues and len(self._tasks) < limit:
            progress = False
            for endpoint_id in list(self._queues):
                if len(self._tasks) >= limit:
                    return
                message = self._next(endpoint_id, expired_before)
                if message is not None:
                    self._start(message)
                    progress = True

    def _next(self, endpoint_id: str, expired_before: float) -> Claimed | None:
        """The endpoint's next queued message if it has a free slot (dropping ones whose lease ran out)."""
        queue = self._queues[endpoint_id]
        message = None
        while queue and message is None and self._busy[endpoint_id] < self._settings.endpoint_concurrency:
            message, claimed_at = queue.popleft()
            if claimed_at < expired_before:
                del self._held[message.id]  # another worker may hold it now; it is due again anyway
                message = None
        if not queue:
            del self._queues[endpoint_id]
        return message

    def _start(self, message: Claimed) -> None:
        assert self._pools is not None
        self._busy[message.endpoint_id] += 1
        task = asyncio.create_task(self._deliver(self._pools, message))
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slot_freed.set()
        self._dispatch()

    async def _release_unstarted(self) -> None:
        """On a clean stop, make the queued messages that never started due again now, not after their lease."""
        unstarted = [message for queue in self._queues.values() for message, _ in queue]
        self._queues.clear()
        for message in unstarted:
            del self._held[message.id]
        if not unstarted:
            return
        try:
            async with self._sessions.begin() as session:
                await release(session, unstarted)
        except Exception:  # noqa: BLE001 - then their leases run out as after a crash
            logger.exception("releasing %d claimed webhook messages failed", len(unstarted))

    async def _deliver(self, pools: ConnectionPools, message: Claimed) -> None:
        try:
            now = datetime.now(UTC)
            try:
                secrets = [self._open(sealed, message.endpoint_id) for sealed in message.secrets_at(now)]
            except Unavailable as exc:  # never sent unsigned: retried, and the log says why
                outcome = Outcome("error", 0.0, error=exc.message[:500])
            else:
                outcome = await attempt(
                    pools, url=message.url, event_id=message.event_id, body=message.body.encode(), secrets=secrets,
                    timeout_s=self._settings.attempt_timeout_s, read_bytes=self._settings.response_body_bytes,
                )
            metrics.observe(outcome)
            finished = datetime.now(UTC)
            decision = decide(outcome, attempts=message.attempts + 1, created_at=message.created_at, now=finished,
                              settings=self._settings, rng=self._rng)
            self._done.append(Recorded(message, outcome, decision, now))
        finally:
            self._busy[message.endpoint_id] -= 1
            del self._held[message.id]

    def _open(self, sealed: str, endpoint_id: str) -> str:
        """The signing secret in clear (opened once per sealed value)."""
        secret = self._opened.get(sealed)
        if secret is None:
            secret = self._box.decrypt(sealed, owner=f"webhook endpoint {endpoint_id}")
            if len(self._opened) >= _OPENED_SECRETS_KEPT:
                self._opened.clear()
            self._opened[sealed] = secret
        return secret

    async def _write_outcomes(self, stop: asyncio.Event) -> None:
        """Flush recorded outcomes every few milliseconds; after ``stop``, until none are left."""
        while True:
            stopping = stop.is_set() and not self._tasks
            if self._done:
                batch, self._done = self._done, []
                if not await self._write_batch(batch):
                    self._done[:0] = batch
                    if stopping:
                        return
                    await asyncio.sleep(1.0)
                    continue
            if stopping and not self._done:
                return
            await asyncio.sleep(_FLUSH_INTERVAL_S)

    async def _write_batch(self, batch: list[Recorded]) -> bool:
        """Write ``batch`` in one transaction, else item by item. An item that cannot be written on its
        own is dropped with a log line: its lease runs out and it is attempted again. False when even
        single writes fail (the database is away): the caller keeps the batch and retries."""
        try:
            await self._write(batch)
            return True
        except Exception:  # noqa: BLE001 - fall back to single writes below
            logger.exception("recording %d webhook attempts failed", len(batch))
        written = 0
        for item in batch:
            try:
                await self._write([item])
                written += 1
            except Exception:  # noqa: BLE001 - one bad outcome must not block the others
                logger.exception("dropped the outcome of webhook message %s; it will be retried", item.message.id)
        return written > 0 or len(batch) == 1

    async def _write(self, batch: list[Recorded]) -> None:
        now = datetime.now(UTC)
        async with self._sessions.begin() as session:
            disabled = await record(session, batch, now=now, disable_after_s=self._settings.disable_after_s)
        for item in batch:
            if item.decision.status == "failed":
                metrics.MESSAGES_GIVEN_UP.inc()
            if item.decision.disable_reason:
                metrics.ENDPOINTS_DISABLED.labels("gone").inc()
                logger.warning("webhook endpoint %s disabled: %s", item.message.endpoint_id,
                               item.decision.disable_reason)
        for endpoint_id in disabled:
            metrics.ENDPOINTS_DISABLED.labels("failing").inc()
            logger.warning("webhook endpoint %s disabled: its attempts failed for %.0f s",
                           endpoint_id, self._settings.disable_after_s)
