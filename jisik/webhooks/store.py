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

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.billing import Metric, Usage, record_usages

from .delivery import Outcome
from .schedule import Decision

__all__ = ["Claimed", "Recorded", "claim", "record", "release"]

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
    RETURNING m.id, m.tenant_id, m.endpoint_id, m.event_id, m.payload::text AS body, m.attempts, m.created_at,
              m.next_attempt_at AS leased_until,
              e.url, e.secret, e.previous_secret, e.previous_secret_expires_at
    """
)

# One statement per batch: every attempt is inserted and its message moved on (a message whose outcome
# was already written by another worker, after a lease ran out, keeps that outcome).
_RECORD = text(
    """
    WITH outcome AS (
        SELECT * FROM unnest(
            CAST(:ids AS varchar[]), CAST(:tenant_ids AS varchar[]), CAST(:endpoint_ids AS varchar[]),
            CAST(:attempted_at AS timestamptz[]), CAST(:results AS varchar[]), CAST(:response_codes AS int[]),
            CAST(:latencies_ms AS float8[]), CAST(:response_bodies AS varchar[]), CAST(:errors AS varchar[]),
            CAST(:statuses AS varchar[]), CAST(:next_attempt_at AS timestamptz[])
        ) AS o(id, tenant_id, endpoint_id, attempted_at, result, response_code, latency_ms, response_body, error,
               status, next_attempt_at)
    ), attempts AS (
        INSERT INTO webhook_attempts
            (id, tenant_id, message_id, endpoint_id, attempted_at, result, response_code, latency_ms, response_body,
             error)
        SELECT gen_random_uuid()::text, tenant_id, id, endpoint_id, attempted_at, result, response_code, latency_ms,
               response_body, error
        FROM outcome
    )
    UPDATE webhook_messages AS m
    SET status = o.status, attempts = m.attempts + 1, next_attempt_at = o.next_attempt_at,
        last_attempt_at = o.attempted_at, last_response_code = o.response_code
    FROM outcome AS o
    WHERE m.id = o.id AND m.status = 'pending'
    """
)

# Only where the lease is still ours: after it ran out another worker may have claimed the message.
_RELEASE = text(
    """
    UPDATE webhook_messages AS m SET next_attempt_at = now()
    FROM unnest(CAST(:ids AS varchar[]), CAST(:leased_until AS timestamptz[])) AS l(id, leased_until)
    WHERE m.id = l.id AND m.status = 'pending' AND m.next_attempt_at = l.leased_until
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

@dataclass(frozen=True, slots=True)
class Claimed:
    """A message leased to this worker, with what it takes to send it."""

    id: str
    tenant_id: str
    endpoint_id: str
    event_id: str
    # The exact JSON text sent (and signed).
    body: str
    attempts: int
    created_at: datetime
    leased_until: datetime
    url: str
    # Sealed (jisik.secret_box); the worker opens them.
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


async def release(session: AsyncSession, messages: Sequence[Claimed]) -> None:
    """End the lease of claimed messages that were never attempted, so any worker may claim them now."""
    await session.execute(_RELEASE, {"ids": [message.id for message in messages],
                                     "leased_until": [message.leased_until for message in messages]})


async def record(session: AsyncSession, batch: Sequence[Recorded], *, now: datetime, disable_after_s: float) -> list[str]:
    """Write the attempts, move the messages on, and keep the endpoints' failure runs.

    :returns: ids of endpoints disabled because their attempts failed for ``disable_after_s``.
    """
    if not batch:
        return []
    await session.execute(_RECORD, {
        "ids": [item.message.id for item in batch],
        "tenant_ids": [item.message.tenant_id for item in batch],
        "endpoint_ids": [item.message.endpoint_id for item in batch],
        "attempted_at": [item.attempted_at for item in batch],
        "results": [item.outcome.result for item in batch],
        "response_codes": [item.outcome.status_code for item in batch],
        "latencies_ms": [item.outcome.latency_ms for item in batch],
        "response_bodies": [item.outcome.body[:1024] for item in batch],
        "errors": [item.outcome.error[:500] for item in batch],
        "statuses": [item.decision.status for item in batch],
        "next_attempt_at": [item.decision.next_attempt_at for item in batch],
    })
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

