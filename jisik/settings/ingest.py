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
    concurrency: int = Field(3, ge=1, le=64, description="Documents in flight per stage and worker")
    tenant_slots: int = Field(
        0, ge=0, le=64,
        description="Documents of one tenant in flight per stage and worker; 0 = concurrency - 1 (at least 1)",
    )
    buffer_records: int = Field(
        500, ge=1, le=100_000,
        description="Consumed records waiting for a slot; when full the heaviest tenant's newest is re-driven later",
    )
    crash_retries: int = Field(1, ge=0, le=3, description="Retries of a document that crashed a parser or overran a deadline")
    max_chunks_per_document: int = Field(
        20_000, ge=1, description="Most chunks one document may have; a larger one fails with too_large"
    )
    tenant_embed_budget: int = Field(
        0, ge=0, description="Chunks one tenant may embed per tenant_embed_window_s; 0 = no budget"
    )
    tenant_embed_window_s: float = Field(3600.0, gt=0, description="Window of the tenant embedding budget")
    embed_batch: int = Field(32, ge=1, le=1024)
    retry_backoff_s: float = Field(1.0, ge=0, description="First retry delay; doubles on every further try")
    retry_backoff_max_s: float = Field(30.0, ge=0, description="Longest delay between two tries")
    outage_budget_s: float = Field(
        600.0, ge=0, description="How long a document waits out an unavailable docreader/model/retriever"
    )
    outage_retry_s: float = Field(
        2.0, gt=0, description="Longest wait between two tries of a document waiting out an outage (a jisik "
        "service or PostgreSQL down), so it moves on within seconds of the return",
    )
    redrive_interval_s: float = Field(30.0, gt=0, description="How often unfinished documents are checked")
    lag_sample_interval_s: float = Field(
        10.0, ge=0, description="How often the gateway samples the ingest groups' offsets for lag status "
        "(0 = only when /ingest/lag is asked)"
    )
    lag_window_samples: int = Field(10, ge=2, le=1000, description="Samples per partition in the lag status window")
    redrive_stale_s: float = Field(
        120.0, ge=0, description="A non-terminal document untouched this long is re-published"
    )
    redrive_start_stale_s: float = Field(
        120.0, ge=0,
        description="At start, unfinished documents untouched this long are re-published at once; "
        "0 when this is the only ingest process (`jisik up` sets it), so a restart resumes in-flight work",
    )
    grpc_timeout_s: float = Field(600.0, gt=0, description="Deadline of one docreader/model/retriever call")
    fields_ocr_languages: str = Field(
        "kor+eng", description="Tesseract languages for reading fields from scanned pages and images"
    )
    retention_interval_s: float = Field(
        3600.0, ge=0, description="How often expired documents (tenant or knowledge base retention_days) are "
        "erased; 0 = never"
    )
    retention_batch: int = Field(100, ge=1, le=10_000, description="Documents erased per retention round at most")
    max_url_chars: int = Field(2048, ge=16, description="Longest accepted import URL")

    @property
    def slots_per_tenant(self) -> int:
        """``tenant_slots``, or every slot but one so one tenant never holds all of them."""
        return self.tenant_slots or max(1, self.concurrency - 1)
