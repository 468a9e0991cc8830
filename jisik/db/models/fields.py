"""Field extraction: the field schema versions of a knowledge base, the fields read from each document,
and the reviews people made (their corrections are labelled examples for training)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, tenant_field, timestamp_field


class FieldSchemaVersion(SQLModel, table=True):
    """One saved version of a knowledge base's field schema; the highest version is in force."""

    __tablename__ = "field_schemas"
    __table_args__ = (UniqueConstraint("knowledge_base_id", "version", name="uq_field_schemas_kb_version"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    knowledge_base_id: str = Field(foreign_key="knowledge_bases.id", max_length=36, ondelete="CASCADE")
    version: int
    body: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()


class DocumentFields(SQLModel, table=True):
    """The fields of one document as validated (or reviewed), one row per document."""

    __tablename__ = "document_fields"
    __table_args__ = (
        Index("ix_document_fields_queue", "tenant_id", "knowledge_base_id", "status", "updated_at"),
        Index("ix_document_fields_values", "validated_data", postgresql_using="gin"),
    )

    knowledge_id: str = Field(foreign_key="knowledges.id", primary_key=True, max_length=36, ondelete="CASCADE")
    tenant_id: str = tenant_field()
    knowledge_base_id: str = Field(max_length=36)
    schema_version: int
    # Document version and file hash the fields were read from (reviewed values survive a reprocess of the
    # same file).
    document_version: int
    file_hash: str = Field(default="", max_length=64)
    status: str = Field(max_length=16)
    fields: list[dict[str, Any]] = json_field(default=list)
    errors: list[dict[str, Any]] = json_field(default=list)
    validated_data: dict[str, Any] = json_field()
    duplicate_of: str = Field(default="", max_length=36)
    # Bumped by every write, so a reviewer's form can say which reading it corrects.
    revision: int = 1
    reviewed_by: str = Field(default="", max_length=255)
    reviewed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)


class DocumentLines(SQLModel, table=True):
    """The lines the field check read from a document (its original's layout, else its text), kept so
    the field tagger's training reads the same lines without opening the original or running OCR again.

    Document text, like chunks: never logged, not captured by CDC; it goes with the document.
    """

    __tablename__ = "document_lines"

    knowledge_id: str = Field(foreign_key="knowledges.id", primary_key=True, max_length=36, ondelete="CASCADE")
    tenant_id: str = tenant_field()
    file_hash: str = Field(default="", max_length=64)  # the file the lines were read from
    # Rows of cells: [text, x0, x1, page, box]; x0/x1 the cell's extent across (a page fraction or a text
    # column), page None and box None for formats without pages or word boxes.
    lines: list[list[list[Any]]] = json_field(default=list)
    updated_at: datetime = timestamp_field(onupdate=True)


class FieldReview(SQLModel, table=True):
    """A person's decision on a document's fields: who, when, what they changed (before -> after)."""

    __tablename__ = "field_reviews"

    id: str = id_field()
    tenant_id: str = tenant_field()
    knowledge_base_id: str = Field(max_length=36, index=True)
    knowledge_id: str = Field(foreign_key="knowledges.id", index=True, max_length=36, ondelete="CASCADE")
    decision: str = Field(max_length=16)
    reviewer: str = Field(max_length=255)
    comment: str = ""
    # name -> {"before": extracted value, "after": corrected value, "source_text", "page", "bbox"}
    corrections: dict[str, Any] = json_field()
    final_status: str = Field(max_length=16)
    created_at: datetime = timestamp_field()
