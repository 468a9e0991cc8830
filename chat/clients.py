"""What the pipeline needs from the retriever, the model service and the document catalog.

Transport-free Protocols: ``jisik.clients`` implements the first two over gRPC, the gateway's
``DatabaseCatalog`` the third. Values crossing the seam are ``jisik.clients.types``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from jisik.access import Access
from jisik.clients.types import ChatDelta, SearchHit, SearchMode
from ml.training.serving import TunedModel

__all__ = ["KnowledgeCatalog", "KnowledgeInfo", "ModelClient", "RetrieverClient", "TunedModelSource"]


@dataclass(frozen=True, slots=True)
class KnowledgeInfo:
    title: str
    file_name: str
    source: str


class RetrieverClient(Protocol):
    async def analyze(self, text: str) -> list[str]: ...

    async def search(
        self,
        *,
        tenant_id: str,
        query_text: str,
        query_vector: Sequence[float],
        top_k: int,
        vector_threshold: float,
        keyword_threshold: float,
        knowledge_base_ids: Sequence[str],
        mode: SearchMode = SearchMode.HYBRID,
        knowledge_ids: Sequence[str] = (),
        access: Access,
        vector_space: str = "",
    ) -> list[SearchHit]: ...


class ModelClient(Protocol):
    async def embed(self, *, tenant_id: str, model_id: str, texts: Sequence[str]) -> list[list[float]]: ...

    async def rerank(self, *, tenant_id: str, model_id: str, query: str, passages: Sequence[str]) -> list[float]: ...

    def chat_stream(
        self,
        *,
        tenant_id: str,
        model_id: str,
        messages: Sequence[tuple[str, str]],
        passages: Sequence[str],
        question: str,
        temperature: float,
        max_tokens: int,
    ) -> AsyncIterator[ChatDelta]: ...


class KnowledgeCatalog(Protocol):
    """Titles of searchable documents the caller may read; ids missing from the answer are dropped from
    results (so a revoked access hides a hit at once, before the index has caught up)."""

    async def describe(
        self, *, tenant_id: str, knowledge_ids: Sequence[str], access: Access
    ) -> dict[str, KnowledgeInfo]: ...


class TunedModelSource(Protocol):
    """The tenant's own trained models (``ml.training.serving.TunedModels``)."""

    async def for_session(self, tenant_id: str, session_id: str) -> TunedModel | None: ...

    async def vectors(self, tenant_id: str, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]: ...
