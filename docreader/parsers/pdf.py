"""PDF with PyMuPDF: reading order (two columns too), tables as Markdown, image placeholders, OCR for
pages without a text layer. Pages can be parsed in ranges so worker processes share a long file."""

from __future__ import annotations

import hashlib
import logging
import sys

# When the optional pymupdf_layout package is installed, ``import pymupdf`` loads its ONNX models
# (seconds and hundreds of MiB per process). jisik does its own layout analysis: keep it out.
sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]  # None in sys.modules blocks that import

import pymupdf  # noqa: E402

pymupdf.no_recommend_layout()

from docreader.models import ImageAsset, ParsedDocument, image_placeholder  # noqa: E402
from docreader.multimodal.ocr import create_ocr_engine  # noqa: E402
from jisik.errors import JisikError, ParseFailed, TooLarge  # noqa: E402

from . import ko_spacing  # noqa: E402
from .base import ParseOptions, markdown_table  # noqa: E402
from .pdf_layout import Block, find_word_tables, has_ruled_grid, reading_order, text_blocks  # noqa: E402
from .pdf_text import cell_rows, gap_words, line_end_spaces, space_signal  # noqa: E402

__all__ = ["PdfParser"]

logger = logging.getLogger(__name__)
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

_OCR_MAX_EDGE_PX = 2500
_WEB_IMAGE_EXT = {"png", "jpeg", "jpg", "gif", "webp", "bmp", "tiff"}


def _open(data: bytes, options: ParseOptions) -> pymupdf.Document:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        raise ParseFailed(f"{options.name}: not a readable PDF ({type(exc).__name__})") from exc
    if doc.needs_pass:
        doc.close()
        raise ParseFailed(f"{options.name}: the PDF is password-protected")
    if doc.page_count > options.max_pages:
        count = doc.page_count
        doc.close()
        raise TooLarge(f"{options.name}: {count} pages is over the limit of {options.max_pages}")
    return doc


class PdfParser:
    def page_count(self, data: bytes, options: ParseOptions) -> int:
        with _open(data, options) as doc:
            return int(doc.page_count)

    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        return self.parse_range(data, options, 0, None)

    def parse_range(self, data: bytes, options: ParseOptions, start: int, stop: int | None) -> ParsedDocument:
        """Pages ``start`` (0-based) up to ``stop`` (exclusive; ``None`` = the end)."""
        with _open(data, options) as doc:
            result = ParsedDocument(pages=[], paged=True)
            if start == 0:
                result.title = (doc.metadata or {}).get("title", "") or ""
                result.metadata["page_count"] = str(doc.page_count)
            end = doc.page_count if stop is None else min(stop, doc.page_count)
            for number in range(start, end):
                try:
                    result.pages.append(_page_text(doc, doc[number], number + 1, options, result))
                except JisikError:
                    raise
                except (RuntimeError, ValueError) as exc:
                    result.warnings.append(f"page {number + 1}: could not be read ({type(exc).__name__})")
                    result.pages.append("")
            return result


def _page_text(
    doc: pymupdf.Document, page: pymupdf.Page, number: int, options: ParseOptions, result: ParsedDocument
) -> str:
    textpage = page.get_textpage(flags=pymupdf.TEXTFLAGS_WORDS)
    words = textpage.extractWORDS()
    if not any(w[4].strip() for w in words):
        return _ocr_page(page, number, options, result)
    korean = ko_spacing.has_hangul(" ".join(w[4] for w in words))
    ends = line_end_spaces(textpage) if korean else {}  # the signal only decides Korean joins
    signal = space_signal(ends)
    lost = korean and _lost_spaces(words)
    if lost:
        words = gap_words(page)
        lost = _lost_spaces(words)
    blocks: list[Block] = []
    skip: list[tuple[float, float, float, float]] = []
    if has_ruled_grid(page.get_cdrawings()):
        for table in page.find_tables(strategy="lines", use_layout=False).tables:
            rows = cell_rows(page, table, signal)
            if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
                text = markdown_table(rows)
                if text:
                    blocks.append(Block(tuple(table.bbox), text, "table"))
                    skip.append(tuple(table.bbox))
    for word_table in find_word_tables(words, skip):
        blocks.append(Block(word_table.rect, word_table.markdown, "table"))
        skip.append(word_table.rect)
    blocks.extend(text_blocks(words, skip, page.rect.width, ends, signal))
    blocks.extend(_image_blocks(doc, page, number, options, result))
    text = "\n\n".join(block.text.strip("\n") for block in reading_order(blocks, page.rect.width))
    return ko_spacing.restore_spaces(text) if lost else text


