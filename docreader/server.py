"""gRPC servicer for ``docreader.DocReader``: maps protobuf to and from the service's domain objects.

WeKnora-compatible ``ReadFromFile``/``ReadFromURL`` put the error text in ``ReadResponse.error`` and
also set a non-OK status; ``ReadStream``/``ReadFromStorage`` are jisik additions.
Storage credentials sent in ``ReadConfig.storage_config`` are accepted for wire compatibility and
ignored: images go to the docreader's own configured store, never to a store named by the caller.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import grpc
from grpc_health.v1 import health, health_pb2

from jisik.clients.errors import status_of, trailing_metadata
from jisik.errors import InvalidInput, JisikError
from jisik.grpc_server import create_server as create_grpc_server
from jisik.grpc_server import serve_forever
from jisik.pii import MaskPolicy, PiiType
from jisik.proto import docreader_pb2 as pb
from jisik.proto import docreader_pb2_grpc as pb_grpc
from jisik.settings import Settings

from .chunking import ChunkingConfig
from .models import TextChunk
from .multimodal.caption import VlmConfig
from .service import DocReaderService, DocumentSummary, ReadRequest

__all__ = ["SERVICE_NAME", "DocReaderServicer", "create_server", "run"]

logger = logging.getLogger(__name__)
SERVICE_NAME = pb.DESCRIPTOR.services_by_name["DocReader"].full_name


def _request(
    config: pb.ReadConfig,
    *,
    request_id: str,
    content: bytes | None = None,
    storage_key: str = "",
    url: str = "",
    file_name: str = "",
    file_type: str = "",
    title: str = "",
) -> ReadRequest:
    vlm = None
    if config.vlm_config.base_url and config.vlm_config.model_name:
        vlm = VlmConfig(
            base_url=config.vlm_config.base_url,
            model=config.vlm_config.model_name,
            api_key=config.vlm_config.api_key,
            interface="ollama" if config.vlm_config.interface_type.lower() == "ollama" else "openai",
        )
    return ReadRequest(
        content=content,
        storage_key=storage_key,
        url=url,
        file_name=file_name,
        file_type=file_type,
        title=title,
        chunking=ChunkingConfig.from_request(
            config.chunk_size, config.chunk_overlap, list(config.separators), config.size_unit
        ),
        multimodal=config.enable_multimodal,
        vlm=vlm,
        request_id=request_id or str(uuid.uuid4()),
        pii_policy=_mask_policy(config.pii_policy),
        pii_types=_mask_types(config.pii_types),
    )


def _mask_policy(name: str) -> MaskPolicy:
    try:
        return MaskPolicy(name) if name else MaskPolicy.REMOTE
    except ValueError as exc:
        raise InvalidInput(f"pii_policy must be off, remote or always, not {name!r}", field="pii_policy") from exc


def _mask_types(names: Sequence[str]) -> frozenset[PiiType] | None:
    unknown = [name for name in names if name not in PiiType.__members__]
    if unknown:
        raise InvalidInput(f"unknown PII types {unknown}", field="pii_types")
    return frozenset(PiiType(name) for name in names) if names else None


def _chunk(chunk: TextChunk) -> pb.Chunk:
    return pb.Chunk(
        content=chunk.content,
        seq=chunk.seq,
        start=chunk.start,
        end=chunk.end,
        pages=list(chunk.pages),
        images=[
            pb.Image(
                url=image.url,
                caption=image.caption,
                ocr_text=image.ocr_text,
                original_url=image.original_url,
                start=image.start,
                end=image.end,
                error=image.error,
                storage_key=image.storage_key,
            )
            for image in chunk.images
        ],
    )


def _document(summary: DocumentSummary) -> pb.DocumentInfo:
    return pb.DocumentInfo(
        title=summary.title,
        file_type=summary.file_type,
        page_count=summary.page_count,
        chunk_count=summary.chunk_count,
        text_length=summary.text_length,
        metadata=summary.metadata,
        warnings=summary.warnings,
    )


class DocReaderServicer(pb_grpc.DocReaderServicer):
    def __init__(self, service: DocReaderService) -> None:
        self.service = service

    async def _read(self, build: Callable[[], ReadRequest], context: grpc.aio.ServicerContext) -> pb.ReadResponse:
        try:
            request = build()
            chunks, summary = await self.service.read(request)
        except JisikError as exc:
            context.set_code(status_of(exc))
            context.set_details(exc.message)
            context.set_trailing_metadata(trailing_metadata(exc))
            return pb.ReadResponse(error=exc.message)
        except Exception:  # noqa: BLE001 - a bug must fail this request, never the server
            logger.exception("unexpected error while reading a document")
            context.set_code(grpc.StatusCode.INTERNAL)
            context.set_details("internal error while parsing the document")
            return pb.ReadResponse(error="internal error while parsing the document")
        return pb.ReadResponse(chunks=[_chunk(c) for c in chunks], document=_document(summary))

    async def ReadFromFile(
        self, request: pb.ReadFromFileRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReadResponse:
        return await self._read(
            lambda: _request(
                request.read_config,
                request_id=request.request_id,
                content=request.file_content,
                file_name=request.file_name,
                file_type=request.file_type,
            ),
            context,
        )

    async def ReadFromURL(
        self, request: pb.ReadFromURLRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReadResponse:
        return await self._read(
            lambda: _request(
                request.read_config,
                request_id=request.request_id,
                url=request.url,
                title=request.title,
            ),
            context,
        )

    async def ReadFromStorage(
        self, request: pb.ReadFromStorageRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReadResponse:
        return await self._read(
            lambda: _request(
                request.read_config,
                request_id=request.request_id,
                storage_key=request.storage_key,
                file_name=request.file_name,
                file_type=request.file_type,
            ),
            context,
        )

    async def ReadStream(
        self, request: pb.ReadStreamRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ReadStreamResponse]:
        source = request.WhichOneof("source")
        read = _request(
            request.read_config,
            request_id=request.request_id,
            content=request.file_content if source == "file_content" else None,
            storage_key=request.storage_key if source == "storage_key" else "",
            url=request.url if source == "url" else "",
            file_name=request.file_name,
            file_type=request.file_type,
            title=request.title,
        )
        try:
            async for item in self.service.stream(read):
                if isinstance(item, DocumentSummary):
                    yield pb.ReadStreamResponse(done=_document(item))
                else:
                    yield pb.ReadStreamResponse(chunk=_chunk(item))
        except JisikError:
            raise  # the shared interceptor turns it into a status
        except Exception as exc:  # noqa: BLE001 - a bug must fail this request, never the server
            logger.exception("unexpected error while streaming a document")
            await context.abort(grpc.StatusCode.INTERNAL, "internal error while parsing the document")
            raise AssertionError("unreachable") from exc


def _health_reporter(servicer: health.aio.HealthServicer) -> Callable[[bool], None]:
    """Mirror the parser pool's health in the gRPC health service (and so in the gateway's /ready)."""
    pending: set[asyncio.Task[None]] = set()

    def report(healthy: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if healthy else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", SERVICE_NAME):
            task = asyncio.get_running_loop().create_task(servicer.set(name, status))
            pending.add(task)
            task.add_done_callback(pending.discard)

    return report


async def create_server(
    settings: Settings, port: int | None = None, *, service: DocReaderService | None = None
) -> tuple[grpc.aio.Server, int, object, DocReaderService]:
    """Build the server (not started) on ``port`` (None: the configured docreader address; 0: any free port).

    :returns: server, bound port, health servicer, and the service (call ``close`` after stopping).
    """
    service = service or DocReaderService(settings)
    configured = settings.endpoints.docreader
    address = f"{configured.host}:{configured.port if port is None else port}"
    server, bound, health_servicer = create_grpc_server(
        register=lambda s: pb_grpc.add_DocReaderServicer_to_server(DocReaderServicer(service), s),
        service_names=[SERVICE_NAME],
        address=address,
        endpoints=settings.endpoints,
        max_workers=settings.docreader.max_workers,
    )
    service.pool.on_health = _health_reporter(health_servicer)
    await service.start()  # after binding: a refused address leaves no worker processes behind
    return server, bound, health_servicer, service


async def run(settings: Settings, *, port: int | None = None) -> None:
    """Serve until SIGINT/SIGTERM."""
    server, bound, health_servicer, service = await create_server(settings, port)
    logger.info(
        "docreader listening on port %d with %d parser processes", bound, settings.docreader.parser_processes
    )
    await serve_forever(
        server, health_servicer, [SERVICE_NAME], settings.endpoints.grpc_shutdown_grace_s, on_stop=service.close
    )
