"""Ingest worker settings."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class IngestSettings(JisikSettings):
    config_table = "ingest"
    model_config = SettingsConfigDict(env_prefix="JISIK_INGEST_", extra="ignore", frozen=True)

    stages: str = Field(
        "", description="Comma-separated stages this process runs (parse, validate, index); empty = all"
    )
    max_attempts: int = Field(3, ge=1, description="Tries before an event goes to documents.failed")
    concurrency: int = Field(2, ge=1, le=64, description="Documents in flight per stage and worker")
    embed_batch: int = Field(32, ge=1, le=1024)
    retry_backoff_s: float = Field(1.0, ge=0, description="First retry delay; doubles on every further try")
    retry_backoff_max_s: float = Field(30.0, ge=0, description="Longest delay between two tries")
    outage_budget_s: float = Field(
        600.0, ge=0, description="How long a document waits out an unavailable docreader/model/retriever"
    )
    redrive_interval_s: float = Field(30.0, gt=0, description="How often unfinished documents are checked")
    redrive_stale_s: float = Field(
        120.0, ge=0, description="A non-terminal document untouched this long is re-published"
    )
    grpc_timeout_s: float = Field(600.0, gt=0, description="Deadline of one docreader/model/retriever call")
    fields_ocr_languages: str = Field(
        "kor+eng", description="Tesseract languages for reading fields from scanned pages and images"
    )
    max_url_chars: int = Field(2048, ge=16, description="Longest accepted import URL")
