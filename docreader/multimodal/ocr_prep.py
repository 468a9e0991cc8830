"""Image clean-up before OCR (OpenCV): denoise, upscale small text, deskew, binarise photos.

Tesseract reads best with dark text of 25-40 px height on a clean white background, level lines.
Photos and phone scans give small, noisy, tilted, low-contrast text (or light text on a dark sign).
"""

from __future__ import annotations

import os

# One parser process per CPU already: OpenCV's BLAS threads would only reserve address space (parser
# processes run under an address-space limit). Read when the library loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

from jisik.errors import ParseFailed  # noqa: E402

__all__ = ["prepare_for_ocr"]

cv2.setNumThreads(1)

_TARGET_TEXT_PX = 22.0
_SMALL_TEXT_PX = 10.0
_MAX_SCALE = 4.0
_MAX_PIXELS = 8_000_000
_NOISE_LEVEL = 3.0
_BILEVEL_SHARE = 0.9
_SMALL_IMAGE_PX = 1_000_000
_MAX_SKEW_DEG = 10.0

Gray = NDArray[np.uint8]


def _decode(image: bytes) -> Gray:
    buffer = np.frombuffer(image, dtype=np.uint8)
    gray = cv2.imdecode(buffer, cv2.IMREAD_GRAYSCALE)
    if gray is None:
        raise ParseFailed("image cannot be decoded for OCR")
    return np.asarray(gray, dtype=np.uint8)


def _binary(gray: Gray) -> Gray:
    """Otsu threshold with dark text on white (inverted when the background came out dark)."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if np.count_nonzero(binary) < binary.size / 2:
        binary = cv2.bitwise_not(binary)
    return np.asarray(binary, dtype=np.uint8)


def _is_bilevel(gray: Gray) -> bool:
    """True for clean scans (nearly every pixel is paper-white or ink-black): Tesseract's own
    thresholding reads them better than a local one."""
    extreme = np.count_nonzero((gray < 60) | (gray > 200))
    return bool(extreme >= _BILEVEL_SHARE * gray.size)


def _local_binary(gray: Gray) -> Gray:
    """Threshold against the neighbourhood (uneven light, glare on photos), dark text on white."""
    _, otsu = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if np.count_nonzero(otsu) < otsu.size / 2:
        gray = np.asarray(cv2.bitwise_not(gray), dtype=np.uint8)
    block = max(15, int(_TARGET_TEXT_PX * 2) | 1)
    binary = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 12)
    return np.asarray(binary, dtype=np.uint8)


def _text_height(binary: Gray) -> float:
    """Median height of letter-sized dark components (0 when there are none)."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(cv2.bitwise_not(binary), connectivity=8)
    heights = [
        int(stats[i, cv2.CC_STAT_HEIGHT])
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= 6 and 4 <= stats[i, cv2.CC_STAT_HEIGHT] <= binary.shape[0] / 3
    ]
    return float(np.median(heights)) if len(heights) >= 3 else 0.0


def _upscale(gray: Gray) -> Gray:
    height = _text_height(_binary(gray))
    if not height or height >= _SMALL_TEXT_PX:
        return gray
    scale = min(_MAX_SCALE, _TARGET_TEXT_PX / height, (_MAX_PIXELS / gray.size) ** 0.5)
    if scale <= 1.05:
        return gray
    return np.asarray(
        cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC), dtype=np.uint8
    )


def _denoise(gray: Gray) -> Gray:
    """Non-local means on small photos and on grainy images (sensor noise, JPEG speckle); big clean
    scans pass untouched (it costs about a second per megapixel)."""
    if gray.size <= _SMALL_IMAGE_PX:
        return np.asarray(cv2.fastNlMeansDenoising(gray, None, h=15), dtype=np.uint8)
    residual = np.abs(gray.astype(np.int16) - cv2.medianBlur(gray, 3).astype(np.int16))
    if float(np.median(residual)) < _NOISE_LEVEL:
        return gray
    denoised = cv2.fastNlMeansDenoising(gray, None, h=15, templateWindowSize=5, searchWindowSize=13)
    return np.asarray(denoised, dtype=np.uint8)


def _rotate(image: Gray, angle: float, border: int) -> Gray:
    h, w = image.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    rotated = cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_CUBIC, borderValue=border)
    return np.asarray(rotated, dtype=np.uint8)


def _skew_angle(binary: Gray) -> float:
    """The rotation that makes text rows sharpest (variance of the row profile), searched coarse to fine."""
    ink = cv2.bitwise_not(binary)
    scale = min(1.0, 800 / max(ink.shape))
    small = cv2.resize(ink, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else ink

    def sharpness(angle: float) -> float:
        return float(
            np.var(_rotate(np.asarray(small, dtype=np.uint8), angle, 0).sum(axis=1, dtype=np.float64))
        )

    best = max(np.arange(-_MAX_SKEW_DEG, _MAX_SKEW_DEG + 0.01, 1.0), key=sharpness)
    return float(max(np.arange(best - 0.9, best + 0.91, 0.1), key=sharpness))


def prepare_for_ocr(image: bytes) -> bytes:
    """The image cleaned for OCR, as PNG: dark text on white, upscaled, denoised, level.

    :raises ParseFailed: when the image cannot be decoded or OpenCV fails (out of memory).
    """
    try:
        return _prepare(image)
    except cv2.error as exc:
        raise ParseFailed(f"image clean-up for OCR failed ({type(exc).__name__})") from exc


def _prepare(image: bytes) -> bytes:
    gray = _upscale(_denoise(_decode(image)))
    angle = _skew_angle(_binary(gray))
    if abs(angle) >= 0.3:
        gray = _rotate(gray, angle, int(np.median(gray)))
    if not _is_bilevel(gray):
        gray = _local_binary(gray)
    ok, encoded = cv2.imencode(".png", gray)
    if not ok:
        raise ParseFailed("image cannot be encoded for OCR")
    return bytes(encoded.tobytes())
