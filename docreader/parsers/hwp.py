"""HWP 5.x (Hangul word processor binary) over olefile: the BodyText sections' paragraph records in
order, with tables rendered as Markdown tables where their control sits in the text.

Format (Hancom's published "HWP 5.0" specification): an OLE compound file; ``FileHeader`` holds the
signature, version and flags (compressed, password, distribution); ``BodyText/SectionN`` streams are
raw-deflate compressed record lists. A record header is 32 bits: tag (10), level (10), size (12; 0xFFF
means a 32-bit size follows). Records nest by level: a paragraph header owns its text and its control
headers; a table control owns a TABLE record and one LIST_HEADER per cell, each followed by the cell's
paragraphs.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import olefile

from docreader.models import ParsedDocument
from jisik.errors import ParseFailed, TooLarge

from .base import ParseOptions
from .hwp_table import HwpCell, table_markdown

__all__ = ["HwpParser", "read_records"]

_SIGNATURE = b"HWP Document File"
_TAG_PARA_HEADER = 0x42
_TAG_PARA_TEXT = 0x43
_TAG_CTRL_HEADER = 0x47
_TAG_LIST_HEADER = 0x48
_TAG_TABLE = 0x4D
_TABLE_CTRL = b"tbl "[::-1]  # MAKE_4CHID('t','b','l',' ') stored little-endian
_NOTE_CTRLS = {b"fn  "[::-1], b"en  "[::-1]}  # footnotes and endnotes: after their paragraph
# Left out: running headers/footers (repeated on every page) and the section definition (master pages)
_SKIPPED_CTRLS = {b"head"[::-1], b"foot"[::-1], b"secd"[::-1]}
_CHAR_CONTROLS = {0, 10, 13, 24, 30, 31}  # one WCHAR; every other code below 32 takes eight
_EXTENDED_CONTROLS = {1, 2, 3, 11, 12, 14, 15, 16, 17, 18, 21, 22, 23}  # each owns a control header
_MAX_DEPTH = 16


@dataclass(slots=True)
class Record:
    tag: int
    level: int
    data: bytes
    children: list[Record] = field(default_factory=list)


def read_records(stream: bytes) -> list[Record]:
    """Records of one section as a tree (children by level)."""
    roots: list[Record] = []
    stack: list[Record] = []
    offset = 0
    while offset + 4 <= len(stream):
        (header,) = struct.unpack_from("<I", stream, offset)
        offset += 4
        tag, level, size = header & 0x3FF, (header >> 10) & 0x3FF, header >> 20
        if size == 0xFFF:
            if offset + 4 > len(stream):
                break
            (size,) = struct.unpack_from("<I", stream, offset)
            offset += 4
        record = Record(tag, level, stream[offset : offset + size])
        offset += size
        while stack and stack[-1].level >= level:
            stack.pop()
        (stack[-1].children if stack else roots).append(record)
        stack.append(record)
    return roots


def _text_and_controls(data: bytes) -> Iterator[str | int]:
    """Characters of a PARA_TEXT record; an extended control yields its index among the paragraph's
    extended controls (the n-th one is described by the n-th control header)."""
    units = struct.unpack(f"<{len(data) // 2}H", data[: len(data) // 2 * 2])
    index = control = 0
    while index < len(units):
        code = units[index]
        if code >= 32:
            if 0xD800 <= code < 0xDC00 and index + 1 < len(units):
                yield bytes(data[index * 2 : index * 2 + 4]).decode("utf-16-le", "replace")
                index += 2
                continue
            yield chr(code)
            index += 1
            continue
        if code in _CHAR_CONTROLS:
            yield {10: "\n", 24: "-", 30: " ", 31: " "}.get(code, "")
            index += 1
            continue
        if code in _EXTENDED_CONTROLS:
            yield control
            control += 1
        elif code == 9:
            yield "\t"
        index += 8


class _SectionReader:
    def paragraphs(self, records: list[Record], depth: int = 0) -> list[str]:
        """Text blocks (paragraphs and tables) of a list of sibling records, in order."""
        out: list[str] = []
        for record in records:
            if record.tag == _TAG_PARA_HEADER:
                out.extend(self._paragraph(record, depth))
        return out

    def _paragraph(self, header: Record, depth: int) -> list[str]:
        text_record = next((r for r in header.children if r.tag == _TAG_PARA_TEXT), None)
        controls = [r for r in header.children if r.tag == _TAG_CTRL_HEADER]
        if text_record is None:
            return []
        out: list[str] = []
        notes: list[str] = []
        line: list[str] = []
        for item in _text_and_controls(text_record.data):
            if isinstance(item, str):
                line.append(item)
                continue
            if item >= len(controls) or depth >= _MAX_DEPTH:
                continue
            control = controls[item]
            kind = control.data[:4]
            if kind in _NOTE_CTRLS:
                notes.extend(self.paragraphs(_paragraph_records(control), depth + 1))
                continue
            if kind in _SKIPPED_CTRLS:
                continue
            blocks = (
                self._table(control, depth + 1)
                if kind == _TABLE_CTRL
                else self.paragraphs(_paragraph_records(control), depth + 1)
            )
            if blocks:
                out.append("".join(line).strip())
                line = []
                out.extend(blocks)
        out.append("".join(line).strip())
        return [block for block in out + notes if block]

    def _table(self, control: Record, depth: int) -> list[str]:
        """The caption's paragraphs (a list before the TABLE record), then the table."""
        columns = 0
        caption: list[Record] = []
        cells: list[HwpCell] = []
        current: list[Record] = caption
        for child in control.children:
            if child.tag == _TAG_TABLE and len(child.data) >= 8:
                _, columns = struct.unpack_from("<HH", child.data, 4)
                current = []
            elif child.tag == _TAG_LIST_HEADER and current is not caption:
                if cells:
                    cells[-1].text = self._cell_text(current, depth)
                current = []
                cells.append(_cell(child.data))
            elif child.tag == _TAG_PARA_HEADER:
                current.append(child)
        if cells:
            cells[-1].text = self._cell_text(current, depth)
        return [*self.paragraphs(caption, depth), table_markdown(cells, columns)]

    def _cell_text(self, records: list[Record], depth: int) -> str:
        return "\n".join(self.paragraphs(records, depth))


