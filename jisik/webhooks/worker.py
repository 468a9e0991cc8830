"""The delivery worker: claims due messages, sends them concurrently, records every attempt.

Concurrency is bounded globally and per endpoint, and each attempt has a whole-attempt deadline, so a
receiver that hangs, drips or answers slowly ties up at most ``endpoint_concurrency`` slots of its own;
other endpoints keep being claimed and served. Outcomes are written in batches (one transaction per
flush). At-least-once: a message leaves ``pending`` only when its outcome is written; if the process
dies first, the lease runs out and the message is sent again with the same ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import Counter
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.netguard import AddressPolicy, guarded_client
from jisik.settings import WebhookSettings

from . import metrics
from .delivery import attempt
from .schedule import decide
from .store import Claimed, Recorded, claim, record

__all__ = ["DeliveryWorker"]

logger = logging.getLogger(__name__)

_FLUSH_INTERVAL_S = 0.02
_REFILL_DELAY_S = 0.005


class DeliveryWorker:
    """Delivers webhook messages from the database until ``stop`` is set.

    :param transport: the HTTP transport under the address guard (tests and benches may pass one with
        other pool limits); by default httpx's own.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: WebhookSettings,
        policy: AddressPolicy,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._policy = policy
        self._transport = transport
        self._busy: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()
        self._done: list[Recorded] = []
        self._rng = random.Random()
        self._slot_freed = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        limits = httpx.Limits(max_connections=self._settings.global_concurrency, max_keepalive_connections=32)
        inner = self._transport or httpx.AsyncHTTPTransport(trust_env=False, limits=limits)
        timeout = httpx.Timeout(self._settings.attempt_timeout_s)
        async with guarded_client(self._policy, inner=inner, timeout=timeout, follow_redirects=False) as client:
            writer = asyncio.create_task(self._write_outcomes(stop))
            try:
                await self._claim_loop(client, stop)
                if self._tasks:
                    await asyncio.wait(self._tasks, timeout=self._settings.attempt_timeout_s + 1)
            finally:
                for task in self._tasks:
                    task.cancel()
                stop.set()
                await writer

    async def _claim_loop(self, client: httpx.AsyncClient, stop: asyncio.Event) -> None:
        settings = self._settings
        while not stop.is_set():
            # Cleared before the claim, so an attempt ending meanwhile wakes the wait below at once.
            self._slot_freed.clear()
            wanted = min(settings.global_concurrency - len(self._tasks), settings.claim_batch)
            claimed: list[Claimed] = []
            if wanted > 0:
                try:
                    async with self._sessions.begin() as session:
                        claimed = await claim(
                            session, limit=wanted, per_endpoint=settings.endpoint_concurrency,
                            busy={key: value for key, value in self._busy.items() if value}, lease_s=settings.lease_s,
                        )
                except Exception:  # noqa: BLE001 - the database may be down for a while; keep trying
                    logger.exception("claiming webhook messages failed; retrying")
            for message in claimed:
                self._busy[message.endpoint_id] += 1
                task = asyncio.create_task(self._deliver(client, message))
                self._tasks.add(task)
                task.add_done_callback(self._finished)
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

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._slot_freed.set()

    async def _deliver(self, client: httpx.AsyncClient, message: Claimed) -> None:
        try:
            now = datetime.now(UTC)
            body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()
            outcome = await attempt(
                client, url=message.url, event_id=message.event_id, body=body, secrets=message.secrets_at(now),
                timeout_s=self._settings.attempt_timeout_s, read_bytes=self._settings.response_body_bytes,
            )
            metrics.observe(outcome)
            finished = datetime.now(UTC)
            decision = decide(outcome, attempts=message.attempts + 1, created_at=message.created_at, now=finished,
                              settings=self._settings, rng=self._rng)
            self._done.append(Recorded(message, outcome, decision, now))
        finally:
            self._busy[message.endpoint_id] -= 1

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
