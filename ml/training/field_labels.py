"""Field labels from review corrections, as token-labelled lines for the field tagger.

A reviewed document gives its values (what the reviewer typed or confirmed); each value is found in the
document's lines (the ones the ingest field check read and kept: the original's layout, else its text)
exactly, or as the same normalised value of the field's type (a reviewer's ``2023-05-03`` finds
``2023년 5월 3일``), and the lines around it (two above, one below: where its label is) become a block
whose tokens are labelled ``B-<field>``, ``I-<field>`` or ``O``.

Masking keeps the labels aligned: personal data (every type :func:`jisik.pii.detect` finds, and every
value of a field whose type is personal: brn, rrn, frn, corp_no, phone, email, card, account) is
replaced character by character with a placeholder of the same class (digits ``0``, Hangul ``가``,
Latin ``x``/``X``), separators kept. The text keeps its length, its token edges and its shape, so
``123-45-67890`` becomes ``000-00-00000``: the labels computed on the real text fit the masked text,
and the tagger (which sees digits only by their shape) learns the same thing from it. What is lost:
the words of a masked name or address, which the tagger then knows only by shape and context.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from fields.layout import layout_from_text
from fields.line_store import load_lines
from fields.normalize import find_value
from fields.reading import document_layout
from fields.schema import FieldSchema, FieldSpec, FieldType
from fields.tag_features import Line, tokens_of
from fields.tagger import layout_lines
from jisik.db.models import Chunk, DocumentFields, FieldReview, Knowledge, TrainingSnapshot
from jisik.errors import JisikError
from jisik.pii import detect
from jisik.storage import ObjectStore

from .pairs import decode_records, encode_records
from .snapshots import require_consent, store_snapshot

__all__ = [
    "PERSONAL_TYPES",
    "DocumentReader",
    "LabelledBlock",
    "build_field_snapshot",
    "decode_blocks",
    "labelled_blocks",
    "mask_same_shape",
]

PERSONAL_TYPES = frozenset({FieldType.BRN, FieldType.RRN, FieldType.FRN, FieldType.CORP_NO, FieldType.PHONE,
                            FieldType.EMAIL, FieldType.CARD, FieldType.ACCOUNT})
LINES_ABOVE, LINES_BELOW = 2, 1
Span = tuple[int, int, int, int, str]  # row, cell, start, end, field


@dataclass(frozen=True)
class LabelledBlock:
    """Consecutive lines of one document and their tokens' BIO labels (``labels[i]`` fits
    ``tokens_of(lines[i])``)."""

    document: str
    lines: list[list[tuple[str, float, float]]]
    labels: list[list[str]]
    review: dict[str, Any] = field(default_factory=dict)  # review id and time (the reviewer is in the table)

    def record(self) -> dict[str, Any]:
        return {"document": self.document, "lines": self.lines, "labels": self.labels, "review": self.review}


def _mask_char(char: str) -> str:
    if char.isdigit():
        return "0"
    if "\uac00" <= char <= "\ud7a3":
        return "가"
    if char.isascii() and char.isalpha():
        return "X" if char.isupper() else "x"
    return char


def mask_same_shape(text: str, spans: Iterable[tuple[int, int]] = ()) -> str:
    """``text`` with the detected personal data and the given spans replaced by same-class placeholders."""
    chars = list(text)
    for start, end in [*((hit.start, hit.end) for hit in detect(text)), *spans]:
        for i in range(start, min(end, len(chars))):
            chars[i] = _mask_char(chars[i])
    return "".join(chars)


def _occurrences(spec: FieldSpec, text: str, value: str) -> list[tuple[int, int]]:
    """Where ``value`` stands in a cell: as written, else as the same normalised value of the type."""
    wanted = value.strip()
    found = []
    at = text.find(wanted) if wanted else -1
    while at >= 0:
        found.append((at, at + len(wanted)))
        at = text.find(wanted, at + 1)
    if found or spec.type in (FieldType.TEXT, FieldType.REGEX, FieldType.ENUM):
        return found
    target = find_value(spec, wanted)
    if target is None:
        return []
    start = 0
    while start < len(text):
        reading = find_value(spec, text[start:])
        if reading is None:
            break
        at = text.find(reading.raw, start)
        if at < 0:
            break
        if reading.normalized == target.normalized:
            found.append((at, at + len(reading.raw)))
        start = at + max(len(reading.raw), 1)
    return found


def _locate(lines: Sequence[Line], schema: FieldSchema, values: dict[str, str]) -> list[Span]:
    """The first place of each value no other field claimed, in reading order."""
    spans: list[Span] = []
    for name, value in values.items():
        spec = schema.field(name)
        if spec is None or not value.strip():
            continue
        place = next((
            (row, cell, start, end, name)
            for row, line in enumerate(lines) for cell, (text, _, _) in enumerate(line)
            for start, end in _occurrences(spec, text, value)
            if not any(r == row and c == cell and start < e and end > s for r, c, s, e, _ in spans)
        ), None)
        if place is not None:
            spans.append(place)
    return spans


def _bio(line: Line, row: int, spans: Sequence[Span]) -> list[str]:
    labels = []
    for token in tokens_of(line):
        label = "O"
        for r, cell, start, end, name in spans:
            if r == row and cell == token.cell and token.start < end and token.end > start:
                label = f"{'B' if token.start <= start else 'I'}-{name}"  # the first token it touches is B
        labels.append(label)
    return labels


def labelled_blocks(document: str, lines: Sequence[Line], schema: FieldSchema, values: dict[str, str],
                    review: dict[str, Any] | None = None) -> list[LabelledBlock]:
    """The masked, labelled blocks of one document's ``lines`` around its reviewed ``values``."""
    spans = _locate(lines, schema, values)
    if not spans:
        return []
    keep = sorted({row for r, *_ in spans for row in range(max(r - LINES_ABOVE, 0), min(r + LINES_BELOW + 1, len(lines)))})
    personal = {spec.name for spec in schema.fields if spec.type in PERSONAL_TYPES}
    blocks: list[list[int]] = []
    for row in keep:
        if blocks and blocks[-1][-1] == row - 1:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    out = []
    for rows in blocks:
        masked_lines, labels = [], []
        for row in rows:
            masked_line = []
            for cell, (text, x0, x1) in enumerate(lines[row]):
                own = [(s, e) for r, c, s, e, name in spans if r == row and c == cell and name in personal]
                masked_line.append((mask_same_shape(text, own), x0, x1))
            masked_lines.append(masked_line)
            labels.append(_bio(lines[row], row, spans))
        out.append(LabelledBlock(document, masked_lines, labels, review or {}))
    return out


