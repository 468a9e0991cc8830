"""A document as rows of text segments with positions, whatever its format.

A *segment* is a run of words that belong together (a table cell, a key: value run on a line); a *row* is
what a reader sees side by side. PDFs give word boxes (PyMuPDF), scans and images Tesseract word boxes,
DOCX and XLSX their paragraphs and table cells, text formats their lines (Markdown tables split on ``|``).
Boxes are fractions of the page (x0, y0, x1, y1 in 0..1), so a viewer can draw them on any rendering.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .schema import FieldType

__all__ = ["Layout", "Reread", "Row", "SecondReader", "Segment", "Word", "layout_from_text", "layout_from_words",
           "union_box"]

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    confidence: float = 1.0  # OCR confidence 0..1; 1 for born-digital text


@dataclass
class Segment:
    text: str
    page: int | None
    # Horizontal extent used to line values up under their labels (a page fraction, or the column index).
    span: tuple[float, float]
    # Character offsets of each word in ``text`` and its box; empty for formats without boxes.
    words: list[tuple[int, int, Word]] = field(default_factory=list)
    ocr: bool = False

    def box_of(self, start: int, end: int) -> Box | None:
        boxes = [word.box for s, e, word in self.words if s < end and e > start]
        return union_box(boxes)

    def confidence_of(self, start: int, end: int) -> float:
        values = [word.confidence for s, e, word in self.words if s < end and e > start]
        return sum(values) / len(values) if values else 1.0


@dataclass
class Row:
    segments: list[Segment]


@dataclass(frozen=True)
class Reread:
    """A value region read a second time: where it was (``right`` of the label or ``below`` it), the text,
    and the region's box."""

    place: str
    text: str
    box: Box


class SecondReader(Protocol):
    """A scanned page that can read the value next to a label again, independently of the first pass."""

    def reread(self, label: Box, stop: float, field_type: FieldType) -> list[Reread]:
        """Readings right of and below ``label``, not reaching ``stop`` (a page fraction across)."""
        ...

    def read_value(self, value: Box) -> str:
        """The text of the run of text on the value's line that holds the value's box."""
        ...

    def read_before(self, value: Box, reach: float) -> str:
        """The text of the value's line from ``reach`` (a page fraction) left of the value to its end."""
        ...


@dataclass
class Layout:
    rows: list[Row]
    page_count: int = 1
    # Scanned pages (by number) that can read a value region again.
    readers: dict[int, SecondReader] = field(default_factory=dict)

    def text(self) -> str:
        return "\n".join("  ".join(segment.text for segment in row.segments) for row in self.rows)


def union_box(boxes: list[Box]) -> Box | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def _hangul(text: str) -> bool:
    return bool(text) and all("\uac00" <= c <= "\ud7a3" for c in text)


def _one_word(previous: Word, word: Word, line_height: float) -> bool:
    """OCR splits Korean words into syllables: a lone syllable next to Hangul, close by, is part of it."""
    close = word.box[0] - previous.box[2] < line_height * 1.2
    lone = (len(previous.text) == 1 or len(word.text) == 1) and _hangul(previous.text[-1]) and _hangul(word.text[0])
    return close and lone


def _segment_of(words: list[Word], page: int, ocr: bool, line_height: float) -> Segment:
    parts: list[tuple[int, int, Word]] = []
    text = ""
    for index, word in enumerate(words):
        if index and not (ocr and _one_word(words[index - 1], word, line_height)):
            text += " "
        parts.append((len(text), len(text) + len(word.text), word))
        text += word.text
    return Segment(text, page, (words[0].box[0], words[-1].box[2]), parts, ocr)


