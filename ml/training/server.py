"""Process entry of the trainer (``jisik serve trainer``): the trainer worker until SIGINT/SIGTERM."""

from __future__ import annotations

import asyncio
import signal

from jisik.db.engine import create_engine, session_factory
from jisik.settings import Settings

from .worker import TrainerWorker, default_embed

__all__ = ["run"]


async def run(settings: Settings, *, port: int | None = None) -> None:
    """The trainer listens on no port; ``port`` exists for the service convention."""
    del port
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    engine = create_engine(settings.database.dsn, pool_size=settings.database.pool_size)
    worker = TrainerWorker(settings, session_factory(engine), default_embed)
    task = asyncio.create_task(worker.run())
    waiter = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait([task, waiter], return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopped_by_itself = task.done()
        for pending in (task, waiter):
            pending.cancel()
        await asyncio.gather(task, waiter, return_exceptions=True)
        await engine.dispose()
    if stopped_by_itself:
        task.result()  # the worker's own failure ends the process, so the supervisor restarts it
