"""Personal data is painted out of an image before a vision model covered by the mask captions it
(real Tesseract, a real local HTTP vision endpoint that keeps what it was sent)."""

from __future__ import annotations

import base64
import io
import shutil
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageDraw, ImageFont

from docreader.models import ImageAsset
from docreader.multimodal.caption import CaptionClient, VlmConfig
from docreader.multimodal.processor import ImageProcessor
from docreader.multimodal.redact import ImageRedactor, Word, boxes_to_paint
from jisik.pii import PiiType
from jisik.storage import LocalStore

from .local_http import _Handler, local_http_server

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _card() -> bytes:
    """A white image with a phone number on one line and plain words on the next."""
    picture = Image.new("RGB", (900, 220), "white")
    draw = ImageDraw.Draw(picture)
    font = ImageFont.truetype(FONT, 44) if Path(FONT).exists() else ImageFont.load_default()
    draw.text((30, 30), "Phone 010-2345-6789", fill="black", font=font)
    draw.text((30, 120), "Harbour office opens daily", fill="black", font=font)
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def _read(image: bytes) -> str:
    import pytesseract

    return str(pytesseract.image_to_string(Image.open(io.BytesIO(image)), lang="eng"))


def test_only_the_words_of_a_detected_value_are_painted() -> None:
    line = (1, 1, 1, 1)
    words = [Word(text, 10 * i, 0, 8, 8, line) for i, text in enumerate(("성명:", "김민준", "연락처", "010-2345-6789"))]
    other = Word("안내", 0, 20, 8, 8, (1, 1, 1, 2))
    assert [w.text for w in boxes_to_paint([*words, other], None)] == ["김민준", "010-2345-6789"]
    assert [w.text for w in boxes_to_paint(words, {PiiType.PHONE})] == ["010-2345-6789"]


@needs_tesseract
def test_the_redacted_image_keeps_the_words_but_not_the_number() -> None:
    image = _card()
    assert "2345" in _read(image)
    redacted, painted = ImageRedactor("eng", None).redact(image)
    text = _read(redacted)
    assert painted >= 1 and "2345" not in text and "6789" not in text
    assert "Harbour" in text


@needs_tesseract
async def test_the_vision_model_is_sent_only_the_redacted_image(tmp_path: Path) -> None:
    _Handler.captions.clear()
    with local_http_server() as base:
        async with httpx.AsyncClient() as client:
            captioner = CaptionClient(VlmConfig(base_url=base + "/v1", model="m"), client)
            processor = ImageProcessor(
                LocalStore(tmp_path), ocr=None, captioner=captioner, redactor=ImageRedactor("eng", None)
            )
            result = await processor.result(ImageAsset.from_bytes(_card(), "png"))
            await processor.close()
    [body] = _Handler.captions
    url = body["messages"][0]["content"][1]["image_url"]["url"]
    sent = base64.b64decode(url.split(",", 1)[1])
    assert url.startswith("data:image/png;base64,")
    assert "2345" not in _read(sent) and "Harbour" in _read(sent)
    assert result.caption  # the caption still came back
