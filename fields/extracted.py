"""One field as read from a document."""

from __future__ import annotations

from dataclasses import dataclass

from .layout import Box

__all__ = ["Extracted"]


@dataclass
class Extracted:
    name: str
    value: str
    normalized: str
    confidence: float
    page: int | None
    bbox: Box | None
    source_text: str
    note: str = ""
    ocr: bool = False
    placed: bool = False  # found by its value's shape alone, not next to a label: a person confirms it
    # A second OCR read of the same value that gave something else (see fields.agreement).
    alternative: Extracted | None = None
