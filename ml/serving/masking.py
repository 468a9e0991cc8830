"""The PII mask between jisik and a chat backend: the request goes out with placeholders, the answer
comes back with the values restored. One :class:`~jisik.pii.Vault` per request, which holds the whole
conversation (history, passages, question), so one value has one placeholder throughout."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

from opentelemetry import trace

from jisik.pii import PiiType, StreamRestorer, Vault

from .types import ChatEvent, ChatInput, ChatModel, Message

__all__ = ["mask_request", "masked_stream"]


def mask_request(request: ChatInput, vault: Vault) -> ChatInput:
    return replace(
        request,
        messages=tuple(Message(m.role, vault.mask(m.content)) for m in request.messages),
        passages=tuple(vault.mask(p) for p in request.passages),
        question=vault.mask(request.question),
    )


async def masked_stream(
    model: ChatModel, request: ChatInput, types: frozenset[PiiType] | None
) -> AsyncIterator[ChatEvent]:
    vault = Vault(types)
    outgoing = mask_request(request, vault)
    trace.get_current_span().set_attribute("model.pii_masked", vault.masked)
    restorer = StreamRestorer(vault)
    events = model.stream(outgoing)
    try:
        async for event in events:
            text = restorer.feed(event.delta) if event.delta else ""
            if event.usage is not None:
                text += restorer.finish()
            if text or event.usage is not None or event.finish_reason:
                yield replace(event, delta=text)
    finally:
        await events.aclose()  # type: ignore[attr-defined]  # the backend's stream is an async generator
