"""Personal data painted out of an image before it goes to a vision model that the tenant's mask policy
covers: Tesseract reads the words with their boxes, :func:`jisik.pii.detect` finds the values in the
words' text, and every word a value touches is filled black."""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass

from jisik.errors import DeadlineExceeded, ParseFailed, Unavailable
from jisik.pii import PiiType, detect

from .ocr import open_image

__all__ = ["ImageRedactor", "Word", "boxes_to_paint"]


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    left: int
    top: int
    width: int
    height: int
    line: tuple[int, int, int, int]  # Tesseract's page, block, paragraph and line numbers


def boxes_to_paint(words: list[Word], types: Iterable[PiiType] | None) -> list[Word]:
    """The words that are part of a detected value; each OCR line is read as one text."""
    painted: list[Word] = []
    lines: dict[tuple[int, int, int, int], list[Word]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    for line in lines.values():
        spans, text = [], ""
        for word in line:
            text += " " if text else ""
            spans.append((len(text), len(text) + len(word.text)))
            text += word.text
        hits = detect(text, types=types)
        painted += [word for word, (start, end) in zip(line, spans, strict=True)
                    if any(hit.start < end and start < hit.end for hit in hits)]
    return painted


class ImageRedactor:
    """``redact(image)`` returns a PNG with the personal data painted out and how many words it painted."""

    def __init__(self, languages: str, types: Iterable[PiiType] | None, timeout_s: float = 60.0) -> None:
        self._languages = languages
        self._types = frozenset(types) if types is not None else None
        self._timeout_s = timeout_s

    def redact(self, image: bytes) -> tuple[bytes, int]:
        from PIL import ImageDraw

        picture = open_image(image).convert("RGB")
        words = self._words(picture)
        painted = boxes_to_paint(words, self._types)
        draw = ImageDraw.Draw(picture)
        for word in painted:
            draw.rectangle((word.left - 2, word.top - 2, word.left + word.width + 2, word.top + word.height + 2), fill="black")
        out = io.BytesIO()
        picture.save(out, format="PNG")
        return out.getvalue(), len(painted)

    def _words(self, picture: object) -> list[Word]:
        import pytesseract

        try:
            data = pytesseract.image_to_data(
                picture, lang=self._languages, output_type=pytesseract.Output.DICT, timeout=self._timeout_s
            )
        except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
            raise DeadlineExceeded(f"OCR for masking took longer than {self._timeout_s:.0f}s") from exc
        except pytesseract.TesseractNotFoundError as exc:
            raise Unavailable("masking images needs tesseract, which is not installed") from exc
        except pytesseract.TesseractError as exc:
            raise ParseFailed(f"tesseract failed: {exc.message[:200]}") from exc
        return [
            Word(
                text=str(text).strip(),
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
                line=(int(data["page_num"][i]), int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i])),
            )
            for i, text in enumerate(data["text"])
            if str(text).strip()
        ]
