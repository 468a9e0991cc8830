"""The field check of the validate stage: read the knowledge base's schema fields from the document,
validate them, store the result (keeping a person's values when the file is unchanged) and hand the
outcome to the documents.validated event. Knowledge bases without a schema are left alone; one with a
champion field tagger gets the tagger's readings merged in (:mod:`fields.tagger`). The lines it read are
kept with the document (:mod:`fields.line_store`) for training a tagger later."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from fields.evaluate import Status, evaluate
from fields.line_store import save_lines
from fields.reading import document_layout
from fields.store import current_schema, find_duplicate, load_fields, reviewed_values, save_outcome
from fields.tagger import extract_with_tagger
from fields.tagger_store import TaggerCache

from .checks import DocumentText

if TYPE_CHECKING:
    from jisik.storage import ObjectStore

__all__ = ["FieldsCheck"]


class FieldsCheck:
    name = "fields"

    def __init__(self, store: ObjectStore | None, *, ocr: bool = True, languages: str = "kor+eng") -> None:
        self._store = store
        self._ocr = ocr
        self._languages = languages
        self._taggers = TaggerCache()

    async def run(self, session: AsyncSession, document: DocumentText) -> None:
        knowledge = document.knowledge
        found = await current_schema(session, knowledge.tenant_id, knowledge.knowledge_base_id)
        if found is None:
            return
        version, schema = found
        layout = await document_layout(knowledge, document.chunks, self._store, ocr=self._ocr,
                                       languages=self._languages)
        tagger = await self._taggers.champion(session, knowledge.tenant_id, knowledge.knowledge_base_id)
        extracted = extract_with_tagger(layout, schema, tagger)
        file_hash = knowledge.file_hash or document.content_hash
        previous = await load_fields(session, knowledge.tenant_id, knowledge.id)
        corrections = reviewed_values(previous, file_hash)
        expected = {str(k): str(v) for k, v in knowledge.expected_fields.items()}
        outcome = evaluate(schema, extracted, expected=expected, corrections=corrections)
        outcome.duplicate_of = await find_duplicate(session, knowledge, schema.duplicate_key, outcome.validated_data)
        if outcome.duplicate_of:
            outcome = evaluate(schema, extracted, expected=expected, corrections=corrections,
                               duplicate_of=outcome.duplicate_of)
        if corrections and previous is not None and previous.status in (Status.APPROVED, Status.REJECTED):
            outcome.status = Status(previous.status)
        await save_outcome(session, knowledge, outcome, schema_version=version, file_hash=file_hash,
                           reviewer=previous.reviewed_by if corrections and previous is not None else "")
        await save_lines(session, knowledge, layout, file_hash=file_hash)
        document.fields = outcome
