"""XLSX read as a stream of XML events, bounded by what the file holds, never by what it declares.

Only cells that are present are kept (sparse rows); a sheet's declared dimension is never walked and
merged ranges are never expanded cell by cell: a merged value is repeated only into rows and columns
that hold cells anyway. Every element, cell, row, merged range and character is charged to a
:class:`ReadBudget` as it is read.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from docreader.models import ImageAsset, ParsedDocument, image_placeholder

from .limits import ReadBudget, iter_xml, release

__all__ = ["SheetCells", "read_xlsx"]

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DRAWING_EMBED = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_DC_TITLE = "{http://purl.org/dc/elements/1.1/}title"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,7})$")
_NUMBER = re.compile(r"^-?\d+$")


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index


def _cell_ref(ref: str) -> tuple[int, int] | None:
    """``"B3"`` -> (row 3, column 2); None when malformed."""
    match = _REF.match(ref.upper())
    return (int(match.group(2)), _column_index(match.group(1))) if match else None


@dataclass
class SheetCells:
    """The non-empty cells of one sheet: ``rows[row][column] = text``."""

    name: str
    rows: dict[int, dict[int, str]] = field(default_factory=dict)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_row, min_col, max_row, max_col
    image_parts: list[str] = field(default_factory=list)

    def add_row(self, number: int, values: Iterable[str], budget: ReadBudget) -> None:
        """Keep the non-empty values of one row (column numbers from 1)."""
        budget.add_rows()
        row = {column: text for column, text in enumerate(values, start=1) if text}
        if row:
            budget.add_cells(len(row))
            budget.add_text(sum(len(text) for text in row.values()))
            self.rows[number] = row

    def fill_merged(self, budget: ReadBudget) -> None:
        """Repeat each merged value into the covered cells of rows and columns that hold cells."""
        if not self.merged:
            return
        row_numbers = sorted(self.rows)
        columns = sorted({column for cells in self.rows.values() for column in cells})
        for min_row, min_col, max_row, max_col in self.merged:
            value = self.rows.get(min_row, {}).get(min_col, "")
            if not value:
                continue
            covered_columns = columns[bisect_left(columns, min_col) : bisect_right(columns, max_col)]
            covered_rows = row_numbers[bisect_left(row_numbers, min_row) : bisect_right(row_numbers, max_row)]
            budget.add_covered(len(covered_rows) * len(covered_columns))
            for row in covered_rows:
                cells = self.rows[row]
                for column in covered_columns:
                    if column not in cells:
                        budget.add_cells()
                        cells[column] = value

    def blocks(self, budget: ReadBudget) -> Iterator[list[list[str]]]:
        """Runs of adjacent non-empty rows, each as dense rows over the columns the run uses."""
        run: list[int] = []
        for row in [*sorted(self.rows), -1]:
            if row != -1 and (not run or row == run[-1] + 1):
                run.append(row)
                continue
            if run:
                columns = sorted({column for r in run for column in self.rows[r]})
                budget.add_rendered(len(run) * len(columns))
                yield [[self.rows[r].get(column, "") for column in columns] for r in run]
            run = [row]


@dataclass
class _Workbook:
    archive: zipfile.ZipFile
    budget: ReadBudget
    shared: list[str] = field(default_factory=list)
    date_styles: set[int] = field(default_factory=set)
    epoch: object = CALENDAR_WINDOWS_1900

    def xml(self, name: str) -> Iterator[object]:
        with self.archive.open(name) as part:
            yield from iter_xml(part, self.budget)

    def exists(self, name: str) -> bool:
        try:
            self.archive.getinfo(name)
        except KeyError:
            return False
        return True

    def relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """``rId`` -> (target part name, relationship type) for ``part``."""
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", name + ".rels")
        if not self.exists(rels_name):
            return {}
        found: dict[str, tuple[str, str]] = {}
        for element in self.xml(rels_name):
            if element.tag == f"{_PKG}Relationship" and element.get("TargetMode") != "External":  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
                target = element.get("Target", "")  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                found[element.get("Id", "")] = (posixpath.normpath(path), element.get("Type", ""))  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
        return found


def _read_shared_strings(book: _Workbook, name: str) -> None:
    for element in book.xml(name):
        if element.tag == f"{_MAIN}si":  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            text = "".join(
                t.text or "" for t in element.iter(f"{_MAIN}t") if t.getparent().tag != f"{_MAIN}rPh"  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            )
            book.shared.append(text)
            release(element)


def _read_styles(book: _Workbook, name: str) -> None:
    """Which cell style indexes show numbers as dates (as openpyxl's data_only reading does)."""
    custom: dict[int, str] = {}
    index = 0
    for element in book.xml(name):
        tag = element.tag  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
        if tag == f"{_MAIN}numFmt":
            custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
        elif tag == f"{_MAIN}xf" and element.getparent().tag == f"{_MAIN}cellXfs":  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            number_format = int(element.get("numFmtId", "0"))  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            code = custom.get(number_format, BUILTIN_FORMATS.get(number_format, ""))
            if code and is_date_format(code):
                book.date_styles.add(index)
            index += 1


def _format_number(raw: str, date: bool, epoch: object) -> str:
    if _NUMBER.match(raw):
        number: float = int(raw)
    else:
        number = float(raw)
    if date:
        try:
            return from_excel(number, epoch).isoformat().removesuffix("T00:00:00")
        except (ValueError, OverflowError, TypeError):
            pass
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def _cell_text(book: _Workbook, cell: object) -> str:
    kind = cell.get("t", "n")  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t")).strip()  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
    value = cell.find(f"{_MAIN}v")  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
    raw = value.text if value is not None and value.text else ""
    if not raw:
        return ""
    if kind == "s":
        index = int(raw)
        return book.shared[index].strip() if 0 <= index < len(book.shared) else ""
    if kind == "b":
        return "True" if raw == "1" else "False"
    if kind == "n":
        try:
            return _format_number(raw, int(cell.get("s", "0")) in book.date_styles, book.epoch)  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
        except ValueError:
            return raw.strip()
    if kind == "d":
        return raw.strip().removesuffix("T00:00:00")
    return raw.strip()  # str (formula result) and e (error)


def _row_number(row: object, previous: int) -> int:
    number = row.get("r", "")  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
    return int(number) if number.isdigit() else previous + 1


def _read_sheet(book: _Workbook, name: str, part: str) -> SheetCells:
    sheet = SheetCells(name)
    budget = book.budget
    row_number = column = 0
    row_element: object = None  # the <row> whose cells are being read
    current_row: dict[int, str] = {}
    drawings: list[str] = []
    for element in book.xml(part):
        tag = element.tag  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
        if tag == f"{_MAIN}c":
            if element.getparent() is not row_element:  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
                row_element = element.getparent()  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
                budget.add_rows()
                row_number = _row_number(row_element, row_number)
                column = 0
                current_row = sheet.rows.setdefault(row_number, {})
            ref = _cell_ref(element.get("r", ""))  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            column = ref[1] if ref else column + 1
            text = _cell_text(book, element)
            if text:
                budget.add_cells()
                budget.add_text(len(text))
                current_row[column] = text
            release(element)
        elif tag == f"{_MAIN}row":
            if element is not row_element:  # a row without cells
                budget.add_rows()
                row_number = _row_number(element, row_number)
            elif not current_row:
                del sheet.rows[row_number]
            row_element = None
            release(element)
        elif tag == f"{_MAIN}mergeCell":
            budget.add_merged_range()
            first, _, last = (element.get("ref") or "").partition(":")  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            start, end = _cell_ref(first), _cell_ref(last or first)
            if start and end:
                sheet.merged.append((start[0], start[1], end[0], end[1]))
            release(element)
        elif tag == f"{_MAIN}drawing":
            drawings.append(element.get(f"{_REL}id", ""))  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
        elif element.getparent() is not None and element.getparent().getparent() is None:  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            release(element)
    relationships = book.relationships(part)
    for rel_id in drawings:
        drawing = relationships.get(rel_id, ("", ""))[0]
        if drawing and book.exists(drawing):
            sheet.image_parts.extend(_drawing_images(book, drawing))
    sheet.fill_merged(budget)
    return sheet


def _drawing_images(book: _Workbook, drawing: str) -> list[str]:
    relationships = book.relationships(drawing)
    images = []
    for element in book.xml(drawing):
        if element.tag == _DRAWING_EMBED:  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            target = relationships.get(element.get(f"{_REL}embed", ""), ("", ""))[0]  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            if target and book.exists(target):
                images.append(target)
    return images


def _title(book: _Workbook) -> str:
    if not book.exists("docProps/core.xml"):
        return ""
    for element in book.xml("docProps/core.xml"):
        if element.tag == _DC_TITLE:  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            return (element.text or "").strip()  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
    return ""


def _sheets(book: _Workbook) -> list[tuple[str, str]]:
    """(name, part) of each worksheet in workbook order; chart sheets are skipped."""
    relationships = book.relationships("xl/workbook.xml")
    sheets = []
    for element in book.xml("xl/workbook.xml"):
        tag = element.tag  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
        if tag == f"{_MAIN}workbookPr" and element.get("date1904") in ("1", "true"):  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            book.epoch = CALENDAR_MAC_1904
        elif tag == f"{_MAIN}sheet":
            part, kind = relationships.get(element.get(f"{_REL}id", ""), ("", ""))  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
            if part and kind.endswith("/worksheet") and book.exists(part):
                sheets.append((element.get("name", "Sheet"), part))  # type: ignore[attr-defined]  # XML events are typed object; lxml has no stubs here
    return sheets


def read_xlsx(data: bytes, budget: ReadBudget) -> tuple[str, list[SheetCells], zipfile.ZipFile]:
    """The title and the sheets of a workbook (the open archive is returned for reading images)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    book = _Workbook(archive, budget)
    for part, kind in book.relationships("xl/workbook.xml").values():
        if kind.endswith("/sharedStrings") and book.exists(part):
            _read_shared_strings(book, part)
        elif kind.endswith("/styles") and book.exists(part):
            _read_styles(book, part)
    sheets = [_read_sheet(book, name, part) for name, part in _sheets(book)]
    return _title(book), sheets, archive


def add_sheet_images(result: ParsedDocument, archive: zipfile.ZipFile, sheet: SheetCells) -> str:
    """Placeholders for a sheet's embedded images (their bytes go into ``result``)."""
    placeholders = []
    for part in sheet.image_parts:
        ext = posixpath.splitext(part)[1].lstrip(".").lower() or "png"
        asset = result.add_image(ImageAsset.from_bytes(archive.read(part), ext))
        placeholders.append(image_placeholder(asset, sheet.name))
    return "".join(f"\n\n{p}" for p in placeholders)
