"""The PII mask between jisik and a chat backend: the request goes out with placeholders, the answer
comes back with the values restored. One :class:`~jisik.pii.Vault` per request, which holds the whole
conversation (history, passages, question), so one value has one placeholder throughout."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace

from opentelemetry import trace

from jisik.pii import PiiType, StreamRestorer, Vault

from .types import ChatEvent, ChatInput, ChatModel, Message

__all__ = ["announced", "mask_request", "masked_stream", "model_input"]


def mask_request(request: ChatInput, vault: Vault) -> ChatInput:
    return replace(
        request,
        messages=tuple(Message(m.role, vault.mask(m.content)) for m in request.messages),
        passages=tuple(vault.mask(p) for p in request.passages),
        question=vault.mask(request.question),
    )


def model_input(request: ChatInput, *, masked: int) -> str:
    """What a backend is given, as the JSON the user's "what the model saw" shows; ``masked`` counts the
    values replaced by placeholders (0 when the mask did not apply)."""
    return json.dumps(
        {
            "masked": masked,
            "messages": [{"role": m.role, "content": m.content} for m in request.messages],
            "passages": list(request.passages),
            "question": request.question,
        },
        ensure_ascii=False,
    )


async def announced(request: ChatInput, events: AsyncIterator[ChatEvent]) -> AsyncIterator[ChatEvent]:
    """An unmasked stream, preceded by the event telling what the backend was given."""
    yield ChatEvent(model_input=model_input(request, masked=0))
    try:
        async for event in events:
            yield event
    finally:
        await events.aclose()  # type: ignore[attr-defined]  # the backend's stream is an async generator


async def masked_stream(
    model: ChatModel, request: ChatInput, types: frozenset[PiiType] | None
) -> AsyncIterator[ChatEvent]:
    vault = Vault(types)
    outgoing = mask_request(request, vault)
    trace.get_current_span().set_attribute("model.pii_masked", vault.masked)
    restorer = StreamRestorer(vault)
    events = model.stream(outgoing)
    yield ChatEvent(model_input=model_input(outgoing, masked=vault.masked))
    try:
        async for event in events:
            text = restorer.feed(event.delta) if event.delta else ""
            if event.usage is not None:
                text += restorer.finish()
            if text or event.usage is not None or event.finish_reason:
                yield replace(event, delta=text)
    finally:
        await events.aclose()  # type: ignore[attr-defined]  # the backend's stream is an async generator
