"""The nine-stage answer pipeline over one ChatContext.

Seven batch stages fill the context (each in its own span, timed); then the chat model's stream runs
through the stream filter. ``ChatPipeline.run`` yields one ``references`` event before any answer text,
then ``thinking`` / ``answer`` deltas. Closing the generator (a client that left) cancels the model call;
``ctx.answer`` then holds the partial answer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Literal

from opentelemetry import trace
from sqlalchemy.exc import SQLAlchemyError

from jisik.settings import ChatSettings
from ml.answering.support import unsupported_citations

from .clients import KnowledgeCatalog, ModelClient, RetrieverClient, TunedModelSource
from .context import ChatContext, StageTiming
from .stages import (
    ChunkMerge,
    ChunkRerank,
    ChunkSearch,
    FilterTopK,
    IntoChatMessage,
    PreprocessQuery,
    RewriteQuery,
    Stage,
    StreamFilter,
)
from .stages.into_chat_message import NO_MATCH

__all__ = ["ChatPipeline", "PipelineEvent"]

_tracer = trace.get_tracer(__name__)
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PipelineEvent:
    kind: Literal["references", "thinking", "answer"]
    content: str = ""
    references: list[dict[str, Any]] = field(default_factory=list)


class ChatPipeline:
    """rewrite_query, preprocess_query, chunk_search, chunk_rerank, chunk_merge, filter_top_k,
    into_chat_message, chat_completion_stream, stream_filter, then citation_check on the whole answer."""

    def __init__(
        self,
        *,
        retriever: RetrieverClient,
        model: ModelClient,
        catalog: KnowledgeCatalog,
        settings: ChatSettings,
        tuned: TunedModelSource | None = None,
    ) -> None:
        self._model = model
        self._tuned = tuned
        self._search = ChunkSearch(retriever, model, catalog)
        self.stages: list[Stage] = [
            RewriteQuery(model, max_tokens=settings.rewrite_max_tokens),
            PreprocessQuery(retriever),
            self._search,
            ChunkRerank(model, tuned),
            ChunkMerge(),
            FilterTopK(),
            IntoChatMessage(
                history_turns=settings.generation_history_turns, max_passage_chars=settings.max_passage_chars
            ),
        ]

    async def _run_stage(self, stage: Stage, ctx: ChatContext) -> None:
        timing = StageTiming(stage.name)
        ctx.timings.append(timing)
        started = time.perf_counter()
        with _tracer.start_as_current_span(f"chat.{stage.name}") as span:
            try:
                timing.skipped = await stage.run(ctx)
            finally:
                timing.ms = (time.perf_counter() - started) * 1000
            if timing.skipped:
                span.set_attribute("chat.skipped", timing.skipped)
            span.set_attribute("chat.passages", len(ctx.passages or ctx.merged or ctx.search_results))

    async def _choose_model(self, ctx: ChatContext) -> None:
        """The tenant's tuned model for this session; the base models when none serves or it cannot be read."""
        if self._tuned is None or not ctx.session_id or not ctx.knowledge_base_ids:
            return
        try:
            ctx.tuned = await self._tuned.for_session(ctx.tenant_id, ctx.session_id)
        except (SQLAlchemyError, OSError) as exc:
            logger.warning("tuned model lookup failed, answering with the base models: %s", type(exc).__name__)

    async def _prepare(self, ctx: ChatContext) -> None:
        await self._choose_model(ctx)
        try:
            for stage in self.stages:
                await self._run_stage(stage, ctx)
                if stage.name == "rewrite_query":
                    self._search.start_embedding(ctx)  # overlaps preprocess_query
        finally:
            if ctx.query_vector is not None and not ctx.query_vector.done():
                ctx.query_vector.cancel()
        search = next(timing for timing in ctx.timings if timing.name == self._search.name)
        search.detail.update(ctx.search_detail)
        if ctx.tuned is not None:
            search.detail["model_version_id"] = ctx.tuned.version_id
            search.detail["model_version"] = ctx.tuned.version

    async def run(self, ctx: ChatContext) -> AsyncIterator[PipelineEvent]:
        await self._prepare(ctx)
        # Which references are cited is known only at the end (the final event and the stored message).
        references = [passage.to_reference() for passage in ctx.passages]
        for reference in references:
            reference.pop("cited")
            reference.pop("unsupported_sentences")
        yield PipelineEvent("references", references=references)
        if not ctx.passages:
            for name in ("chat_completion_stream", "stream_filter"):
                ctx.timings.append(StageTiming(name, skipped="no passages; fallback response"))
            ctx.no_answer = True
            ctx.answer = ctx.fallback_response
            yield PipelineEvent("answer", ctx.answer)
            return
        async for event in self._generate(ctx):
            yield event
        await self._check_citations(ctx)

    async def _check_citations(self, ctx: ChatContext) -> None:
        """citation_check: flag each cited sentence of the answer its passage does not support."""
        timing = StageTiming("citation_check")
        ctx.timings.append(timing)
        if ctx.no_answer:
            timing.skipped = "no answer"
            return
        started = time.perf_counter()
        with _tracer.start_as_current_span("chat.citation_check") as span:
            found = await asyncio.to_thread(
                unsupported_citations, ctx.answer, [passage.content for passage in ctx.passages]
            )
            timing.ms = (time.perf_counter() - started) * 1000
            for citation in found:
                ctx.passages[citation.number - 1].unsupported_sentences.append(citation.sentence)
            timing.detail["unsupported"] = len(found)
            span.set_attribute("chat.unsupported_citations", len(found))

    def _apply(self, ctx: ChatContext, kind: str, text: str) -> PipelineEvent:
        if kind == "thinking":
            ctx.thinking += text
            return PipelineEvent("thinking", text)
        ctx.answer += text
        return PipelineEvent("answer", text)

    async def _generate(self, ctx: ChatContext) -> AsyncIterator[PipelineEvent]:
        stream_filter = StreamFilter(
            markers=(NO_MATCH,), fallback=ctx.fallback_response, passage_count=len(ctx.passages)
        )
        generation, filtering = StageTiming("chat_completion_stream"), StageTiming("stream_filter")
        ctx.timings += [generation, filtering]
        span = _tracer.start_span("chat.chat_completion_stream")
        started = time.perf_counter()
        filter_s = 0.0
        try:
            stream = self._model.chat_stream(
                tenant_id=ctx.tenant_id,
                model_id=ctx.settings.chat_model_id,
                messages=ctx.messages,
                passages=[passage.content for passage in ctx.passages],
                question=ctx.query,
                temperature=ctx.settings.temperature,
                max_tokens=ctx.settings.max_completion_tokens,
            )
            model_no_answer = False
            async for delta in stream:
                if delta.model_input:
                    ctx.model_input = delta.model_input
                    continue
                ctx.count_tokens(delta)
                if "first_token_ms" not in generation.detail:
                    generation.detail["first_token_ms"] = round((time.perf_counter() - started) * 1000, 2)
                if delta.no_answer:  # the model's own "not in the passages" text gives way to the fallback
                    model_no_answer = True
                    break
                mark = time.perf_counter()
                parts = stream_filter.feed(delta.text)
                filter_s += time.perf_counter() - mark
                for kind, text in parts:
                    yield self._apply(ctx, kind, text)
            mark = time.perf_counter()
            parts = stream_filter.finish(no_answer=model_no_answer)
            filter_s += time.perf_counter() - mark
            for kind, text in parts:
                yield self._apply(ctx, kind, text)
        finally:
            generation.ms = (time.perf_counter() - started) * 1000
            filtering.ms = filter_s * 1000
            ctx.no_answer = stream_filter.no_answer
            for number in stream_filter.cited:
                ctx.passages[number - 1].cited = True
            filtering.detail["cited"] = sorted(stream_filter.cited)
            span.set_attribute("chat.cited", len(stream_filter.cited))
            span.end()
