"""Which uploads the pipeline accepts: by extension, confirmed by the file's leading bytes."""

from __future__ import annotations

from pathlib import PurePosixPath

from jisik.errors import UnsupportedFormat

__all__ = ["SUPPORTED_TYPES", "detect_file_type"]

_PDF = (b"%PDF-",)
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
_OFFICE = _ZIP + _OLE  # a legacy .doc renamed to .docx still reaches the docreader, which sniffs it
# Named formats the docreader refuses, so an upload never gets a 201, a quota charge and a later failure.
_REFUSED = {"doc": "legacy Word .doc files cannot be read; save it as .docx",
            "ppt": "legacy PowerPoint .ppt files cannot be read; save it as .pptx"}
_IMAGES: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "webp": (b"RIFF",),
}
_BINARY: dict[str, tuple[bytes, ...]] = {
    "pdf": _PDF,
    "docx": _OFFICE,
    "xlsx": _OFFICE,
    "pptx": _OFFICE,
    "xls": _OFFICE,
    "hwp": _OLE,
    "hwpx": _ZIP,
    **_IMAGES,
}
_TEXT = frozenset({"txt", "md", "markdown", "csv", "html", "htm", "json"})

SUPPORTED_TYPES: frozenset[str] = frozenset(_BINARY) | _TEXT


def detect_file_type(file_name: str, data: bytes) -> str:
    """The lower-case file type of an upload.

    :raises UnsupportedFormat: unknown extension, or content that does not match it.
    """
    suffix = PurePosixPath(file_name.replace("\\", "/")).suffix.lower().lstrip(".")
    if suffix in _REFUSED:
        raise UnsupportedFormat(_REFUSED[suffix], field="file")
    if suffix not in SUPPORTED_TYPES:
        shown = f".{suffix}" if suffix else "files without an extension"
        raise UnsupportedFormat(
            f"{shown} is not supported; use one of: {', '.join(sorted(SUPPORTED_TYPES))}", field="file"
        )
    if suffix in _BINARY:
        if not data.startswith(_BINARY[suffix]):
            raise UnsupportedFormat(
                f"the file is named .{suffix} but its content is not that format", field="file"
            )
    elif b"\x00" in data[:8192]:
        raise UnsupportedFormat(
            f"the file is named .{suffix} but its content is binary, not text", field="file"
        )
    return suffix
