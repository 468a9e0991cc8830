"""docreader service settings."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from ._base import JisikSettings


class DocreaderSettings(JisikSettings):
    """Limits, worker pools, OCR, vision model and URL-fetch policy of the docreader.

    Object storage comes from :class:`StorageSettings` only: storage credentials sent in a request's
    ``StorageConfig`` are ignored.
    """

    config_table = "docreader"
    model_config = SettingsConfigDict(env_prefix="JISIK_DOCREADER_", extra="ignore", frozen=True)

    worker_processes: int = Field(
        0,
        ge=0,
        le=64,
        validation_alias=AliasChoices("GRPC_WORKER_PROCESSES", "JISIK_DOCREADER_WORKER_PROCESSES"),
        description=(
            "Parser processes for CPU-bound parsing and OCR; 0 = one per document parsed at once "
            "(max_workers), at least one per CPU (at most 8)"
        ),
    )
    max_workers: int = Field(
        4,
        ge=1,
        le=256,
        validation_alias=AliasChoices("GRPC_MAX_WORKERS", "JISIK_DOCREADER_MAX_WORKERS"),
        description="Documents parsed at the same time",
    )
    max_file_mb: int = Field(100, ge=1, description="Largest accepted file, MiB")
    max_pages: int = Field(5000, ge=1, description="Largest accepted page count")
    max_unzipped_mb: int = Field(500, ge=1, description="Largest decompressed size of an Office zip, MiB")
    timeout_s: float = Field(600.0, gt=0, description="Time limit per document")
    pages_per_task: int = Field(24, ge=1, description="PDF pages a worker process parses per task")
    worker_max_tasks: int = Field(200, ge=1, description="Tasks before a worker process is replaced")
    worker_memory_mb: int = Field(
        2048, ge=256, description="Address-space limit of each parser process, MiB (exceeding it fails the document)"
    )
    worker_time_limit_s: float = Field(
        300.0, gt=0, description="Hard time limit of one parser task; the worker is killed and replaced"
    )

    # Content limits, checked while a document is read (a TooLarge error names the limit)
    max_cells: int = Field(2_000_000, ge=1, description="Most spreadsheet cells read from one workbook")
    max_rows: int = Field(1_000_000, ge=1, description="Most spreadsheet rows read from one workbook")
    max_merged_ranges: int = Field(100_000, ge=0, description="Most merged cell ranges in one workbook")
    max_xml_elements: int = Field(
        5_000_000, ge=1, description="Most XML elements in one Office file (all its parts)"
    )
    max_html_elements: int = Field(
        500_000, ge=1, description="Most elements in one HTML page (each costs far more to convert than in XML)"
    )
    max_text_chars: int = Field(
        50_000_000, ge=1, description="Most characters of text extracted from one document"
    )

    # OCR
    ocr_engine: Literal["tesseract", "rapidocr", "paddleocr", "none"] = Field(
        "tesseract", description="OCR for scanned pages and images (rapidocr/paddleocr only when installed)"
    )
    ocr_languages: str = Field("kor+chi_sim+eng", description="Tesseract language string")
    ocr_dpi: int = Field(200, ge=72, le=600, description="Render resolution of scanned pages")
    ocr_timeout_s: float = Field(120.0, gt=0, description="Time limit per OCRed page or image")

    # Multimodal
    image_concurrency: int = Field(4, ge=1, le=64, description="Images OCRed/captioned at the same time")
    min_image_px: int = Field(16, ge=1, description="Images smaller than this on both sides are decorations")
    vlm_base_url: str = Field("", description="Default vision model endpoint when a request has none")
    vlm_model: str = Field("", description="Vision model name for image captions")
    vlm_api_key: SecretStr = Field(SecretStr(""), description="API key of the default vision model")
    vlm_interface: Literal["openai", "ollama"] = Field("openai", description="Vision model API flavour")
    vlm_timeout_s: float = Field(60.0, gt=0, description="Time limit per caption")
    vlm_remote: bool = Field(
        True,
        description="The vision model is a remote service: under a tenant's 'remote' mask policy, personal data "
        "is painted out of images (OCR boxes) before captioning; false = a local model, masked only under 'always'",
    )

    @property
    def parser_processes(self) -> int:
        """``worker_processes``, with 0 resolved to ``max_workers`` or the CPU count, whichever is more
        (at most 8): a document then never waits for a process that another document holds, so one
        tenant's slow or hostile files cannot hold back another tenant's small ones."""
        return self.worker_processes or min(max(self.max_workers, os.cpu_count() or 1), 8)

    # URL fetching
    url_timeout_s: float = Field(30.0, gt=0, description="Time limit per URL fetch")
    url_max_redirects: int = Field(5, ge=0, le=20, description="Redirects followed (each one re-checked)")
    url_max_mb: int = Field(20, ge=1, description="Largest fetched page, MiB")
