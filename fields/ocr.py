"""Tesseract on page images: the clean-up before OCR (grey, upscale, denoise, deskew, binarise, table
rulings removed), the first pass over the whole page (word boxes), and :class:`ScanPage`, which keeps the
prepared page so a field's value can be read a second time from its own region (see :mod:`fields.regions`).

The second read crops the label and its value (or the cell under the label) and reads it as one text
line (``--psm 7``). It sees the value without the rest of the page, so its mistakes are largely
independent of the first pass's: two reads that agree are far more often right than Tesseract's own
confidence says, and reads that disagree go to a person.
"""

from __future__ import annotations

import re
from statistics import median
from typing import TYPE_CHECKING, Any

from jisik.errors import DeadlineExceeded, ParseFailed

from .layout import Box, Reread, Word
from .regions import PixelBox, before_region, below_region, right_region, value_region
from .schema import FieldType

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["ScanPage", "clean_ocr_text", "ocr_page", "prepare_scan", "value_start"]

# Narrower page images (an A4 page under about 200 dpi) are enlarged twice before OCR.
_UPSCALE_BELOW_PX = 1800
_SYLLABLE_GAP = 0.5
# Specks OCR reads as punctuation: never part of a value's edge, nor a word of their own.
_NOISE = "ㆍ·•\"'`=|_~—–-,;:、，。「」『』[]"
_NOISE_WORD = re.compile(r"(?<!\S)[ㆍ·•\"'`=|_~—–,;:.、，。「」『』]+(?!\S)")
# Before a value, punctuation alone, or a digit with a colon or bar, is a border or speck read as text
# (``0:``, ``|1``); ``1,`` is not: it is the start of a spaced-out amount.
_LEADING_JUNK = re.compile(r"\s*(?:(?:(?:[^\w\s(]|_){1,2}|\d[:|]|\|\d)\s+)*")


def clean_ocr_text(text: str) -> str:
    """OCR text without the specks read as punctuation at its ends or standing alone between words."""
    return " ".join(_NOISE_WORD.sub(" ", text).split()).strip(_NOISE + " ")


def _deskew_angle(picture: Image.Image) -> float:
    """The small rotation (±4°) that makes text rows sharpest: the variance of the row ink profile peaks."""
    import numpy as np
    from PIL import Image

    small = picture.copy()
    small.thumbnail((800, 800))
    ink = np.asarray(small, dtype=np.float32) < 128
    best, best_score = 0.0, -1.0
    for angle in np.arange(-4.0, 4.01, 0.25):
        rotated = np.asarray(
            small.rotate(float(angle), fillcolor=255, resample=Image.Resampling.BICUBIC), dtype=np.float32
        ) < 128 if angle else ink
        score = float(np.var(rotated.sum(axis=1)))
        if score > best_score:
            best, best_score = float(angle), score
    return best


def prepare_scan(picture: Image.Image) -> Image.Image:
    """Grey, denoised, deskewed and binarised: what Tesseract reads best."""
    import numpy as np
    from PIL import Image, ImageFilter, ImageOps

    grey = ImageOps.autocontrast(picture.convert("L"))
    if grey.width < _UPSCALE_BELOW_PX:  # a low-resolution scan: Tesseract reads Hangul best near 300 dpi
        grey = grey.resize((grey.width * 2, grey.height * 2), Image.Resampling.LANCZOS)
    grey = grey.filter(ImageFilter.MedianFilter(3))
    angle = _deskew_angle(grey)
    if angle:
        grey = grey.rotate(angle, fillcolor=255, resample=Image.Resampling.BICUBIC, expand=False)
    pixels = np.asarray(grey)
    ink = pixels <= _otsu(pixels)
    ink &= ~_ruling_lines(ink)
    return Image.fromarray(((~ink) * 255).astype("uint8"))


def _long_runs(ink: Any, length: int) -> Any:
    """Pixels that lie on a horizontal ink run of at least ``length`` pixels."""
    import numpy as np

    padded = np.pad(ink.astype(np.int32), ((0, 0), (1, 0)))
    sums = np.cumsum(padded, axis=1)
    full = (sums[:, length:] - sums[:, :-length]) == length  # window starting at column j is all ink
    starts = np.pad(full.astype(np.int32), ((0, 0), (0, length - 1)))
    cover = np.cumsum(starts, axis=1)
    covered = cover - np.pad(cover, ((0, 0), (length, 0)))[:, : ink.shape[1]]
    return covered > 0


