"""The re-driver: the database is the system of record, so events a broker lost (memory storage,
restart) or a worker never sent are rebuilt from document status and published again.

Each stage re-drives only the statuses it owns; a document counts as stuck when no worker has
touched it for ``redrive_stale_s`` (busy workers refresh ``updated_at`` with a heartbeat).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from sqlalchemy import select
from sqlmodel import col

from jisik.db.models import Knowledge, KnowledgeBase

from .context import IngestContext
from .messages import pending_event
from .publishing import publish_event
from .repository import touch
from .topology import Stage

__all__ = ["Redriver"]

logger = logging.getLogger(__name__)

_BATCH = 200


class Redriver:
    def __init__(self, stage: Stage, context: IngestContext, producer: AIOKafkaProducer,
                 *, bootstrap_servers: str | None = None) -> None:
        self.stage = stage
        self._context = context
        self._producer = producer
        self._servers = bootstrap_servers

    async def run(self) -> None:
        """Re-drive at once (documents untouched for ``redrive_start_stale_s``: a restarted sole worker
        resumes its in-flight work right away), then every ``redrive_interval_s`` until cancelled."""
        settings = self._context.settings.ingest
        older_than_s = settings.redrive_start_stale_s
        while True:
            try:
                await self.redrive_once(older_than_s=older_than_s)
                older_than_s = settings.redrive_stale_s
            except Exception:
                logger.exception("re-driving %s documents failed; trying again later", self.stage.name)
            await asyncio.sleep(settings.redrive_interval_s)

    async def redrive_once(self, *, older_than_s: float) -> int:
        """Publish the next event of every stuck document in this stage's statuses; returns how many."""
        cutoff = datetime.now(UTC) - timedelta(seconds=older_than_s)
        sent = 0
        while True:
            async with self._context.sessions.begin() as session:
                rows = (
                    await session.execute(
                        select(Knowledge, KnowledgeBase)
                        .join(KnowledgeBase, col(KnowledgeBase.id) == col(Knowledge.knowledge_base_id))
                        .where(col(Knowledge.parse_status).in_(list(self.stage.entry)),
                               col(Knowledge.updated_at) < cutoff)
                        .order_by(col(Knowledge.updated_at))
                        .limit(_BATCH)
                        .with_for_update(of=Knowledge, skip_locked=True)
                    )
                ).all()
                events = [pending_event(knowledge, base) for knowledge, base in rows]
                for knowledge, _ in rows:
                    await touch(session, knowledge.id)
            for event in events:
                if event is not None and await publish_event(self._producer, event, self._context.settings,
                                                             self._servers):
                    sent += 1
            if len(rows) < _BATCH:
                break
        if sent:
            logger.info("re-drove %d %s document(s)", sent, self.stage.name)
        return sent
