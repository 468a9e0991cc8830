"""Pluggable OCR engines. Tesseract (Debian packages, kor+chi_sim+eng) is the default.

RapidOCR and PaddleOCR are used only when their packages (and, for Paddle, its models) are already
installed; nothing is downloaded at run time.
"""

from __future__ import annotations

import io
import re
import shutil
from functools import cache
from typing import Protocol

from jisik.errors import DeadlineExceeded, ParseFailed, Unavailable

__all__ = ["OcrEngine", "PaddleOcr", "RapidOcr", "TesseractOcr", "create_ocr_engine", "open_image", "tidy_ocr_text"]

_WORD_CHARS = re.compile(r"\w")
_HAN_GAP = re.compile(
    r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]) (?=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])"
)


class OcrEngine(Protocol):
    name: str

    def recognize(self, image: bytes) -> str:
        """Text found in an encoded image (PNG, JPEG, ...)."""
        ...


def tidy_ocr_text(text: str) -> str:
    """Drop the spaces OCR puts between Chinese characters and collapse blank runs."""
    lines = [_HAN_GAP.sub("", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def open_image(image: bytes):
    from PIL import Image, UnidentifiedImageError

    try:
        picture: Image.Image = Image.open(io.BytesIO(image))
        picture.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ParseFailed(f"image cannot be decoded: {type(exc).__name__}") from exc
    if picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    return picture


class TesseractOcr:
    """Tesseract through pytesseract on an image cleaned by :func:`prepare_for_ocr`. Page layout
    analysis first; when it finds (almost) no text, as on signs and photos with frames and arrows,
    the sparse-text mode reads what is there."""

    name = "tesseract"

    def __init__(self, languages: str = "kor+chi_sim+eng", timeout_s: float = 60.0) -> None:
        if shutil.which("tesseract") is None:
            raise Unavailable("OCR engine 'tesseract' is not installed (apt-get install tesseract-ocr)")
        self.languages = languages
        self.timeout_s = timeout_s

    def recognize(self, image: bytes) -> str:
        from .ocr_prep import prepare_for_ocr  # OpenCV only where OCR runs: it maps hundreds of MiB

        open_image(image)  # a clear error for bytes that are not an image
        try:
            prepared = prepare_for_ocr(image)
        except ParseFailed:  # the clean-up could not run (memory): read the image as it is
            prepared = image
        picture = open_image(prepared)
        text = tidy_ocr_text(self._read(picture, "--psm 3"))
        if len(_WORD_CHARS.findall(text)) < 4:
            text = tidy_ocr_text(self._read(picture, "--psm 12"))
        return text

    def _read(self, picture, config: str) -> str:
        import pytesseract

        try:
            return str(
                pytesseract.image_to_string(
                    picture, lang=self.languages, config=config, timeout=self.timeout_s
                )
            )
        except RuntimeError as exc:  # pytesseract raises RuntimeError on timeout
            raise DeadlineExceeded(f"OCR took longer than {self.timeout_s:.0f}s") from exc
        except pytesseract.TesseractError as exc:
            raise ParseFailed(f"tesseract failed: {exc.message[:200]}") from exc


class RapidOcr:
    """RapidOCR (ONNX) when ``rapidocr-onnxruntime`` is installed with its bundled models."""

    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as exc:
            raise Unavailable("OCR engine 'rapidocr' is not installed (pip install jisik[ocr])") from exc
        self._engine = RapidOCR()

    def recognize(self, image: bytes) -> str:
        result, _ = self._engine(image)
        return tidy_ocr_text("\n".join(item[1] for item in result or ()))


class PaddleOcr:
    """PaddleOCR when the package and its models are already present locally."""

    name = "paddleocr"

    def __init__(self) -> None:
        try:
            from paddleocr import PaddleOCR
        except ImportError as exc:
            raise Unavailable("OCR engine 'paddleocr' is not installed") from exc
        self._engine = PaddleOCR(lang="korean")

    def recognize(self, image: bytes) -> str:
        import numpy as np

        result = self._engine.ocr(np.asarray(open_image(image)))
        lines = [line[1][0] for page in result or () for line in page or ()]
        return tidy_ocr_text("\n".join(lines))


@cache
def create_ocr_engine(
    name: str, languages: str = "kor+chi_sim+eng", timeout_s: float = 60.0
) -> OcrEngine | None:
    """The named engine (one per process), or ``None`` for ``"none"``.

    :raises Unavailable: when the engine is not installed.
    """
    if name == "none":
        return None
    if name == "tesseract":
        return TesseractOcr(languages, timeout_s)
    if name == "rapidocr":
        return RapidOcr()
    if name == "paddleocr":
        return PaddleOcr()
    raise Unavailable(f"unknown OCR engine {name!r}")
