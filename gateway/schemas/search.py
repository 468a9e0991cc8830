from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from .common import Strict

# Exact matches on validated document fields: field name -> value (as written or normalised).
FieldFilters = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=64)],
         Annotated[str, StringConstraints(max_length=2000)]],
    Field(max_length=20),
]


class HybridSearchParams(Strict):
    """WeKnora's hybrid-search body (sent as JSON even on GET)."""

    query_text: str = Field(min_length=1)
    vector_threshold: float = Field(0.5, ge=-1, le=1)
    keyword_threshold: float = Field(0.3, ge=0)
    match_count: int = Field(10, ge=1, le=200)
    filters: FieldFilters = Field(default_factory=dict)


class KnowledgeSearchRequest(Strict):
    query: str = Field(min_length=1)
    knowledge_base_id: str | None = Field(None, max_length=36)
    knowledge_base_ids: list[str] | None = Field(None, max_length=50)
    match_count: int = Field(10, ge=1, le=200)
    filters: FieldFilters = Field(default_factory=dict)

    def base_ids(self) -> list[str]:
        ids = list(self.knowledge_base_ids or [])
        if self.knowledge_base_id:
            ids.insert(0, self.knowledge_base_id)
        return list(dict.fromkeys(ids))


class SearchResult(BaseModel):
    """WeKnora's SearchResult fields."""

    id: str
    content: str
    knowledge_id: str
    knowledge_base_id: str
    chunk_index: int
    knowledge_title: str
    start_at: int
    end_at: int
    seq: int
    score: float
    match_type: int
    sub_chunk_id: list[str]
    metadata: dict[str, Any]
    chunk_type: str
    parent_chunk_id: str
    image_info: str
    knowledge_filename: str
    knowledge_source: str
