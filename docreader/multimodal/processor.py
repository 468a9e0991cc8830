"""The multimodal step: store each image, OCR it and caption it, concurrently under a bound.

Every image gets a result; a failure is recorded in ``ImageResult.error`` and never drops the image.
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
from dataclasses import dataclass, field

from docreader.models import ImageAsset
from jisik.errors import JisikError
from jisik.storage import ObjectStore

from .caption import CaptionClient
from .ocr import OcrEngine
from .redact import ImageRedactor

__all__ = ["ImageProcessor", "ImageResult"]

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class ImageResult:
    storage_key: str
    url: str = ""
    ocr_text: str = ""
    caption: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def error(self) -> str:
        return "; ".join(self.errors)


class ImageProcessor:
    """Processes each distinct image once per document (``submit`` is idempotent by key)."""

    def __init__(
        self,
        store: ObjectStore,
        *,
        ocr: OcrEngine | None,
        ocr_unavailable: str = "",
        captioner: CaptionClient | None,
        caption_skipped: str = "",
        redactor: ImageRedactor | None = None,
        concurrency: int = 4,
    ) -> None:
        self._store = store
        self._ocr = ocr
        self._ocr_unavailable = ocr_unavailable or "OCR is disabled"
        self._captioner = captioner
        self._caption_skipped = caption_skipped or "no vision model is configured"
        # Set when the tenant's mask policy covers the vision model: it only ever sees painted-out images.
        self._redactor = redactor
        self._limit = asyncio.Semaphore(concurrency)
        self._tasks: dict[str, asyncio.Task[ImageResult]] = {}

    def submit(self, asset: ImageAsset) -> asyncio.Task[ImageResult]:
        task = self._tasks.get(asset.key)
        if task is None:
            task = asyncio.create_task(self._process(asset), name=f"image {asset.key}")
            self._tasks[asset.key] = task
        return task

    async def result(self, asset: ImageAsset) -> ImageResult:
        return await self.submit(asset)

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def _process(self, asset: ImageAsset) -> ImageResult:
        async with self._limit:
            result = ImageResult(storage_key=asset.key)
            mime = mimetypes.guess_type(asset.key)[0] or "application/octet-stream"
            try:
                if not await self._store.exists(asset.key):
                    await self._store.put(asset.key, asset.data, content_type=mime)
                result.url = self._store.url_for(asset.key)
            except JisikError as exc:
                result.errors.append(f"storage: {exc.message}")
            ocr_call = self._run_ocr(asset, result)
            caption_call = self._run_caption(asset, mime, result)
            await asyncio.gather(ocr_call, caption_call)
            return result

    async def _run_ocr(self, asset: ImageAsset, result: ImageResult) -> None:
        if asset.ocr_text is not None:
            result.ocr_text = asset.ocr_text
            return
        if self._ocr is None:
            result.errors.append(f"ocr skipped: {self._ocr_unavailable}")
            return
        try:
            result.ocr_text = await asyncio.to_thread(self._ocr.recognize, asset.data)
        except JisikError as exc:
            result.errors.append(f"ocr: {exc.message}")

    async def _run_caption(self, asset: ImageAsset, mime: str, result: ImageResult) -> None:
        if self._captioner is None:
            result.errors.append(f"caption skipped: {self._caption_skipped}")
            return
        image = asset.data
        if self._redactor is not None:
            try:
                image, _painted = await asyncio.to_thread(self._redactor.redact, asset.data)
            except JisikError as exc:
                result.errors.append(f"caption skipped: personal data could not be masked ({exc.message})")
                return
            mime = "image/png"
        try:
            result.caption = await self._captioner.caption(image, mime)
        except JisikError as exc:
            result.errors.append(f"caption: {exc.message}")
