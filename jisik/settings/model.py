"""Model service settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class ModelSettings(JisikSettings):
    config_table = "model"
    model_config = SettingsConfigDict(env_prefix="JISIK_MODEL_", extra="ignore", frozen=True)

    default_embedding: str = Field("multilingual-e5-small", description="Built-in default embedder")
    default_chat: str = Field("extractive", description="Built-in default chat backend")
    request_timeout_s: float = Field(60.0, gt=0)
    max_retries: int = Field(3, ge=0)
