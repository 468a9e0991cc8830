"""Process entry: run some or all ingest stages (each a consumer group) plus their re-drivers."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Sequence
from dataclasses import dataclass, field

from aiokafka import AIOKafkaProducer
from sqlalchemy.ext.asyncio import AsyncEngine

from jisik.clients.bundle import ServiceClients
from jisik.db.engine import create_engine, session_factory
from jisik.kafka import create_producer, ensure_topics
from jisik.settings import Settings
from jisik.storage import open_store

from .context import IngestContext, StageHandler
from .publishing import DOCUMENT_TOPICS
from .redrive import Redriver
from .retention import RetentionPurger
from .stages import IndexStage, ParseStage, ValidateStage
from .topology import STAGES, stage_named
from .worker import StageWorker

__all__ = ["Pipeline", "run", "start_pipeline"]

logger = logging.getLogger(__name__)


@dataclass
class Pipeline:
    """Running stages; ``stop`` cancels them and closes every client."""

    engine: AsyncEngine
    clients: ServiceClients
    producer: AIOKafkaProducer
    workers: list[StageWorker]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await self.producer.stop()
        await self.clients.close()
        await self.engine.dispose()


def _handler(name: str, context: IngestContext) -> StageHandler:
    handlers: dict[str, type[ParseStage] | type[ValidateStage] | type[IndexStage]] = {
        "parse": ParseStage, "validate": ValidateStage, "index": IndexStage,
    }
    return handlers[name](context)


async def start_pipeline(
    settings: Settings, *, stages: Sequence[str] | None = None, bootstrap_servers: str | None = None
) -> Pipeline:
    """Start the named stages (default: ``settings.ingest.stages``, else all) in this process.

    :raises KeyError: an unknown stage name.
    """
    configured = [name.strip() for name in settings.ingest.stages.split(",") if name.strip()]
    names = list(stages or configured or [stage.name for stage in STAGES])
    for name in names:
        stage_named(name)
    engine = create_engine(settings.database.dsn,
                           pool_size=settings.database.pool_size)
    clients = ServiceClients.open(settings, timeout_s=settings.ingest.grpc_timeout_s)
    await ensure_topics(settings.kafka, DOCUMENT_TOPICS, bootstrap_servers=bootstrap_servers)
    producer = await create_producer(settings.kafka, bootstrap_servers)
    context = IngestContext(settings, session_factory(engine), clients)
    pipeline = Pipeline(engine, clients, producer, [])
    for name in names:
        worker = StageWorker(_handler(name, context), context, producer, bootstrap_servers=bootstrap_servers)
        redriver = Redriver(worker.stage, context, producer, bootstrap_servers=bootstrap_servers)
        pipeline.workers.append(worker)
        pipeline.tasks += [asyncio.create_task(worker.run(), name=f"ingest-{name}"),
                           asyncio.create_task(redriver.run(), name=f"ingest-{name}-redrive")]
    purger = RetentionPurger(context, open_store(settings.storage))
    pipeline.tasks.append(asyncio.create_task(purger.run(), name="ingest-retention"))
    logger.info("ingest running stages: %s", ", ".join(names))
    return pipeline


async def run(settings: Settings, *, port: int | None = None, stages: Sequence[str] | None = None) -> None:
    """Run until SIGINT/SIGTERM. Ingest listens on no port; ``port`` exists for the service convention."""
    del port
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    pipeline = await start_pipeline(settings, stages=stages)
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *pipeline.tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in pipeline.tasks:
        if task.done() and not task.cancelled() and task.exception() is not None:
            logger.error("ingest task %s stopped: %r", task.get_name(), task.exception())
    waiter.cancel()
    await pipeline.stop()
