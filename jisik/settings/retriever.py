"""retriever service settings."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class RetrieverSettings(JisikSettings):
    config_table = "retriever"
    model_config = SettingsConfigDict(env_prefix="JISIK_RETRIEVER_", extra="ignore", frozen=True)

    embedding_dimension: int = Field(384, ge=1, le=16000, description="Dimension of indexed vectors")
    max_top_k: int = Field(200, ge=1)
    max_batch: int = Field(2000, ge=1, description="Most chunks in one IndexChunks call")
    max_chunk_chars: int = Field(100_000, ge=1, description="Longest chunk content accepted")
    max_query_chars: int = Field(4_000, ge=1, description="Longest query text accepted")
    rrf_k: int = Field(60, ge=1)
    # Tuned on KorQuAD v1.0 dev with the default e5-small embedder (bench/retrieval.py): BM25 over Kiwi
    # morphemes is the stronger channel there, so it gets the larger share.
    vector_weight: float = Field(0.3, ge=0, description="Default vector weight of RRF and weighted fusion")
    keyword_weight: float = Field(0.7, ge=0, description="Default keyword weight of RRF and weighted fusion")
    fusion: Literal["rrf", "weighted"] = Field("weighted", description="Fusion of a hybrid search that names none")
    fusion_depth: int = Field(50, ge=1, description="Candidates each channel hands to fusion (at least top_k)")
    sentence_weight: float = Field(
        0.5, ge=0, le=1, description="Share of the best sentence's BM25 in keyword ranking (0: plain BM25)"
    )
    # k1 0.6 saturates term frequency early, which suits chunk-sized documents and question queries.
    # KorQuAD dev keyword R@1 (compound analyzer): k1 0.6 0.913, 0.9 0.909, 1.2 0.903, 1.5 0.899.
    bm25_k1: float = Field(0.6, gt=0, description="Okapi BM25 term-frequency saturation")
    bm25_b: float = Field(0.75, ge=0, le=1, description="Okapi BM25 length normalisation")
    bm25_epsilon: float = Field(0.25, ge=0, description="Floor for negative idf, as a share of the mean idf")
    hnsw_ef_search: int = Field(100, ge=1, le=1000)
    hnsw_iterative_scan: Literal["strict_order", "relaxed_order"] = "strict_order"
    hnsw_max_scan_tuples: int = Field(20_000, ge=1)
    pool_size: int = Field(8, ge=2, le=200, description="PostgreSQL connections per retriever process")
