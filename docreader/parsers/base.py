"""The contract every format parser satisfies, and the options passed to it (picklable for workers)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from docreader.models import ParsedDocument

__all__ = ["ParseOptions", "Parser", "markdown_table"]


@dataclass(frozen=True, slots=True)
class ParseOptions:
    """Per-document options and limits; plain values so they cross process boundaries."""

    name: str = "document"
    max_pages: int = 5000
    max_unzipped_bytes: int = 500 * 1024 * 1024
    max_cells: int = 2_000_000
    max_rows: int = 1_000_000
    max_merged_ranges: int = 100_000
    max_xml_elements: int = 5_000_000
    max_html_elements: int = 500_000
    max_text_chars: int = 50_000_000
    ocr_engine: str = "tesseract"
    ocr_languages: str = "kor+chi_sim+eng"
    ocr_dpi: int = 200
    ocr_timeout_s: float = 120.0
    min_image_px: int = 16
    extract_images: bool = True  # False: placeholders only (no image bytes decoded or returned)
    title: str = ""
    base_url: str = ""


class Parser(Protocol):
    """Turns the bytes of one document into ordered page texts plus the images they reference."""

    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument: ...


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    text = text.replace("|", "\\|").replace("\r", "")
    return "<br>".join(part.strip() for part in text.split("\n") if part.strip())


def markdown_table(rows: Sequence[Sequence[object]]) -> str:
    """Render rows (the first is the header) as a Markdown table; ragged rows are padded, not dropped."""
    cleaned = [[_cell(value) for value in row] for row in rows]
    cleaned = [row for row in cleaned if any(row)]
    if not cleaned:
        return ""
    width = max(len(row) for row in cleaned)
    keep = [col for col in range(width) if any(col < len(row) and row[col] for row in cleaned)]
    if not keep:
        return ""
    padded = [[row[col] if col < len(row) else "" for col in keep] for row in cleaned]
    lines = ["| " + " | ".join(padded[0]) + " |", "|" + "---|" * len(keep)]
    lines += ["| " + " | ".join(row) + " |" for row in padded[1:]]
    return "\n".join(lines) + "\n"
