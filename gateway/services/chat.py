"""One chat turn: store the question and an empty answer, run the pipeline as the session's live
stream, and store the answer (complete, interrupted or failed) with references and stage timings."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from chat import ChatContext, RetrievalSettings, StreamEvent, StreamRegistry, StreamState
from jisik.access import Access
from jisik.billing import Metric, record_usage
from jisik.billing.limits import check_limits
from jisik.db.models import ChatSession, KnowledgeBase, Message, ServingSignal
from jisik.errors import Conflict, InvalidInput, JisikError, NotFound, TooLarge, Unavailable
from jisik.parameters import summary_settings
from jisik.webhooks import AnswerReady, EventType, stage_webhook_event

from ..repositories import messages as message_repo
from ..repositories.knowledge_bases import (
    existing_knowledge_bases,
    get_knowledge_base,
    require_knowledge_bases,
)
from ..resources import GatewayResources

__all__ = ["check_query", "replay_message", "retrieval_settings", "sse", "start_chat", "unsupported_of"]

logger = logging.getLogger(__name__)


def check_query(query: str, *, max_chars: int) -> str:
    if not query.strip():
        raise InvalidInput("the query is empty", field="query")
    if len(query) > max_chars:
        raise TooLarge(f"the query has {len(query)} characters; the limit is {max_chars}", field="query")
    return query.strip()


def retrieval_settings(chat_session: ChatSession, knowledge_base: KnowledgeBase | None) -> RetrievalSettings:
    generation = summary_settings(chat_session.summary_parameters)
    return RetrievalSettings(
        embedding_top_k=chat_session.embedding_top_k,
        vector_threshold=chat_session.vector_threshold,
        keyword_threshold=chat_session.keyword_threshold,
        rerank_model_id=chat_session.rerank_model_id,
        rerank_top_k=chat_session.rerank_top_k,
        rerank_threshold=chat_session.rerank_threshold,
        enable_rewrite=chat_session.enable_rewrite,
        max_rounds=chat_session.max_rounds,
        fallback_response=chat_session.fallback_response,
        chat_model_id=chat_session.summary_model_id,
        temperature=generation.temperature,
        max_completion_tokens=generation.max_completion_tokens,
        embedding_model_id=knowledge_base.embedding_model_id if knowledge_base else "",
    )


async def start_chat(
    resources: GatewayResources,
    *,
    tenant_id: str,
    access: Access,
    chat_session: ChatSession,
    query: str,
    knowledge_base_ids: list[str] | None,
    request_id: str,
) -> StreamState:
    """Validate, store the turn, and start generating; returns the live stream to read."""
    query = check_query(query, max_chars=resources.settings.gateway.max_query_chars)
    live = resources.streams.get(chat_session.id)
    if live is not None and not live.finished:
        raise Conflict("an answer is already streaming in this session; stop it first", field="session_id")
    async with resources.sessions() as session, session.begin():
        await check_limits(session, tenant_id, {Metric.CHAT_TOKENS_IN: 0, Metric.CHAT_TOKENS_OUT: 0},
                           resources.settings.billing)
        if knowledge_base_ids is None:  # the session's own: skip bases deleted since it was set up
            base_ids = await existing_knowledge_bases(
                session=session, tenant_id=tenant_id, ids=chat_session.knowledge_base_ids
            )
        else:
            base_ids = await require_knowledge_bases(session=session, tenant_id=tenant_id, ids=knowledge_base_ids)
        first_base = (
            await get_knowledge_base(session=session, tenant_id=tenant_id, knowledge_base_id=base_ids[0])
            if base_ids
            else None
        )
        history = await message_repo.recent_turns(
            session=session,
            tenant_id=tenant_id,
            session_id=chat_session.id,
            limit=resources.settings.chat.history_messages,
        )
        user, assistant = await message_repo.start_turn(
            session=session, tenant_id=tenant_id, session_id=chat_session.id, request_id=request_id, query=query
        )
    ctx = ChatContext(
        tenant_id=tenant_id,
        query=query,
        knowledge_base_ids=base_ids,
        settings=retrieval_settings(chat_session, first_base),
        access=access,
        history=history,
        session_id=chat_session.id,
    )
    state = StreamState(session_id=chat_session.id, request_id=request_id, message_id=assistant.id)
    try:
        resources.streams.start(state, _produce(resources, ctx, state))
    except Conflict:  # another question on this session won the race: leave no half turn behind
        async with resources.sessions() as session, session.begin():
            await message_repo.delete_turn(session=session, tenant_id=tenant_id, message_ids=[user.id, assistant.id])
        raise
    return state


def unsupported_of(references: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The final event's ``unsupported_citations``: each cited sentence its passage does not support."""
    return [
        {"number": number, "sentence": sentence}
        for number, reference in enumerate(references, start=1)
        for sentence in reference.get("unsupported_sentences", [])
    ]


def _event(state: StreamState, response_type: str, **fields: Any) -> StreamEvent:
    return StreamEvent(
        id=state.request_id,
        response_type=response_type,
        session_id=state.session_id,
        assistant_message_id=state.message_id,
        **fields,
    )


