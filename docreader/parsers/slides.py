"""PPTX: one page per slide, shapes in reading order (top, then left), tables, charts and pictures."""

from __future__ import annotations

import io

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.shapes.base import BaseShape

from docreader.models import ImageAsset, ParsedDocument, image_placeholder

from .base import ParseOptions, markdown_table

__all__ = ["PptxParser"]


def _position(shape: BaseShape) -> tuple[int, int]:
    return (shape.top or 0, shape.left or 0)


class _SlideRenderer:
    def __init__(self, result: ParsedDocument, number: int) -> None:
        self.result = result
        self.number = number

    def shapes(self, shapes) -> list[str]:
        out: list[str] = []
        for shape in sorted(shapes, key=_position):
            out.extend(self.shape(shape))
        return out

    def shape(self, shape: BaseShape) -> list[str]:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            return self.shapes(shape.shapes)  # type: ignore[attr-defined]  # python-pptx shape kinds are told apart at run time
        if getattr(shape, "has_table", False):
            rows = [[cell.text for cell in row.cells] for row in shape.table.rows]  # type: ignore[attr-defined]  # python-pptx shape kinds are told apart at run time
            table = markdown_table(rows)
            return [table] if table else []
        if getattr(shape, "has_chart", False):
            return [self.chart(shape.chart)]  # type: ignore[attr-defined]  # python-pptx shape kinds are told apart at run time
        if shape.shape_type == MSO_SHAPE_TYPE.PICTURE or hasattr(shape, "image"):
            return self.picture(shape)
        if getattr(shape, "has_text_frame", False):
            return self.text(shape)
        return []

    def text(self, shape: BaseShape) -> list[str]:
        lines = []
        is_title = (
            bool(getattr(shape, "is_placeholder", False))
            and "title"
            in str(
                getattr(shape.placeholder_format, "type", "")
            ).lower()
        )
        for paragraph in shape.text_frame.paragraphs:  # type: ignore[attr-defined]  # python-pptx shape kinds are told apart at run time
            text = "".join(run.text for run in paragraph.runs).strip() or paragraph.text.strip()
            if not text:
                continue
            if is_title:
                lines.append(f"## {text}")
            elif paragraph.level > 0 or _is_bullet(paragraph):
                lines.append("  " * max(paragraph.level - 1, 0) + f"- {text}")
            else:
                lines.append(text)
        return ["\n".join(lines)] if lines else []

    def picture(self, shape: BaseShape) -> list[str]:
        try:
            image = shape.image  # type: ignore[attr-defined]  # python-pptx shape kinds are told apart at run time
            blob, ext = image.blob, image.ext
        except (AttributeError, ValueError, KeyError):
            self.result.warnings.append(f"slide {self.number}: a picture could not be read")
            return []
        asset = self.result.add_image(ImageAsset.from_bytes(blob, ext))
        return [image_placeholder(asset, shape.name or "picture")]

    def chart(self, chart) -> str:
        title = (
            chart.chart_title.text_frame.text if chart.has_title and chart.chart_title.has_text_frame else ""
        )
        try:
            categories = [str(c) for c in chart.plots[0].categories]
            rows: list[list[object]] = [["", *categories]]
            for series in chart.series:
                rows.append([series.name, *series.values])
        except (IndexError, AttributeError, ValueError, KeyError):
            return f"Chart: {title}".strip()
        return f"Chart: {title}\n\n{markdown_table(rows)}".strip() if title else markdown_table(rows)


def _is_bullet(paragraph) -> bool:
    properties = paragraph._p.pPr
    return properties is not None and any(child.tag.endswith(("buChar", "buAutoNum")) for child in properties)


class PptxParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        presentation = Presentation(io.BytesIO(data))
        result = ParsedDocument(pages=[], paged=True, title=presentation.core_properties.title or "")
        for number, slide in enumerate(presentation.slides, start=1):
            blocks = _SlideRenderer(result, number).shapes(slide.shapes)
            if slide.has_notes_slide:
                notes = (
                    slide.notes_slide.notes_text_frame.text.strip()
                    if slide.notes_slide.notes_text_frame
                    else ""
                )
                if notes:
                    blocks.append(f"Notes: {notes}")
            result.pages.append("\n\n".join(blocks))
        result.metadata["slides"] = str(len(result.pages))
        return result
