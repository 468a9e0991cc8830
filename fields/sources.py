"""Reading a stored original into a :class:`Layout`: PyMuPDF word boxes for PDFs, Tesseract word boxes
for scanned pages and images (after clean-up: grey, deskew, denoise, binarise), python-docx and openpyxl
for DOCX and XLSX, lines for text formats."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from jisik.errors import DeadlineExceeded, ParseFailed

from .layout import (
    Layout,
    Row,
    Word,
    layout_from_docx,
    layout_from_text,
    layout_from_xlsx,
    layout_rows_from_words,
)

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["OCR_DPI", "layout_of", "ocr_words", "prepare_scan"]

OCR_DPI = 300
_IMAGE_TYPES = {"png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp"}
_TEXT_TYPES = {"txt", "md", "markdown", "csv", "html", "htm", "json"}
# Pages whose text layer has fewer characters than this are treated as scans.
_MIN_TEXT_CHARS = 20
# Narrower page images (an A4 page under about 200 dpi) are enlarged twice before OCR.
_UPSCALE_BELOW_PX = 1800


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


def ocr_words(picture: Image.Image, *, languages: str = "kor+eng", timeout_s: float = 60.0) -> list[Word]:
    """Tesseract word boxes of a page image, as page fractions with confidences 0..1."""
    import pytesseract

    prepared = prepare_scan(picture)
    width, height = prepared.size
    try:
        data = pytesseract.image_to_data(
            prepared, lang=languages, config="--psm 11", output_type=pytesseract.Output.DICT, timeout=timeout_s
        )
    except RuntimeError as exc:  # pytesseract's timeout
        raise DeadlineExceeded("OCR took too long") from exc
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
    return words


def _pdf_layout(data: bytes, *, ocr: bool, languages: str) -> Layout:
    import pymupdf
    from PIL import Image as PILImage

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as exc:
        raise ParseFailed("the PDF cannot be opened") from exc
    rows: list[Row] = []
    with document:
        for number in range(1, document.page_count + 1):
            page = document[number - 1]
            width, height = page.rect.width, page.rect.height
            raw = page.get_text("words")
            if sum(len(w[4]) for w in raw) >= _MIN_TEXT_CHARS or not ocr:
                words = [Word(w[4], (w[0] / width, w[1] / height, w[2] / width, w[3] / height)) for w in raw]
                rows.extend(layout_rows_from_words(words, number))
                continue
            pixmap = page.get_pixmap(dpi=OCR_DPI, colorspace=pymupdf.csGRAY)
            picture = PILImage.open(io.BytesIO(pixmap.tobytes("png")))
            rows.extend(layout_rows_from_words(ocr_words(picture, languages=languages), number, ocr=True))
        return Layout(rows, page_count=max(len(document), 1))


def _image_layout(data: bytes, *, languages: str) -> Layout:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        picture = PILImage.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ParseFailed("the image cannot be decoded") from exc
    return Layout(layout_rows_from_words(ocr_words(picture, languages=languages), 1, ocr=True))


def layout_of(file_type: str, data: bytes, *, ocr: bool = True, languages: str = "kor+eng") -> Layout | None:
    """The layout of an original file; None for a format read only through its parsed text."""
    kind = file_type.lower().lstrip(".")
    if kind == "pdf":
        return _pdf_layout(data, ocr=ocr, languages=languages)
    if kind == "docx":
        return layout_from_docx(data)
    if kind in ("xlsx", "xlsm"):
        return layout_from_xlsx(data)
    if kind in _IMAGE_TYPES:
        return _image_layout(data, languages=languages) if ocr else None
    if kind in _TEXT_TYPES:
        return layout_from_text(data.decode("utf-8", errors="replace"))
    return None