async def _produce(resources: GatewayResources, ctx: ChatContext, state: StreamState) -> None:
    status = "complete"
    started = time.perf_counter()
    try:
        async for item in resources.pipeline.run(ctx):
            if item.kind == "references":
                await state.publish(_event(state, "references", knowledge_references=item.references))
            else:
                await state.publish(_event(state, item.kind, content=item.content))
    except asyncio.CancelledError:
        status = "interrupted"
        raise
    except JisikError as exc:
        status = "failed"
        logger.warning("chat %s failed: %s", state.request_id, exc.code)
        await state.publish(_event(state, "error", content=exc.message, extra={"code": exc.code}))
    except Exception:
        status = "failed"
        logger.exception("chat %s failed", state.request_id)
        await state.publish(_event(state, "error", content="internal error", extra={"code": "internal"}))
    finally:
        latency_ms = (time.perf_counter() - started) * 1000
        not_stored = await asyncio.shield(_store_answer(resources, ctx, state, status, latency_ms))
        if isinstance(not_stored, NotFound):
            state.stop_reason = "session deleted"
        elif not_stored is not None:
            state.stop_reason = "the answer could not be stored"
            await state.publish(_event(state, "error", content=not_stored.message, extra={"code": not_stored.code}))
        cited = [number for number, passage in enumerate(ctx.passages, start=1) if passage.cited]
        references = [passage.to_reference() for passage in ctx.passages]
        await state.publish(
            _event(
                state,
                "answer",
                done=True,
                extra={
                    "status": status,
                    "cited": cited,
                    "unsupported_citations": unsupported_of(references),
                    "stage_timings": [timing.to_dict() for timing in ctx.timings],
                    **({"stop_reason": state.stop_reason} if state.stop_reason else {}),
                },
            )
        )


async def _record_turn_usage(session: AsyncSession, ctx: ChatContext, message_id: str) -> None:
    """The turn's tokens (per model) and rerank calls, counted once per answer message."""
    for metric, quantity in ((Metric.CHAT_TOKENS_IN, ctx.tokens_in), (Metric.CHAT_TOKENS_OUT, ctx.tokens_out),
                             (Metric.RERANK_CALLS, ctx.rerank_calls)):
        subject = ctx.answered_by if metric != Metric.RERANK_CALLS else ctx.settings.rerank_model_id
        await record_usage(session, key=f"{metric.value}:{message_id}", tenant_id=ctx.tenant_id, metric=metric,
                           quantity=quantity, subject=subject)


async def _store_answer(
    resources: GatewayResources, ctx: ChatContext, state: StreamState, status: str, latency_ms: float
) -> JisikError | None:
    """None once stored; NotFound when the session was deleted meanwhile; Unavailable when the
    database failed (the answer streamed but is not kept)."""
    try:
        async with resources.sessions() as session, session.begin():
            stored = await message_repo.finish_answer(
                session=session,
                tenant_id=ctx.tenant_id,
                message_id=state.message_id,
                content=ctx.answer,
                references=[passage.to_reference() for passage in ctx.passages],
                timings=[timing.to_dict() for timing in ctx.timings],
                status=status,
                model_input=json.loads(ctx.model_input) if ctx.model_input else None,
            )
            if stored and status == "complete":
                await stage_webhook_event(session, ctx.tenant_id, EventType.RAG_ANSWER_READY, AnswerReady(
                    session_id=state.session_id, message_id=state.message_id, request_id=state.request_id,
                    knowledge_base_ids=list(ctx.knowledge_base_ids), reference_count=len(ctx.passages),
                ))
                if ctx.knowledge_base_ids:
                    session.add(ServingSignal(tenant_id=ctx.tenant_id, version_id=ctx.model_version_id,
                                              latency_ms=round(latency_ms, 2), no_answer=ctx.no_answer))
            await _record_turn_usage(session, ctx, state.message_id)
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("could not store the answer of %s: %s", state.request_id, type(exc).__name__)
        return Unavailable("the answer could not be stored: the database is unavailable")
    return None if stored else NotFound(f"session {state.session_id} was deleted", field="session_id")


async def sse(registry: StreamRegistry, state: StreamState) -> AsyncIterator[str]:
    """The stream's events as SSE text; leaving (a client disconnect) detaches this reader."""
    registry.attach(state)
    try:
        async for event in state.follow():
            yield event.to_sse()
    finally:
        registry.detach(state)


async def replay_message(message: Message) -> AsyncIterator[str]:
    """A stored answer as the same SSE sequence a live one has (for continue-stream after it ended)."""
    def event(response_type: str, **fields: Any) -> str:
        return StreamEvent(
            id=message.request_id,
            response_type=response_type,
            session_id=message.session_id,
            assistant_message_id=message.id,
            **fields,
        ).to_sse()

    cited = [n for n, ref in enumerate(message.knowledge_references, start=1) if ref.get("cited")]
    unsupported = unsupported_of(message.knowledge_references)
    extra = {"status": message.status, "cited": cited, "unsupported_citations": unsupported}
    yield event("references", knowledge_references=message.knowledge_references)
    if message.content:
        yield event("answer", content=message.content)
    yield event("answer", done=True, extra=extra)


def not_found_stream(session_id: str) -> NotFound:
    return NotFound(f"session {session_id} has no answer to continue", field="session_id")
