"""Registered models. API keys are write-only: accepted on create/update, never returned."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from jisik.db.models import ModelSource, ModelType

from .common import ModelParameters, Strict


class ModelCreate(Strict):
    name: str = Field(min_length=1, max_length=255)
    type: ModelType
    source: ModelSource
    description: str = Field("", max_length=2000)
    # base_url, interface_type, embedding_parameters{dimension} ...; an "api_key" here is moved out.
    parameters: ModelParameters = Field(default_factory=dict)
    api_key: SecretStr | None = None
    is_default: bool = False


class ModelUpdate(Strict):
    name: str | None = Field(None, min_length=1, max_length=255)
    description: str | None = Field(None, max_length=2000)
    parameters: ModelParameters | None = None
    api_key: SecretStr | None = None
    is_default: bool | None = None


class ModelPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    tenant_id: str
    name: str
    type: str
    source: str
    description: str
    parameters: dict[str, Any]
    has_api_key: bool
    is_default: bool
    status: str
    created_at: datetime
    updated_at: datetime
