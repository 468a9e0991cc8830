"""The parser facade: sniff what a file really is, check container limits, run the right parser.

Content wins over the declared name: a DOCX renamed ``.pdf`` is read as DOCX; a legacy ``.doc``
renamed ``.docx`` fails with a clear message instead of a parser crash. Parser modules are imported
only when first needed.
"""

from __future__ import annotations

import importlib
import io
import struct
import zipfile
from functools import cache
from pathlib import PurePosixPath

from docreader.models import ParsedDocument
from jisik.errors import JisikError, ParseFailed, TooLarge, UnsupportedFormat

from .base import ParseOptions, Parser
from .limits import ReadBudget, scan_office_xml

__all__ = [
    "FORMATS",
    "declared_format",
    "detect_format",
    "get_parser",
    "parse_document",
    "pdf_page_count",
    "warm_up",
]

_PARSERS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "PdfParser"),
    "docx": ("word", "DocxParser"),
    "xlsx": ("spreadsheet", "XlsxParser"),
    "xls": ("spreadsheet", "XlsParser"),
    "csv": ("spreadsheet", "CsvParser"),
    "pptx": ("slides", "PptxParser"),
    "md": ("text", "MarkdownParser"),
    "txt": ("text", "TextParser"),
    "html": ("html", "HtmlParser"),
    "image": ("image", "ImageParser"),
    "hwp": ("hwp", "HwpParser"),
    "hwpx": ("hwpx", "HwpxParser"),
}
FORMATS = frozenset(_PARSERS)

_ALIASES = {
    "markdown": "md",
    "htm": "html",
    "xhtml": "html",
    "text": "txt",
    "tsv": "csv",
    "jpg": "image",
    "jpeg": "image",
    "png": "image",
    "gif": "image",
    "bmp": "image",
    "tif": "image",
    "tiff": "image",
    "webp": "image",
}
_LEGACY = {"doc": "legacy Word .doc", "ppt": "legacy PowerPoint .ppt"}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"BM")


def declared_format(file_name: str, file_type: str) -> str:
    """Normalised format from ``file_type`` (or the file name's extension); ``""`` when unknown."""
    raw = (file_type or PurePosixPath(file_name or "").suffix).lower().lstrip(".").strip()
    if "/" in raw:  # a MIME type
        raw = raw.rsplit("/", 1)[-1].replace("vnd.openxmlformats-officedocument.", "")
        raw = {
            "wordprocessingml.document": "docx",
            "spreadsheetml.sheet": "xlsx",
            "presentationml.presentation": "pptx",
            "plain": "txt",
            "jpeg": "jpg",
            "x-hwp": "hwp",
            "haansofthwp": "hwp",
            "vnd.hancom.hwp": "hwp",
            "hwp+zip": "hwpx",
            "vnd.hancom.hwpx": "hwpx",
            "haansofthwpx": "hwpx",
        }.get(raw, raw)
    return _ALIASES.get(raw, raw)


_OLE_NAMES = ("FileHeader", "BodyText", "EncryptedPackage", "Workbook", "Book", "WordDocument", "PowerPoint Document")


