"""Recording a billable action: one ``usage_records`` row, in the caller's transaction."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import UsageRecord
from jisik.errors import InvalidInput

from .meters import Metric

__all__ = ["MAX_QUANTITY", "record_usage"]

# One record's amount stays within 2^53 so every JSON reader (JavaScript too) reads it exactly.
MAX_QUANTITY = 2**53 - 1


async def record_usage(
    session: AsyncSession, *, key: str, tenant_id: str, metric: Metric, quantity: int, subject: str = ""
) -> None:
    """Count ``quantity`` of ``metric`` for the tenant, once per ``key``.

    ``key`` names the action (e.g. ``pages_parsed:<document>:<version>``): recording the same key again
    (a retried stage, a redelivered event) changes nothing. Zero amounts are not recorded.

    :raises InvalidInput: a negative amount or one above :data:`MAX_QUANTITY`.
    """
    if quantity == 0:
        return
    if not 0 < quantity <= MAX_QUANTITY:
        raise InvalidInput(f"a usage amount must be between 0 and {MAX_QUANTITY}; got {quantity}", field="quantity")
    table = UsageRecord.__table__  # type: ignore[attr-defined]  # SQLModel's metaclass adds __table__
    await session.execute(
        insert(table)
        .values(id=key[:200], tenant_id=tenant_id, metric=metric.value, subject=subject[:200], quantity=quantity)
        .on_conflict_do_nothing(index_elements=[table.c.id])
    )
