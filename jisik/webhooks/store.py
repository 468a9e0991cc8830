"""The delivery worker's database work: claiming due messages under a lease, and recording attempts.

A claim moves each message's ``next_attempt_at`` one lease ahead in the same statement that locks it
(``FOR UPDATE SKIP LOCKED``), so concurrent workers never take the same message, and a worker that dies
mid-attempt only delays it by the lease: the row is due again and another worker sends it (with the
same ``webhook-id``). Nothing is deleted until an attempt's outcome is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.billing import Metric, Usage, record_usages

from .delivery import Outcome
from .schedule import Decision

__all__ = ["Claimed", "Recorded", "claim", "record"]

_CLAIM = text(
    """
    WITH picked AS (
        SELECT due.id, due.next_attempt_at
        FROM webhook_endpoints AS e
        LEFT JOIN unnest(CAST(:busy_ids AS varchar[]), CAST(:busy_counts AS int[])) AS busy(endpoint_id, n)
               ON busy.endpoint_id = e.id
        CROSS JOIN LATERAL (
            SELECT m.id, m.next_attempt_at FROM webhook_messages AS m
            WHERE m.endpoint_id = e.id AND m.status = 'pending' AND m.next_attempt_at <= now()
            ORDER BY m.next_attempt_at
            LIMIT greatest(:per_endpoint - coalesce(busy.n, 0), 0)
            FOR UPDATE OF m SKIP LOCKED
        ) AS due
        WHERE e.enabled
        ORDER BY due.next_attempt_at
        LIMIT :limit
    )
    UPDATE webhook_messages AS m
    SET next_attempt_at = now() + make_interval(secs => :lease_s)
    FROM picked, webhook_endpoints AS e
    WHERE m.id = picked.id AND e.id = m.endpoint_id
    RETURNING m.id, m.tenant_id, m.endpoint_id, m.event_id, m.payload, m.attempts, m.created_at,
              e.url, e.secret, e.previous_secret, e.previous_secret_expires_at
    """
)

_UPDATE_MESSAGE = text(
    """
    UPDATE webhook_messages
    SET status = :status, attempts = attempts + 1, next_attempt_at = :next_attempt_at,
        last_attempt_at = :attempted_at, last_response_code = :response_code
    WHERE id = :id AND status = 'pending'
    """
)

_INSERT_ATTEMPT = text(
    """
    INSERT INTO webhook_attempts
        (id, tenant_id, message_id, endpoint_id, attempted_at, result, response_code, latency_ms, response_body, error)
    VALUES (gen_random_uuid()::text, :tenant_id, :id, :endpoint_id, :attempted_at, :result, :response_code,
            :latency_ms, :response_body, :error)
    """
)

_HEALTHY = text(
    "UPDATE webhook_endpoints SET failing_since = NULL "
    "WHERE id = ANY(CAST(:ids AS varchar[])) AND failing_since IS NOT NULL"
)
_FAILING = text(
    "UPDATE webhook_endpoints SET failing_since = :now "
    "WHERE id = ANY(CAST(:ids AS varchar[])) AND failing_since IS NULL"
)
_DISABLE = text(
    "UPDATE webhook_endpoints SET enabled = false, disabled_reason = :reason, updated_at = :now "
    "WHERE id = :id AND enabled"
)
_DISABLE_LONG_FAILING = text(
    """
    UPDATE webhook_endpoints SET enabled = false, updated_at = :now,
        disabled_reason = 'every attempt failed since ' || to_char(failing_since AT TIME ZONE 'UTC',
                                                                   'YYYY-MM-DD HH24:MI "UTC"')
    WHERE id = ANY(CAST(:ids AS varchar[])) AND enabled AND failing_since < :cutoff
    RETURNING id
    """
)

_ATTEMPT_KEYS = tuple(_INSERT_ATTEMPT.compile().params)
_MESSAGE_KEYS = tuple(_UPDATE_MESSAGE.compile().params)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A message leased to this worker, with what it takes to send it."""

    id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    url: str
    secret: str
    previous_secret: str
    previous_secret_expires_at: datetime | None

    def secrets_at(self, now: datetime) -> list[str]:
        """The current secret, and the previous one during a rotation's overlap."""
        expires = self.previous_secret_expires_at
        if self.previous_secret and expires is not None and expires > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


@dataclass(frozen=True, slots=True)
class Recorded:
    """An attempt's outcome and what it decided, waiting to be written."""

    message: Claimed
    outcome: Outcome
    decision: Decision
    attempted_at: datetime


async def claim(
    session: AsyncSession, *, limit: int, per_endpoint: int, busy: Mapping[str, int], lease_s: float
) -> list[Claimed]:
    """Lease up to ``limit`` due messages of enabled endpoints, at most ``per_endpoint`` minus what is
    already in flight (``busy``) per endpoint, oldest first."""
    rows = await session.execute(
        _CLAIM,
        {
            "busy_ids": list(busy),
            "busy_counts": list(busy.values()),
            "per_endpoint": per_endpoint,
            "limit": limit,
            "lease_s": lease_s,
        },
    )
    return [Claimed(**row._mapping) for row in rows]


async def record(session: AsyncSession, batch: Sequence[Recorded], *, now: datetime, disable_after_s: float) -> list[str]:
    """Write the attempts, move the messages on, and keep the endpoints' failure runs.

    :returns: ids of endpoints disabled because their attempts failed for ``disable_after_s``.
    """
    if not batch:
        return []
    rows = [
        {
            "id": item.message.id,
            "tenant_id": item.message.tenant_id,
            "endpoint_id": item.message.endpoint_id,
            "attempted_at": item.attempted_at,
            "result": item.outcome.result,
            "response_code": item.outcome.status_code,
            "latency_ms": item.outcome.latency_ms,
            "response_body": item.outcome.body[:1024],
            "error": item.outcome.error[:500],
            "status": item.decision.status,
            "next_attempt_at": item.decision.next_attempt_at,
        }
        for item in batch
    ]
    await session.execute(_INSERT_ATTEMPT, [{key: row[key] for key in _ATTEMPT_KEYS} for row in rows])
    await session.execute(_UPDATE_MESSAGE, [{key: row[key] for key in _MESSAGE_KEYS} for row in rows])
    # A message delivered is billed once, whatever it took to get there.
    await record_usages(session, [
        Usage(f"webhook_deliveries:{item.message.id}", item.message.tenant_id, Metric.WEBHOOK_DELIVERIES, 1)
        for item in batch if item.outcome.result == "succeeded"
    ])
    healthy = {item.message.endpoint_id for item in batch if item.outcome.result == "succeeded"}
    failing = {item.message.endpoint_id for item in batch} - healthy
    if healthy:
        await session.execute(_HEALTHY, {"ids": sorted(healthy)})
    for item in batch:
        if item.decision.disable_reason:
            await session.execute(_DISABLE, {"id": item.message.endpoint_id, "reason": item.decision.disable_reason,
                                             "now": now})
    if not failing:
        return []
    await session.execute(_FAILING, {"ids": sorted(failing), "now": now})
    cutoff = now - timedelta(seconds=disable_after_s)
    disabled = await session.execute(_DISABLE_LONG_FAILING, {"ids": sorted(failing), "now": now, "cutoff": cutoff})
    return [str(row[0]) for row in disabled]

