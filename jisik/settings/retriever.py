"""retriever service settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class RetrieverSettings(JisikSettings):
    config_table = "retriever"
    model_config = SettingsConfigDict(env_prefix="JISIK_RETRIEVER_", extra="ignore", frozen=True)

    embedding_dimension: int = Field(384, ge=1, le=16000, description="Dimension of indexed vectors")
    max_top_k: int = Field(200, ge=1)
    max_batch: int = Field(2000, ge=1, description="Most chunks in one IndexChunks call")
    rrf_k: int = Field(60, ge=1)
