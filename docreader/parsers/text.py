"""Plain text and Markdown: decode with encoding detection (UTF-8, CP949/EUC-KR, GB18030, Big5, ...)."""

from __future__ import annotations

import re

from docreader.models import ParsedDocument
from jisik.errors import ParseFailed

from .base import ParseOptions

__all__ = ["MarkdownParser", "TextParser", "decode_text"]

_BOMS = (("utf-8-sig", b"\xef\xbb\xbf"), ("utf-16", b"\xff\xfe"), ("utf-16", b"\xfe\xff"))
# Tried in order after UTF-8; the first that decodes the whole input without errors and looks like text wins.
_CANDIDATES = ("cp949", "gb18030", "big5", "shift_jis")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")


def _plausibility(text: str, encoding: str) -> float:
    """Share of characters that fit the script the encoding is for (higher is better)."""
    if not text:
        return 0.0
    letters = sum(1 for ch in text if not ch.isascii())
    if not letters:
        return 1.0
    expected = {"cp949": _HANGUL, "gb18030": _HAN, "big5": _HAN, "shift_jis": _KANA}[encoding]
    hits = len(expected.findall(text)) + (
        len(_HAN.findall(text)) * 0.5 if encoding in ("cp949", "shift_jis") else 0
    )
    return hits / letters


def decode_text(data: bytes, name: str = "document") -> str:
    """Decode bytes to str; never returns lossy text silently."""
    for encoding, bom in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    scored: list[tuple[float, str]] = []
    for encoding in _CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        scored.append((_plausibility(text, encoding), text))
    if scored:
        return max(scored, key=lambda item: item[0])[1]
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ParseFailed(f"{name}: the text encoding could not be detected")
    return str(best)


def _normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


class TextParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        return ParsedDocument(pages=[_normalise(decode_text(data, options.name))], paged=False)


class MarkdownParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        text = _normalise(decode_text(data, options.name))
        heading = re.search(r"^#\s+(.+)$", text, re.MULTILINE)
        return ParsedDocument(pages=[text], paged=False, title=heading.group(1).strip() if heading else "")
