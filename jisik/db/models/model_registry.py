"""Models registered per tenant (WeKnora's model fields)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlmodel import Field, SQLModel

from ._common import id_field, json_field, tenant_field, timestamp_field


class ModelType(StrEnum):
    EMBEDDING = "Embedding"
    RERANK = "Rerank"
    KNOWLEDGE_QA = "KnowledgeQA"
    VLLM = "VLLM"


class ModelSource(StrEnum):
    LOCAL = "local"
    REMOTE = "remote"


class RegisteredModel(SQLModel, table=True):
    """A model a tenant can use. ``parameters`` holds base_url, interface_type, dimension ...;
    the API key lives only in ``api_key_encrypted`` (Fernet-style, never returned or logged)."""

    __tablename__ = "models"

    id: str = id_field()
    tenant_id: str = tenant_field()
    name: str = Field(max_length=255)
    type: ModelType
    source: ModelSource
    description: str = ""
    parameters: dict[str, Any] = json_field()
    api_key_encrypted: str = ""
    is_default: bool = False
    status: str = Field(default="active", max_length=32)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(onupdate=True)
