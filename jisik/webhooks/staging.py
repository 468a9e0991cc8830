"""Emitting a webhook event: one message row per subscribed endpoint, in the caller's transaction.

This is the only way jisik code emits webhook events. The rows commit if and only if the change they
announce commits, and the delivery worker (jisik/webhooks/worker.py) sends them at least once.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import TextClause, text
from sqlalchemy.ext.asyncio import AsyncSession

from .events import EventData, EventType, data_model, validate_data

__all__ = ["new_event_id", "stage_webhook_event", "staging_statement"]

# One statement: fan the event out to the tenant's enabled endpoints that subscribe to its type.
_FAN_OUT = text(
    """
    INSERT INTO webhook_messages
        (id, tenant_id, endpoint_id, event_id, event_type, payload, status, attempts, next_attempt_at, created_at)
    SELECT gen_random_uuid()::text, e.tenant_id, e.id, CAST(:event_id AS varchar), CAST(:event_type AS varchar),
           CAST(:payload AS jsonb),
           'pending', 0, now(), now()
    FROM webhook_endpoints AS e
    WHERE e.tenant_id = CAST(:tenant_id AS varchar) AND e.enabled AND CAST(:event_type AS varchar) = ANY(e.event_types)
    """
)


def new_event_id() -> str:
    """A ``webhook-id``: ``msg_`` and 32 hex digits."""
    return f"msg_{uuid.uuid4().hex}"


def staging_statement(
    tenant_id: str, event_type: EventType | str, data: EventData | Mapping[str, Any]
) -> tuple[TextClause, dict[str, Any]]:
    """The statement and parameters that stage an event, for callers holding a synchronous connection.

    :raises InvalidInput: unknown event type, or ``data`` not matching the type's schema.
    """
    kind = EventType(event_type)
    version, _ = data_model(kind)
    body = {
        "type": kind.value,
        "version": version,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "data": validate_data(kind, data if isinstance(data, EventData) else dict(data)),
    }
    parameters = {
        "event_id": new_event_id(),
        "event_type": kind.value,
        "payload": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        "tenant_id": tenant_id,
    }
    return _FAN_OUT, parameters


async def stage_webhook_event(
    session: AsyncSession, tenant_id: str, event_type: EventType | str, data: EventData | Mapping[str, Any]
) -> str:
    """Stage ``event_type`` with ``data`` for every endpoint of ``tenant_id`` subscribed to it, inside
    ``session``'s transaction (nothing is sent if that transaction rolls back).

    ``data`` is the type's data model (e.g. :class:`~jisik.webhooks.events.DocumentIndexedData`) or a
    mapping validated against it. Costs one INSERT ... SELECT; no rows when no endpoint subscribes.

    :returns: the event id (the ``webhook-id`` header receivers see).
    :raises InvalidInput: unknown event type, or ``data`` not matching the type's schema.
    """
    statement, parameters = staging_statement(tenant_id, event_type, data)
    await session.execute(statement, parameters)
    return str(parameters["event_id"])
