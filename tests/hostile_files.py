"""Hostile Office and HTML files, generated in code: tiny on disk, huge once a naive parser expands them.

Each is built from its raw XML parts so the file holds exactly the trick (a merged range over the
whole sheet, cells at both ends of the grid, hundreds of MB of empty paragraphs) and nothing else.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

__all__ = [
    "docx_paragraph_flood",
    "far_apart_cells_xlsx",
    "html_element_flood",
    "many_cells_xlsx",
    "many_merged_ranges_xlsx",
    "sheet_wide_merge_xlsx",
    "xlsx",
]

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _zip(parts: dict[str, bytes | Iterable[bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            with archive.open(name, "w", force_zip64=True) as part:
                for piece in [content] if isinstance(content, bytes) else content:
                    part.write(piece)
    return out.getvalue()


def xlsx(sheet_data: bytes | Iterable[bytes], *, dimension: str = "A1", tail: bytes = b"") -> bytes:
    """A one-sheet workbook whose ``<sheetData>`` body and what follows it are given raw."""
    head = f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}"><dimension ref="{dimension}"/><sheetData>'.encode()
    sheet = _chain(head, sheet_data, b"</sheetData>" + tail + b"</worksheet>")
    return _zip(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0"?><Types xmlns="{_CT}">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                f'<?xml version="1.0"?><Relationships xmlns="{_PKG}">'
                f'<Relationship Id="rId1" Type="{_OFFICE_DOC}" Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
            "xl/workbook.xml": (
                f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{_R}">'
                '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<?xml version="1.0"?><Relationships xmlns="{_PKG}">'
                f'<Relationship Id="rId1" Type="{_R}/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ).encode(),
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def _chain(*pieces: bytes | Iterable[bytes]) -> Iterable[bytes]:
    for piece in pieces:
        if isinstance(piece, bytes):
            yield piece
        else:
            yield from piece


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def sheet_wide_merge_xlsx() -> bytes:
    """About 1.5 KB: one value merged over the whole grid, A1:XFD1048576 (17 billion cells)."""
    return xlsx(
        b'<row r="1">' + _cell("A1", "merged over everything") + b"</row>",
        dimension="A1:XFD1048576",
        tail=b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
    )


def far_apart_cells_xlsx() -> bytes:
    """About 1.4 KB: cells only at A1 and XFD1048576, declaring the whole grid as its dimension."""
    return xlsx(
        b'<row r="1">'
        + _cell("A1", "top left")
        + b'</row><row r="1048576">'
        + _cell("XFD1048576", "bottom right")
        + b"</row>",
        dimension="A1:XFD1048576",
    )


def many_cells_xlsx(rows: int, columns: int = 10) -> bytes:
    """``rows`` x ``columns`` numeric cells, streamed into the zip (compresses to almost nothing)."""

    def sheet_rows() -> Iterable[bytes]:
        cells = b"".join(b"<c><v>7</v></c>" for _ in range(columns))
        for number in range(1, rows + 1):
            yield b'<row r="%d">' % number + cells + b"</row>"

    return xlsx(sheet_rows(), dimension=f"A1:J{rows}")


def many_merged_ranges_xlsx(ranges: int) -> bytes:
    """A small sheet with ``ranges`` two-cell merged ranges."""
    merges = b"".join(b'<mergeCell ref="A%d:B%d"/>' % (n, n) for n in range(1, ranges + 1))
    return xlsx(
        b'<row r="1">' + _cell("A1", "x") + b"</row>",
        tail=b'<mergeCells count="%d">' % ranges + merges + b"</mergeCells>",
    )


def docx_paragraph_flood(megabytes: int = 400) -> bytes:
    """A DOCX whose body is ``megabytes`` MB of empty paragraphs (about 1.2 MB zipped at 400 MB)."""
    chunk = b"<w:p/>" * (1 << 20)  # 6 MiB

    def document() -> Iterable[bytes]:
        yield f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'.encode()
        for _ in range(megabytes * (1 << 20) // len(chunk)):
            yield chunk
        yield b"<w:p><w:r><w:t>end</w:t></w:r></w:p></w:body></w:document>"

    return _zip(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0"?><Types xmlns="{_CT}">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/word/document.xml" ContentType='
                '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                "</Types>"
            ).encode(),
            "_rels/.rels": (
                f'<?xml version="1.0"?><Relationships xmlns="{_PKG}">'
                f'<Relationship Id="rId1" Type="{_OFFICE_DOC}" Target="word/document.xml"/></Relationships>'
            ).encode(),
            "word/document.xml": document(),
        }
    )


def html_element_flood(elements: int) -> bytes:
    """An HTML page of ``elements`` empty ``<span>`` elements."""
    return b"<!doctype html><html><body><p>flood</p>" + b"<span></span>" * elements + b"</body></html>"
