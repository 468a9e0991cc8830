"""Spreadsheets: XLSX (streamed, see :mod:`.xlsx`), XLS (xlrd) and CSV. Each sheet is a page of Markdown
tables.

A sheet can hold several tables; blank rows separate them. Merged ranges repeat their value in the
covered cells of rows and columns that hold data, so each row reads on its own. Embedded XLSX images
become placeholders after the tables. Cells, rows, merged ranges and text are counted against the
document's limits as they are read.
"""

from __future__ import annotations

import csv
import io

from docreader.models import ParsedDocument

from .base import ParseOptions, markdown_table
from .biff import scan_workbook
from .limits import ReadBudget
from .text import decode_text
from .xlsx import SheetCells, add_sheet_images, read_xlsx

__all__ = ["CsvParser", "XlsParser", "XlsxParser"]


def _format(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value).strip()


def _sheet_page(name: str, body: str) -> str:
    return f"## {name}\n\n{body}".rstrip()


def _sheet_markdown(sheet: SheetCells, budget: ReadBudget) -> str:
    """A sheet's blocks of adjacent rows, each rendered as its own table (a lone cell as text)."""
    tables = []
    for block in sheet.blocks(budget):
        tables.append(markdown_table(block) if len(block) > 1 or len(block[0]) > 1 else block[0][0] + "\n")
    return "\n".join(table for table in tables if table)


class XlsxParser:
    """Streams the workbook's XML (see :mod:`.xlsx`): memory follows the cells present, within limits."""

    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        budget = ReadBudget(options)
        title, sheets, archive = read_xlsx(data, budget)
        result = ParsedDocument(pages=[], paged=True, title=title)
        with archive:
            for sheet in sheets:
                body = _sheet_markdown(sheet, budget) + add_sheet_images(result, archive, sheet)
                result.pages.append(_sheet_page(sheet.name, body))
        result.metadata["sheets"] = str(len(result.pages))
        return result


class XlsParser:
    """xlrd, after :func:`.biff.scan_workbook` counted what it would load against the limits. Rows stay
    ragged: xlrd would otherwise pad every row to the widest one, a dense grid for two far-apart cells."""

    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        import xlrd

        merged = scan_workbook(data, ReadBudget(options))
        budget = ReadBudget(options)
        book = xlrd.open_workbook(file_contents=data, on_demand=True, ragged_rows=True, logfile=io.StringIO())
        result = ParsedDocument(pages=[], paged=True)
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells = SheetCells(sheet.name)
            for r in range(sheet.nrows):
                cells.add_row(r + 1, (_format(value) for value in sheet.row_values(r)), budget)
            for merged_range in merged[index] if index < len(merged) else []:
                budget.add_merged_range()
                cells.merged.append(merged_range)
            cells.fill_merged(budget)
            result.pages.append(_sheet_page(sheet.name, _sheet_markdown(cells, budget)))
            book.unload_sheet(index)
        return result


class CsvParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        text = decode_text(data, options.name)
        sample = text[:8192]
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        budget = ReadBudget(options)
        cells = SheetCells(options.name)
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            cells.add_row(number, (cell.strip() for cell in row), budget)
        return ParsedDocument(pages=[_sheet_markdown(cells, budget)], paged=False)
