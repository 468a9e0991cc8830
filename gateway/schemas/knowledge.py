from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .common import Strict

# Values the uploader expects in the document, by field name; checked by field validation.
ExpectedFields = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=64)],
         Annotated[str, StringConstraints(max_length=2000)] | int | float],
    Field(max_length=100),
]


class KnowledgePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    tenant_id: str
    knowledge_base_id: str
    type: str
    title: str
    description: str
    source: str
    parse_status: str
    enable_status: str
    file_name: str
    file_type: str
    file_size: int
    file_hash: str
    error_message: str
    duplicate_of: str
    page_count: int
    chunk_count: int
    version: int
    metadata: dict[str, Any] = Field(validation_alias="metadata_")
    expected_fields: dict[str, Any] = {}
    created_at: datetime
    updated_at: datetime
    processed_at: datetime | None


class KnowledgeFromUrl(Strict):
    url: str = Field(min_length=1, max_length=4096)
    title: str = Field("", max_length=255)
    expected_fields: ExpectedFields = Field(default_factory=dict)


class ManualKnowledge(Strict):
    title: str = Field(min_length=1, max_length=255)
    content: str
    expected_fields: ExpectedFields = Field(default_factory=dict)
    # WeKnora's manual API: "draft" keeps it private, "publish" sends it through the pipeline.
    status: Literal["draft", "publish"] = "draft"


class KnowledgeUpdate(Strict):
    title: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=2000)
    enable_status: Literal["enabled", "disabled"] | None = None


class AnswerToKnowledge(Strict):
    """"Add to knowledge base": a Markdown draft from one assistant message (or given text)."""

    knowledge_base_id: str = Field(min_length=1, max_length=36)
    message_id: str | None = Field(None, max_length=36)
    question: str | None = Field(None, max_length=4000)
    answer: str | None = None


class ErasureReceiptPublic(BaseModel):
    """What an erasure removed: counts per kind, sha256 of the deleted object keys, and the tombstones
    the compacted topics get after the commit. Never any document text."""

    knowledge_id: str
    removed: dict[str, int]
    object_key_sha256: list[str]
    tombstones: dict[str, int]
