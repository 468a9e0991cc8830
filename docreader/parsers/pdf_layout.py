"""Reading order and table finding for one PDF page, from PyMuPDF's word list (fast, pure Python).

Tables: PyMuPDF's ``find_tables`` costs about a second per page on busy pages, so it only runs where
the page has ruling lines in both directions (a bordered grid). Everywhere else a word-gap detector
finds aligned rows: runs of 3+ rows whose words fall into 2+ columns separated by wide gaps.

Reading order: blocks are classified as left column, right column or full width; between two
full-width items, the left column is read top to bottom, then the right one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .base import markdown_table
from .pdf_text import Line, reflow

__all__ = ["Block", "WordTable", "find_word_tables", "has_ruled_grid", "reading_order", "text_blocks"]

Word = tuple[float, float, float, float, str, int, int, int]
Rect = tuple[float, float, float, float]

_NUMERIC = re.compile(r"^[\(\-–—]?[\$€£¥₩]?\s?[\d.,]+%?\)?$|^[—–-]$")
_CURRENCY = frozenset("$€£¥₩")
_SYMBOL_ONLY = re.compile(r"^[\$€£¥₩%()]+$")


@dataclass(slots=True)
class Block:
    """Something placed on the page: a text block, a table or an image placeholder."""

    rect: Rect
    text: str
    kind: str = "text"


@dataclass(slots=True)
class WordTable:
    rect: Rect
    rows: list[list[str]] = field(default_factory=list)

    @property
    def markdown(self) -> str:
        return markdown_table(self.rows)


def _contains(rect: Rect, x: float, y: float) -> bool:
    return rect[0] - 1 <= x <= rect[2] + 1 and rect[1] - 1 <= y <= rect[3] + 1


def _column(x0: float, x1: float, page_width: float) -> str:
    mid, slack = page_width / 2, page_width * 0.04
    if x1 <= mid + slack:
        return "left"
    if x0 >= mid - slack:
        return "right"
    return "full"


def _block(lines: list[list[Word]], ends: dict[tuple[int, int], bool], signal: bool) -> Block:
    """Lines are sorted left to right, so first/last words bound each line horizontally."""
    rect = (
        min(line[0][0] for line in lines),
        lines[0][0][1],
        max(line[-1][2] for line in lines),
        lines[-1][0][3],
    )
    if len(lines) == 1:
        return Block(rect, " ".join(w[4] for w in lines[0]))
    printed = [
        Line(
            line[0][0],
            line[0][1],
            line[-1][2],
            line[0][3],
            " ".join(w[4] for w in line),
            ends.get((line[0][5], line[0][6]), False),
        )
        for line in lines
    ]
    return Block(rect, reflow(printed, signal))


def text_blocks(
    words: list[Word],
    skip: list[Rect],
    page_width: float,
    ends: dict[tuple[int, int], bool] | None = None,
    signal: bool = False,
) -> list[Block]:
    """Rebuild PyMuPDF's blocks and lines from words (leaving out words inside ``skip`` rects) and
    reflow each block's lines into paragraphs; ``ends`` tells which lines end with a space.

    A block whose lines sit in both columns (MuPDF joins side-by-side lines) is split per column.
    """
    ends = ends or {}
    lines: dict[tuple[int, int], list[Word]] = {}
    for word in _outside(words, skip) if skip else words:
        lines.setdefault((word[5], word[6]), []).append(word)
    blocks: dict[int, list[list[Word]]] = {}
    for (block_no, _), line_words in sorted(lines.items()):
        blocks.setdefault(block_no, []).append(sorted(line_words, key=lambda w: w[7]))
    groups: list[tuple[str, list[list[Word]]]] = []
    for block_lines in blocks.values():
        sides: dict[str, list[list[Word]]] = {}
        for line in block_lines:
            sides.setdefault(_column(line[0][0], line[-1][2], page_width), []).append(line)
        if "left" in sides and "right" in sides:
            groups.extend(sides.items())
        else:
            groups.append(
                (
                    _column(
                        min(ln[0][0] for ln in block_lines), max(ln[-1][2] for ln in block_lines), page_width
                    ),
                    block_lines,
                )
            )
    return [_block(group, ends, signal) for group in _merge_continued(groups)]


def _merge_continued(groups: list[tuple[str, list[list[Word]]]]) -> list[list[list[Word]]]:
    """Join a block to the one before when it continues it (producers that write one block per line):
    the next line down, overlapping horizontally, in the same column (or a short full-width-page line
    where nothing sits in the right column beside it). Reflow then decides the paragraphs."""
    right_spans = [(ls[0][0][1], ls[-1][0][3]) for side, ls in groups if side == "right"]
    merged: list[tuple[str, list[list[Word]]]] = []
    for side, block_lines in groups:
        if merged and _continues(merged[-1], (side, block_lines), right_spans):
            merged[-1] = (merged[-1][0], merged[-1][1] + block_lines)
        else:
            merged.append((side, block_lines))
    return [block_lines for _, block_lines in merged]


def _continues(
    previous: tuple[str, list[list[Word]]],
    block: tuple[str, list[list[Word]]],
    right_spans: list[tuple[float, float]],
) -> bool:
    last, first = previous[1][-1], block[1][0]
    height = max(w[3] - w[1] for w in last)
    gap = first[0][1] - max(w[3] for w in last)
    overlap = min(last[-1][2], first[-1][2]) - max(last[0][0], first[0][0])
    if not (-0.3 * height <= gap <= 0.6 * height and overlap > 0):
        return False
    if previous[0] == block[0]:
        return True
    top, bottom = first[0][1], block[1][-1][0][3]
    beside = any(y0 < bottom and y1 > top for y0, y1 in right_spans)
    return previous[0] == "full" and block[0] == "left" and not beside


def _outside(words: list[Word], rects: list[Rect]) -> list[Word]:
    return [w for w in words if not any(_contains(r, (w[0] + w[2]) / 2, (w[1] + w[3]) / 2) for r in rects)]


def _rows(words: list[Word]) -> list[list[Word]]:
    """Cluster words into visual rows by their vertical centre."""
    rows: list[list[Word]] = []
    centre = -1e9
    for mid, _, height, word in sorted([((w[1] + w[3]) / 2, w[0], w[3] - w[1], w) for w in words]):
        if rows and abs(mid - centre) <= max(2.0, height * 0.35):
            rows[-1].append(word)
        else:
            rows.append([word])
            centre = mid
    for row in rows:
        row.sort()
    return rows


def _segments(row: list[Word]) -> list[list[Word]]:
    """Split a row where the gap between words is much wider than a space."""
    gap = max(8.0, 1.1 * (row[0][3] - row[0][1]))
    segments = [[row[0]]]
    for previous, word in zip(row, row[1:], strict=False):
        if word[0] - previous[2] > gap or word[4] in _CURRENCY:
            segments.append([word])
        else:
            segments[-1].append(word)
    return segments


def _is_table_row(segments: list[list[Word]]) -> bool:
    if len(segments) >= 3:
        return True
    return len(segments) == 2 and any(_NUMERIC.match(" ".join(w[4] for w in seg)) for seg in segments)


def _columns(region: list[list[list[Word]]]) -> list[tuple[float, float]]:
    """Column bands: x ranges covered by segments of the rows with the most segments."""
    most = max(len(row) for row in region)
    defining = [seg for row in region if len(row) >= max(2, most - 1) for seg in row]
    spans = sorted((seg[0][0], seg[-1][2]) for seg in defining)
    bands: list[list[float]] = []
    for x0, x1 in spans:
        if bands and x0 <= bands[-1][1] + 1:
            bands[-1][1] = max(bands[-1][1], x1)
        else:
            bands.append([x0, x1])
    return [(b[0], b[1]) for b in bands]


def _region_rows(region: list[list[list[Word]]]) -> list[list[str]]:
    bands = _columns(region)
    rows: list[list[str]] = []
    for segments in region:
        cells = [""] * len(bands)
        for seg in segments:
            mid = (seg[0][0] + seg[-1][2]) / 2
            index = min(range(len(bands)), key=lambda i: _band_distance(bands[i], mid))
            text = " ".join(w[4] for w in seg)
            cells[index] = f"{cells[index]} {text}".strip()
        rows.append(cells)
    return _fold_symbol_columns(rows)


def _band_distance(band: tuple[float, float], x: float) -> float:
    return 0.0 if band[0] <= x <= band[1] else min(abs(band[0] - x), abs(band[1] - x))


def _fold_symbol_columns(rows: list[list[str]]) -> list[list[str]]:
    """Merge columns holding only currency/percent/paren signs into their neighbour (10-K style)."""
    width = len(rows[0])
    for col in range(width - 1, -1, -1):
        values = [row[col] for row in rows if row[col]]
        if not values or not all(_SYMBOL_ONLY.match(v) for v in values):
            continue
        right = col + 1 < width and values[0] in ("$", "€", "£", "¥", "₩", "(")
        target = col + 1 if right else col - 1
        if not 0 <= target < width:
            continue
        for row in rows:
            if row[col]:
                row[target] = f"{row[col]}{row[target]}" if right else f"{row[target]}{row[col]}"
            del row[col]
        width -= 1
    return rows


def find_word_tables(words: list[Word], skip: list[Rect]) -> list[WordTable]:
    """Tables of aligned rows (no ruling lines needed)."""
    candidates = _outside(words, skip) if skip else words
    if len(candidates) < 6:
        return []
    tables: list[WordTable] = []
    region: list[list[list[Word]]] = []
    last_bottom = 0.0

    def close() -> None:
        if len(region) >= 3:
            flat = [w for row in region for seg in row for w in seg]
            rect = (
                min(w[0] for w in flat),
                min(w[1] for w in flat),
                max(w[2] for w in flat),
                max(w[3] for w in flat),
            )
            rows = _region_rows(region)
            if len(rows[0]) >= 2:
                tables.append(WordTable(rect, rows))
        region.clear()

    for row in _rows(candidates):
        first = row[0]
        segments = _segments(row) if len(row) > 1 else [row]
        is_table_row = _is_table_row(segments)
        if is_table_row and (not region or first[1] - last_bottom < 2.5 * (first[3] - first[1])):
            region.append(segments)
        else:
            close()
            if is_table_row:
                region.append(segments)
        last_bottom = first[3]
    close()
    return tables


def has_ruled_grid(drawings: list[dict], limit: int = 3000) -> bool:
    """True when the page has 3+ tall vertical and 3+ horizontal rules (and is not a huge drawing)."""
    vertical = horizontal = seen = 0
    for drawing in drawings:
        for item in drawing.get("items", ()):
            seen += 1
            if seen > limit:
                return False
            if item[0] == "l":
                x0, y0, x1, y1 = item[1][0], item[1][1], item[2][0], item[2][1]
            elif item[0] == "re":
                x0, y0, x1, y1 = item[1][0], item[1][1], item[1][2], item[1][3]
            else:
                continue
            width, height = abs(x1 - x0), abs(y1 - y0)
            if width < 2.5 and height >= 24:  # spans 2+ rows: per-row shading edges do not count
                vertical += 1
            elif height < 2.5 and width > 8:
                horizontal += 1
    return vertical >= 3 and horizontal >= 3


def reading_order(blocks: list[Block], page_width: float) -> list[Block]:
    """Two-column aware order: full-width items split the page into bands; left column, then right."""
    ordered: list[Block] = []
    left: list[Block] = []
    right: list[Block] = []

    def flush() -> None:
        ordered.extend(sorted(left, key=lambda b: (b.rect[1], b.rect[0])))
        ordered.extend(sorted(right, key=lambda b: (b.rect[1], b.rect[0])))
        left.clear()
        right.clear()

    for block in sorted(blocks, key=lambda b: (b.rect[1], b.rect[0])):
        side = _column(block.rect[0], block.rect[2], page_width)
        if side == "left":
            left.append(block)
        elif side == "right":
            right.append(block)
        else:
            flush()
            ordered.append(block)
    flush()
    return ordered
