"""What the field tagger sees: a document as lines of cells, each cell cut into tokens, and per token the
features a CRF weighs.

A *line* is one layout row as ``(text, x0, x1)`` cells (x is a page fraction or a column index). Tokens
are runs of Hangul, Latin letters or digits, or one other character, so a value's edges fall on token
edges (``123-45-67890`` is five tokens, ``2023년 5월`` four). Per token:

* the word (digits only by their shape, so a masked ``000-00-00000`` looks like any real number), its
  character classes, its Kiwi morpheme and part-of-speech tag;
* regex hits of the field types' shapes (brn, 13-digit ids, phone, e-mail, card, date, amount), shape only,
  no checksums, for the same reason;
* the nearest schema label or alias to the left in the line and in the cells above that line up with the
  token's cell (as the field's name, so every alias counts the same), and how far away it is; and one
  feature for either (a label just to the left, else one above), so a tagger trained on key: value lines
  also reads a header row;
* context: the neighbouring words, the last two nouns before the token in its line, the head word of its
  cell, of the cell before it and of the cell above (so a label the schema does not know still counts);
* position: the token's index in its cell, the cell's index in the line, first and last.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .extract import _compact
from .schema import FieldSchema

__all__ = ["FEATURE_VERSION", "Cell", "Line", "Token", "label_spans", "line_features", "schema_labels", "tokens_of"]

FEATURE_VERSION = 2
Cell = tuple[str, float, float]
Line = Sequence[Cell]

_TOKEN = re.compile(r"[\uac00-\ud7a3]+|[A-Za-z]+|\d+|\S")
_SEPARATORS = r"[-\u2010-\u2014 .]?"
_SHAPES: dict[str, re.Pattern[str]] = {
    "brn": re.compile(rf"(?<!\d)\d{{3}}{_SEPARATORS}\d{{2}}{_SEPARATORS}\d{{5}}(?!\d)"),
    "id13": re.compile(r"(?<!\d)\d{6}[- ]?\d{7}(?!\d)"),
    "phone": re.compile(r"(?<!\d)(?:\+82[\s-]?|0)\d{1,2}[\s.)-]{0,2}\d{3,4}[\s.-]?\d{4}(?!\d)"),
    "email": re.compile(r"[\w.%+-]+@[\w.-]+\.[A-Za-z]{2,}"),
    "card": re.compile(r"(?<!\d)\d{4}(?:[\s-]?\d{4}){3}(?!\d)"),
    "date": re.compile(
        r"(?<!\d)\d{2,4}\s*[년./-]\s*\d{1,2}\s*[월./-]\s*\d{1,2}\s*[일.]?"
        r"|[A-Z][a-z]{2,8}\.? \d{1,2}, \d{4}"
    ),
    "amount": re.compile(
        r"(?:₩|KRW\s?)?\d{1,3}(?:,\d{3})+(?:\s?원)?|(?:₩|KRW\s?)\d+|\d+\s?원|\d+만(?:\s?\d+천)?\s?원"
        r"|금\s?[일이삼사오육칠팔구십백천만억]+원정?"
    ),
}
_NOUN_TAGS = frozenset({"NNG", "NNP", "SL"})
_NEAR_TOKENS = 3  # a label to the left counts as the token's own this many tokens after it


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    cell: int
    start: int  # offsets in the cell's text
    end: int


def tokens_of(line: Line) -> list[Token]:
    return [Token(m.group(0), index, m.start(), m.end())
            for index, (text, _, _) in enumerate(line) for m in _TOKEN.finditer(text)]


def _class(text: str) -> str:
    first = text[0]
    if first.isdigit():
        return "digit"
    if "\uac00" <= first <= "\ud7a3":
        return "hangul"
    if first.isascii() and first.isalpha():
        return "latin"
    return "punct"


def _word(token: str) -> str:
    if token[0].isdigit():
        return f"d{min(len(token), 9)}"
    return token.casefold()[:20]


class _Morphemes:
    """One Kiwi model for the tagger, loaded on first use; calls are serialised."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kiwi: Any = None

    def of(self, text: str) -> list[tuple[str, str, int, int]]:
        with self._lock:
            if self._kiwi is None:
                from kiwipiepy import Kiwi

                self._kiwi = Kiwi(num_workers=-1)
            return [(m.form, m.tag.split("-", 1)[0], m.start, m.start + m.len) for m in self._kiwi.tokenize(text)]


_MORPHEMES = _Morphemes()


@lru_cache(maxsize=4096)
def _analysed(text: str) -> tuple[tuple[str, str, int, int], ...]:
    return tuple(_MORPHEMES.of(text)) if text.strip() else ()


def _morpheme_at(text: str, start: int) -> tuple[str, str]:
    for form, tag, begin, end in _analysed(text):
        if begin <= start < end:
            return form, tag
    return "", "NONE"


