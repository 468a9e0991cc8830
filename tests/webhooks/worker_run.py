"""Running a delivery worker in the test's event loop until the messages reach a state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from jisik.db.models import WebhookMessage
from jisik.settings import WebhookSettings
from jisik.webhooks.worker import DeliveryWorker
from tests.webhooks.webhook_db import BOX, LOOPBACK

FAST = WebhookSettings(attempt_timeout_s=3, poll_interval_s=0.05, backoff_base_s=60, lease_s=30)


@asynccontextmanager
async def running_worker(
    sessions: async_sessionmaker[AsyncSession], settings: WebhookSettings = FAST
) -> AsyncIterator[None]:
    stop = asyncio.Event()
    task = asyncio.create_task(DeliveryWorker(sessions, settings, LOOPBACK, BOX).run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=settings.attempt_timeout_s + 10)


async def messages(sessions: async_sessionmaker[AsyncSession]) -> list[WebhookMessage]:
    async with sessions() as session:
        return list((await session.execute(select(WebhookMessage))).scalars())


async def wait_until(
    sessions: async_sessionmaker[AsyncSession],
    done: Callable[[list[WebhookMessage]], bool],
    *,
    timeout_s: float = 60,
) -> list[WebhookMessage]:
    """Poll the messages until ``done`` holds (AssertionError with the last state otherwise)."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        rows = await messages(sessions)
        if done(rows):
            return rows
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"messages never reached the state: {[(r.status, r.attempts) for r in rows]}")
        await asyncio.sleep(0.1)
