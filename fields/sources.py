"""Reading a stored original into a :class:`Layout`: PyMuPDF word boxes for PDFs, Tesseract word boxes
for scanned pages and images (:mod:`fields.ocr`, which also keeps each scanned page for second reads),
python-docx and openpyxl for DOCX and XLSX, lines for text formats."""

from __future__ import annotations

import io

from jisik.errors import ParseFailed

from .layout import (
    Layout,
    Row,
    SecondReader,
    Word,
    layout_from_docx,
    layout_from_text,
    layout_from_xlsx,
    layout_rows_from_words,
)
from .ocr import ocr_page

__all__ = ["OCR_DPI", "layout_of"]

OCR_DPI = 300
_IMAGE_TYPES = {"png", "jpg", "jpeg", "tif", "tiff", "bmp", "gif", "webp"}
_TEXT_TYPES = {"txt", "md", "markdown", "csv", "html", "htm", "json"}
# Pages whose text layer has fewer characters than this are treated as scans.
_MIN_TEXT_CHARS = 20


def _pdf_layout(data: bytes, *, ocr: bool, languages: str) -> Layout:
    import pymupdf
    from PIL import Image as PILImage

    try:
        document = pymupdf.open(stream=data, filetype="pdf")
    except (RuntimeError, ValueError) as exc:
        raise ParseFailed("the PDF cannot be opened") from exc
    rows: list[Row] = []
    readers: dict[int, SecondReader] = {}
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
            words, readers[number] = ocr_page(picture, languages=languages)
            rows.extend(layout_rows_from_words(words, number, ocr=True))
        return Layout(rows, page_count=max(len(document), 1), readers=readers)


def _image_layout(data: bytes, *, languages: str) -> Layout:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        picture = PILImage.open(io.BytesIO(data))
        picture.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ParseFailed("the image cannot be decoded") from exc
    words, reader = ocr_page(picture, languages=languages)
    return Layout(layout_rows_from_words(words, 1, ocr=True), readers={1: reader})


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