def _ruling_lines(ink: Any) -> Any:
    """Table borders and underlines: ink runs far longer than any glyph, across or down the page, widened
    by two pixels to catch their blurred edges."""
    across, down = max(ink.shape[1] // 40, 40), max(ink.shape[0] // 20, 60)
    lines = _long_runs(ink, across) | _long_runs(ink.T, down).T
    widened = lines.copy()
    for shift in (1, 2):
        widened[shift:] |= lines[:-shift]
        widened[:-shift] |= lines[shift:]
        widened[:, shift:] |= lines[:, :-shift]
        widened[:, :-shift] |= lines[:, shift:]
    return widened


def _otsu(pixels: object) -> int:
    import numpy as np

    histogram = np.bincount(np.asarray(pixels).ravel(), minlength=256).astype(np.float64)
    total = histogram.sum()
    weights = np.cumsum(histogram)
    means = np.cumsum(histogram * np.arange(256))
    between = (means[-1] * weights / total - means) ** 2 / np.maximum(weights * (total - weights), 1)
    return int(np.argmax(between))


def _tesseract(image: Image.Image, *, languages: str, config: str, timeout_s: float) -> dict[str, list[Any]]:
    import pytesseract

    try:
        data: dict[str, list[Any]] = pytesseract.image_to_data(
            image, lang=languages, config=config, output_type=pytesseract.Output.DICT, timeout=timeout_s)
    except pytesseract.TesseractError as exc:
        raise ParseFailed(f"Tesseract failed on the page image (status {exc.status})") from exc
    except RuntimeError as exc:  # pytesseract's timeout
        raise DeadlineExceeded("OCR took too long") from exc
    return data


def value_start(text: str, start: int) -> int:
    """Where the value begins in ``text`` read from ``start`` on: past short tokens with punctuation in them
    (a table border or a speck read as ``0:`` or ``|1``)."""
    match = _LEADING_JUNK.match(text, start)
    return match.end() if match else start


def _hangul(char: str) -> bool:
    return "\uac00" <= char <= "\ud7a3"


def _line_text(data: dict[str, list[Any]]) -> str:
    """The words of a one-line read, Hangul syllables that Tesseract split apart (letter-spaced print)
    joined again: a gap narrower than ``_SYLLABLE_GAP`` glyph heights between Hangul is no space."""
    heights = [height for word, height in zip(data["text"], data["height"], strict=True) if word.strip()]
    glyph = median(heights) if heights else 0
    text, previous_end = "", None
    for word, left, width in zip(data["text"], data["left"], data["width"], strict=True):
        word = word.strip()
        if not word:
            continue
        close = previous_end is not None and left - previous_end < glyph * _SYLLABLE_GAP
        text += word if not text or (close and _hangul(text[-1]) and _hangul(word[0])) else " " + word
        previous_end = left + width
    return text


class ScanPage:
    """A prepared page image (kept at one bit per pixel) that reads value regions again on request."""

    def __init__(self, prepared: Image.Image, line_px: float, *, languages: str, timeout_s: float) -> None:
        self._image = prepared.convert("1")
        self._line = line_px
        # Mixed-language models turn short Hangul crops into Latin look-alikes: the second read uses the
        # main (first) language, whose model also reads digits and Latin letters.
        self._languages = languages.split("+")[0]
        self._timeout_s = timeout_s

    def _pixels(self, box: Box) -> PixelBox:
        width, height = self._image.size
        return (int(box[0] * width), int(box[1] * height), int(box[2] * width), int(box[3] * height))

    def _read_line(self, region: PixelBox) -> tuple[str, Box] | None:
        """The crop read as one text line (specks dropped), and its box as page fractions."""
        width, height = self._image.size
        try:
            data = _tesseract(self._image.crop(region).convert("L"), languages=self._languages, config="--psm 7",
                              timeout_s=self._timeout_s)
        except ParseFailed:  # Tesseract gave up on this crop: the first pass's reading stands alone
            return None
        text = clean_ocr_text(_line_text(data))
        return (text, (region[0] / width, region[1] / height, region[2] / width, region[3] / height)) if text else None

    def read_before(self, value: Box, reach: float) -> str:
        """The text of the value's line from ``reach`` (a page fraction) left of the value to its end: where
        the label of a number found by its shape alone would stand."""
        import numpy as np

        ink = ~np.asarray(self._image)
        read = self._read_line(before_region(ink, self._pixels(value), int(reach * self._image.width), self._line))
        return read[0] if read else ""

    def read_value(self, value: Box) -> str:
        """The text of the run of text that holds the value's box, read alone as one line."""
        import numpy as np

        region = value_region(~np.asarray(self._image), self._pixels(value), self._line)
        read = self._read_line(region) if region is not None else None
        return read[0] if read else ""

    def reread(self, label: Box, stop: float, field_type: FieldType) -> list[Reread]:
        """The text right of the label and the text under it, each read alone as one line."""
        import numpy as np

        ink = ~np.asarray(self._image)
        label_px, stop_px = self._pixels(label), int(stop * self._image.width)
        reads = []
        for place, region in (("right", right_region(ink, label_px, stop_px, self._line)),
                              ("below", below_region(ink, label_px, stop_px, self._line))):
            read = self._read_line(region) if region is not None else None
            if read is not None:
                reads.append(Reread(place, *read))
        return reads


def ocr_page(picture: Image.Image, *, languages: str = "kor+eng", timeout_s: float = 60.0) -> tuple[list[Word],
                                                                                                     ScanPage]:
    """Tesseract word boxes of a page image (page fractions, confidences 0..1), and the prepared page for
    second reads."""
    prepared = prepare_scan(picture)
    width, height = prepared.size
    data = _tesseract(prepared, languages=languages, config="--psm 11", timeout_s=timeout_s)
    words: list[Word] = []
    for index, text in enumerate(data["text"]):
        text = text.strip()
        confidence = float(data["conf"][index])
        if not text or confidence < 0:
            continue
        left, top = data["left"][index], data["top"][index]
        box = (left / width, top / height, (left + data["width"][index]) / width,
               (top + data["height"][index]) / height)
        words.append(Word(text, box, confidence / 100))
    line_px = median([data["height"][i] for i, text in enumerate(data["text"]) if text.strip()] or [height / 60])
    return words, ScanPage(prepared, line_px, languages=languages, timeout_s=timeout_s)
