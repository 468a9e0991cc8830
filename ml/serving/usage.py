"""Token counts for usage reporting when a backend does not report them itself."""

from __future__ import annotations

import re

__all__ = ["estimate_tokens"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def estimate_tokens(text: str) -> int:
    """Rough count: one per word plus one per CJK ideograph (which tokenizers split finely)."""
    return len(_WORD.findall(text)) + sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
