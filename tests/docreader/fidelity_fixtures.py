"""PDFs and scans that reproduce text-fidelity defects, placed glyph by glyph as real producers do."""

from __future__ import annotations

import io
import random

import pymupdf
from PIL import Image, ImageDraw, ImageFont

from .fixtures import NOTO

LATIN = pymupdf.Font("cour")
KOREAN = pymupdf.Font("korea")


def _font(ch: str) -> tuple[str, pymupdf.Font]:
    return ("cour", LATIN) if ch.isascii() else ("korea", KOREAN)


def glyphs(
    page: pymupdf.Page, x: float, y: float, text: str, size: float = 10, tracking: float = 0.0
) -> float:
    """Write ``text`` one glyph at a time (Latin in Courier, Korean in the CJK font); returns the end x."""
    for ch in text:
        fontname, font = _font(ch)
        page.insert_text((x, y), ch, fontname=fontname, fontsize=size)
        x += font.text_length(ch, fontsize=size) + tracking
    return x


def justified(page: pymupdf.Page, x: float, y: float, text: str, width: float, size: float = 10) -> None:
    """One line spread over ``width`` (as justified text is), glyph by glyph."""
    natural = sum(_font(ch)[1].text_length(ch, fontsize=size) for ch in text.rstrip())
    gaps = max(1, len(text.rstrip()) - 1)
    glyphs(page, x, y, text, size, tracking=(width - natural) / gaps)


def decimal_table_pdf() -> bytes:
    """A ruled table whose cells hold decimals, signed numbers and Korean dates (and rotated text)."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    rows = [
        ["모델", "EM", "F1", "기준일"],
        ["Baseline", "30.8", "46.8", "2021.4.28일"],
        ["Human", "68.8", "-83.9", "2021.2.23.~2.24일"],
    ]
    top, left, width, height = 100, 30, 105, 24
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            glyphs(page, left + c * width + 6, top + r * height + 16, cell)
    page.insert_text((left + 4 * width + 14, top + 66), "Q3", fontname="cour", fontsize=9, rotate=90)
    for r in range(len(rows) + 1):
        page.draw_line((left, top + r * height), (left + 5 * width, top + r * height))
    for c in range(6):
        page.draw_line((left + c * width, top), (left + c * width, top + len(rows) * height))
    return doc.tobytes()


# A paragraph wrapped at a fixed width: "데이|터를" and "기|계가" are split by the wrap.
WRAPPED_LINES = [
    "우리는 공개된 한국어 학습 데이",
    "터를 사용하여 질문에 답하는 기",
    "계가 문서를 읽도록 하였다. 그 ",
    "결과 모델은 사람보다 조금 낮은 ",
    "점수를 얻었지만 차이는 작았다. ",
    "다음 장에서 자세히 다룬다.",
]
WRAPPED_TEXT = (
    "우리는 공개된 한국어 학습 데이터를 사용하여 질문에 답하는 기계가 문서를 읽도록 하였다. "
    "그 결과 모델은 사람보다 조금 낮은 점수를 얻었지만 차이는 작았다. 다음 장에서 자세히 다룬다."
)


def wrapped_korean_pdf(trailing_spaces: bool = True) -> bytes:
    """A justified Korean paragraph whose wraps split words; the producer (like Word or Hangul) ends
    word-boundary wraps with a space, or (``trailing_spaces=False``) never writes line-end spaces."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    for index, line in enumerate(WRAPPED_LINES):
        text = line if trailing_spaces else line.rstrip()
        if index < len(WRAPPED_LINES) - 1:
            justified(page, 60, 100 + index * 15, text, 160)
        else:
            glyphs(page, 60, 100 + index * 15, text)
    return doc.tobytes()


SPACELESS_WORDS = [
    "비농업부문",
    "취업자수는",
    "전월대비",
    "23.5만명",
    "증가하여",
    "시장",
    "예상치를",
    "하회하였다",
]


def spaceless_korean_pdf(gaps: bool) -> bytes:
    """Korean text whose text layer has no space characters: words are set apart only by a visible
    gap (``gaps=True``) or not at all."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    x = 50.0
    for word in SPACELESS_WORDS:
        x = glyphs(page, x, 100, word, size=10) + (5.0 if gaps else 0.0)
    return doc.tobytes()


SCAN_LINES = ["평양 205Km", "서울특별시 중구", "한국은행 본관"]


def skewed_noisy_scan(seed: int = 7) -> bytes:
    """A small, skewed, noisy, low-contrast photo of Korean text (as a phone or a bad scanner makes)."""
    font = ImageFont.truetype(str(NOTO), 13)
    image = Image.new("L", (210, 100), 165)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(SCAN_LINES):
        draw.text((12, 10 + row * 28), line, fill=80, font=font)
    image = image.rotate(5, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=165)
    rng = random.Random(seed)
    width, height = image.size
    noisy = [
        max(0, min(255, int(image.getpixel((x, y)) + rng.gauss(0, 18))))  # type: ignore[operator]  # getpixel returns a union; the image is mode L, so the pixel is an int
        for y in range(height)
        for x in range(width)
    ]
    image.putdata(noisy)
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=75)
    return out.getvalue()
