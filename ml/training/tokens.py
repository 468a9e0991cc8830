"""The reranker's tokens: lower-cased words, plus character bigrams of Hangul and Han words so a
Korean stem matches through its particles (서울의 ~ 서울). Light on purpose: the gateway computes
features per answer without loading a morphological analyzer."""

from __future__ import annotations

import re

__all__ = ["sentences", "tokens"]

_WORD = re.compile(r"\w+", re.UNICODE)
_CJK = re.compile(r"[\u3131-\u318e\uac00-\ud7a3\u4e00-\u9fff]")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+|\n+")


def tokens(text: str) -> list[str]:
    """Words of ``text`` (case-folded); Hangul/Han words also give their character bigrams."""
    out: list[str] = []
    for word in _WORD.findall(text.casefold()):
        out.append(word)
        if len(word) > 2 and _CJK.search(word):
            out += [word[i : i + 2] for i in range(len(word) - 1)]
    return out


def sentences(text: str) -> list[str]:
    """``text`` split at sentence ends and line breaks, empty pieces dropped."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if piece.strip()]
