"""Process entry for cdc: the relay and the processors in one process, each restarted on failure.

There is no listening socket; ``port`` is accepted for the common ``run`` signature and unused.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Awaitable, Callable

from jisik.settings import Settings

from .audit import AuditProcessor
from .billing import BillingProcessor
from .index_meta import IndexMetaMaterializer, RetrieverAccessApplier
from .processor import Processor, run_processor
from .relay import Relay

__all__ = ["CdcService", "run"]

logger = logging.getLogger(__name__)


class CdcService:
    """Relay + index.meta materializer + retriever access applier + billing + audit, until ``stop`` is set.

    :param apply_to_retriever: run the index.meta -> retriever applier here; defaults to
        ``cdc.apply_to_retriever`` (off when the retriever consumes index.meta itself).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        database_url: str | None = None,
        bootstrap_servers: str | None = None,
        retriever_addr: str | None = None,
        apply_to_retriever: bool | None = None,
        max_backoff_s: float = 30.0,
    ) -> None:
        self.settings = settings
        url = database_url or settings.database.dsn
        self.bootstrap_servers = bootstrap_servers
        self.relay = Relay(settings.cdc, settings.kafka, url, bootstrap_servers=bootstrap_servers)
        self.processors: list[Processor] = [
            IndexMetaMaterializer(settings.cdc, settings.kafka, bootstrap_servers),
            BillingProcessor(settings.cdc, settings.billing, url),
            AuditProcessor(settings.cdc, url),
        ]
        if settings.cdc.apply_to_retriever if apply_to_retriever is None else apply_to_retriever:
            self.processors.append(RetrieverAccessApplier(settings.cdc, settings.endpoints, retriever_addr))
        self.max_backoff_s = max_backoff_s

    async def run(self, stop: asyncio.Event) -> None:
        jobs: list[tuple[str, Callable[[], Awaitable[None]]]] = [("relay", lambda: self.relay.run(stop))]
        for processor in self.processors:
            jobs.append((processor.name, functools.partial(
                run_processor, processor, self.settings.kafka, stop, bootstrap_servers=self.bootstrap_servers,
                fetch_max_wait_ms=self.settings.cdc.fetch_max_wait_ms)))
        await asyncio.gather(*(self._supervise(name, job, stop) for name, job in jobs))

    async def _supervise(self, name: str, job: Callable[[], Awaitable[None]], stop: asyncio.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                await job()
                return
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a failed part restarts; the others keep running
                logger.exception("cdc %s failed; restarting in %.1f s", name, backoff)
            try:
                await asyncio.wait_for(stop.wait(), timeout=backoff)
            except TimeoutError:
                backoff = min(backoff * 2, self.max_backoff_s)


async def run(settings: Settings, *, port: int | None = None) -> None:
    """Run relay and processors until SIGINT/SIGTERM."""
    del port  # cdc serves no port
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    logger.info("cdc starting (slot %s, publication %s)", settings.cdc.slot_name, settings.cdc.publication_name)
    await CdcService(settings).run(stop)
    logger.info("cdc stopped")
