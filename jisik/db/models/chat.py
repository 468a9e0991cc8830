"""Chat sessions and their messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, VARCHAR
from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, tenant_field, timestamp_field

DEFAULT_FALLBACK_RESPONSE = "The documents do not contain the answer to this question."


class ChatSession(SQLModel, table=True):
    """A conversation, with its own retrieval settings (WeKnora's session defaults)."""

    __tablename__ = "sessions"

    id: str = id_field()
    tenant_id: str = tenant_field()
    # Who started it (``user:<id>``, or the key's label): only they, owners and admins may open it, since its
    # answers and citations come from what its owner may read.
    owner: str = Field(default="", max_length=255)
    title: str = ""
    description: str = ""
    knowledge_base_ids: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(VARCHAR(36)), nullable=False))
    max_rounds: int = 5
    enable_rewrite: bool = True
    fallback_strategy: str = "fixed"
    fallback_response: str = DEFAULT_FALLBACK_RESPONSE
    keyword_threshold: float = 0.5
    vector_threshold: float = 0.5
    embedding_top_k: int = 10
    rerank_model_id: str = ""
    rerank_top_k: int = 10
    rerank_threshold: float = 0.65
    summary_model_id: str = ""
    summary_parameters: dict[str, Any] = json_field()
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)


class Message(SQLModel, table=True):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_session_created", "session_id", "created_at"),)

    id: str = id_field()
    tenant_id: str = tenant_field()
    session_id: str = Field(foreign_key="sessions.id", max_length=36, ondelete="CASCADE")
    request_id: str = Field(default="", max_length=64, index=True)
    role: str = Field(max_length=16)
    content: str = ""
    knowledge_references: list[dict[str, Any]] = json_field(default=list)
    # Per pipeline stage: {"name": ..., "ms": ..., "skipped": reason?}
    stage_timings: list[dict[str, Any]] = json_field(default=list)
    is_completed: bool = False
    # complete | streaming | interrupted | failed
    status: str = Field(default="complete", max_length=16)
    # An answer's prompt as the model received it (placeholders where the PII mask applied); the user's
    # "what the model saw". Never logged, never in change events (JISIK_CDC_EXCLUDED_COLUMNS).
    model_input: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)
