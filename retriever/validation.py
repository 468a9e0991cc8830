"""Checks on every request before it touches the index; each failure is a typed jisik error."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from jisik.errors import InvalidInput, TooLarge
from jisik.settings import RetrieverSettings

from .types import ChunkInput, Mode, SearchQuery

__all__ = ["check_chunks", "check_id", "check_query", "check_vector"]

MAX_ID_CHARS = 64


def check_id(value: str, field: str) -> str:
    if not value or not value.strip():
        raise InvalidInput(f"{field} is required", field=field)
    if len(value) > MAX_ID_CHARS:
        raise InvalidInput(f"{field} is longer than {MAX_ID_CHARS} characters", field=field)
    return value


def check_vector(vector: np.ndarray, dimension: int, field: str) -> np.ndarray:
    if vector.shape != (dimension,):
        raise InvalidInput(f"{field} has {vector.size} dimensions, the index has {dimension}", field=field)
    if not np.all(np.isfinite(vector)):
        raise InvalidInput(f"{field} holds NaN or infinity", field=field)
    if not np.any(vector):
        raise InvalidInput(f"{field} is all zeros (no direction for cosine similarity)", field=field)
    return vector


# A document title, not a second content: longer ones are rejected rather than silently cut.
MAX_TITLE_CHARS = 1_000


def check_chunks(chunks: Sequence[ChunkInput], settings: RetrieverSettings) -> None:
    """Reject the whole batch if any chunk is bad, so nothing is half-indexed."""
    if len(chunks) > settings.max_batch:
        raise TooLarge(f"{len(chunks)} chunks in one call; the limit is {settings.max_batch}", field="chunks")
    seen: set[str] = set()
    for position, chunk in enumerate(chunks):
        where = f"chunks[{position}]"
        check_id(chunk.chunk_id, f"{where}.chunk_id")
        check_id(chunk.knowledge_base_id, f"{where}.knowledge_base_id")
        check_id(chunk.knowledge_id, f"{where}.knowledge_id")
        if chunk.chunk_id in seen:
            raise InvalidInput(f"chunk id {chunk.chunk_id!r} appears twice in the batch", field=f"{where}.chunk_id")
        seen.add(chunk.chunk_id)
        if len(chunk.content) > settings.max_chunk_chars:
            raise TooLarge(f"{where}.content is over {settings.max_chunk_chars} characters", field=f"{where}.content")
        if "\x00" in chunk.content:
            raise InvalidInput(f"{where}.content contains a NUL character", field=f"{where}.content")
        if len(chunk.title) > MAX_TITLE_CHARS or "\x00" in chunk.title:
            raise InvalidInput(
                f"{where}.title is over {MAX_TITLE_CHARS} characters or contains a NUL character", field=f"{where}.title"
            )
        check_vector(chunk.embedding, settings.embedding_dimension, f"{where}.embedding")


def check_query(query: SearchQuery, settings: RetrieverSettings) -> None:
    check_id(query.filters.tenant_id, "tenant_id")
    if not 1 <= query.top_k <= settings.max_top_k:
        raise InvalidInput(f"top_k must be between 1 and {settings.max_top_k}", field="top_k")
    if query.text and not query.text.strip():
        raise InvalidInput("query_text is only whitespace", field="query_text")
    if len(query.text) > settings.max_query_chars:
        raise TooLarge(f"query_text is over {settings.max_query_chars} characters", field="query_text")
    has_text, has_vector = bool(query.text), query.vector is not None
    if query.mode is Mode.KEYWORD and not has_text:
        raise InvalidInput("keyword search needs query_text", field="query_text")
    if query.mode is Mode.VECTOR and not has_vector:
        raise InvalidInput("vector search needs query_vector", field="query_vector")
    if not (has_text or has_vector):
        raise InvalidInput("give query_text, query_vector or both", field="query_text")
    if query.vector is not None:
        check_vector(query.vector, settings.embedding_dimension, "query_vector")
    if query.vector_space:
        check_id(query.vector_space, "vector_space")
    for name in ("vector_threshold", "keyword_threshold", "vector_weight", "keyword_weight", "sentence_weight"):
        if not math.isfinite(getattr(query, name)):
            raise InvalidInput(f"{name} is not a finite number", field=name)
    if query.vector_weight < 0 or query.keyword_weight < 0:
        raise InvalidInput("fusion weights cannot be negative", field="vector_weight")
    if not 0 <= query.sentence_weight <= 1:
        raise InvalidInput("sentence_weight must be between 0 and 1", field="sentence_weight")
    if query.rrf_k < 1:
        raise InvalidInput("rrf_k must be positive", field="rrf_k")
    for field, ids in (("knowledge_base_ids", query.filters.knowledge_base_ids),
                       ("knowledge_ids", query.filters.knowledge_ids)):
        for value in ids:
            check_id(value, field)
