"""The blackboard the nine stages share: request, session settings, intermediate results, timings."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from jisik.access import Access
from jisik.clients.types import ChatDelta, SearchHit
from jisik.db.models import DEFAULT_FALLBACK_RESPONSE
from ml.answering.language import no_answer_text
from ml.training.serving import TunedModel

__all__ = ["ChatContext", "HistoryTurn", "Passage", "RetrievalSettings", "StageTiming"]


@dataclass(frozen=True, slots=True)
class RetrievalSettings:
    """Per-session retrieval and generation settings (WeKnora's session fields and defaults)."""

    embedding_top_k: int = 10
    vector_threshold: float = 0.5
    keyword_threshold: float = 0.5
    rerank_model_id: str = ""
    rerank_top_k: int = 10
    rerank_threshold: float = 0.65
    enable_rewrite: bool = True
    max_rounds: int = 5
    fallback_response: str = DEFAULT_FALLBACK_RESPONSE
    chat_model_id: str = ""
    temperature: float = 0.3
    max_completion_tokens: int = 2048
    embedding_model_id: str = ""


@dataclass(frozen=True, slots=True)
class HistoryTurn:
    """One completed question/answer pair of the session (thinking already stripped)."""

    question: str
    answer: str
    references: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)
class Passage:
    """A retrieved (and possibly merged) chunk. ``to_reference`` gives WeKnora's SearchResult fields."""

    chunk_id: str
    knowledge_id: str
    knowledge_base_id: str
    content: str
    score: float
    start_at: int
    end_at: int
    seq: int
    match_type: int = 0
    chunk_type: str = "text"
    metadata: dict[str, Any] = field(default_factory=dict)
    sub_chunk_ids: list[str] = field(default_factory=list)
    knowledge_title: str = ""
    knowledge_filename: str = ""
    knowledge_source: str = ""
    cited: bool = False
    # answer sentences that cite this passage but are not supported by it (ml.answering.support)
    unsupported_sentences: list[str] = field(default_factory=list)

    @classmethod
    def from_hit(cls, hit: SearchHit) -> Passage:
        return cls(
            chunk_id=hit.chunk_id,
            knowledge_id=hit.knowledge_id,
            knowledge_base_id=hit.knowledge_base_id,
            content=hit.content,
            score=hit.score,
            start_at=hit.start,
            end_at=hit.end,
            seq=hit.seq,
            match_type=hit.match_type.number,
            chunk_type=hit.metadata.chunk_type,
            metadata=hit.metadata.to_dict(),
        )

    def to_reference(self) -> dict[str, Any]:
        return {
            "id": self.chunk_id,
            "content": self.content,
            "knowledge_id": self.knowledge_id,
            "knowledge_base_id": self.knowledge_base_id,
            "chunk_index": self.seq,
            "knowledge_title": self.knowledge_title,
            "start_at": self.start_at,
            "end_at": self.end_at,
            "seq": self.seq,
            "score": self.score,
            "match_type": self.match_type,
            "sub_chunk_id": list(self.sub_chunk_ids or [self.chunk_id]),
            "metadata": self.metadata,
            "chunk_type": self.chunk_type,
            "parent_chunk_id": "",
            "image_info": "",
            "knowledge_filename": self.knowledge_filename,
            "knowledge_source": self.knowledge_source,
            "cited": self.cited,
            "unsupported_sentences": list(self.unsupported_sentences),
        }


@dataclass(slots=True)
class StageTiming:
    name: str
    ms: float = 0.0
    skipped: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "ms": round(self.ms, 2)}
        if self.skipped:
            data["skipped"] = self.skipped
        if self.detail:
            data.update(self.detail)
        return data


@dataclass(slots=True)
class ChatContext:
    """Everything one answer needs. Stages read the fields before them and fill their own."""

    tenant_id: str
    query: str
    knowledge_base_ids: list[str]
    settings: RetrievalSettings = field(default_factory=RetrievalSettings)
    # The chat session (its hash picks the canary's version); the tenant's tuned model serving it, if any.
    session_id: str = ""
    tuned: TunedModel | None = None
    # What the asker may read (jisik.access); by default only documents without an access list.
    access: Access = field(default_factory=Access)
    # Only these documents (e.g. those whose fields match a search filter); empty means all.
    knowledge_ids: list[str] = field(default_factory=list)
    history: list[HistoryTurn] = field(default_factory=list)
    # rewrite_query
    rewritten_query: str = ""
    # preprocess_query
    keywords: str = ""
    # chunk_search (the sentence's embedding may start early, overlapping preprocess_query)
    query_vector: asyncio.Future[list[float] | None] | None = None
    base_query_vector: list[float] | None = None  # before the tuned model's adapter
    # The vector space query_vector belongs to: '' (the index's embeddings) or a bi-encoder version's id.
    vector_space: str = ""
    search_detail: dict[str, float] = field(default_factory=dict)
    # chunk_search / chunk_rerank / chunk_merge / filter_top_k
    search_results: list[Passage] = field(default_factory=list)
    rerank_results: list[Passage] | None = None  # None: no rerank ran; []: nothing passed it
    merged: list[Passage] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # into_chat_message
    messages: list[tuple[str, str]] = field(default_factory=list)
    language: str = "en"
    # chat_completion_stream / stream_filter
    answer: str = ""
    thinking: str = ""
    no_answer: bool = False
    # What the model was given (JSON from the model service; masked when the tenant's policy applied).
    model_input: str = ""
    timings: list[StageTiming] = field(default_factory=list)
    # Metered model use of this turn (usage records are written with the answer).
    rerank_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    answered_by: str = ""

    def count_tokens(self, delta: ChatDelta) -> None:
        """Add a model call's tokens (its last delta carries them) to the turn's usage."""
        if delta.done:
            self.tokens_in += delta.prompt_tokens
            self.tokens_out += delta.completion_tokens
            self.answered_by = delta.model_id or self.settings.chat_model_id

    @property
    def fallback_response(self) -> str:
        """What to answer when the documents do not hold the answer: the session's own text, or the
        built-in one in the question's language."""
        configured = self.settings.fallback_response
        return no_answer_text(self.language) if configured == DEFAULT_FALLBACK_RESPONSE else configured

    @property
    def model_version_id(self) -> str:
        """The tuned model version serving this answer ('' = the base models)."""
        return self.tuned.version_id if self.tuned else ""

    @property
    def search_query(self) -> str:
        return self.rewritten_query or self.query
