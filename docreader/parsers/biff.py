"""A first pass over an .xls workbook's BIFF records that charges a :class:`ReadBudget` before xlrd
loads anything.

xlrd reads the whole shared-string table when a workbook opens and a whole sheet when one is asked
for, and a sheet's declared DIMENSIONS or merged ranges say nothing about what is really there. This
pass walks the record headers of the workbook stream and counts what xlrd would build: the shared
strings and their characters, each sheet's cells and rows, the merged ranges. A hostile file is
refused with the limit it crosses before any of it is expanded; memory stays at the file's size.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from xlrd import compdoc

from jisik.errors import ParseFailed

from .limits import ReadBudget

__all__ = ["MergedRange", "scan_workbook", "workbook_stream"]

_BOF = frozenset({0x0009, 0x0209, 0x0409, 0x0809})
_EOF = 0x000A
_SST = 0x00FC
_CONTINUE = 0x003C
_MERGEDCELLS = 0x00E5
_MULRK = 0x00BD
# Records holding one cell each (BIFF2 to BIFF8), row and column first. Blanks are left out: xlrd
# keeps none of them unless it is asked for formatting.
_ONE_CELL = frozenset({
    0x0002, 0x0003, 0x0004, 0x0005, 0x0006,  # BIFF2 INTEGER, NUMBER, LABEL, BOOLERR, FORMULA
    0x0203, 0x027E, 0x00FD, 0x0204, 0x00D6, 0x0205, 0x0206, 0x0406,  # NUMBER, RK, LABELSST, LABEL, ...
})
_GLOBALS = 0x0005
_BOUNDSHEET = 0x0085
_WORKSHEET_TYPE = 0x00
_RECORD_HEADER = struct.Struct("<HH")


def workbook_stream(data: bytes, name: str) -> memoryview:
    """The BIFF record stream of an .xls file: the ``Workbook`` (or BIFF5 ``Book``) stream of its OLE2
    container, or the whole file for the container-less BIFF2-4 files."""
    if data[:8] != compdoc.SIGNATURE:
        return memoryview(data)
    try:
        container = compdoc.CompDoc(data, logfile=io.StringIO())
        for stream_name in ("Workbook", "Book"):
            memory, base, size = container.locate_named_stream(stream_name)
            if memory:
                return memoryview(memory)[base : base + size]
    except compdoc.CompDocError as exc:
        raise ParseFailed(f"{name}: a damaged .xls container ({exc})") from exc
    raise ParseFailed(f"{name}: an .xls file without a workbook stream")


def _records(stream: memoryview) -> Iterator[tuple[int, int, memoryview]]:
    """(position in the stream, opcode, body) of each record."""
    position, end = 0, len(stream)
    while position + 4 <= end:
        opcode, length = _RECORD_HEADER.unpack_from(stream, position)
        yield position, opcode, stream[position + 4 : position + 4 + length]
        position += 4 + length


@dataclass
class _SharedStrings:
    """The SST record and its CONTINUE records, read as one sequence that knows where records break:
    a string's characters that go on in the next record start it with a fresh option byte."""

    segments: list[memoryview]
    index: int = 0
    offset: int = 8  # past the total and unique counts

    def _current(self) -> memoryview | None:
        while self.index < len(self.segments) and self.offset >= len(self.segments[self.index]):
            self.index += 1
            self.offset = 0
        return self.segments[self.index] if self.index < len(self.segments) else None

    def read(self, size: int) -> bytes | None:
        """``size`` bytes (a few: a header) across record breaks; None when the records end first."""
        taken = b""
        while len(taken) < size:
            segment = self._current()
            if segment is None:
                return None
            piece = segment[self.offset : self.offset + size - len(taken)]
            taken += bytes(piece)
            self.offset += len(piece)
        return taken

    def skip(self, size: int) -> bool:
        """Step over ``size`` bytes across record breaks without copying them; False when the records end first."""
        while size:
            segment = self._current()
            if segment is None:
                return False
            step = min(size, len(segment) - self.offset)
            self.offset += step
            size -= step
        return True

    def skip_characters(self, count: int, wide: bool) -> bool:
        """Step over ``count`` characters; False when the records end first."""
        while count:
            segment = self._current()
            if segment is None:
                return False
            if self.offset == 0 and self.index > 0:  # a continued string: the option byte again
                wide = bool(segment[0] & 1)
                self.offset = 1
                continue
            width = 2 if wide else 1
            fit = min(count, (len(segment) - self.offset) // width)
            if fit == 0:  # half a wide character before a break: malformed, stop here
                return False
            self.offset += fit * width
            count -= fit
        return True

    def strings(self) -> Iterator[int]:
        """The length in characters of each string in the table."""
        while True:
            header = self.read(3)
            if header is None:
                return
            length, options = struct.unpack("<HB", header)
            runs = self.read(2) if options & 0x08 else b"\0\0"
            extension = self.read(4) if options & 0x04 else b"\0\0\0\0"
            if runs is None or extension is None or not self.skip_characters(length, bool(options & 0x01)):
                return
            yield length
            if not self.skip(4 * struct.unpack("<H", runs)[0] + struct.unpack("<I", extension)[0]):
                return


MergedRange = tuple[int, int, int, int]  # first row, first column, last row, last column; from 1, inclusive


@dataclass
class _Sheet:
    """What one worksheet substream holds, as xlrd with ragged rows would keep it."""

    position: int  # of its BOF record in the stream
    rows: int = 0  # one past the highest row index met (xlrd keeps a list for every row below it)
    merged: list[MergedRange] = field(default_factory=list)

    def reach(self, row: int) -> None:
        self.rows = max(self.rows, row + 1)


def _charge_cells(opcode: int, record: memoryview, sheet: _Sheet, budget: ReadBudget) -> None:
    if len(record) < 4:
        return
    row = struct.unpack_from("<H", record)[0]
    if opcode == _MULRK:
        budget.add_cells(max(0, (len(record) - 6) // 6))
    else:
        budget.add_cells()
    sheet.reach(row)


def _charge_merged(record: memoryview, sheet: _Sheet, budget: ReadBudget) -> None:
    if len(record) < 2:
        return
    count = min(struct.unpack_from("<H", record)[0], (len(record) - 2) // 8)
    for number in range(count):
        budget.add_merged_range()
        first_row, last_row, first_column, last_column = struct.unpack_from("<HHHH", record, 2 + 8 * number)
        sheet.merged.append((first_row + 1, first_column + 1, last_row + 1, last_column + 1))
        sheet.reach(last_row)


def _charge_shared_strings(segments: list[memoryview], budget: ReadBudget) -> None:
    for length in _SharedStrings(segments).strings():
        budget.add_shared_strings()
        budget.add_text(length)


def scan_workbook(data: bytes, budget: ReadBudget) -> list[list[MergedRange]]:
    """Charge ``budget`` for everything xlrd would load from this workbook; returns the merged ranges of
    each worksheet in xlrd's sheet order (xlrd keeps none without its costly formatting mode).

    Substreams nest (a chart inside a sheet has its own BOF and EOF); cells count wherever they
    stand except in the workbook globals, which xlrd reads no cells from.

    :raises TooLarge: a limit is crossed (the error names it).
    :raises ParseFailed: the OLE2 container is damaged or holds no workbook.
    """
    worksheets: list[int] = []  # BOF positions, from the globals' sheet list
    substreams: list[_Sheet] = []
    open_sheets: list[_Sheet | None] = []  # None for the workbook globals
    shared: list[memoryview] | None = None
    for position, opcode, record in _records(workbook_stream(data, budget.options.name)):
        if shared is not None:
            if opcode == _CONTINUE:
                shared.append(record)
                continue
            _charge_shared_strings(shared, budget)
            shared = None
        sheet = open_sheets[-1] if open_sheets else None
        if opcode in _BOF:
            kind = struct.unpack_from("<H", record, 2)[0] if len(record) >= 4 else 0
            opened = None if kind == _GLOBALS else _Sheet(position)
            open_sheets.append(opened)
            if opened is not None:
                substreams.append(opened)
        elif opcode == _EOF:
            if open_sheets:
                open_sheets.pop()
            if sheet is not None and sheet.rows:
                budget.add_rows(sheet.rows)
        elif opcode == _SST:
            shared = [record]
        elif opcode == _BOUNDSHEET and len(record) >= 6 and record[5] == _WORKSHEET_TYPE:
            worksheets.append(struct.unpack_from("<I", record)[0])
        elif sheet is None:
            continue
        elif opcode in _ONE_CELL or opcode == _MULRK:
            _charge_cells(opcode, record, sheet, budget)
        elif opcode == _MERGEDCELLS:
            _charge_merged(record, sheet, budget)
    if shared is not None:
        _charge_shared_strings(shared, budget)
    for sheet in open_sheets:  # a stream cut short: xlrd keeps what it read
        if sheet is not None and sheet.rows:
            budget.add_rows(sheet.rows)
    merged = {sheet.position: sheet.merged for sheet in substreams}
    if not worksheets:  # BIFF2-4: no sheet list, the substreams in order
        return [sheet.merged for sheet in substreams]
    return [merged.get(position, []) for position in worksheets]
