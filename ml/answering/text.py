"""Split a passage into units an answer can quote: sentences of its paragraphs and tables as tables.

Wrapped lines of a paragraph are joined before splitting, so a sentence is never cut at a line end
(``we had 4,`` / ``453 employees``). A sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by space,
or at a full-width ``。！？``; a dot between digits (``68.8``, ``2021.4.28``), after a single capital
(``J. Smith``) or after a common abbreviation (``e.g.``, ``No.``) does not end one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Block", "join_wrapped_lines", "split_blocks", "split_sentences"]

_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|[-*•·▪]\s|\d{1,3}[.)]\s|[가-하][.)]\s|[①-⑳])")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_ABBREVIATIONS = frozenset(
    "e.g i.e etc vs mr mrs ms dr prof no fig figs eq al approx inc ltd co corp jr sr st dept est vol pp p".split()
)
_CANDIDATE_END = re.compile(r"[.!?…][\"'”’」』)\]]*(?=\s)|[。！？][”’」』）]*")
_MAX_SENTENCE_CHARS = 600


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph (``kind == "text"``) or a Markdown table (``kind == "table"``, its lines)."""

    kind: str
    text: str


def _joiner(previous: str, following: str) -> str:
    """What goes between two wrapped lines: nothing inside a number (``4,`` + ``453``) or a hyphenated
    English word, else a space (re-joining Korean words split by a wrap is docreader's job)."""
    if re.search(r"\d[,.]$", previous) and re.match(r"\d{3}(?!\d)", following):
        return ""
    if previous.endswith("-") and re.search(r"[A-Za-z]-$", previous) and following[:1].islower():
        return ""  # hyphenated word wrap
    return " "


def join_wrapped_lines(lines: list[str]) -> str:
    text = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        if not text:
            text = line
        else:
            joiner = _joiner(text, line)
            text = (text[:-1] if joiner == "" and text.endswith("-") else text) + joiner + line
    return text


def split_blocks(passage: str) -> list[Block]:
    """Paragraphs (blank lines, headings and list items start new ones) and tables, in order."""
    blocks: list[Block] = []
    paragraph: list[str] = []
    table: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append(Block("text", join_wrapped_lines(paragraph)))
            paragraph.clear()

    def flush_table() -> None:
        if table:
            blocks.append(Block("table", "\n".join(table)))
            table.clear()

    for line in passage.splitlines():
        if _TABLE_LINE.match(line):
            flush_paragraph()
            table.append(line.strip())
            continue
        flush_table()
        if not line.strip():
            flush_paragraph()
        elif _HEADING.match(line):
            flush_paragraph()
            paragraph.append(line)
        else:
            paragraph.append(line)
    flush_paragraph()
    flush_table()
    return blocks


def _ends_sentence(text: str, end: int) -> bool:
    """Whether the candidate end at ``text[end - 1]`` really closes a sentence."""
    mark = text[end - 1]
    if mark in "。！？”’」』）" or mark != ".":
        return True
    following = text[end:].lstrip()
    if text[end - 2 : end - 1].isdigit() and following[:1].isdigit():
        return False  # a Korean-style date "2021. 4. 28."
    word = re.search(r"([A-Za-z][A-Za-z.]*)\.$", text[:end])
    if word:
        token = word.group(1).casefold()
        if len(token) == 1 and token.isalpha() and text[:end][-2:-1].isupper():
            return False  # an initial: "J. Smith"
        if token.rstrip(".") in _ABBREVIATIONS or "." in token:
            return False
    return not following[:1].islower() or bool(_HANGUL.match(following[:1]))


def _sentences_of(paragraph: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE_END.finditer(paragraph):
        end = match.end()
        if _ends_sentence(paragraph, end):
            sentences.append(paragraph[start:end].strip())
            start = end
    sentences.append(paragraph[start:].strip())
    out: list[str] = []
    for sentence in sentences:
        while len(sentence) > _MAX_SENTENCE_CHARS:  # a run-on text layer: cut at a space near the limit
            cut = sentence.rfind(" ", 0, _MAX_SENTENCE_CHARS)
            cut = cut if cut > _MAX_SENTENCE_CHARS // 2 else _MAX_SENTENCE_CHARS
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if sentence:
            out.append(sentence)
    return out


def split_sentences(text: str) -> list[str]:
    """The sentences of the paragraphs of ``text`` (tables are left out; see :mod:`.tables`)."""
    return [s for block in split_blocks(text) if block.kind == "text" for s in _sentences_of(block.text)]
