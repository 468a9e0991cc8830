"""Old-Excel (.xls, BIFF8) workbooks written record by record inside an OLE2 compound file.

Enough of the format for xlrd to read them (one XF, the shared-string table, a sheet per list of
records), so each hostile file holds exactly its trick: DIMENSIONS claiming the whole 65536 x 256 grid,
a cell at the far corner, a merged range over everything, thousands of merged ranges, a flood of cells
or of shared strings. Nothing here is a committed binary; tests build what they need.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .hwp_fixtures import compound_file

__all__ = [
    "Sheet",
    "continued_shared_strings",
    "far_corner_cell_xls",
    "many_cells_xls",
    "many_merged_ranges_xls",
    "many_shared_strings_xls",
    "record",
    "sheet_wide_merge_xls",
    "workbook",
]

MAX_RECORD = 8224
LAST_ROW, LAST_COLUMN = 65535, 255


def record(opcode: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HH", opcode, len(payload)) + payload


def _bof(kind: int) -> bytes:
    return record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


_EOF = record(0x000A)
# One cell style (XF 0: general number format, font 0) so xlrd can type numeric cells.
_XF = record(0x00E0, struct.pack("<HHHBBBBIIH", 0, 0, 0xFFF5, 0x20, 0, 0, 0, 0, 0, 0x20C0))
_FONT = record(0x0031, struct.pack("<HHHHHBBBB", 200, 0, 0x7FFF, 400, 0, 0, 0, 0, 0) + b"\x05\x00Arial")


def label(row: int, column: int, shared_index: int) -> bytes:
    """A LABELSST cell: the text of shared string ``shared_index``."""
    return record(0x00FD, struct.pack("<HHHI", row, column, 0, shared_index))


def number(row: int, column: int, value: float) -> bytes:
    return record(0x0203, struct.pack("<HHHd", row, column, 0, value))


def mulrk(row: int, first_column: int, values: Sequence[int]) -> bytes:
    """One MULRK record: consecutive integer cells from ``first_column`` (6 bytes a cell)."""
    cells = b"".join(struct.pack("<HI", 0, (value << 2) | 2) for value in values)
    return record(0x00BD, struct.pack("<HH", row, first_column) + cells + struct.pack("<H", first_column + len(values) - 1))


def dimensions(rows: int, columns: int) -> bytes:
    """What the sheet claims to span (xlrd and jisik must not believe it)."""
    return record(0x0200, struct.pack("<IIHHH", 0, rows, 0, columns, 0))


def merged(ranges: Iterable[tuple[int, int, int, int]]) -> Iterable[bytes]:
    """MERGEDCELLS records (at most 1027 ranges each): (first row, last row, first column, last column)."""
    batch: list[tuple[int, int, int, int]] = []
    for merged_range in [*ranges, None]:
        if merged_range is not None:
            batch.append(merged_range)
        if batch and (merged_range is None or len(batch) == 1027):
            yield record(0x00E5, struct.pack("<H", len(batch)) + b"".join(struct.pack("<HHHH", *r) for r in batch))
            batch = []


def _characters(text: str) -> bytes:
    """The option byte and the characters of a BIFF8 string: one byte each when they fit, else two."""
    wide = any(ord(character) > 0xFF for character in text)
    return bytes([1 if wide else 0]) + text.encode("utf-16-le" if wide else "latin-1")


def _string(text: str) -> bytes:
    return struct.pack("<H", len(text)) + _characters(text)


def _shared_strings(strings: Sequence[str]) -> bytes:
    """SST and CONTINUE records, each record break falling between two strings."""
    records, current = [], struct.pack("<II", len(strings), len(strings))
    for text in strings:
        encoded = _string(text)
        if len(current) + len(encoded) > MAX_RECORD:
            records.append(current)
            current = b""
        current += encoded
    records.append(current)
    return record(0x00FC, records[0]) + b"".join(record(0x003C, rest) for rest in records[1:])


def continued_shared_strings(head: str, tail: str) -> bytes:
    """An SST with one string whose characters break across a CONTINUE record: ``head`` as one-byte
    characters in the SST, ``tail`` as two-byte characters after the CONTINUE's fresh option byte."""
    first = struct.pack("<IIHB", 1, 1, len(head) + len(tail), 0) + head.encode("latin-1")
    return record(0x00FC, first) + record(0x003C, b"\x01" + tail.encode("utf-16-le"))


