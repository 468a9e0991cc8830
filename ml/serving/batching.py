"""Dynamic batching: concurrent embed calls within a short window are merged into one backend call."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import numpy as np

from .types import Embedder, Embeddings, Role

__all__ = ["DynamicBatcher", "sub_batches"]


def sub_batches(count: int, size: int) -> list[range]:
    """Index ranges of ``count`` items in batches of at most ``size``."""
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


@dataclass
class _Pending:
    texts: list[str]
    future: asyncio.Future[Embeddings] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class DynamicBatcher:
    """An :class:`Embedder` that queues requests per role and flushes them together.

    A flush happens when ``max_texts`` are queued or ``window_s`` after the first queued
    request, whichever comes first. A request larger than ``max_texts`` goes alone.
    """

    def __init__(self, inner: Embedder, *, window_s: float, max_texts: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.window_s = window_s
        self.max_texts = max_texts
        self._queues: dict[str, list[_Pending]] = {"query": [], "passage": []}
        self._timers: dict[str, asyncio.TimerHandle | None] = {"query": None, "passage": None}
        self.calls = 0

    async def embed(self, texts: list[str], role: Role) -> Embeddings:
        pending = _Pending(list(texts))
        queue = self._queues[role]
        queue.append(pending)
        if sum(len(p.texts) for p in queue) >= self.max_texts or self.window_s == 0:
            self._flush(role)
        elif self._timers[role] is None:
            self._timers[role] = asyncio.get_running_loop().call_later(self.window_s, self._flush, role)
        return await pending.future

    def _flush(self, role: Role) -> None:
        timer = self._timers[role]
        if timer is not None:
            timer.cancel()
        self._timers[role] = None
        batch, self._queues[role] = self._queues[role], []
        if batch:
            asyncio.get_running_loop().create_task(self._run(batch, role))

    async def _run(self, batch: list[_Pending], role: Role) -> None:
        merged = [text for pending in batch for text in pending.texts]
        self.calls += 1
        try:
            result = await self.inner.embed(merged, role)
        except BaseException as exc:  # noqa: BLE001 - every waiter must learn the failure
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(exc)
            return
        cut = set(result.truncated)
        offset = 0
        for pending in batch:
            n = len(pending.texts)
            vectors = result.vectors[offset : offset + n] if n else np.zeros((0, self.dimension), np.float32)
            truncated = tuple(i - offset for i in range(offset, offset + n) if i in cut)
            if not pending.future.done():
                pending.future.set_result(Embeddings(vectors, truncated))
            offset += n
