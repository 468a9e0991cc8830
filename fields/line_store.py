"""The lines the field check read from a document, kept with the document (table ``document_lines``).

The field check saves them as it reads a document (the original's layout: PDF or OCR word boxes, table
cells; else the docreader's text); training a field tagger reads them back instead of opening the
original and running OCR on scans again. Each cell is stored as ``[text, x0, x1, page, box]``. They are
document text, like chunks: never logged, not captured by CDC, erased with the document.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from jisik.db.models import DocumentLines, Knowledge

from .layout import Layout
from .tag_features import Line

__all__ = ["load_lines", "save_lines"]


def _cells(layout: Layout) -> list[list[list[Any]]]:
    return [
        [[segment.text, segment.span[0], segment.span[1], segment.page, segment.box_of(0, len(segment.text))]
         for segment in row.segments]
        for row in layout.rows
    ]


async def save_lines(session: AsyncSession, knowledge: Knowledge, layout: Layout, *, file_hash: str) -> None:
    """Keep ``layout``'s lines as the ones read from ``knowledge`` (replacing an earlier reading)."""
    row = await session.get(DocumentLines, knowledge.id)
    if row is None:
        row = DocumentLines(knowledge_id=knowledge.id, tenant_id=knowledge.tenant_id)
    row.file_hash, row.lines = file_hash, _cells(layout)
    session.add(row)
    await session.flush()


async def load_lines(session: AsyncSession, tenant_id: str, knowledge_id: str) -> list[Line] | None:
    """The stored lines of the document as the tagger reads them (text and extent across per cell);
    None when none are stored (the document was read before lines were kept)."""
    row = await session.get(DocumentLines, knowledge_id)
    if row is None or row.tenant_id != tenant_id:
        return None
    return [[(str(text), x0, x1) for text, x0, x1, *_ in line] for line in row.lines]
