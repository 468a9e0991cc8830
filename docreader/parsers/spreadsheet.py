"""Spreadsheets: XLSX (openpyxl), XLS (xlrd) and CSV. Each sheet is a page of Markdown tables.

A sheet can hold several tables; blank rows separate them. Merged ranges repeat their value in every
covered cell so each row reads on its own. Embedded XLSX images become placeholders after the tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from docreader.models import ImageAsset, ParsedDocument, image_placeholder

from .base import ParseOptions, markdown_table
from .text import decode_text

__all__ = ["CsvParser", "XlsParser", "XlsxParser", "rows_to_markdown"]


def _format(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text.removesuffix("T00:00:00")
    return str(value).strip()


def rows_to_markdown(rows: Iterable[list[str]]) -> str:
    """Blank-row-separated blocks of rows, each rendered as its own Markdown table."""
    tables: list[str] = []
    block: list[list[str]] = []
    for row in [*rows, []]:
        if any(cell for cell in row):
            block.append(row)
            continue
        if block:
            tables.append(
                markdown_table(block) if len(block) > 1 or len(block[0]) > 1 else block[0][0] + "\n"
            )
            block = []
    return "\n".join(table for table in tables if table)


def _sheet_page(name: str, body: str) -> str:
    return f"## {name}\n\n{body}".rstrip()


class XlsxParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
        result = ParsedDocument(pages=[], paged=True, title=workbook.properties.title or "")
        for sheet in workbook.worksheets:
            merged: dict[tuple[int, int], object] = {}
            for cell_range in sheet.merged_cells.ranges:
                value = sheet.cell(cell_range.min_row, cell_range.min_col).value
                for row in range(cell_range.min_row, cell_range.max_row + 1):
                    for col in range(cell_range.min_col, cell_range.max_col + 1):
                        merged[(row, col)] = value
            rows = [
                [
                    _format(merged.get((cell.row, cell.column), cell.value)) if hasattr(cell, "row") else ""
                    for cell in row
                ]
                for row in sheet.iter_rows()
            ]
            body = rows_to_markdown(rows)
            for image in getattr(sheet, "_images", []):
                try:
                    blob = image._data()
                except (OSError, ValueError, AttributeError):
                    result.warnings.append(f"sheet {sheet.title}: an embedded image could not be read")
                    continue
                asset = result.add_image(ImageAsset.from_bytes(blob, (image.format or "png").lower()))
                body += f"\n\n{image_placeholder(asset, sheet.title)}"
            result.pages.append(_sheet_page(sheet.title, body))
        result.metadata["sheets"] = str(len(result.pages))
        return result


class XlsParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        import xlrd

        book = xlrd.open_workbook(file_contents=data, on_demand=True)
        result = ParsedDocument(pages=[], paged=True)
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = [[_format(sheet.cell_value(r, c)) for c in range(sheet.ncols)] for r in range(sheet.nrows)]
            for row_lo, row_hi, col_lo, col_hi in getattr(sheet, "merged_cells", []):
                value = rows[row_lo][col_lo]
                for r in range(row_lo, row_hi):
                    for c in range(col_lo, col_hi):
                        rows[r][c] = value
            result.pages.append(_sheet_page(sheet.name, rows_to_markdown(rows)))
        return result


class CsvParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        text = decode_text(data, options.name)
        sample = text[:8192]
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        except csv.Error:
            dialect = csv.excel
        rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
        return ParsedDocument(pages=[rows_to_markdown(rows)], paged=False)
