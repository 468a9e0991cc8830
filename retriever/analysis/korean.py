"""Korean content morphemes from kiwipiepy (nouns, verb and adjective stems, roots, adverbs, foreign words)."""

from __future__ import annotations

import threading
from functools import cached_property
from typing import Any

from .segment import words

__all__ = ["CONTENT_TAGS", "KoreanAnalyzer"]

# Kiwi (Sejong) tags kept for search: general, proper and bound nouns (``년``, ``명``: dates and counts
# matter in questions), numerals, verb and adjective stems, roots, general adverbs and noun-forming
# suffixes. Particles, endings, prefixes, pronouns and determiners are dropped. Chosen on KorQuAD dev
# with rank_bm25 (first 2,000 questions, R@1): without NNB and XSN 0.915, with either 0.9185, nouns only 0.905.
# Irregular-stem tags (``VV-I``, ``VA-R`` ...) count as their base tag.
CONTENT_TAGS = frozenset({"NNG", "NNP", "NNB", "NR", "VV", "VA", "XR", "XSN", "MAG"})
# Latin words, numbers, URLs, e-mails ... are re-split like any other non-Korean text, so ``COVID-19``
# gives the same tokens inside a Korean sentence as in an English one.
_FOREIGN_TAGS = frozenset({"SL", "SN", "W_URL", "W_EMAIL", "W_HASHTAG", "W_MENTION", "W_SERIAL"})
_HANJA_TAG = "SH"


class KoreanAnalyzer:
    """One shared Kiwi model, loaded on first use; calls are serialised (Kiwi is not documented thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _kiwi(self) -> Any:
        from kiwipiepy import Kiwi

        return Kiwi()

    def warm_up(self) -> None:
        self.tokens("준비")

    def tokens(self, text: str) -> list[str]:
        with self._lock:
            morphemes = self._kiwi.tokenize(text)
        tokens: list[str] = []
        for morpheme in morphemes:
            tag = morpheme.tag.split("-", 1)[0]
            if tag in CONTENT_TAGS or tag == _HANJA_TAG:
                tokens.append(morpheme.form)
            elif tag in _FOREIGN_TAGS:
                tokens.extend(words(morpheme.form))
        return tokens
