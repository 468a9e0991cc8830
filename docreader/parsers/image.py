"""Images (PNG, JPEG, WEBP, TIFF, BMP, GIF): a placeholder for the picture plus its OCR text."""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from docreader.models import ImageAsset, ParsedDocument, image_placeholder
from docreader.multimodal.ocr import create_ocr_engine
from jisik.errors import JisikError, ParseFailed

from .base import ParseOptions

__all__ = ["ImageParser"]

_MAX_PIXELS = 100_000_000


class ImageParser:
    def parse(self, data: bytes, options: ParseOptions) -> ParsedDocument:
        try:
            with Image.open(io.BytesIO(data)) as picture:
                if picture.width * picture.height > _MAX_PIXELS:
                    raise ParseFailed(f"{options.name}: {picture.width}x{picture.height} pixels is too large")
                picture.verify()
                fmt = (picture.format or "png").lower()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise ParseFailed(f"{options.name}: not a readable image ({type(exc).__name__})") from exc
        result = ParsedDocument(pages=[], paged=False, title=options.title)
        asset = result.add_image(ImageAsset.from_bytes(data, {"jpeg": "jpg"}.get(fmt, fmt)))
        asset.ocr_text = self._ocr(data, options, result)
        body = image_placeholder(asset, options.name)
        if asset.ocr_text:
            body += "\n\n" + asset.ocr_text
        result.pages.append(body)
        return result

    @staticmethod
    def _ocr(data: bytes, options: ParseOptions, result: ParsedDocument) -> str:
        try:
            engine = create_ocr_engine(options.ocr_engine, options.ocr_languages, options.ocr_timeout_s)
            if engine is None:
                result.warnings.append(f"{options.name}: OCR is disabled")
                return ""
            return engine.recognize(data)
        except JisikError as exc:
            result.warnings.append(f"{options.name}: OCR failed ({exc.message})")
            return ""
