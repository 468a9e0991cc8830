"""Text analysis for the keyword channel: one token list per text, chosen per script run.

Lines with Hangul go to kiwipiepy (content morphemes), Han runs to jieba (search mode), every other
run is split into Unicode letter and digit words, case-folded. Models load once per process on first use; ``analyze`` is thread-safe.
Chunks are analysed sentence by sentence (``analyze_sentences``), so the keyword channel can tell
whether a query's terms meet in one sentence; queries are analysed whole.

>>> analyze("Python으로 검색 엔진을 만들었다")
['python', '검색', '엔진', '만들']
"""

from __future__ import annotations

from .chinese import ChineseAnalyzer
from .korean import CONTENT_TAGS, KoreanAnalyzer
from .segment import Script, script_runs, sentences, words

__all__ = ["CONTENT_TAGS", "analyze", "analyze_sentences", "warm_up"]

_KOREAN = KoreanAnalyzer()
_CHINESE = ChineseAnalyzer()


def analyze(text: str) -> list[str]:
    """The keyword tokens of ``text`` in order (repeats kept: BM25 counts them)."""
    tokens: list[str] = []
    for script, run in script_runs(text):
        if script is Script.KOREAN:
            tokens.extend(_KOREAN.tokens(run))
        elif script is Script.HAN:
            tokens.extend(_CHINESE.tokens(run))
        else:
            tokens.extend(words(run))
    return tokens


def analyze_sentences(text: str) -> list[list[str]]:
    """The keyword tokens of each sentence of ``text`` that has any, in order."""
    return [tokens for sentence in sentences(text) if (tokens := analyze(sentence))]


def warm_up() -> None:
    """Load both models now instead of on the first call."""
    _KOREAN.warm_up()
    _CHINESE.warm_up()
