"""The delivery log of an endpoint (messages with their attempts) and replay.

A replay puts a message back to ``pending`` and due now, with the same ``webhook-id``, so receivers
that deduplicate still recognise it. Its retry window is not renewed: a replayed message that fails
again is given up after that attempt once its event is older than the window.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.models import WebhookAttempt, WebhookMessage
from jisik.errors import InvalidInput, NotFound

__all__ = ["list_deliveries", "replay_message", "replay_range"]

STATUSES = ("pending", "succeeded", "failed")


async def list_deliveries(
    session: AsyncSession,
    *,
    tenant_id: str,
    endpoint_id: str,
    status: str | None,
    since: datetime | None,
    until: datetime | None,
    page: int,
    page_size: int,
    attempts_per_message: int = 20,
) -> tuple[list[dict[str, Any]], int]:
    """Newest first: each message with its latest attempts (newest first), and the total count."""
    if status is not None and status not in STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")
    query = select(WebhookMessage).where(
        col(WebhookMessage.tenant_id) == tenant_id, col(WebhookMessage.endpoint_id) == endpoint_id
    )
    if status is not None:
        query = query.where(col(WebhookMessage.status) == status)
    if since is not None:
        query = query.where(col(WebhookMessage.created_at) >= since)
    if until is not None:
        query = query.where(col(WebhookMessage.created_at) < until)
    total = int((await session.execute(select(func.count()).select_from(query.subquery()))).scalar_one())
    messages = list((await session.execute(
        query.order_by(col(WebhookMessage.created_at).desc(), col(WebhookMessage.id))
        .offset((page - 1) * page_size).limit(page_size)
    )).scalars())
    attempts: dict[str, list[WebhookAttempt]] = defaultdict(list)
    if messages:
        rows = await session.execute(
            select(WebhookAttempt)
            .where(col(WebhookAttempt.tenant_id) == tenant_id,
                   col(WebhookAttempt.message_id).in_([message.id for message in messages]))
            .order_by(col(WebhookAttempt.attempted_at).desc())
        )
        for attempt in rows.scalars():
            if len(attempts[attempt.message_id]) < attempts_per_message:
                attempts[attempt.message_id].append(attempt)
    return [
        {**message.model_dump(exclude={"payload"}), "payload": message.payload,
         "attempt_log": [attempt.model_dump() for attempt in attempts[message.id]]}
        for message in messages
    ], total


async def replay_message(session: AsyncSession, *, tenant_id: str, endpoint_id: str, message_id: str) -> None:
    """Send one message again (same ``webhook-id``).

    :raises NotFound: no such message on this endpoint of this tenant.
    """
    result = await session.execute(
        update(WebhookMessage)
        .where(col(WebhookMessage.id) == message_id, col(WebhookMessage.tenant_id) == tenant_id,
               col(WebhookMessage.endpoint_id) == endpoint_id)
        .values(status="pending", next_attempt_at=datetime.now(UTC))
        .returning(col(WebhookMessage.id))
    )
    if result.scalar_one_or_none() is None:
        raise NotFound(f"delivery {message_id} not found")


async def replay_range(
    session: AsyncSession,
    *,
    tenant_id: str,
    endpoint_id: str,
    since: datetime,
    until: datetime,
    only_failed: bool,
) -> int:
    """Send again every message of the endpoint created in ``[since, until)``; only the given-up ones
    when ``only_failed``. Returns how many were queued.

    :raises InvalidInput: (field ``until``) the range is empty.
    """
    if until <= since:
        raise InvalidInput("until must be after since", field="until")
    statuses = ["failed"] if only_failed else ["failed", "succeeded"]
    result = await session.execute(
        update(WebhookMessage)
        .where(col(WebhookMessage.tenant_id) == tenant_id, col(WebhookMessage.endpoint_id) == endpoint_id,
               col(WebhookMessage.created_at) >= since, col(WebhookMessage.created_at) < until,
               col(WebhookMessage.status).in_(statuses))
        .values(status="pending", next_attempt_at=datetime.now(UTC))
        .returning(col(WebhookMessage.id))
    )
    return len(result.all())