def _ole_entries(data: bytes) -> set[str]:
    """The top-level stream and storage names of an OLE2 compound file, from its directory (which can
    lie anywhere in the file); when the directory cannot be read, the known names in the first MiB."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as container:
            return {path[0] for path in container.listdir(streams=True, storages=True) if path}
    except (OSError, ValueError, IndexError, struct.error):
        head = data[: 1 << 20]
        return {entry for entry in _OLE_NAMES if entry.encode("utf-16-le") in head}


def _sniff_ole(data: bytes, name: str) -> str:
    entries = _ole_entries(data)
    if {"FileHeader", "BodyText"} <= entries:
        return "hwp"
    if "EncryptedPackage" in entries:
        raise ParseFailed(f"{name}: the Office file is password-protected")
    if entries & {"Workbook", "Book"}:
        return "xls"
    if "WordDocument" in entries:
        raise UnsupportedFormat(f"{name}: a legacy Word .doc file; save it as .docx")
    if any(entry.startswith("PowerPoint") for entry in entries):
        raise UnsupportedFormat(f"{name}: a legacy PowerPoint .ppt file; save it as .pptx")
    raise UnsupportedFormat(f"{name}: an OLE compound file jisik cannot read")


def _sniff_zip(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseFailed(f"{name}: a damaged zip container ({type(exc).__name__})") from exc
    for marker, fmt in (
        ("word/document.xml", "docx"),
        ("xl/workbook.xml", "xlsx"),
        ("ppt/presentation.xml", "pptx"),
        ("Contents/content.hpf", "hwpx"),
    ):
        if marker in names:
            return fmt
    raise UnsupportedFormat(f"{name}: a zip archive that is not a DOCX, XLSX, PPTX or HWPX file")


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or (
        head.startswith(b"<") and b"<body" in data[:65536].lower()
    )


def detect_format(data: bytes, file_name: str = "", file_type: str = "") -> str:
    """The format to parse ``data`` as.

    :raises UnsupportedFormat: for formats jisik does not read.
    :raises ParseFailed: when the bytes contradict a binary format the caller declared.
    """
    name = file_name or "document"
    declared = declared_format(file_name, file_type)
    if data[:1024].find(b"%PDF-") != -1:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data, name)
    if data.startswith(_OLE_MAGIC):
        return _sniff_ole(data, name)
    if data.startswith(_IMAGE_MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "image"
    if declared in _LEGACY:
        raise UnsupportedFormat(f"{name}: {_LEGACY[declared]} files are not supported")
    if declared in ("pdf", "docx", "xlsx", "xls", "pptx", "image", "hwp", "hwpx"):
        raise ParseFailed(f"{name}: declared as {declared} but the content is not a valid {declared} file")
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnsupportedFormat(f"{name}: binary content of an unknown format")
    if declared in ("md", "csv", "html"):
        return declared
    if _looks_like_html(data):
        return "html"
    if declared in ("", "txt") or declared not in FORMATS:
        if declared and declared != "txt" and declared not in ("log", "json", "xml", "yaml", "yml", "rst"):
            raise UnsupportedFormat(f"{name}: file type {declared!r} is not supported")
        return "txt"
    return declared


@cache
def get_parser(fmt: str) -> Parser:
    """The parser for a format, imported on first use."""
    if fmt not in _PARSERS:
        raise UnsupportedFormat(f"file type {fmt!r} is not supported")
    module_name, class_name = _PARSERS[fmt]
    module = importlib.import_module(f"{__package__}.{module_name}")
    parser: Parser = getattr(module, class_name)()
    return parser


def check_zip_limits(data: bytes, options: ParseOptions) -> None:
    """Refuse Office zips whose decompressed size is over the limit (zip bombs)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseFailed(f"{options.name}: a damaged zip container ({type(exc).__name__})") from exc
    if total > options.max_unzipped_bytes:
        raise TooLarge(
            f"{options.name}: decompresses to {total // (1 << 20)} MiB, over the limit of "
            f"{options.max_unzipped_bytes // (1 << 20)} MiB"
        )


def parse_document(
    data: bytes, fmt: str, options: ParseOptions, pages: tuple[int, int] | None = None
) -> ParsedDocument:
    """Parse with the format's parser (only ``pages`` [start, stop) for PDFs when given).

    Third-party failures become :class:`ParseFailed` naming the file and the error type.
    """
    parser = get_parser(fmt)
    try:
        if fmt in ("docx", "xlsx", "pptx", "hwpx"):
            check_zip_limits(data, options)
        if fmt in ("docx", "pptx", "hwpx"):  # these parsers load whole parts: count what they would load first
            scan_office_xml(data, options)
        if pages is not None and fmt == "pdf":
            return parser.parse_range(data, options, *pages)  # type: ignore[attr-defined]  # only the PDF parser has this method
        document = parser.parse(data, options)
    except JisikError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise TooLarge(f"{options.name}: too complex to parse ({type(exc).__name__})") from exc
    except Exception as exc:  # noqa: BLE001 - third-party parsers raise anything; name the file and the type
        raise ParseFailed(f"{options.name}: could not be parsed as {fmt} ({type(exc).__name__})") from exc
    if document.paged and len(document.pages) > options.max_pages:
        raise TooLarge(
            f"{options.name}: {len(document.pages)} pages is over the limit of {options.max_pages}"
        )
    ReadBudget(options).add_text(sum(len(page) for page in document.pages))
    return document


def pdf_page_count(data: bytes, options: ParseOptions) -> int:
    """Page count of a PDF (checks encryption and the page limit)."""
    return int(get_parser("pdf").page_count(data, options))  # type: ignore[attr-defined]  # only the PDF parser has this method


def warm_up() -> None:
    """Import the heavy parser modules (run once in each worker process)."""
    for fmt in ("pdf", "docx", "xlsx", "pptx", "html"):
        get_parser(fmt)
