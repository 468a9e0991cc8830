"""The multimodal step on its own: bounded concurrency, failures recorded per image, both VLM APIs."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from docreader.models import ImageAsset
from docreader.multimodal.caption import CaptionClient, VlmConfig
from docreader.multimodal.ocr import tidy_ocr_text
from docreader.multimodal.processor import ImageProcessor
from jisik.errors import ParseFailed, Unavailable
from jisik.storage import LocalStore

from . import fixtures as fx
from .local_http import local_http_server


@pytest.fixture(scope="module")
def http_base() -> Iterator[str]:
    with local_http_server() as url:
        yield url


class CountingOcr:
    name = "counting"

    def __init__(self, fail_on: bytes = b"") -> None:
        self.active = 0
        self.peak = 0
        self.fail_on = fail_on

    def recognize(self, image: bytes) -> str:
        import time

        self.active += 1
        self.peak = max(self.peak, self.active)
        time.sleep(0.05)
        self.active -= 1
        if image == self.fail_on:
            raise ParseFailed("image cannot be decoded: test")
        return f"text of {len(image)} bytes"


class BrokenStore(LocalStore):
    async def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        raise Unavailable("object storage is down")


class TestImageProcessor:
    async def test_concurrency_bound_and_results(self, tmp_path: Path) -> None:
        ocr = CountingOcr()
        processor = ImageProcessor(LocalStore(tmp_path), ocr=ocr, captioner=None, concurrency=2)
        assets = [ImageAsset.from_bytes(fx.png((i * 20, 0, 0)), "png") for i in range(6)]
        results = await asyncio.gather(*(processor.result(a) for a in assets))
        assert ocr.peak <= 2
        assert all(
            r.url == f"local://{a.key}" and (tmp_path / a.key).is_file()
            for r, a in zip(results, assets, strict=True)
        )
        assert all(r.ocr_text.startswith("text of") for r in results)
        assert all("caption skipped: no vision model is configured" in r.error for r in results)
        assert processor.submit(assets[0]) is processor.submit(assets[0])  # once per document

    async def test_failures_are_reported_not_dropped(self, tmp_path: Path) -> None:
        bad = ImageAsset.from_bytes(b"not an image", "png")
        processor = ImageProcessor(
            BrokenStore(tmp_path), ocr=CountingOcr(fail_on=b"not an image"), captioner=None
        )
        result = await processor.result(bad)
        assert result.storage_key == bad.key and result.url == ""
        assert (
            "storage: object storage is down" in result.error
            and "ocr: image cannot be decoded" in result.error
        )

    async def test_ocr_text_from_parser_is_reused(self, tmp_path: Path) -> None:
        asset = ImageAsset.from_bytes(fx.png(), "png")
        asset.ocr_text = "already read"
        result = await ImageProcessor(LocalStore(tmp_path), ocr=None, captioner=None).result(asset)
        assert result.ocr_text == "already read" and "ocr" not in result.error


class TestCaptionClient:
    @pytest.mark.parametrize(
        ("interface", "path", "expected"),
        [("openai", "/v1", "a small square"), ("ollama", "", "ollama caption")],
    )
    async def test_both_interfaces(self, http_base: str, interface: str, path: str, expected: str) -> None:
        async with httpx.AsyncClient() as client:
            config = VlmConfig(base_url=http_base + path, model="m", api_key="secret", interface=interface)  # type: ignore[arg-type]  # interface is a parametrized str; VlmConfig takes its Literal
            assert await CaptionClient(config, client).caption(fx.png()) == expected
            assert "secret" not in repr(config)

    async def test_unreachable_model_is_unavailable(self) -> None:
        async with httpx.AsyncClient() as client:
            config = VlmConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=2)
            with pytest.raises(Unavailable):
                await CaptionClient(config, client).caption(fx.png())


class TestOcrText:
    def test_spaces_between_chinese_characters_removed(self) -> None:
        assert tidy_ocr_text("知 识 库\n\n\n\n한국어 문장 입니다") == "知识库\n\n한국어 문장 입니다"
