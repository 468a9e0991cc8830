"""HWPX (Hangul's OWPML, KS X 6101) over zipfile and XML: the sections' paragraphs in order, tables as
Markdown tables where they sit. Elements are matched by local name, so the 2011 (hancom.co.kr) and
2024 (owpml.org) namespaces both read."""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree

from docreader.models import ParsedDocument
from jisik.errors import ParseFailed

from .base import ParseOptions
from .hwp_table import HwpCell, table_markdown

__all__ = ["HwpxParser"]

_SECTION = re.compile(r"^Contents/section(\d+)\.xml$", re.IGNORECASE)
_MAX_DEPTH = 16


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


class _Reader:
    def blocks(self, container: ElementTree.Element, depth: int = 0) -> list[str]:
        """Paragraph texts and tables of the paragraphs directly in ``container``."""
        out: list[str] = []
        for paragraph in _children(container, "p"):
            out.extend(self._paragraph(paragraph, depth))
        return out

    def _paragraph(self, paragraph: ElementTree.Element, depth: int) -> list[str]:
        out: list[str] = []
        line: list[str] = []
        for run in _children(paragraph, "run"):
            for item in run:
                name = _local(item.tag)
                if name == "t":
                    line.append(self._text(item))
                elif name == "tbl" and depth < _MAX_DEPTH:
                    out.append("".join(line).strip())
                    line = []
                    out.append(self._table(item, depth + 1))
        out.append("".join(line).strip())
        return [block for block in out if block]

    @staticmethod
    def _text(element: ElementTree.Element) -> str:
        parts = [element.text or ""]
        for child in element:
            name = _local(child.tag)
            parts.append({"tab": "\t", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " "}.get(name, ""))
            parts.append(child.tail or "")
        return "".join(parts)

    def _table(self, table: ElementTree.Element, depth: int) -> str:
        cells: list[HwpCell] = []
        for row_element in _children(table, "tr"):
            for cell_element in _children(row_element, "tc"):
                texts: list[str] = []
                for sub_list in _children(cell_element, "subList"):
                    texts.extend(self.blocks(sub_list, depth))
                cell = HwpCell("\n".join(texts))
                for address in _children(cell_element, "cellAddr"):
                    cell.row = _int(address.get("rowAddr"))
                    cell.col = _int(address.get("colAddr"))
                for span in _children(cell_element, "cellSpan"):
                    cell.row_span = _int(span.get("rowSpan")) or 1
                    cell.col_span = _int(span.get("colSpan")) or 1
                cells.append(cell)
        return table_markdown(cells, _int(table.get("colCnt")) or 0)


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


class HwpxParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = sorted(
                    (int(match.group(1)), name)
                    for name in archive.namelist()
                    if (match := _SECTION.match(name))
                )
                if not names:
                    raise ParseFailed(f"{options.name}: an HWPX file without sections")
                blocks: list[str] = []
                for _, name in names:
                    root = ElementTree.fromstring(archive.read(name))
                    blocks.extend(_Reader().blocks(root))
        except (zipfile.BadZipFile, ElementTree.ParseError) as exc:
            raise ParseFailed(f"{options.name}: a damaged HWPX file ({type(exc).__name__})") from exc
        return ParsedDocument(pages=["\n\n".join(blocks)], paged=False, title=options.title)
