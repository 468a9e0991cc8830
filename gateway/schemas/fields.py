"""Request and response bodies of the field schema, field and review endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from fields.evaluate import FieldResult

from .common import Strict


class FieldSchemaPublic(BaseModel):
    version: int
    fields: list[dict[str, Any]]
    rules: list[dict[str, Any]]
    duplicate_key: list[str]
    review_threshold: float


class SchemaPreviewRequest(Strict):
    knowledge_id: str = Field(min_length=1, max_length=36)
    field_schema: dict[str, Any] = Field(alias="schema")


class DocumentFieldsPublic(BaseModel):
    knowledge_id: str
    knowledge_base_id: str
    status: str
    fields: list[FieldResult]
    errors: list[dict[str, Any]]
    duplicate_of: str
    schema_version: int
    revision: int
    reviewed_by: str = ""
    reviewed_at: datetime | None = None
    page_count: int = 0


class ReviewQueueItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    knowledge_id: str
    knowledge_base_id: str
    title: str
    status: str
    error_count: int
    lowest_confidence: float | None
    updated_at: datetime


class ReviewRequest(Strict):
    decision: Literal["approve", "reject"]
    corrections: dict[str, str] = Field(default_factory=dict, max_length=100)
    comment: str = Field("", max_length=2000)
    reviewer: str = Field("", max_length=255)
    # The revision the reviewer saw; a different current revision gets 409.
    revision: int | None = None