def _paragraph_records(control: Record) -> list[Record]:
    """Paragraph headers anywhere under a control (text boxes nest them under shape records)."""
    found: list[Record] = []
    for child in control.children:
        if child.tag == _TAG_PARA_HEADER:
            found.append(child)
        else:
            found.extend(_paragraph_records(child))
    return found


def _cell(data: bytes) -> HwpCell:
    """A cell from its LIST_HEADER: the cell attributes follow the list header's 8 bytes (files in the
    wild) or 6 bytes (the specification's table); the reading with sane values wins."""
    for offset in (8, 6):
        if len(data) >= offset + 8:
            col, row, col_span, row_span = struct.unpack_from("<HHHH", data, offset)
            if 1 <= col_span <= 1000 and 1 <= row_span <= 1000 and col < 1000 and row < 100_000:
                return HwpCell("", row, col, row_span, col_span)
    return HwpCell("")


def _inflate(data: bytes, budget: int, name: str) -> bytes:
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, budget + 1)
    except zlib.error as exc:
        raise ParseFailed(f"{name}: a damaged HWP section ({exc})") from exc
    if len(out) > budget:
        raise TooLarge(f"{name}: the HWP text decompresses to more than {budget // (1 << 20)} MiB")
    return out


class HwpParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        if not olefile.isOleFile(data=data):
            raise ParseFailed(f"{options.name}: not an HWP file (no OLE container)")
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            header = ole.openstream("FileHeader").read() if ole.exists("FileHeader") else b""
            if not header.startswith(_SIGNATURE) or len(header) < 40:
                raise ParseFailed(f"{options.name}: not an HWP 5 document")
            (flags,) = struct.unpack_from("<I", header, 36)
            if flags & 0x2:
                raise ParseFailed(f"{options.name}: the HWP document is password-protected")
            if flags & 0x4:
                raise ParseFailed(f"{options.name}: a distribution-only HWP document (its text is encrypted)")
            sections = sorted(
                (e for e in ole.listdir() if len(e) == 2 and e[0] == "BodyText" and e[1][7:].isdigit()),
                key=lambda entry: int(entry[1][7:]),
            )
            budget = options.max_unzipped_bytes
            blocks: list[str] = []
            for entry in sections:
                raw = ole.openstream(entry).read()
                stream = _inflate(raw, budget, options.name) if flags & 0x1 else raw
                budget -= len(stream)
                blocks.extend(_SectionReader().paragraphs(read_records(stream)))
        return ParsedDocument(pages=["\n\n".join(blocks)], paged=False, title=options.title)
