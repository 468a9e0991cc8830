"""The retention purge: documents older than their knowledge base's ``retention_days`` (else their
tenant's) are erased, each in its own transaction, with everything :func:`ingest.erasure.erase_knowledge`
removes. Every ingest process runs the loop; a transaction-scoped advisory lock lets one
purge at a time."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from jisik.db.engine import transaction
from jisik.db.models import Knowledge, KnowledgeBase, Tenant
from jisik.errors import JisikError, NotFound
from jisik.storage import ObjectStore

from .context import IngestContext
from .erasure import ErasureReceipt, erase_knowledge

__all__ = ["RetentionPurger", "expired_documents"]

logger = logging.getLogger(__name__)

# Any constant both purgers agree on; pg_try_advisory_xact_lock takes a bigint.
_PURGE_LOCK = 0x6A6973696B5F7270  # "jisik_rp"


async def expired_documents(session: AsyncSession, *, now: datetime, limit: int) -> list[tuple[str, str]]:
    """(tenant id, document id) of documents past their retention, oldest first."""
    days = func.coalesce(col(KnowledgeBase.retention_days), col(Tenant.retention_days))
    query = (
        select(col(Knowledge.tenant_id), col(Knowledge.id))
        .join(KnowledgeBase, col(KnowledgeBase.id) == col(Knowledge.knowledge_base_id))
        .join(Tenant, col(Tenant.id) == col(Knowledge.tenant_id))
        .where(days.is_not(None), col(Knowledge.created_at) < now - func.make_interval(0, 0, 0, days))
        .order_by(col(Knowledge.created_at))
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


class RetentionPurger:
    def __init__(self, context: IngestContext, store: ObjectStore) -> None:
        self._context = context
        self._store = store
        self._interval_s = context.settings.ingest.retention_interval_s
        self._batch = context.settings.ingest.retention_batch

    async def purge_once(self, now: datetime) -> list[ErasureReceipt]:
        """Erase what has expired at ``now``; empty when another process holds the purge lock."""
        sessions = self._context.sessions
        async with transaction(sessions) as session:
            locked = await session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _PURGE_LOCK})
            if not locked.scalar_one():
                return []
            expired = await expired_documents(session, now=now, limit=self._batch)
            return [receipt for tenant_id, knowledge_id in expired
                    if (receipt := await self._erase(tenant_id, knowledge_id)) is not None]

    async def _erase(self, tenant_id: str, knowledge_id: str) -> ErasureReceipt | None:
        try:
            async with transaction(self._context.sessions) as session:
                return await erase_knowledge(
                    session, self._store, self._context.clients.retriever, tenant_id=tenant_id, knowledge_id=knowledge_id
                )
        except NotFound:
            return None  # deleted meanwhile
        except JisikError as exc:
            logger.warning("retention: erasing document %s failed (%s); next round retries", knowledge_id, exc.code)
            return None

    async def run(self) -> None:
        if self._interval_s <= 0:
            return
        while True:
            try:
                receipts = await self.purge_once(datetime.now().astimezone())
            except Exception:  # PostgreSQL restarting must not stop the ingest process
                logger.exception("retention: a round failed; the next round retries")
            else:
                if receipts:
                    logger.info("retention: erased %d expired documents", len(receipts))
            await asyncio.sleep(self._interval_s)