def _lost_spaces(words: list[tuple]) -> bool:
    """True when some printed line of Korean text has (almost) no spaces in the text layer."""
    lines: dict[tuple[int, int], list[str]] = {}
    for word in words:
        lines.setdefault((word[5], word[6]), []).append(word[4])
    return any(ko_spacing.lost_spaces(" ".join(texts)) for texts in lines.values())


def _image_blocks(
    doc: pymupdf.Document, page: pymupdf.Page, number: int, options: ParseOptions, result: ParsedDocument
) -> list[Block]:
    if not page.get_images():
        return []
    blocks: list[Block] = []
    seen: set[int] = set()
    for info in page.get_image_info(xrefs=True):
        xref = int(info.get("xref", 0))
        bbox = tuple(info["bbox"])
        if max(info.get("width", 0), info.get("height", 0)) < options.min_image_px or (xref and xref in seen):
            continue
        seen.add(xref)
        if not options.extract_images and xref:
            key = _raw_image_key(doc, xref)
            blocks.append(Block(bbox, f"![image p{number}]({key})", "image"))
            continue
        try:
            asset = _extract_image(doc, page, xref, bbox)
        except (RuntimeError, ValueError) as exc:
            result.warnings.append(
                f"page {number}: image {xref} could not be extracted ({type(exc).__name__})"
            )
            continue
        result.add_image(asset)
        blocks.append(Block(bbox, image_placeholder(asset, f"image p{number}"), "image"))
    return blocks


def _raw_image_key(doc: pymupdf.Document, xref: int) -> str:
    """A stable placeholder key from the raw image stream, without decoding (images not extracted)."""
    fmt = doc.xref_get_key(xref, "Filter")[1]
    ext = "jpg" if "DCT" in fmt else "jp2" if "JPX" in fmt else "png"
    return f"images/{hashlib.sha256(doc.xref_stream_raw(xref) or b'').hexdigest()}.{ext}"


def _extract_image(doc: pymupdf.Document, page: pymupdf.Page, xref: int, bbox: tuple) -> ImageAsset:
    if xref:
        raw = doc.extract_image(xref)
        if raw and raw.get("ext", "").lower() in _WEB_IMAGE_EXT and not raw.get("smask"):
            return ImageAsset.from_bytes(raw["image"], raw["ext"])
        pixmap = pymupdf.Pixmap(doc, xref)
        if pixmap.colorspace is None or pixmap.colorspace.n not in (1, 3) or pixmap.alpha:
            pixmap = pymupdf.Pixmap(pymupdf.csRGB, pixmap)
        return ImageAsset.from_bytes(pixmap.tobytes("png"), "png")
    pixmap = page.get_pixmap(clip=pymupdf.Rect(bbox), dpi=150)
    return ImageAsset.from_bytes(pixmap.tobytes("png"), "png")


def _ocr_page(page: pymupdf.Page, number: int, options: ParseOptions, result: ParsedDocument) -> str:
    if not page.get_images() and not page.get_cdrawings():
        return ""
    try:
        engine = create_ocr_engine(options.ocr_engine, options.ocr_languages, options.ocr_timeout_s)
    except JisikError as exc:
        result.warnings.append(f"page {number}: no text layer and OCR is unavailable ({exc.message})")
        return ""
    if engine is None:
        result.warnings.append(f"page {number}: no text layer and OCR is disabled")
        return ""
    # Cap the longest side: big scans at full resolution cost minutes per page and read no better.
    longest = max(page.rect.width, page.rect.height, 1.0)
    dpi = max(72, min(options.ocr_dpi, int(72 * _OCR_MAX_EDGE_PX / longest)))
    image = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY).tobytes("png")
    try:
        text = engine.recognize(image)
    except JisikError as exc:
        result.warnings.append(f"page {number}: OCR failed ({exc.message})")
        return ""
    result.metadata["ocr_pages"] = str(int(result.metadata.get("ocr_pages", "0")) + 1)
    return text
