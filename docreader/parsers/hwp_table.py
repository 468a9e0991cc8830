"""Hangul (HWP/HWPX) tables: cells with addresses and spans laid out on a grid, rendered as Markdown."""

from __future__ import annotations

from dataclasses import dataclass

from .base import markdown_table

__all__ = ["HwpCell", "table_markdown"]

_MAX_GRID_CELLS = 100_000


@dataclass(slots=True)
class HwpCell:
    """One cell: text, grid address (``None`` when the file gives none) and spans."""

    text: str
    row: int | None = None
    col: int | None = None
    row_span: int = 1
    col_span: int = 1


def _place(cells: list[HwpCell], columns: int) -> list[tuple[int, int, HwpCell]]:
    """(row, col, cell) for each cell: the file's addresses when they are consistent, else reading
    order on a grid ``columns`` wide, skipping slots covered by earlier spans."""
    slots = {(c.row, c.col) for c in cells}
    if None not in {c.row for c in cells} | {c.col for c in cells} and len(slots) == len(cells):
        return [(c.row, c.col, c) for c in cells]  # type: ignore[misc]  # row and col are not None here (checked above)
    taken: set[tuple[int, int]] = set()
    placed: list[tuple[int, int, HwpCell]] = []
    row = col = 0
    width = max(1, columns)
    for cell in cells:
        while (row, col) in taken or col >= width:
            col += 1
            if col >= width:
                row, col = row + 1, 0
        placed.append((row, col, cell))
        for r in range(row, row + max(1, cell.row_span)):
            for c in range(col, col + max(1, cell.col_span)):
                taken.add((r, c))
    return placed


def table_markdown(cells: list[HwpCell], columns: int = 0) -> str:
    """Markdown for a table; a merged cell's text sits in its top-left slot, the slots it covers stay
    empty. Tables too large for a grid are rendered one cell per row."""
    if not cells:
        return ""
    placed = _place(cells, columns or max(c.col or 0 for c in cells) + 1)
    rows = max(r + max(1, cell.row_span) for r, _, cell in placed)
    cols = max(c + max(1, cell.col_span) for _, c, cell in placed)
    if rows * cols > _MAX_GRID_CELLS:
        return markdown_table([[cell.text] for _, _, cell in placed]).rstrip("\n")
    grid = [[""] * cols for _ in range(rows)]
    for r, c, cell in placed:
        grid[r][c] = cell.text
    return markdown_table(grid).rstrip("\n")
