"""Live answer streams: replay from the start, follow live, stop on the last reader leaving."""

from __future__ import annotations

import asyncio

import pytest

from chat.streams import StreamEvent, StreamRegistry, StreamState
from jisik.errors import Conflict


def _event(content: str, done: bool = False) -> StreamEvent:
    return StreamEvent(id="r", response_type="answer", content=content, done=done)


async def _collect(state: StreamState) -> list[str]:
    return [event.content async for event in state.follow()]


class TestStreams:
    async def test_late_reader_gets_everything(self) -> None:
        registry = StreamRegistry(grace_s=0, finished_ttl_s=60)
        state = StreamState(session_id="s1", request_id="r", message_id="m")
        gate = asyncio.Event()

        async def produce() -> None:
            await state.publish(_event("a"))
            await gate.wait()
            await state.publish(_event("b"))

        registry.start(state, produce())
        await asyncio.sleep(0.01)
        early = asyncio.create_task(_collect(state))
        await asyncio.sleep(0.01)
        gate.set()
        assert await early == ["a", "b"]
        assert await _collect(state) == ["a", "b"]
        assert registry.get("s1") is state

    async def test_one_live_stream_per_session(self) -> None:
        registry = StreamRegistry(grace_s=0, finished_ttl_s=60)
        first = StreamState(session_id="s2", request_id="r1", message_id="m1")
        registry.start(first, asyncio.sleep(10))
        with pytest.raises(Conflict):
            registry.start(StreamState(session_id="s2", request_id="r2", message_id="m2"), asyncio.sleep(0))
        assert await registry.stop("s2", "test")
        assert first.finished and first.stop_reason == "test"

    async def test_last_reader_leaving_cancels_the_producer(self) -> None:
        registry = StreamRegistry(grace_s=0, finished_ttl_s=60)
        state = StreamState(session_id="s3", request_id="r", message_id="m")
        cancelled = asyncio.Event()

        async def produce() -> None:
            try:
                await state.publish(_event("a"))
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                cancelled.set()
                raise

        registry.start(state, produce())
        registry.attach(state)
        await asyncio.sleep(0.01)
        registry.detach(state)
        await asyncio.wait_for(cancelled.wait(), 2)
        assert state.stop_reason == "client disconnected"

    async def test_grace_period_lets_a_reader_come_back(self) -> None:
        registry = StreamRegistry(grace_s=0.2, finished_ttl_s=60)
        state = StreamState(session_id="s4", request_id="r", message_id="m")

        async def produce() -> None:
            await asyncio.sleep(0.4)
            await state.publish(_event("late"))

        registry.start(state, produce())
        registry.attach(state)
        registry.detach(state)
        registry.attach(state)
        assert await _collect(state) == ["late"]
        assert state.stop_reason == ""

    def test_sse_format(self) -> None:
        event = StreamEvent(id="r", response_type="references", knowledge_references=[{"id": "c"}], extra={"x": 1})
        text = event.to_sse()
        assert text.startswith("event: message\ndata: {") and text.endswith("\n\n")
        assert '"knowledge_references": [{"id": "c"}]' in text and '"x": 1' in text
