"""Process entry of the trainer (``jisik serve trainer``): the trainer worker until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from jisik.db.engine import create_engine, session_factory
from jisik.settings import Settings
from jisik.storage import open_store

from .worker import TrainerWorker, default_embed

__all__ = ["run"]


async def run(settings: Settings, *, port: int | None = None) -> None:
    """The trainer listens on no port; ``port`` exists for the service convention."""
    del port
    engine = create_engine(settings.database.dsn, pool_size=settings.database.pool_size)
    worker = TrainerWorker(settings, session_factory(engine), default_embed, store=open_store(settings.storage))
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, worker.stop)
    try:
        await worker.run()  # a failure ends the process, so the supervisor restarts it
    finally:
        await engine.dispose()
