"""A pool of parser processes (``GRPC_WORKER_PROCESSES``): CPU-bound parsing and OCR run outside the
event loop and the GIL. Workers are spawned (never forked from a gRPC process), warmed up once, and
replaced after ``worker_max_tasks`` tasks so a leaky parser cannot grow without bound."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from jisik.errors import ParserCrashed

from .parsers.registry import warm_up

__all__ = ["ParserPool"]

logger = logging.getLogger(__name__)


def _limit_threads() -> None:
    """One OCR thread per worker: the pool already runs one worker per CPU (Tesseract reads this)."""
    os.environ["OMP_THREAD_LIMIT"] = "1"


class ParserPool:
    def __init__(self, processes: int, max_tasks_per_child: int) -> None:
        self.processes = processes
        self.max_tasks_per_child = max_tasks_per_child
        self._executor: ProcessPoolExecutor | None = None

    def _new_executor(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            max_tasks_per_child=self.max_tasks_per_child,
            initializer=_limit_threads,
        )

    async def start(self) -> None:
        """Spawn the workers and import the parsers in each, so the first document is not slow."""
        self._executor = self._new_executor()
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._executor, warm_up) for _ in range(self.processes)))

    def submit(self, fn: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
        if self._executor is None:
            self._executor = self._new_executor()
        return asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    async def run(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        """Run one task and await it (see :meth:`wait`)."""
        return await self.wait(name, self.submit(fn, *args))

    async def wait(self, name: str, future: asyncio.Future[Any]) -> Any:
        """Await a task; a crashed worker (segfault, OOM kill) becomes ParserCrashed and a fresh pool."""
        try:
            return await future
        except BrokenProcessPool as exc:
            if self._executor is None or getattr(self._executor, "_broken", False):
                self.reset()
            raise ParserCrashed(f"{name}: the parser process crashed") from exc

    def reset(self) -> None:
        """Replace the executor (after a crash or a timed-out task that may still be running)."""
        old, self._executor = self._executor, self._new_executor()
        if old is not None:
            logger.warning("replacing the parser process pool")
            old.shutdown(wait=False, cancel_futures=True)
            for process in list(getattr(old, "_processes", {}).values()):
                process.kill()

    async def close(self) -> None:
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown, True, cancel_futures=True)
