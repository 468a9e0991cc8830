"""Recording a billable action: one ``usage_records`` row, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.errors import InvalidInput

from .meters import Metric

__all__ = ["MAX_QUANTITY", "Usage", "record_usage", "record_usages"]

# One record's amount stays within 2^53 so every JSON reader (JavaScript too) reads it exactly.
MAX_QUANTITY = 2**53 - 1

# One statement for any number of records (arrays, so it is prepared once whatever the batch size).
_INSERT = text(
    """
    INSERT INTO usage_records (id, tenant_id, metric, subject, quantity)
    SELECT * FROM unnest(CAST(:ids AS varchar[]), CAST(:tenant_ids AS varchar[]), CAST(:metrics AS varchar[]),
                         CAST(:subjects AS varchar[]), CAST(:quantities AS bigint[]))
    ON CONFLICT (id) DO NOTHING
    """
)


@dataclass(frozen=True, slots=True)
class Usage:
    """One billable action: ``key`` names it (recording the same key again changes nothing)."""

    key: str
    tenant_id: str
    metric: Metric
    quantity: int
    subject: str = ""


async def record_usage(
    session: AsyncSession, *, key: str, tenant_id: str, metric: Metric, quantity: int, subject: str = ""
) -> None:
    """Count ``quantity`` of ``metric`` for the tenant, once per ``key``.

    ``key`` names the action (e.g. ``pages_parsed:<document>:<version>``): recording the same key again
    (a retried stage, a redelivered event) changes nothing. Zero amounts are not recorded.

    :raises InvalidInput: a negative amount or one above :data:`MAX_QUANTITY`.
    """
    await record_usages(session, [Usage(key, tenant_id, metric, quantity, subject)])


async def record_usages(session: AsyncSession, usages: Sequence[Usage]) -> None:
    """:func:`record_usage` for many actions in one statement (the webhook worker records a batch).

    :raises InvalidInput: a negative amount or one above :data:`MAX_QUANTITY`.
    """
    for usage in usages:
        if not 0 <= usage.quantity <= MAX_QUANTITY:
            raise InvalidInput(f"a usage amount must be between 0 and {MAX_QUANTITY}; got {usage.quantity}",
                               field="quantity")
    recorded = [usage for usage in usages if usage.quantity]
    if not recorded:
        return
    await session.execute(_INSERT, {
        "ids": [usage.key[:200] for usage in recorded],
        "tenant_ids": [usage.tenant_id for usage in recorded],
        "metrics": [usage.metric.value for usage in recorded],
        "subjects": [usage.subject[:200] for usage in recorded],
        "quantities": [usage.quantity for usage in recorded],
    })