@lru_cache(maxsize=4096)
def _shape_hits(text: str) -> tuple[tuple[str, int, int], ...]:
    return tuple((name, m.start(), m.end()) for name, pattern in _SHAPES.items() for m in pattern.finditer(text))


def label_spans(text: str, labels: Sequence[tuple[str, str]]) -> list[tuple[int, int, str]]:
    """Where schema labels occur in a cell: ``(start, end, field)``, longest label first, no overlaps.
    ``labels`` are (compacted label, field name) pairs, longest first."""
    compact, offsets = _compact(text)
    taken: list[tuple[int, int, str]] = []
    for needle, name in labels:
        at = compact.find(needle)
        while at >= 0 and needle:
            span = offsets[at], offsets[at + len(needle) - 1] + 1
            if not any(span[0] < end and span[1] > begin for begin, end, _ in taken):
                taken.append((*span, name))
            at = compact.find(needle, at + 1)
    return sorted(taken)


def schema_labels(schema: FieldSchema) -> list[tuple[str, str]]:
    pairs = {(_compact(label)[0], spec.name) for spec in schema.fields for label in spec.labels()}
    return sorted(pairs, key=lambda pair: (-len(pair[0]), pair))


def _head(text: str) -> str:
    """The first word of a cell that is not a number or a sign."""
    match = re.search(r"[\uac00-\ud7a3]+|[A-Za-z]+", text)
    return match.group(0).casefold()[:20] if match else ""


def _above(lines: Sequence[Line], row: int, cell: Cell, labels: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """The label field and the head word of the first cell above (up to two lines) that lines up."""
    _, left, right = cell
    for r in range(row - 1, max(row - 3, -1), -1):
        overlapping = [(min(right, x1) - max(left, x0), text) for text, x0, x1 in lines[r]]
        best = max(overlapping, default=(0.0, ""))
        if best[0] > 0:
            found = label_spans(best[1], labels)
            return (found[-1][2] if found else "", _head(best[1]))
    return "", ""


def line_features(lines: Sequence[Line], row: int, labels: Sequence[tuple[str, str]]) -> tuple[list[Token], list[list[str]]]:
    """The tokens of ``lines[row]`` and each one's features (strings, as CRFsuite takes them)."""
    line = lines[row]
    tokens = tokens_of(line)
    cell_labels = [label_spans(text, labels) for text, _, _ in line]
    above = [_above(lines, row, cell, labels) for cell in line]
    heads = [_head(text) for text, _, _ in line]
    words = [_word(token.text) for token in tokens]
    pending = sorted((cell, end, start, name) for cell, spans in enumerate(cell_labels) for start, end, name in spans)
    nouns: list[str] = []
    features: list[list[str]] = []
    last_label: tuple[str, int] | None = None  # (field, index of the first token after it)
    for i, token in enumerate(tokens):
        text = line[token.cell][0]
        form, tag = _morpheme_at(text, token.start)
        while pending and (pending[0][0], pending[0][1]) <= (token.cell, token.start):
            last_label = (pending.pop(0)[3], i)
        inside = [name for start, end, name in cell_labels[token.cell] if start <= token.start < end]
        first_in_cell = i == 0 or tokens[i - 1].cell != token.cell
        f = ["bias", f"w={words[i]}", f"cls={_class(token.text)}", f"pos={tag}", f"len={min(len(token.text), 6)}",
             f"w-1={words[i - 1] if i else 'BOS'}", f"w-2={words[i - 2] if i > 1 else 'BOS'}",
             f"w+1={words[i + 1] if i + 1 < len(tokens) else 'EOS'}",
             f"cell={min(token.cell, 3)}", f"head={heads[token.cell]}"]
        if not token.text[0].isdigit() and form:
            f.append(f"m={form.casefold()[:20]}")
        f += [f"ln{n}={noun}" for n, noun in enumerate(reversed(nouns[-2:]), start=1)]
        if token.cell:
            f.append(f"prev_head={heads[token.cell - 1]}")
        if first_in_cell:
            f.append("cell_first")
        if i + 1 == len(tokens):
            f.append("line_last")
        for name, start, end in _shape_hits(text):
            if start <= token.start and token.end <= end:
                f.append(f"re={name}")
                if start == token.start:
                    f.append(f"reB={name}")
        if inside:
            f.append(f"inlabel={inside[0]}")
        elif last_label is not None:
            f += [f"left={last_label[0]}", f"leftd={min(i - last_label[1], 4)}"]
        label_above, head_above = above[token.cell]
        if label_above:
            f.append(f"above={label_above}")
        if head_above:
            f.append(f"above_head={head_above}")
        near = last_label[0] if last_label is not None and not inside and i - last_label[1] <= _NEAR_TOKENS \
            else label_above
        if near and not inside:  # the same for a label to the left and one above: one layout teaches the other
            f.append(f"near={near}")
        features.append(f)
        if tag in _NOUN_TAGS and not token.text[0].isdigit():
            nouns.append(form.casefold()[:20])
    return tokens, features
