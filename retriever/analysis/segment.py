"""Split text into script runs: Korean lines, Han (CJK ideograph) runs and words of every other script.

A line that contains Hangul is one Korean run: Korean grammar attaches particles to embedded Latin,
digits and Hanja (``Python으로``, ``조선(朝鮮)의``), so the morphological analyser needs them in context.
Elsewhere, Han runs keep the punctuation between their characters (jieba wants the sentence) and
everything else is split into words: letter runs and digit runs, never mixed, never underscores.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import Enum

__all__ = ["Script", "script_runs", "sentences", "words"]

_HANGUL = "\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\ud7b0-\ud7ff"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_HAS_HANGUL = re.compile(f"[{_HANGUL}]")
_LINES = re.compile(r"[^\r\n]+")
_WORD = rf"(?:(?![{_HAN}])[^\W\d_])+|\d+"
_WORDS = re.compile(_WORD)
# A sentence ends at a line break, at ``.``, ``!``, ``?`` or ``…`` followed by space (closing quotes and
# brackets may come between), and at a full-width ``。！？`` (Chinese and Japanese use no space after it).
# ``28.3km`` and ``v1.2`` stay whole; an abbreviation such as ``Dr. Kim`` splits, which costs little.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])[\"'”’」』)\]]*\s+|(?<=[。！？])[”’」』）]*")
_RUNS = re.compile(rf"(?P<han>[{_HAN}]+(?:[^\w\r\n]+[{_HAN}]+)*)|(?P<word>{_WORD})")


class Script(Enum):
    KOREAN = "korean"
    HAN = "han"
    WORD = "word"


def words(text: str) -> list[str]:
    """Letter runs and digit runs of ``text``, case-folded (the analyser for scripts without one)."""
    return [word.casefold() for word in _WORDS.findall(text)]


def script_runs(text: str) -> Iterator[tuple[Script, str]]:
    """Yield ``(script, run)`` in text order; whitespace and punctuation between runs are dropped."""
    for line in _LINES.findall(text):
        if _HAS_HANGUL.search(line):
            yield Script.KOREAN, line
            continue
        for match in _RUNS.finditer(line):
            yield (Script.HAN if match.lastgroup == "han" else Script.WORD), match.group()


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` in order, without empty ones."""
    return [part for line in _LINES.findall(text) for part in _SENTENCE_BREAK.split(line) if part.strip()]
