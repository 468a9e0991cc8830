"""Korean content morphemes from kiwipiepy (nouns, verb and adjective stems, roots, adverbs, foreign words),
plus the compound each run of touching nouns forms."""

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
# Morphemes that build compounds when nothing separates them: ``지방자치단체장`` is analysed as
# ``지방 자치 단체장`` and also indexed whole, and a name Kiwi splits (``유영 철``) is kept as written.
# A bound noun only continues a compound (``시민단체들``), never starts one. KorQuAD dev, BM25 k1 0.6:
# keyword R@1 0.907 without compounds, 0.913 with them.
_COMPOUND_TAGS = frozenset({"NNG", "NNP", "NR", "XR", _HANJA_TAG})


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
        compound: list[str] = []
        compound_end = -1
        for morpheme in morphemes:
            tag = morpheme.tag.split("-", 1)[0]
            joins = tag in _COMPOUND_TAGS or (tag == "NNB" and bool(compound))
            if not (joins and morpheme.start == compound_end):
                if len(compound) > 1:
                    tokens.append("".join(compound))
                compound = []
            if joins:
                compound.append(morpheme.form)
                compound_end = morpheme.start + morpheme.len
            if tag in CONTENT_TAGS or tag == _HANJA_TAG:
                tokens.append(morpheme.form)
            elif tag in _FOREIGN_TAGS:
                tokens.extend(words(morpheme.form))
        if len(compound) > 1:
            tokens.append("".join(compound))
        return tokens
