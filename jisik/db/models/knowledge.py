"""Knowledge bases, their documents (knowledges) and the documents' chunks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlalchemy.dialects.postgresql import ARRAY, INTEGER, VARCHAR
from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, tenant_field, timestamp_field

DEFAULT_CHUNKING: dict[str, Any] = {"chunk_size": 512, "chunk_overlap": 50, "separators": ["\n\n", "\n", "。"]}


def _default_chunking() -> dict[str, Any]:
    return {**DEFAULT_CHUNKING, "separators": list(DEFAULT_CHUNKING["separators"])}


class KnowledgeBase(SQLModel, table=True):
    __tablename__ = "knowledge_bases"

    id: str = id_field()
    tenant_id: str = tenant_field()
    name: str = Field(max_length=255)
    description: str = ""
    chunking_config: dict[str, Any] = json_field(default=_default_chunking)
    image_processing_config: dict[str, Any] = json_field()
    embedding_model_id: str = ""
    summary_model_id: str = ""
    rerank_model_id: str = ""
    vlm_model_id: str = ""
    # Who may read its documents that have no list of their own (jisik.access); empty: everyone in the tenant.
    access_list: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(VARCHAR(255)), nullable=False))
    # The actor that created it (``user:<id>``, ``key:<prefix>``); it may set the access lists.
    owner: str = Field(default="", max_length=255)
    # Days a document is kept before the retention purge erases it; None = the tenant's setting.
    retention_days: int | None = None
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)


class KnowledgeType(StrEnum):
    FILE = "file"
    URL = "url"
    MANUAL = "manual"


class ParseStatus(StrEnum):
    """Where a document is in the ingest pipeline."""

    DRAFT = "draft"
    PENDING = "pending"
    PARSING = "parsing"
    VALIDATING = "validating"
    EMBEDDING = "embedding"
    INDEXING = "indexing"
    COMPLETED = "completed"
    FAILED = "failed"


class Knowledge(SQLModel, table=True):
    """One document in a knowledge base."""

    __tablename__ = "knowledges"
    # created_at: the retention purge looks for expired documents by age.
    __table_args__ = (
        Index("ix_knowledges_kb_hash", "knowledge_base_id", "file_hash"),
        Index("ix_knowledges_created_at", "created_at"),
    )

    id: str = id_field()
    tenant_id: str = tenant_field()
    knowledge_base_id: str = Field(foreign_key="knowledge_bases.id", index=True, max_length=36, ondelete="CASCADE")
    type: KnowledgeType = KnowledgeType.FILE
    title: str = ""
    description: str = ""
    source: str = ""
    file_name: str = ""
    file_type: str = ""
    file_size: int = 0
    file_hash: str = Field(default="", max_length=64)
    storage_key: str = ""
    parse_status: ParseStatus = ParseStatus.PENDING
    error_message: str = ""
    # Id of the document this one duplicates, when validation found the same content.
    duplicate_of: str = ""
    page_count: int = 0
    chunk_count: int = 0
    # Bumped by every (re)publish or reprocess; events carry it so stale work is ignored.
    version: int = 1
    enable_status: str = Field(default="enabled", max_length=16)
    # Values the uploader expects in the document (field name -> value), checked by field validation.
    expected_fields: dict[str, Any] = json_field()
    # The document's own access list (jisik.access); empty: its knowledge base's list applies.
    access_list: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(VARCHAR(255)), nullable=False))
    # The effective list (own, else the knowledge base's) that index.meta carries to the retriever;
    # empty means everyone in the tenant. Written only by gateway.services.access_lists and at creation.
    acl_principals: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(VARCHAR(255)), nullable=False))
    metadata_: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)
    processed_at: datetime | None = None


Knowledge.__table__.c.metadata_.name = "metadata"  # type: ignore[attr-defined]  # SQLModel types the column as its Python value


class Chunk(SQLModel, table=True):
    """A chunk of a document as the docreader produced it (the search index lives in the retriever)."""

    __tablename__ = "chunks"
    __table_args__ = (UniqueConstraint("knowledge_id", "chunk_index", name="uq_chunks_knowledge_seq"),)

    id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = tenant_field()
    knowledge_base_id: str = Field(index=True, max_length=36)
    knowledge_id: str = Field(foreign_key="knowledges.id", index=True, max_length=36, ondelete="CASCADE")
    content: str
    chunk_index: int
    start_at: int
    end_at: int
    pages: list[int] = Field(default_factory=list, sa_column=Column(ARRAY(INTEGER), nullable=False))
    chunk_type: str = Field(default="text", max_length=32)
    image_info: list[dict[str, Any]] = json_field(default=list)
    is_enabled: bool = True
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)
