"""docreader service settings."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class DocreaderSettings(JisikSettings):
    config_table = "docreader"
    model_config = SettingsConfigDict(env_prefix="JISIK_DOCREADER_", extra="ignore", frozen=True)

    worker_processes: int = Field(
        1, ge=1, le=64, validation_alias=AliasChoices("GRPC_WORKER_PROCESSES", "JISIK_DOCREADER_WORKER_PROCESSES")
    )
    max_workers: int = Field(
        4, ge=1, le=256, validation_alias=AliasChoices("GRPC_MAX_WORKERS", "JISIK_DOCREADER_MAX_WORKERS")
    )
    max_file_mb: int = Field(100, ge=1, description="Largest accepted file, MiB")
    max_pages: int = Field(5000, ge=1, description="Largest accepted page count")
    max_unzipped_mb: int = Field(500, ge=1, description="Largest decompressed size of an Office zip, MiB")
    timeout_s: float = Field(600.0, gt=0, description="Time limit per document")
