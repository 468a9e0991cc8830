"""Chinese words from jieba in search mode (long words plus their in-dictionary parts)."""

from __future__ import annotations

import logging
import threading
from functools import cached_property
from typing import Any

__all__ = ["ChineseAnalyzer"]


class ChineseAnalyzer:
    """Search mode makes ``中华人民共和国`` also yield ``中华``, ``人民``, ``共和国``, so a query for a part finds the whole.

    Documents and queries go through the same mode, so BM25 statistics stay consistent.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    @cached_property
    def _jieba(self) -> Any:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        return tokenizer

    def warm_up(self) -> None:
        self.tokens("准备")

    def tokens(self, text: str) -> list[str]:
        with self._lock:
            words = self._jieba.lcut_for_search(text, HMM=True)
        # A Han run holds only ideographs and punctuation; drop the punctuation.
        return [word for word in words if word.isalnum()]
