"""Exact text from a PDF page's glyphs.

- Table cells are assembled from characters grouped by baseline and ordered by x, so decimal points,
  dates, signs and units stay where the page prints them (PyMuPDF's own cell text clusters glyphs by
  their tight boxes, which moves a "." below its digits: "68 8" + "." for 68.8).
- Paragraphs are reflowed: the lines of a block are joined into paragraphs. English hyphenation is
  undone; a Korean word split by a wrap is joined without a space. Whether a wrap split a word comes
  from the layout: producers that keep a trailing space at word-boundary wraps (Word, Hangul) leave it
  out where a word was split; pages without that signal ask the Korean spacing model (ko_spacing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pymupdf

from . import ko_spacing

__all__ = ["Line", "cell_rows", "gap_words", "line_end_spaces", "reflow", "space_signal"]

Word = tuple[float, float, float, float, str, int, int, int]
Rect = tuple[float, float, float, float]

# Korean enumerators 가. 나. ... leave out 다: "다. " is how a wrapped sentence ending (…하였다.) starts a line.
_LIST_MARKER = re.compile(
    r"^(?:[•◦▪▫■□○●◆◇※▶►▷➢✓·∙\-–—－*]|o\s|\d{1,3}[.)](?!\d)|\(\d{1,3}\)|[①-⑳]|[가나라마바사아자차카타파하][.)]\s|[a-zA-Z][.)]\s|[IVX]{1,4}\.\s)"
)


def _is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3" or "\u3131" <= ch <= "\u318e"


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\u3040" <= ch <= "\u30ff" or "\u3000" <= ch <= "\u303f"


@dataclass(slots=True)
class Line:
    """One printed line: its box, its text, its height and whether the text layer ends it with a space."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    trailing_space: bool = False

    @property
    def size(self) -> float:
        return max(1.0, self.y1 - self.y0)


def line_end_spaces(textpage: pymupdf.TextPage) -> dict[tuple[int, int], bool]:
    """(block, line) -> whether the text layer ends that line with a space (keys match word tuples)."""
    ends: dict[tuple[int, int], bool] = {}
    for block in textpage.extractDICT()["blocks"]:
        for number, line in enumerate(block.get("lines", ())):
            spans = line["spans"]
            if spans:
                ends[(block["number"], number)] = spans[-1]["text"].endswith((" ", "\u00a0"))
    return ends


def space_signal(ends: dict[tuple[int, int], bool]) -> bool:
    """True when this producer marks word-boundary wraps with a trailing space (so its absence means a
    word was split); pages whose lines never end with a space carry no such signal."""
    return sum(ends.values()) >= 3 and sum(ends.values()) >= 0.1 * len(ends)


def _printed_width(text: str, size: float) -> float:
    """Rough printed width: full-width for Hangul and CJK, half for the rest."""
    return sum(size if _is_hangul(ch) or _is_cjk(ch) else 0.5 * size for ch in text)


def _starts_paragraph(previous: Line, line: Line, first: Line, right: float, left: float) -> bool:
    size = previous.size
    if line.y0 - previous.y1 > 0.8 * size or _LIST_MARKER.match(line.text):
        return True
    room = right - previous.x1
    if room > _printed_width(line.text.split(" ", 1)[0] + " ", size) and room > 1.5 * size:
        return True  # the next word would have fitted: the previous line ended its paragraph
    indented = line.x0 > left + 0.8 * size and previous.x0 <= left + 0.3 * size
    return indented and not _LIST_MARKER.match(first.text)


def _separator(text: str, trailing_space: bool, full: bool, following: str, signal: bool) -> tuple[str, str]:
    """(``text`` as kept, separator) for joining the wrapped line ``following`` onto ``text``; only a
    ``full`` line (one reaching the right edge) can have split a word."""
    last, nxt = text[-1], following[0]
    if last == "-" and len(text) >= 2 and text[-2].isascii() and text[-2].isalpha() and nxt.islower():
        return text[:-1], ""
    if _is_hangul(last) and _is_hangul(nxt) and full:
        if signal:
            return text, " " if trailing_space else ""
        tail, head = text.rsplit(" ", 1)[-1], following.split(" ", 1)[0]
        return text, "" if ko_spacing.joins_as_one_word(tail, head) else " "
    if _is_cjk(last) and _is_cjk(nxt):
        return text, ""
    return text, " "


def reflow(lines: Sequence[Line], signal: bool) -> str:
    """Join the lines of one block into paragraphs (one per output line)."""
    lines = [line for line in lines if line.text]
    if not lines:
        return ""
    left = min(line.x0 for line in lines)
    right = max(line.x1 for line in lines)
    paragraphs: list[str] = [lines[0].text]
    first = previous = lines[0]
    for line in lines[1:]:
        if _starts_paragraph(previous, line, first, right, left):
            paragraphs.append(line.text)
            first = line
        else:
            full = right - previous.x1 <= previous.size
            kept, separator = _separator(paragraphs[-1], previous.trailing_space, full, line.text, signal)
            paragraphs[-1] = kept + separator + line.text
        previous = line
    return "\n".join(paragraphs)


