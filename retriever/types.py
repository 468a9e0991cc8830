"""Domain objects of the retriever: what gets indexed, what a search asks, what it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

__all__ = ["ChannelHit", "ChunkInput", "Filters", "Fusion", "Hit", "MatchType", "Mode", "SearchQuery"]


class Mode(Enum):
    HYBRID = "hybrid"
    VECTOR = "vector"
    KEYWORD = "keyword"


class Fusion(Enum):
    RRF = "rrf"
    WEIGHTED = "weighted"


class MatchType(Enum):
    EMBEDDING = "embedding"
    KEYWORDS = "keywords"
    HYBRID = "hybrid"


@dataclass(frozen=True)
class ChunkInput:
    """One chunk to index, already validated."""

    chunk_id: str
    knowledge_base_id: str
    knowledge_id: str
    content: str
    embedding: np.ndarray
    # The document's title: indexed for keyword search with every chunk of the document.
    title: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    acl_principals: tuple[str, ...] = ()
    seq: int = 0
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class Filters:
    """Which chunks of one tenant a search may see. Empty tuples mean "no restriction"."""

    tenant_id: str
    knowledge_base_ids: tuple[str, ...] = ()
    knowledge_ids: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()
    # Every document of the tenant, whatever its ACL (owners, admins, the tenant key).
    all_documents: bool = False


@dataclass(frozen=True)
class SearchQuery:
    filters: Filters
    top_k: int
    mode: Mode = Mode.HYBRID
    text: str = ""
    vector: np.ndarray | None = None
    vector_threshold: float = 0.0
    keyword_threshold: float = 0.0
    fusion: Fusion = Fusion.RRF
    rrf_k: int = 60
    vector_weight: float = 0.3
    keyword_weight: float = 0.7
    sentence_weight: float = 0.5
    # '' = the index's own embeddings; else a fine-tuned bi-encoder version's vectors of the chunks.
    vector_space: str = ""


@dataclass(frozen=True)
class ChannelHit:
    """One chunk as one channel ranked it (rank is 1-based). The keyword channel also gives the two parts
    its score blends: the chunk's BM25 score and its best sentence's."""

    ref: int
    chunk_id: str
    score: float
    rank: int
    bm25_score: float = 0.0
    sentence_score: float = 0.0


@dataclass
class Hit:
    chunk_id: str
    score: float
    match_type: MatchType
    vector_score: float = 0.0
    vector_rank: int = 0
    keyword_score: float = 0.0
    keyword_rank: int = 0
    bm25_score: float = 0.0
    sentence_score: float = 0.0
    ref: int = 0
    knowledge_base_id: str = ""
    knowledge_id: str = ""
    content: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    start: int = 0
    end: int = 0
