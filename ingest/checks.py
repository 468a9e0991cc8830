"""Validation checks run on a parsed document. New checks (field extraction, rule checks) plug in here:
implement :class:`Check` and add it to the list the validate stage is built with."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from fields.evaluate import Outcome
from jisik.db.models import Knowledge, ParseStatus
from jisik.errors import InvalidInput

__all__ = [
    "Check",
    "DocumentText",
    "DuplicateContentCheck",
    "EmptyTextCheck",
    "LanguageCheck",
    "ValidationFailed",
    "default_checks",
]

_LANGUAGE_SAMPLE_CHARS = 4000
_LANGUAGES = (
    Language.KOREAN, Language.ENGLISH, Language.CHINESE, Language.JAPANESE, Language.GERMAN, Language.FRENCH,
    Language.SPANISH, Language.PORTUGUESE, Language.ITALIAN, Language.RUSSIAN, Language.VIETNAMESE,
    Language.THAI, Language.ARABIC, Language.DUTCH, Language.INDONESIAN, Language.TURKISH,
)


class ValidationFailed(InvalidInput):
    """The document cannot be indexed as it is; the message tells the user why."""

    code = "validation_failed"

    def __init__(self, message: str, *, duplicate_of: str = "") -> None:
        super().__init__(message)
        self.duplicate_of = duplicate_of


@dataclass
class DocumentText:
    """What checks see: the document row, its chunk texts in order, and metadata they may add to."""

    knowledge: Knowledge
    chunks: list[str]
    content_hash: str
    metadata: dict[str, Any] = field(default_factory=dict)
    # The field validation outcome, when the knowledge base has a field schema.
    fields: Outcome | None = None


class Check(Protocol):
    name: str

    async def run(self, session: AsyncSession, document: DocumentText) -> None:
        """Raise :class:`ValidationFailed` to stop the document; write findings to ``document.metadata``."""


class EmptyTextCheck:
    name = "empty_text"

    async def run(self, session: AsyncSession, document: DocumentText) -> None:
        if not any(text.strip() for text in document.chunks):
            raise ValidationFailed(
                "The document contains no readable text. If it is a scan or an image, turn on image "
                "processing (OCR) for the knowledge base and reprocess it."
            )


class DuplicateContentCheck:
    """The same extracted text already exists as another live document of this knowledge base."""

    name = "duplicate_content"

    async def run(self, session: AsyncSession, document: DocumentText) -> None:
        knowledge = document.knowledge
        other = (
            await session.execute(
                select(col(Knowledge.id), col(Knowledge.title))
                .where(
                    col(Knowledge.tenant_id) == knowledge.tenant_id,
                    col(Knowledge.knowledge_base_id) == knowledge.knowledge_base_id,
                    col(Knowledge.id) != knowledge.id,
                    Knowledge.metadata_["content_hash"].astext == document.content_hash,
                    col(Knowledge.parse_status).not_in([ParseStatus.FAILED, ParseStatus.DRAFT]),
                    col(Knowledge.created_at) < knowledge.created_at,
                )
                .order_by(col(Knowledge.created_at))
                .limit(1)
            )
        ).first()
        if other is not None:
            raise ValidationFailed(
                f"The same content is already in this knowledge base as “{other.title}”.", duplicate_of=other.id
            )


@cache
def _detector() -> LanguageDetector:
    # Low-accuracy mode loads in a fraction of a second and is reliable on the multi-sentence sample used here.
    return LanguageDetectorBuilder.from_languages(*_LANGUAGES).with_low_accuracy_mode().build()


def _detect(sample: str) -> str:
    language = _detector().detect_language_of(sample)
    return language.iso_code_639_1.name.lower() if language is not None else ""


class LanguageCheck:
    """Records the main language (ISO 639-1) from the start of the text; never fails a document."""

    name = "language"

    async def run(self, session: AsyncSession, document: DocumentText) -> None:
        sample = " ".join(document.chunks)[:_LANGUAGE_SAMPLE_CHARS]
        document.metadata["language"] = await asyncio.to_thread(_detect, sample) if sample.strip() else ""


def default_checks() -> list[Check]:
    return [EmptyTextCheck(), DuplicateContentCheck(), LanguageCheck()]
