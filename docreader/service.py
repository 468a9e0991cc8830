"""The docreader's logic, free of protobuf: load a source, parse it in worker processes, chunk the
ordered stream page by page, attach image results, and report the document."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from jisik.errors import DeadlineExceeded, InvalidInput, JisikError, TooLarge
from jisik.netguard import AddressPolicy, guarded_client
from jisik.pii import MaskPolicy, PiiType
from jisik.settings import Settings
from jisik.storage import ObjectStore, open_store

from .chunking import Chunker, ChunkingConfig, PageIndex
from .fetch import UrlFetcher
from .models import PAGE_BREAK, ChunkImage, ImageAsset, ParsedDocument, TextChunk
from .multimodal.caption import CaptionClient, VlmConfig
from .multimodal.ocr import create_ocr_engine
from .multimodal.processor import ImageProcessor
from .multimodal.redact import ImageRedactor
from .parsers.base import ParseOptions
from .parsers.registry import declared_format, detect_format, parse_document, pdf_page_count
from .workers import ParserPool, WorkerLimits

__all__ = ["DocReaderService", "DocumentSummary", "ReadRequest"]

logger = logging.getLogger(__name__)

_PLACEHOLDER = re.compile(r"!\[[^\]\n]*\]\(([^)\s]+)\)")
_CONTENT_TYPES = {
    "application/pdf": "pdf",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "text/plain": "txt",
    "text/markdown": "md",
    "text/csv": "csv",
}


@dataclass(frozen=True, slots=True)
class ReadRequest:
    """One document to read. Exactly one of ``content``, ``storage_key`` and ``url`` is set."""

    content: bytes | None = None
    storage_key: str = ""
    url: str = ""
    file_name: str = ""
    file_type: str = ""
    title: str = ""
    chunking: ChunkingConfig = field(default_factory=ChunkingConfig)
    multimodal: bool = False
    vlm: VlmConfig | None = None
    request_id: str = ""
    # The tenant's mask for the vision model (None types = every type).
    pii_policy: MaskPolicy = MaskPolicy.REMOTE
    pii_types: frozenset[PiiType] | None = None


@dataclass(slots=True)
class DocumentSummary:
    title: str
    file_type: str
    page_count: int
    chunk_count: int
    text_length: int
    metadata: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Source:
    data: bytes
    name: str
    fmt: str
    base_url: str = ""


class DocReaderService:
    """Parses documents; safe for many concurrent requests (bounded by ``max_workers``)."""

    def __init__(self, settings: Settings, *, store: ObjectStore | None = None) -> None:
        self.settings = settings
        self.config = settings.docreader
        self.store = store or open_store(settings.storage)
        self.pool = ParserPool(
            self.config.parser_processes,
            WorkerLimits(
                memory_mb=self.config.worker_memory_mb,
                time_limit_s=self.config.worker_time_limit_s,
                max_tasks=self.config.worker_max_tasks,
            ),
        )
        self._slots = asyncio.Semaphore(self.config.max_workers)
        policy = AddressPolicy(settings.endpoints.egress_allow_list)
        # The operator's own vision endpoint is trusted; a tenant's must pass the policy.
        self._http = guarded_client(policy.with_hosts_of([self.config.vlm_base_url]))
        self.fetcher = UrlFetcher(
            policy,
            timeout_s=self.config.url_timeout_s,
            max_redirects=self.config.url_max_redirects,
            max_bytes=self.config.url_max_mb * 1024 * 1024,
        )

    async def start(self) -> None:
        await self.pool.start()

    async def close(self) -> None:
        await self.pool.close()
        await self.fetcher.aclose()
        await self._http.aclose()

    async def read(self, request: ReadRequest) -> tuple[list[TextChunk], DocumentSummary]:
        """Every chunk of the document, then its summary."""
        chunks: list[TextChunk] = []
        async with contextlib.aclosing(self.stream(request)) as items:
            async for item in items:
                if isinstance(item, DocumentSummary):
                    return chunks, item
                chunks.append(item)
        raise AssertionError("stream ended without a summary")

    async def stream(self, request: ReadRequest) -> AsyncGenerator[TextChunk | DocumentSummary, None]:
        """Chunks as their pages finish, then one :class:`DocumentSummary`."""
        request_id = request.request_id or str(uuid.uuid4())
        started = time.perf_counter()
        async with self._slots:
            deadline = asyncio.get_running_loop().time() + self.config.timeout_s
            source = await self._load(request)
            logger.info(
                "read request_id=%s name=%s format=%s bytes=%d",
                request_id,
                source.name,
                source.fmt,
                len(source.data),
            )
            images = await self._image_processor(request) if request.multimodal else None
            try:
                async for item in self._parse_and_chunk(request, source, images, deadline):
                    if isinstance(item, DocumentSummary):
                        logger.info(
                            "read request_id=%s pages=%d chunks=%d in %.2fs",
                            request_id,
                            item.page_count,
                            item.chunk_count,
                            time.perf_counter() - started,
                        )
                    yield item
            finally:
                if images is not None:
                    await images.close()

    async def _load(self, request: ReadRequest) -> _Source:
        sources = [
            request.content is not None and request.content != b"",
            bool(request.storage_key),
            bool(request.url),
        ]
        if sum(sources) != 1:
            if request.content == b"" and not request.storage_key and not request.url:
                raise InvalidInput(
                    f"{request.file_name or 'document'}: the file is empty", field="file_content"
                )
            raise InvalidInput("give exactly one of file content, storage key or URL", field="source")
        base_url = ""
        if request.url:
            page = await self.fetcher.fetch(request.url)
            data, base_url = page.content, page.url
            path_name = PurePosixPath(urlsplit(page.url).path).name
            name = request.file_name or path_name or urlsplit(page.url).hostname or "page"
            declared = _CONTENT_TYPES.get(page.content_type.split(";")[0].strip().lower(), "")
            file_type = request.file_type or declared or declared_format(path_name, "") or "html"
        elif request.storage_key:
            data = await self.store.get(request.storage_key)
            name = request.file_name or PurePosixPath(request.storage_key).name
            file_type = request.file_type
        else:
            data = request.content or b""
            name = request.file_name or "document"
            file_type = request.file_type
        limit = self.config.max_file_mb * 1024 * 1024
        if len(data) > limit:
            raise TooLarge(
                f"{name}: {len(data) // (1 << 20)} MiB is over the limit of {self.config.max_file_mb} MiB"
            )
        if not data:
            raise InvalidInput(f"{name}: the file is empty", field="file_content")
        return _Source(data, name, detect_format(data, name, file_type), base_url)

    def _options(self, request: ReadRequest, source: _Source) -> ParseOptions:
        return ParseOptions(
            name=source.name,
            max_pages=self.config.max_pages,
            max_unzipped_bytes=self.config.max_unzipped_mb * 1024 * 1024,
            max_cells=self.config.max_cells,
            max_rows=self.config.max_rows,
            max_merged_ranges=self.config.max_merged_ranges,
            max_xml_elements=self.config.max_xml_elements,
            max_html_elements=self.config.max_html_elements,
            max_text_chars=self.config.max_text_chars,
            ocr_engine=self.config.ocr_engine,
            ocr_languages=self.config.ocr_languages,
            ocr_dpi=self.config.ocr_dpi,
            ocr_timeout_s=self.config.ocr_timeout_s,
            min_image_px=self.config.min_image_px,
            extract_images=request.multimodal,
            title=request.title,
            base_url=source.base_url,
        )

    async def _image_processor(self, request: ReadRequest) -> ImageProcessor:
        try:
            ocr = create_ocr_engine(
                self.config.ocr_engine, self.config.ocr_languages, self.config.ocr_timeout_s
            )
            ocr_unavailable = ""
        except JisikError as exc:
            ocr, ocr_unavailable = None, exc.message
        vlm, skipped = await self._vlm(request)
        masked = request.pii_policy.applies(remote=self.config.vlm_remote)
        return ImageProcessor(
            self.store,
            ocr=ocr,
            ocr_unavailable=ocr_unavailable,
            captioner=CaptionClient(vlm, self._http) if vlm else None,
            caption_skipped=skipped,
            redactor=ImageRedactor(self.config.ocr_languages, request.pii_types, self.config.ocr_timeout_s)
            if masked
            else None,
            concurrency=self.config.image_concurrency,
        )

    async def _vlm(self, request: ReadRequest) -> tuple[VlmConfig | None, str]:
        """The request's vision model (its URL must pass the SSRF policy) or the configured default."""
        if request.vlm and request.vlm.base_url and request.vlm.model:
            try:
                await self.fetcher.policy.check(request.vlm.base_url)
            except JisikError as exc:
                return None, f"vision model URL refused: {exc.message}"
            return request.vlm, ""
        if self.config.vlm_base_url and self.config.vlm_model:
            return VlmConfig(
                base_url=self.config.vlm_base_url,
                model=self.config.vlm_model,
                api_key=self.config.vlm_api_key.get_secret_value(),
                interface=self.config.vlm_interface,
                timeout_s=self.config.vlm_timeout_s,
            ), ""
        return None, "no vision model is configured"

    async def _parts(self, source: _Source, options: ParseOptions) -> list[tuple[int, int] | None]:
        if source.fmt != "pdf":
            return [None]
        count = await self.pool.run(source.name, pdf_page_count, source.data, options)
        # Spread small files over every worker too (scanned pages are slow), long ones in fixed steps.
        step = max(1, min(self.config.pages_per_task, -(-count // self.config.parser_processes)))
        return [(start, min(start + step, count)) for start in range(0, max(count, 1), step)]

    async def _parse_and_chunk(
        self, request: ReadRequest, source: _Source, images: ImageProcessor | None, deadline: float
    ) -> AsyncIterator[TextChunk | DocumentSummary]:
        options = self._options(request, source)
        parts = await _within(self._parts(source, options), deadline, source.name, self.config.timeout_s)
        tasks = [
            self.pool.submit(source.name, parse_document, source.data, source.fmt, options, part)
            for part in parts
        ]
        chunker = Chunker(request.chunking)
        pages = PageIndex()
        summary = DocumentSummary(
            title=request.title, file_type=source.fmt, page_count=0, chunk_count=0, text_length=0
        )
        assets: dict[str, ImageAsset] = {}
        paged = True
        try:
            for task in tasks:
                part: ParsedDocument = await _within(task, deadline, source.name, self.config.timeout_s)
                paged = part.paged
                summary.title = summary.title or part.title
                ocr_pages = int(summary.metadata.get("ocr_pages", "0")) + int(
                    part.metadata.pop("ocr_pages", "0")
                )
                summary.metadata.update(part.metadata)
                if ocr_pages:
                    summary.metadata["ocr_pages"] = str(ocr_pages)
                summary.warnings.extend(part.warnings)
                assets.update(part.images)
                if images is not None:
                    for asset in part.images.values():
                        images.submit(asset)
                for page_text in part.pages:
                    glue = PAGE_BREAK if summary.page_count else ""
                    start = chunker.offset + len(glue)
                    ready = chunker.feed(glue + page_text)
                    pages.add(start, chunker.offset)
                    summary.page_count += 1
                    for chunk in ready:
                        yield await self._finish_chunk(chunk, pages, paged, assets, images, summary)
            for chunk in chunker.finish():
                yield await self._finish_chunk(chunk, pages, paged, assets, images, summary)
        finally:
            for task in tasks:
                task.cancel()  # a part still parsing is stopped with its worker
                if task.done() and not task.cancelled():
                    task.exception()  # only the first failure is reported
        summary.title = summary.title or source.name
        summary.text_length = chunker.offset
        if not paged:
            summary.page_count = 0
        yield summary

    async def _finish_chunk(
        self,
        chunk: TextChunk,
        pages: PageIndex,
        paged: bool,
        assets: dict[str, ImageAsset],
        images: ImageProcessor | None,
        summary: DocumentSummary,
    ) -> TextChunk:
        chunk.pages = pages.pages(chunk.start, chunk.end) if paged else ()
        summary.chunk_count += 1
        if images is None:
            return chunk
        for match in _PLACEHOLDER.finditer(chunk.content):
            asset = assets.get(match.group(1))
            if asset is None:
                continue
            result = await images.result(asset)
            chunk.images.append(
                ChunkImage(
                    original_url=match.group(1),
                    start=match.start(),
                    end=match.end(),
                    storage_key=result.storage_key,
                    url=result.url,
                    ocr_text=result.ocr_text,
                    caption=result.caption,
                    error=result.error,
                )
            )
            warning = f"{result.storage_key}: {result.error}"
            if result.errors and warning not in summary.warnings:
                summary.warnings.append(warning)
        return chunk


async def _within(awaitable, deadline: float, name: str, limit: float):
    remaining = deadline - asyncio.get_running_loop().time()
    try:
        return await asyncio.wait_for(awaitable, timeout=max(remaining, 0.001))
    except TimeoutError as exc:
        raise DeadlineExceeded(f"{name}: parsing took longer than {limit:.0f}s") from exc
