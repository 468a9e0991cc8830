"""The layout of a stored document: from its original file where the format has positions or tables,
otherwise from the text the docreader produced."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from jisik.db.models import Knowledge

from .layout import Layout, layout_from_text
from .sources import layout_of

if TYPE_CHECKING:
    from jisik.storage import ObjectStore

__all__ = ["document_layout"]


async def document_layout(
    knowledge: Knowledge, chunks: list[str], store: ObjectStore | None, *, ocr: bool, languages: str
) -> Layout:
    if store is not None and knowledge.storage_key:
        data = await store.get(knowledge.storage_key)
        layout = await asyncio.to_thread(layout_of, knowledge.file_type, data, ocr=ocr, languages=languages)
        if layout is not None and layout.rows:
            return layout
    return layout_from_text("\n".join(chunks))
