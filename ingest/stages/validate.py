"""Validate: run the checks on the parsed text, announce documents.validated."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fields.evaluate import Outcome
from jisik.db.models import ParseStatus
from jisik.events import DocumentEvent, DocumentParsed, DocumentValidated
from jisik.storage import open_store
from jisik.webhooks import EventType, stage_webhook_event
from jisik.webhooks.documents import validated_data

from ..checks import Check, DocumentText, ValidationFailed, default_checks
from ..context import IngestContext
from ..field_check import FieldsCheck
from ..repository import claim, load_chunks, mark_failed, move
from ..topology import stage_named

__all__ = ["ValidateStage"]


class ValidateStage:
    stage = stage_named("validate")

    def __init__(self, context: IngestContext, checks: Sequence[Check] | None = None) -> None:
        self._context = context
        if checks is None:
            settings = context.settings
            fields = FieldsCheck(open_store(settings.storage), ocr=settings.docreader.ocr_engine != "none",
                                 languages=settings.ingest.fields_ocr_languages)
            checks = [*default_checks(), fields]
        self._checks = list(checks)

    async def handle(self, event: DocumentEvent) -> DocumentEvent | None:
        assert isinstance(event, DocumentParsed)
        async with self._context.sessions.begin() as session:
            knowledge = await claim(session, event, entry=self.stage.entry, working=self.stage.working)
            if knowledge is None:
                return None
            chunks = [chunk.content for chunk in await load_chunks(session, knowledge.id)]
            document = DocumentText(knowledge, chunks, event.content_hash, dict(knowledge.metadata_))
            failure: ValidationFailed | None = None
            try:
                for check in self._checks:
                    await check.run(session, document)
            except ValidationFailed as exc:
                # Terminal for this version: committed here together with the duplicate link.
                failure = exc
                await mark_failed(session, event, exc.message, duplicate_of=exc.duplicate_of,
                                  metadata_=document.metadata)
            else:
                if await move(session, event, expected=ParseStatus.VALIDATING, to=ParseStatus.EMBEDDING,
                              metadata_=document.metadata) is None:
                    return None
                validated = DocumentValidated(
                    tenant_id=event.tenant_id,
                    knowledge_base_id=event.knowledge_base_id,
                    knowledge_id=event.knowledge_id,
                    version=event.version,
                    chunk_count=len(chunks),
                    language=str(document.metadata.get("language", "")),
                    **validated_fields(document.fields),
                )
                await stage_webhook_event(session, event.tenant_id, EventType.DOCUMENT_VALIDATED,
                                          validated_data(validated))
        if failure is not None:
            raise failure
        return validated


def validated_fields(outcome: Outcome | None) -> dict[str, Any]:
    """The field part of documents.validated (empty without a field schema)."""
    if outcome is None:
        return {}
    return {"validated_data": outcome.validated_data, "status": outcome.status.value, "errors": outcome.errors,
            "duplicate": outcome.duplicate_of}
