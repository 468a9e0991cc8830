"""DOCX: headings, lists, tables (merged cells included) and images in document order."""

from __future__ import annotations

import io
import re
from typing import Any

import docx
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from docreader.models import ImageAsset, ParsedDocument, image_placeholder

from .base import ParseOptions, markdown_table

__all__ = ["DocxParser"]

_HEADING = re.compile(r"^(?:heading|제목)\s*(\d)$", re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:-|1\.) ")
_BLIP = qn("a:blip")
_EMBED = qn("r:embed")


class _Renderer:
    def __init__(self, document: DocxDocument, result: ParsedDocument) -> None:
        self.document = document
        self.result = result
        self._numbering = _numbering_formats(document)

    def blocks(self, parent_element, parent) -> list[str]:
        out: list[str] = []
        for child in parent_element.iterchildren():
            if child.tag == qn("w:p"):
                text = self.paragraph(Paragraph(child, parent))
                if text.strip():
                    out.append(text)
            elif child.tag == qn("w:tbl"):
                table = self.table(Table(child, parent))
                if table:
                    out.append(table)
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    out.extend(self.blocks(content, parent))
        return out

    def paragraph(self, paragraph: Paragraph) -> str:
        parts: list[str] = []
        for element in paragraph._p.iter(qn("w:r")):
            run = Run(element, paragraph)
            parts.append(run.text)
            for blip in element.iter(_BLIP):
                placeholder = self._image(blip.get(_EMBED))
                if placeholder:
                    parts.append(placeholder)
        text = "".join(parts).strip()
        if not text:
            return ""
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        heading = _HEADING.match(style)
        if heading:
            return "#" * min(int(heading.group(1)), 6) + " " + text.replace("\n", " ")
        if style.lower() == "title":
            return "# " + text.replace("\n", " ")
        num_pr: Any = paragraph._p.pPr.numPr if paragraph._p.pPr is not None else None
        if num_pr is not None and num_pr.numId is not None:
            level = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
            marker = (
                "1." if self._numbering.get((int(num_pr.numId.val), level), "bullet") != "bullet" else "-"
            )
            return "  " * level + f"{marker} {text}"
        if style.lower().startswith("list"):
            return f"- {text}"
        return text

    def _image(self, rel_id: str | None) -> str:
        if not rel_id:
            return ""
        part = self.document.part.related_parts.get(rel_id)
        if part is None or not hasattr(part, "blob"):
            self.result.warnings.append(f"image {rel_id} is linked, not embedded")
            return ""
        ext = part.partname.ext if hasattr(part.partname, "ext") else "bin"
        asset = self.result.add_image(ImageAsset.from_bytes(part.blob, ext))
        return image_placeholder(asset)

    def cell(self, cell: _Cell) -> str:
        return "\n".join(block for block in self.blocks(cell._tc, cell) if block)

    def table(self, table: Table) -> str:
        rows: list[list[object]] = []
        for row in table.rows:
            cells: list[object] = []
            previous = None
            for cell in row.cells:
                # A horizontally merged cell comes back once per grid column: keep its text once.
                cells.append("" if cell._tc is previous else self.cell(cell).replace("\n| ", " | "))
                previous = cell._tc
            rows.append(cells)
        return markdown_table(rows)


def _numbering_formats(document: DocxDocument) -> dict[tuple[int, int], str]:
    """(numId, level) -> numFmt ('bullet', 'decimal', ...)."""
    try:
        numbering = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract = {}
    for node in numbering.findall(qn("w:abstractNum")):
        levels = {}
        for lvl in node.findall(qn("w:lvl")):
            fmt = lvl.find(qn("w:numFmt"))
            levels[int(lvl.get(qn("w:ilvl")))] = fmt.get(qn("w:val")) if fmt is not None else "bullet"
        abstract[node.get(qn("w:abstractNumId"))] = levels
    formats = {}
    for num in numbering.findall(qn("w:num")):
        ref = num.find(qn("w:abstractNumId"))
        if ref is None:
            continue
        for level, fmt in abstract.get(ref.get(qn("w:val")), {}).items():
            formats[(int(num.get(qn("w:numId"))), level)] = fmt
    return formats


class DocxParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        document = docx.Document(io.BytesIO(data))
        result = ParsedDocument(pages=[], paged=False, title=document.core_properties.title or "")
        renderer = _Renderer(document, result)
        blocks = renderer.blocks(document.element.body, document)
        text = ""
        for block in blocks:
            glue = "\n" if _LIST_ITEM.match(block) and _LIST_ITEM.match(text.rsplit("\n", 1)[-1]) else "\n\n"
            text = f"{text}{glue}{block.rstrip()}" if text else block.rstrip()
        result.pages.append(text)
        return result
