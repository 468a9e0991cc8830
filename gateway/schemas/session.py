"""Chat sessions with their retrieval settings (WeKnora's session defaults)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, model_validator

from jisik.db.models import DEFAULT_FALLBACK_RESPONSE

from .common import Strict, SummaryParameters


class RetrievalSettings(BaseModel):
    """A session's retrieval settings, each optional (absent ones keep their value)."""

    max_rounds: int | None = Field(None, ge=0, le=50)
    enable_rewrite: bool | None = None
    fallback_strategy: Literal["fixed", "model"] | None = None
    fallback_response: str | None = Field(None, min_length=1, max_length=2000)
    keyword_threshold: float | None = Field(None, ge=0)
    vector_threshold: float | None = Field(None, ge=-1, le=1)
    embedding_top_k: int | None = Field(None, ge=1, le=200)
    rerank_model_id: str | None = Field(None, max_length=36)
    rerank_top_k: int | None = Field(None, ge=1, le=100)
    rerank_threshold: float | None = Field(None, ge=-10, le=10)
    summary_model_id: str | None = Field(None, max_length=36)
    summary_parameters: SummaryParameters | None = None


class SessionSettingsUpdate(Strict, RetrievalSettings):
    """Every retrieval setting; absent fields keep their value."""

    title: str | None = Field(None, max_length=255)
    description: str | None = Field(None, max_length=2000)
    knowledge_base_id: str | None = Field(None, max_length=36)
    knowledge_base_ids: list[str] | None = Field(None, max_length=50)

    def changes(self) -> dict[str, Any]:
        """The fields to write; ``knowledge_base_id`` folds into ``knowledge_base_ids``."""
        values = self.model_dump(exclude_unset=True, exclude={"knowledge_base_id"})
        if self.knowledge_base_id is not None and self.knowledge_base_ids is None:
            values["knowledge_base_ids"] = [self.knowledge_base_id] if self.knowledge_base_id else []
        return values


class SessionStrategy(RetrievalSettings):
    """WeKnora clients send the retrieval settings nested as ``session_strategy``; fields jisik does not
    have (e.g. ``no_match_prefix``) are ignored."""

    model_config = ConfigDict(extra="ignore")


class SessionCreate(SessionSettingsUpdate):
    session_strategy: SessionStrategy | None = None

    @model_validator(mode="after")
    def _default_title(self) -> SessionCreate:
        if self.title is None:
            self.title = ""
        return self

    def changes(self) -> dict[str, Any]:
        """Top-level fields win over the same field inside ``session_strategy``."""
        nested = self.session_strategy.model_dump(exclude_unset=True) if self.session_strategy else {}
        values = super().changes()
        values.pop("session_strategy", None)
        return {**nested, **values}


class SessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    tenant_id: str
    title: str
    description: str
    knowledge_base_ids: list[str]
    max_rounds: int
    enable_rewrite: bool
    fallback_strategy: str
    fallback_response: str = DEFAULT_FALLBACK_RESPONSE
    keyword_threshold: float
    vector_threshold: float
    embedding_top_k: int
    rerank_model_id: str
    rerank_top_k: int
    rerank_threshold: float
    summary_model_id: str
    summary_parameters: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @computed_field  # type: ignore[prop-decorator]  # pydantic's computed_field over a property
    @property
    def knowledge_base_id(self) -> str:
        """WeKnora's single knowledge base field: the first of ``knowledge_base_ids``."""
        return self.knowledge_base_ids[0] if self.knowledge_base_ids else ""


class MessagePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    session_id: str
    request_id: str
    role: str
    content: str
    knowledge_references: list[dict[str, Any]]
    stage_timings: list[dict[str, Any]]
    is_completed: bool
    status: str
    created_at: datetime
    updated_at: datetime


class ModelInputMessage(BaseModel):
    role: str
    content: str


class ModelInputPublic(BaseModel):
    """What the chat model received for one answer; ``masked`` counts the personal values it saw only
    as placeholders (⟦PHONE_1⟧ …), 0 when the mask did not apply (a local model, or the policy is off)."""

    masked: int
    messages: list[ModelInputMessage]
    passages: list[str]
    question: str


class ChatQuery(Strict):
    query: str = Field(min_length=1)
    # Optional override of the session's knowledge bases for this question.
    knowledge_base_ids: list[str] | None = Field(None, max_length=50)