@dataclass
class Sheet:
    name: str
    records: list[bytes] = field(default_factory=list)


def workbook(sheets: Sequence[Sheet], strings: Sequence[str] = (), *, shared_table: bytes | None = None,
             directory_last: bool = False) -> bytes:
    """A BIFF8 workbook in an OLE2 container: globals (font, style, sheet list, shared strings), then
    each sheet's BOF, records and EOF. ``shared_table`` replaces the SST written from ``strings``."""
    table = shared_table if shared_table is not None else _shared_strings(strings)
    bodies = [_bof(0x0010) + b"".join(sheet.records) + _EOF for sheet in sheets]

    def sheet_list(offsets: Sequence[int]) -> bytes:
        return b"".join(
            record(0x0085, struct.pack("<IHB", offset, 0, len(sheet.name)) + _characters(sheet.name))
            for offset, sheet in zip(offsets, sheets, strict=True)
        )

    head_size = len(_bof(0x0005) + _FONT * 5 + _XF * 16 + sheet_list([0] * len(sheets)) + table + _EOF)
    offsets, position = [], head_size
    for body in bodies:
        offsets.append(position)
        position += len(body)
    stream = _bof(0x0005) + _FONT * 5 + _XF * 16 + sheet_list(offsets) + table + _EOF + b"".join(bodies)
    return compound_file({"Workbook": stream}, directory_last=directory_last)


# -- the hostile files -------------------------------------------------------------------------


def sheet_wide_merge_xls() -> bytes:
    """About 5 KB: one value merged over the whole 65536 x 256 grid, which DIMENSIONS claims too."""
    return workbook([Sheet("Sheet1", [dimensions(LAST_ROW + 1, LAST_COLUMN + 1), label(0, 0, 0),
                                      *merged([(0, LAST_ROW, 0, LAST_COLUMN)])])],
                    ["merged over everything"])


def far_corner_cell_xls() -> bytes:
    """Cells only at A1 and IV65536 (xlrd alone pads that into 16.7 million cells)."""
    return workbook([Sheet("Sheet1", [dimensions(LAST_ROW + 1, LAST_COLUMN + 1), label(0, 0, 0),
                                      label(LAST_ROW, LAST_COLUMN, 1)])],
                    ["top left", "bottom right"])


def many_cells_xls(rows: int, columns: int = 256, sheets: int = 1) -> bytes:
    """``rows`` x ``columns`` integer cells per sheet in MULRK records (6 bytes a cell)."""
    per_record = min(columns, (MAX_RECORD - 6) // 6)
    body = [mulrk(row, first, [row] * min(per_record, columns - first))
            for row in range(rows) for first in range(0, columns, per_record)]
    return workbook([Sheet(f"Sheet{n + 1}", body) for n in range(sheets)])


def many_merged_ranges_xls(ranges: int) -> bytes:
    """A one-cell sheet with ``ranges`` two-cell merged ranges (8 bytes each)."""
    pairs = ((row % (LAST_ROW + 1), row % (LAST_ROW + 1), 0, 1) for row in range(ranges))
    return workbook([Sheet("Sheet1", [label(0, 0, 0), *merged(pairs)])], ["x"])


def many_shared_strings_xls(strings: int) -> bytes:
    """A shared-string table of ``strings`` distinct short strings, used by no cell."""
    return workbook([Sheet("Sheet1", [label(0, 0, 0)])], [f"s{n}" for n in range(strings)])