def _lines(words: list[Word], line_height: float) -> list[list[Word]]:
    """Words grouped into visual lines, top to bottom.

    A word joins the line whose band (the median top and bottom of its words so far) it overlaps by at
    least half of the shorter height; a word overlapping no line starts one. Bands taken as medians keep
    one tall box (OCR glues a stray dot to a word) or a short one (a colon) from splitting a line.
    """
    ordered = sorted(words, key=lambda w: ((w.box[1] + w.box[3]) / 2, w.box[0]))
    lines: list[list[Word]] = []
    bands: list[tuple[float, float]] = []
    for word in ordered:
        top, bottom = word.box[1], word.box[3]
        height = max(bottom - top, line_height * 0.1)
        best, best_overlap = -1, 0.0
        for index in range(max(0, len(lines) - 3), len(lines)):
            band_top, band_bottom = bands[index]
            overlap = min(bottom, band_bottom) - max(top, band_top)
            if overlap >= 0.5 * min(height, band_bottom - band_top) and overlap > best_overlap:
                best, best_overlap = index, overlap
        if best < 0:
            lines.append([word])
            bands.append((top, bottom))
            continue
        lines[best].append(word)
        bands[best] = (median(w.box[1] for w in lines[best]), median(w.box[3] for w in lines[best]))
    return lines


def layout_rows_from_words(words: list[Word], page: int, *, ocr: bool = False) -> list[Row]:
    """Group a page's words into rows by vertical overlap, and each row into segments at wide gaps."""
    if not words:
        return []
    heights = [w.box[3] - w.box[1] for w in words if w.box[3] > w.box[1]]
    line_height = median(heights) if heights else 0.01
    lines = _lines(words, line_height)
    rows: list[Row] = []
    # Words further apart than this belong to different cells or key: value runs (OCR boxes are looser).
    gap_limit = line_height * (3.0 if ocr else 1.6)
    for line in lines:
        line.sort(key=lambda w: w.box[0])
        segments: list[list[Word]] = [[line[0]]]
        for previous, word in zip(line, line[1:], strict=False):
            if word.box[0] - previous.box[2] > gap_limit:
                segments.append([word])
            else:
                segments[-1].append(word)
        rows.append(Row([_segment_of(group, page, ocr, line_height) for group in segments]))
    return rows


def layout_from_words(pages: list[list[Word]], *, ocr: bool = False) -> Layout:
    rows = [row for number, words in enumerate(pages, start=1) for row in layout_rows_from_words(words, number, ocr=ocr)]
    return Layout(rows, page_count=max(len(pages), 1))


_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def _text_row(line: str) -> Row | None:
    if _TABLE_RULE.match(line):
        return None
    if "|" in line:
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
    elif "\t" in line:
        cells = [cell.strip() for cell in line.split("\t")]
    else:
        cells = [part.strip() for part in re.split(r"\s{3,}", line)]
    segments = [Segment(cell, None, (float(i), float(i + 1))) for i, cell in enumerate(cells) if cell]
    return Row(segments) if segments else None


def layout_from_text(text: str) -> Layout:
    """Plain text, Markdown or the docreader's chunk text: one row per line."""
    rows = [row for line in text.splitlines() if (row := _text_row(line)) is not None]
    return Layout(rows)


def layout_from_docx(data: bytes) -> Layout:
    """Paragraphs and table cells in body order; merged cells count once, at their first position."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    rows: list[Row] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            row = _text_row(block.text)
            if row is not None:
                rows.append(row)
        elif isinstance(block, Table):
            rows.extend(_docx_table_rows(block))
    return Layout(rows)


def _docx_table_rows(table: object) -> list[Row]:
    rows: list[Row] = []
    # Keyed by id, holding the element so the id stays unique while the table is read.
    seen: dict[int, object] = {}
    for table_row in table.rows:  # type: ignore[attr-defined]  # the table object is untyped (third-party)
        segments: list[Segment] = []
        for column, cell in enumerate(table_row.cells):
            identity = id(cell._tc)
            if identity in seen:  # the continuation of a merged cell
                continue
            seen[identity] = cell._tc
            text = " ".join(cell.text.split())
            if text:
                segments.append(Segment(text, None, (float(column), float(column + 1))))
        if segments:
            rows.append(Row(segments))
    return rows


def layout_from_xlsx(data: bytes) -> Layout:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    rows: list[Row] = []
    for sheet in workbook.worksheets:
        for values in sheet.iter_rows(values_only=True):
            segments = [
                Segment(" ".join(str(value).split()), None, (float(i), float(i + 1)))
                for i, value in enumerate(values) if value is not None and str(value).strip()
            ]
            if segments:
                rows.append(Row(segments))
    workbook.close()
    return Layout(rows)
