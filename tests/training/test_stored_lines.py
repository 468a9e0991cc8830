"""A field tagger's snapshot reads the lines the ingest field check kept (embedded PostgreSQL, the local
object store, PDFs rendered in the test): the same snapshot as reading the originals again, and still
there when an original is gone; documents checked before lines were kept are read again."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest.checks import DocumentText
from ingest.field_check import FieldsCheck
from jisik.db.models import DocumentLines, TrainingSnapshot
from jisik.storage import LocalStore
from ml.training.field_labels import DocumentReader, build_field_snapshot
from tests.fields.tagger_docs import SCHEMA, Invoice, invoice

from .reviewed_invoices import add_invoice, approve_supply, schema_base

pymupdf = pytest.importorskip("pymupdf")
pytestmark = pytest.mark.integration


def _pdf(doc: Invoice) -> bytes:
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for index, line in enumerate(doc.text.splitlines()):
        page.insert_text((60, 100 + index * 30), line, fontname="korea", fontsize=12)
    return bytes(pdf.tobytes())


async def _checked_and_reviewed(sessions: async_sessionmaker[AsyncSession], store: LocalStore, docs: list[Invoice]
                                ) -> tuple[str, str, list[str]]:
    """Invoices uploaded as PDFs, read by the ingest field check, and approved with the supply amount
    (a label the schema does not know) typed by the reviewer. Returns tenant, knowledge base, object keys."""
    check = FieldsCheck(store, ocr=False)
    keys = []
    async with sessions() as session, session.begin():
        tenant_id, base_id, _ = await schema_base(session, consent=True)
        for index, doc in enumerate(docs):
            key = f"{tenant_id}/originals/{index}.pdf"
            await store.put(key, _pdf(doc))
            knowledge = await add_invoice(session, tenant_id, base_id, doc, file_type="pdf", storage_key=key)
            await check.run(session, DocumentText(knowledge, [doc.text], knowledge.file_hash))
            await approve_supply(session, knowledge, doc)
            keys.append(key)
        return tenant_id, base_id, keys


async def _snapshot(sessions: async_sessionmaker[AsyncSession], tenant_id: str, base_id: str,
                    reader: DocumentReader) -> TrainingSnapshot:
    async with sessions() as session, session.begin():
        return await build_field_snapshot(session, tenant_id, base_id, SCHEMA, max_documents=100, reader=reader)


async def test_the_snapshot_reads_the_lines_the_field_check_kept_instead_of_the_originals(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    rng = random.Random(5)
    docs = [invoice(rng, ("lines", "grid")[i % 2]) for i in range(4)]
    store = LocalStore(tmp_path / "objects")
    tenant_id, base_id, keys = await _checked_and_reviewed(sessions, store, docs)
    reader = DocumentReader(store)

    kept = await _snapshot(sessions, tenant_id, base_id, reader)
    assert kept.counts["documents"] == len(docs) and kept.counts["fields"]["supply"] == len(docs)

    # the originals are gone from storage: the kept lines still give every label, PDF positions and all
    for key in keys:
        await store.delete(key)
    assert (await _snapshot(sessions, tenant_id, base_id, reader)).content == kept.content

    # documents checked before lines were kept are read again: without the original, only their text is
    # left, whose lines sit in other places (text columns, not page positions)
    async with sessions() as session, session.begin():
        await session.execute(delete(DocumentLines))
    from_text = await _snapshot(sessions, tenant_id, base_id, reader)
    assert from_text.content != kept.content and from_text.counts["fields"]["supply"] == len(docs)

    # with the originals back, reading them again gives exactly the snapshot the kept lines gave
    for doc, key in zip(docs, keys, strict=True):
        await store.put(key, _pdf(doc))
    reread = await _snapshot(sessions, tenant_id, base_id, reader)
    assert reread.content == kept.content and reread.id == kept.id
