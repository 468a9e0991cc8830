"""Which language a question is written in, by script (enough to pick the answer language)."""

from __future__ import annotations

import unicodedata

__all__ = ["LANGUAGE_NAMES", "NO_ANSWER_TEXTS", "detect_language", "no_answer_text"]

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


#: "The documents do not contain the answer", per language (the answer when no passage supports one).
NO_ANSWER_TEXTS: dict[str, str] = {
    "ko": "제공된 문서에는 이 질문에 대한 답이 없습니다.",
    "zh": "提供的文档中没有这个问题的答案。",
    "ja": "提供された文書にはこの質問の答えがありません。",
    "en": "The provided documents do not contain the answer to this question.",
}


def no_answer_text(language: str) -> str:
    return NO_ANSWER_TEXTS.get(language, NO_ANSWER_TEXTS["en"])