def decode_blocks(content: bytes) -> list[LabelledBlock]:
    return [LabelledBlock(str(row["document"]), [[(str(t), float(a), float(b)) for t, a, b in line] for line in row["lines"]],
                          [list(map(str, labels)) for labels in row["labels"]], dict(row.get("review", {})))
            for row in decode_records(content)]


async def _reviewed_documents(session: AsyncSession, tenant_id: str, knowledge_base_id: str,
                              max_documents: int) -> list[tuple[DocumentFields, FieldReview]]:
    """The tenant's reviewed documents of the knowledge base with their latest review, newest first."""
    reviews = await session.scalars(
        select(FieldReview).where(col(FieldReview.tenant_id) == tenant_id,
                                  col(FieldReview.knowledge_base_id) == knowledge_base_id)
        .order_by(col(FieldReview.created_at).desc())
    )
    latest: dict[str, FieldReview] = {}
    for review in reviews:
        latest.setdefault(review.knowledge_id, review)
        if len(latest) >= max_documents:
            break
    out = []
    for knowledge_id, review in latest.items():
        row = await session.get(DocumentFields, knowledge_id)
        if row is not None and row.tenant_id == tenant_id and row.reviewed_by:
            out.append((row, review))
    return out


@dataclass(frozen=True)
class DocumentReader:
    """How the snapshot reads a document: the lines the ingest field check read and kept with it, so the
    tagger learns from the lines it will tag and the trainer neither opens originals nor runs OCR.

    A document checked before lines were kept has none stored: it is read again like the field check
    reads it (the original file's layout from the object store, OCR on scans, else the docreader's text).
    """

    store: ObjectStore | None = None
    ocr: bool = False
    languages: str = "kor+eng"

    async def lines(self, session: AsyncSession, tenant_id: str, knowledge_id: str) -> list[Line]:
        stored = await load_lines(session, tenant_id, knowledge_id)
        if stored is not None:
            return stored
        knowledge = await session.get(Knowledge, knowledge_id)
        chunks = list(await session.scalars(
            select(col(Chunk.content)).where(col(Chunk.knowledge_id) == knowledge_id, col(Chunk.is_enabled))
            .order_by(col(Chunk.chunk_index))
        ))
        if knowledge is None:
            return []
        try:
            layout = await document_layout(knowledge, chunks, self.store, ocr=self.ocr, languages=self.languages)
        except JisikError:  # the original cannot be read any more: its text still can
            layout = layout_from_text("\n".join(chunks))
        return layout_lines(layout)


async def build_field_snapshot(session: AsyncSession, tenant_id: str, knowledge_base_id: str, schema: FieldSchema,
                               *, max_documents: int, reader: DocumentReader | None = None) -> TrainingSnapshot:
    """Store (or find) the knowledge base's labelled blocks from its reviewed documents.

    :raises ConsentRequired: no training consent.
    """
    reader = reader or DocumentReader()
    await require_consent(session, tenant_id)
    blocks: list[LabelledBlock] = []
    for row, review in await _reviewed_documents(session, tenant_id, knowledge_base_id, max_documents):
        values = {str(item["name"]): str(item.get("value", "")) for item in row.fields if item.get("reviewed")}
        lines = await reader.lines(session, tenant_id, row.knowledge_id)
        stamp = {"review_id": review.id, "reviewed_at": review.created_at.isoformat(), "decision": review.decision}
        blocks += labelled_blocks(hashlib.sha256(row.knowledge_id.encode()).hexdigest()[:16], lines, schema, values,
                                  stamp)
    snapshot_id, content = encode_records(f"{tenant_id}/fields/{knowledge_base_id}", (b.record() for b in blocks))
    entities = Counter(label[2:] for block in blocks for labels in block.labels for label in labels
                       if label.startswith("B-"))
    counts: dict[str, Any] = {"kind": "field_labels", "knowledge_base_id": knowledge_base_id,
                              "documents": len({b.document for b in blocks}), "blocks": len(blocks),
                              "entities": sum(entities.values()), "fields": dict(entities)}
    return await store_snapshot(session, tenant_id, snapshot_id, content, counts)
