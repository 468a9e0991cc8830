"""Markdown tables as answerable facts: one fact per data row, never the header row.

A question is answered from the row whose cells hold the question's terms and the column whose
header holds them (``Human``'s ``F1``); ``<br>`` inside a cell is a line break of the cell's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Row", "parse_table"]

_SEPARATOR_CELL = re.compile(r"^:?-{2,}:?$")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Row:
    """A data row with the header it belongs to (``header`` may be empty when the table has none)."""

    header: tuple[str, ...]
    cells: tuple[str, ...]

    def text(self) -> str:
        """The row as ``header: cell`` pairs (just the cells when there is no header)."""
        if not any(self.header):
            return " | ".join(cell for cell in self.cells if cell)
        pairs = []
        for index, cell in enumerate(self.cells):
            name = self.header[index] if index < len(self.header) else ""
            if cell:
                pairs.append(f"{name}: {cell}" if name and name != cell else cell)
        return ", ".join(pairs)


def _cells(line: str) -> tuple[str, ...]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return tuple(" ".join(_BREAK.sub(" ", cell).split()) for cell in re.split(r"(?<!\\)\|", inner))


def parse_table(markdown: str) -> list[Row]:
    """The data rows of a Markdown table. The header is the row above the ``|---|`` line, or the first
    row when there is no such line; it is never returned as a data row."""
    lines = [_cells(line) for line in markdown.splitlines() if line.strip()]
    separator = next(
        (i for i, cells in enumerate(lines) if cells and all(_SEPARATOR_CELL.match(c) or not c for c in cells)),
        None,
    )
    if separator is None:
        header, body = (lines[0], lines[1:]) if len(lines) > 1 else ((), lines)
    else:
        header = lines[separator - 1] if separator > 0 else ()
        body = lines[separator + 1 :]
    return [Row(header, cells) for cells in body if any(cells)]
