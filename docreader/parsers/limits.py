"""Content limits counted while a document is read, so a small file cannot expand without bound.

A :class:`ReadBudget` is charged as XML elements, cells, rows, merged ranges and characters are met;
the first charge over a limit raises :class:`TooLarge` naming the limit and its setting.
:func:`iter_xml` streams an XML part element by element, charging and discarding each one.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO

from lxml import etree

from jisik.errors import TooLarge

from .base import ParseOptions

__all__ = ["ReadBudget", "iter_xml", "release", "scan_html", "scan_office_xml"]


class ReadBudget:
    """Running totals for one document, checked against the limits in its :class:`ParseOptions`."""

    def __init__(self, options: ParseOptions) -> None:
        self.options = options
        self.elements = 0
        self.html_elements = 0
        self.cells = 0
        self.rendered = 0
        self.rows = 0
        self.merged_ranges = 0
        self.shared_strings = 0
        self.covered = 0
        self.text_chars = 0

    def _charge(self, counter: str, count: int, limit: int, what: str, setting: str) -> None:
        total = getattr(self, counter) + count
        setattr(self, counter, total)
        if total > limit:
            raise TooLarge(
                f"{self.options.name}: too large to read: more than {limit:,} {what} "
                f"(the limit set by JISIK_DOCREADER_{setting})"
            )

    def add_elements(self, count: int = 1) -> None:
        self._charge("elements", count, self.options.max_xml_elements, "XML elements", "MAX_XML_ELEMENTS")

    def add_html_elements(self, count: int = 1) -> None:
        self._charge("html_elements", count, self.options.max_html_elements, "HTML elements", "MAX_HTML_ELEMENTS")

    def add_cells(self, count: int = 1) -> None:
        self._charge("cells", count, self.options.max_cells, "spreadsheet cells", "MAX_CELLS")

    def add_rendered(self, count: int) -> None:
        """Cells of the tables rendered from a sheet, blanks included (sparse sheets render dense)."""
        self._charge("rendered", count, self.options.max_cells, "spreadsheet cells in tables", "MAX_CELLS")

    def add_shared_strings(self, count: int = 1) -> None:
        """Strings of a workbook's shared table (each one a cell's text at most)."""
        self._charge("shared_strings", count, self.options.max_cells, "shared strings", "MAX_CELLS")

    def add_covered(self, count: int) -> None:
        """Cells that hold data under a merged range, each visited to repeat the merged value."""
        self._charge("covered", count, self.options.max_cells, "spreadsheet cells under merged ranges", "MAX_CELLS")

    def add_rows(self, count: int = 1) -> None:
        self._charge("rows", count, self.options.max_rows, "spreadsheet rows", "MAX_ROWS")

    def add_merged_range(self) -> None:
        self._charge("merged_ranges", 1, self.options.max_merged_ranges, "merged cell ranges", "MAX_MERGED_RANGES")

    def add_text(self, chars: int) -> None:
        self._charge("text_chars", chars, self.options.max_text_chars, "characters of text", "MAX_TEXT_CHARS")


def iter_xml(stream: IO[bytes], budget: ReadBudget) -> Iterator[etree._Element]:
    """Yield each element as it ends (children complete), charging the budget for it and its text.

    Callers :func:`release` the records they are done with, so memory stays flat however long the
    part is. Entities are never resolved and nothing is fetched (no XXE).
    """
    parser = etree.iterparse(stream, events=("end",), resolve_entities=False, no_network=True, load_dtd=False)
    for _, element in parser:
        budget.add_elements()
        if element.text:
            budget.add_text(len(element.text))
        yield element


def release(element: etree._Element) -> None:
    """Free a finished element and the finished siblings before it (never its open ancestors)."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


def scan_office_xml(data: bytes, options: ParseOptions) -> None:
    """Stream every XML part of an Office zip, refusing it at the first limit crossed.

    Runs before a parser that loads whole parts into memory (python-docx, python-pptx).
    """
    budget = ReadBudget(options)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    for element in iter_xml(part, budget):
                        release(element)



def scan_html(html: str, options: ParseOptions) -> None:
    """Count a page's elements with lxml's streaming parser before the costly conversion builds a tree."""
    budget = ReadBudget(options)
    events = etree.iterparse(
        io.BytesIO(html.encode("utf-8", "replace")),
        events=("start",),
        html=True,
        recover=True,
        no_network=True,
        resolve_entities=False,
        encoding="utf-8",
    )
    for _, element in events:
        budget.add_html_elements()
        parent = element.getparent()
        if parent is not None:  # only the count matters: drop the finished siblings before this one
            while element.getprevious() is not None:
                del parent[0]
