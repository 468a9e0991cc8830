"""Which language a question is written in, by script (enough to pick the answer language)."""

from __future__ import annotations

import unicodedata

__all__ = ["LANGUAGE_NAMES", "detect_language"]

LANGUAGE_NAMES = {"ko": "Korean", "zh": "Chinese", "ja": "Japanese", "en": "English"}


def _script(ch: str) -> str | None:
    code = ord(ch)
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "ko"
    if 0x3040 <= code <= 0x30FF:
        return "ja"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
        return "zh"
    if ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"):
        return "en"
    return None


def detect_language(text: str) -> str:
    """``ko``, ``ja``, ``zh`` or ``en``: Hangul wins, then kana, then Han, else English."""
    counts = {"ko": 0, "ja": 0, "zh": 0, "en": 0}
    for ch in text:
        script = _script(ch)
        if script:
            counts[script] += 1
    for language in ("ko", "ja", "zh"):
        if counts[language]:
            return language
    return "en"
