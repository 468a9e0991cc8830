"""In-flight answer streams, kept so a reloaded page can resume one and a stop request can end one.

A ``StreamState`` records every SSE event of one answer; readers replay it from the start and then
follow it live. The producing task belongs to the registry, not to the HTTP request: when the last
reader leaves, the task is cancelled after ``grace_s`` (0 = at once), and the producer stores the partial
answer as interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Coroutine
from typing import Any, Literal

from pydantic import BaseModel, Field

from jisik.errors import Conflict

__all__ = ["StreamEvent", "StreamRegistry", "StreamState"]

logger = logging.getLogger(__name__)

ResponseType = Literal["references", "answer", "thinking", "error"]


class StreamEvent(BaseModel):
    """One SSE ``message`` event in WeKnora's StreamResponse shape (plus session and message ids)."""

    id: str
    response_type: ResponseType
    content: str = ""
    done: bool = False
    knowledge_references: list[dict[str, Any]] | None = None
    session_id: str = ""
    assistant_message_id: str = ""
    extra: dict[str, Any] = Field(default_factory=dict)

    def to_sse(self) -> str:
        data = self.model_dump(exclude={"extra"}, exclude_none=True)
        data.update(self.extra)
        return f"event: message\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


class StreamState:
    def __init__(self, *, session_id: str, request_id: str, message_id: str) -> None:
        self.session_id = session_id
        self.request_id = request_id
        self.message_id = message_id
        self.events: list[StreamEvent] = []
        self.finished = False
        self.stop_reason = ""
        self.readers = 0
        self.task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self._detach_timer: asyncio.TimerHandle | None = None

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def publish(self, event: StreamEvent) -> None:
        self.events.append(event)
        self._wake()

    def close(self) -> None:
        self.finished = True
        self._wake()

    async def follow(self) -> AsyncIterator[StreamEvent]:
        """Every event from the first, then live ones until the stream finishes."""
        index = 0
        while True:
            while index < len(self.events):
                yield self.events[index]
                index += 1
            if self.finished:
                return
            await self._changed.wait()


class StreamRegistry:
    """One live stream per chat session."""

    def __init__(self, *, grace_s: float, finished_ttl_s: float) -> None:
        self._grace = grace_s
        self._ttl = finished_ttl_s
        self._streams: dict[str, StreamState] = {}

    def get(self, session_id: str) -> StreamState | None:
        return self._streams.get(session_id)

    def start(self, state: StreamState, producer: Coroutine[Any, Any, None]) -> None:
        """Run ``producer`` (which publishes into ``state``) as the session's live stream."""
        current = self._streams.get(state.session_id)
        if current is not None and not current.finished:
            producer.close()
            raise Conflict("an answer is already streaming in this session; stop it first")
        self._streams[state.session_id] = state
        state.task = asyncio.create_task(producer, name=f"chat-{state.request_id}")
        state.task.add_done_callback(lambda _: self._finished(state))

    def _finished(self, state: StreamState) -> None:
        state.close()
        asyncio.get_running_loop().call_later(self._ttl, self._forget, state)

    def _forget(self, state: StreamState) -> None:
        if self._streams.get(state.session_id) is state:
            del self._streams[state.session_id]

    async def stop(self, session_id: str, reason: str) -> bool:
        """Cancel the session's live stream and wait for it to store what it has. False if none ran."""
        state = self._streams.get(session_id)
        if state is None or state.finished or state.task is None:
            return False
        state.stop_reason = reason
        state.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await state.task
        return True

    def attach(self, state: StreamState) -> None:
        state.readers += 1
        if state._detach_timer is not None:
            state._detach_timer.cancel()
            state._detach_timer = None

    def detach(self, state: StreamState) -> None:
        """A reader left; with no reader left, stop generating after the grace period."""
        state.readers -= 1
        if state.readers > 0 or state.finished or state.task is None:
            return
        if self._grace <= 0:
            self._cancel(state)
        else:
            state._detach_timer = asyncio.get_running_loop().call_later(self._grace, self._cancel, state)

    @staticmethod
    def _cancel(state: StreamState) -> None:
        if state.readers <= 0 and not state.finished and state.task is not None:
            state.stop_reason = state.stop_reason or "client disconnected"
            logger.info("stream %s: no reader left, stopping generation", state.request_id)
            state.task.cancel()

    async def aclose(self) -> None:
        """Cancel every live stream (gateway shutdown) and wait for them to store their partial answers."""
        live = [state.task for state in self._streams.values() if state.task and not state.finished]
        for task in live:
            task.cancel()
        await asyncio.gather(*live, return_exceptions=True)
