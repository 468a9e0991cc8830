"""Domain objects shared by the parsers, the chunker, the multimodal step and the servicer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

__all__ = [
    "PAGE_BREAK",
    "ChunkImage",
    "ImageAsset",
    "ParsedDocument",
    "TextChunk",
    "image_placeholder",
]

PAGE_BREAK = "\n\n--- Page Break ---\n\n"

_EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/tiff": "tiff",
    "image/bmp": "bmp",
    "image/jpx": "jp2",
    "image/x-emf": "emf",
    "image/x-wmf": "wmf",
}


@dataclass(slots=True)
class ImageAsset:
    """Bytes of one image found in a document, addressed by content (``images/<sha256>.<ext>``)."""

    key: str
    data: bytes
    ocr_text: str | None = None

    @classmethod
    def from_bytes(cls, data: bytes, ext: str) -> ImageAsset:
        ext = _EXTENSIONS.get(ext, ext).lower().lstrip(".") or "bin"
        return cls(key=f"images/{hashlib.sha256(data).hexdigest()}.{ext}", data=data)


def image_placeholder(asset: ImageAsset, alt: str = "image") -> str:
    """The Markdown reference a parser writes where an image sits in the text."""
    clean = alt.replace("[", "(").replace("]", ")").replace("\n", " ").strip() or "image"
    return f"![{clean}]({asset.key})"


@dataclass(slots=True)
class ParsedDocument:
    """What every parser returns: page texts in order, the images they reference, and notes."""

    pages: list[str]
    paged: bool = True
    title: str = ""
    images: dict[str, ImageAsset] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    def add_image(self, asset: ImageAsset) -> ImageAsset:
        return self.images.setdefault(asset.key, asset)

    @property
    def text(self) -> str:
        return PAGE_BREAK.join(self.pages)


@dataclass(slots=True)
class ChunkImage:
    """An image referenced inside one chunk (offsets are within the chunk's content)."""

    original_url: str
    start: int
    end: int
    storage_key: str = ""
    url: str = ""
    ocr_text: str = ""
    caption: str = ""
    error: str = ""


@dataclass(slots=True)
class TextChunk:
    """One chunk: ``content`` normally equals ``stream[start:end]``.

    The exception is a continuation piece of a table larger than a chunk: its content starts with
    the repeated header rows (``prefix``), followed by ``stream[start:end]``.
    """

    seq: int
    start: int
    end: int
    content: str
    prefix: str = ""
    pages: tuple[int, ...] = ()
    images: list[ChunkImage] = field(default_factory=list)