# --- characters -------------------------------------------------------------------------------------

_Char = tuple[float, float, float, float, str]  # x0, x1, baseline, size, character


def _page_chars(page: pymupdf.Page, clip: Rect) -> list[_Char]:
    chars: list[_Char] = []
    raw = page.get_text("rawdict", clip=pymupdf.Rect(clip), flags=pymupdf.TEXTFLAGS_RAWDICT)
    for block in raw["blocks"]:
        for line in block.get("lines", ()):
            spans = line["spans"]
            if abs(line["dir"][1]) > 0.1 and spans:  # rotated text: the line, in PyMuPDF's order, as one unit
                x0, _, x1, y1 = line["bbox"]
                text = "".join(char["c"] for span in spans for char in span["chars"])
                chars.append((x0, x1, y1, float(spans[0]["size"]) or 1.0, text))
                continue
            for span in spans:
                size = float(span["size"]) or 1.0
                for char in span["chars"]:
                    chars.append((char["bbox"][0], char["bbox"][2], char["origin"][1], size, char["c"]))
    return chars


def _text_lines(chars: Iterable[_Char]) -> list[list[_Char]]:
    """Group characters into lines by baseline (a raised footnote mark stays on its line)."""
    lines: list[list[_Char]] = []
    for char in sorted(chars, key=lambda c: (c[2], c[0])):
        if lines and abs(char[2] - lines[-1][0][2]) <= 0.5 * max(char[3], lines[-1][0][3]):
            lines[-1].append(char)
        else:
            lines.append([char])
    return [sorted(line, key=lambda c: c[0]) for line in lines]


def _line_text(chars: list[_Char]) -> str:
    """Characters left to right; a visible gap with no space character in the text layer becomes one."""
    out: list[str] = []
    previous: _Char | None = None
    for char in chars:
        if previous is not None and not char[4].isspace() and not previous[4].isspace():
            if char[0] - previous[1] > 0.25 * min(char[3], previous[3]):
                out.append(" ")
        out.append(char[4])
        previous = char
    return " ".join("".join(out).split())


def _chars_to_lines(chars: list[_Char]) -> list[Line]:
    lines = []
    for group in _text_lines(chars):
        text = _line_text(group)
        if text:
            size = max(c[3] for c in group)
            baseline = group[0][2]
            lines.append(
                Line(
                    group[0][0],
                    baseline - size,
                    max(c[1] for c in group),
                    baseline,
                    text,
                    group[-1][4].isspace(),
                )
            )
    return lines


def cell_rows(page: pymupdf.Page, table: object, signal: bool) -> list[list[str]]:
    """The text of each cell of a PyMuPDF table, assembled from the characters inside the cell."""
    bbox = tuple(table.bbox)  # type: ignore[attr-defined]  # the table object is untyped (third-party)
    chars = _page_chars(page, (bbox[0] - 2, bbox[1] - 2, bbox[2] + 2, bbox[3] + 2))
    rows: list[list[str]] = []
    for row in table.rows:  # type: ignore[attr-defined]  # the table object is untyped (third-party)
        texts = []
        for cell in row.cells:
            if cell is None:
                texts.append("")
                continue
            x0, y0, x1, y1 = cell
            inside = [c for c in chars if x0 <= (c[0] + c[1]) / 2 <= x1 and y0 <= c[2] - 0.3 * c[3] <= y1]
            texts.append(reflow(_chars_to_lines(inside), signal))
        rows.append(texts)
    return rows


def _word(chars: list[dict], block: int, line: int, number: int) -> Word:
    boxes = [c["bbox"] for c in chars]
    text = "".join(c["c"] for c in chars)
    return (
        boxes[0][0],
        min(b[1] for b in boxes),
        boxes[-1][2],
        max(b[3] for b in boxes),
        text,
        block,
        line,
        number,
    )


def _split_at_gaps(chars: list[dict], size: float) -> list[list[dict]]:
    """Runs of characters between space characters and gaps wider than a quarter of the font size."""
    runs: list[list[dict]] = [[]]
    for char in chars:
        if char["c"].isspace():
            runs.append([])
            continue
        if runs[-1] and char["bbox"][0] - runs[-1][-1]["bbox"][2] > 0.25 * size:
            runs.append([])
        runs[-1].append(char)
    return [run for run in runs if run]


def gap_words(page: pymupdf.Page) -> list[Word]:
    """Words split at space characters and at visible gaps (for text layers that lost their spaces)."""
    words: list[Word] = []
    raw = page.get_text("rawdict", flags=pymupdf.TEXTFLAGS_RAWDICT)
    for block in raw["blocks"]:
        for line_no, line in enumerate(block.get("lines", ())):
            spans = line["spans"]
            if not spans:
                continue
            size = min(float(span["size"]) or 1.0 for span in spans)
            chars = [char for span in spans for char in span["chars"]]
            for run in _split_at_gaps(chars, size):
                words.append(_word(run, block["number"], line_no, len(words)))
    return words
