"""Ingest worker settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class IngestSettings(JisikSettings):
    config_table = "ingest"
    model_config = SettingsConfigDict(env_prefix="JISIK_INGEST_", extra="ignore", frozen=True)

    max_attempts: int = Field(3, ge=1, description="Tries before an event goes to documents.failed")
    concurrency: int = Field(2, ge=1, le=64, description="Documents in flight per stage and worker")
    embed_batch: int = Field(32, ge=1, le=1024)
