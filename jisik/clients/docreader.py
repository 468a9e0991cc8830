"""The docreader's client: a document in, its chunks and a summary out (``ReadStream``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc

from jisik.errors import Unavailable
from jisik.proto import docreader_pb2 as pb
from jisik.proto import docreader_pb2_grpc as pb_grpc

from .errors import rpc_errors
from .types import DocumentSource, ReadChunk, ReadImage, ReadSummary

__all__ = ["DocReaderClient"]

_SERVICE = "docreader"


def _request(source: DocumentSource) -> pb.ReadStreamRequest:
    config = pb.ReadConfig(
        chunk_size=source.chunk_size,
        chunk_overlap=source.chunk_overlap,
        separators=list(source.separators),
        enable_multimodal=source.enable_multimodal,
        pii_policy=source.pii_policy,
        pii_types=list(source.pii_types),
    )
    request = pb.ReadStreamRequest(
        file_name=source.file_name, file_type=source.file_type, title=source.title, read_config=config,
        request_id=source.request_id,
    )
    if source.content is not None:
        request.file_content = source.content
    elif source.url:
        request.url = source.url
    else:
        request.storage_key = source.storage_key
    return request


def _chunk(chunk: pb.Chunk) -> ReadChunk:
    return ReadChunk(
        content=chunk.content,
        seq=chunk.seq,
        start=chunk.start,
        end=chunk.end,
        pages=tuple(chunk.pages),
        images=tuple(
            ReadImage(url=image.url, caption=image.caption, ocr_text=image.ocr_text,
                      storage_key=image.storage_key, start=image.start, end=image.end)
            for image in chunk.images
        ),
    )


class DocReaderClient:
    """Typed calls to ``docreader.DocReader``; failures raise jisik errors."""

    def __init__(self, channel: grpc.aio.Channel, *, timeout_s: float) -> None:
        self._stub = pb_grpc.DocReaderStub(channel)
        self._timeout = timeout_s

    async def stream(self, source: DocumentSource) -> AsyncIterator[ReadChunk | ReadSummary]:
        """The document's chunks as the docreader makes them, then its summary. Leaving the loop early
        cancels the call.

        :raises Unavailable: the stream ended before the summary.
        """
        call = self._stub.ReadStream(_request(source), timeout=self._timeout)
        try:
            with rpc_errors(_SERVICE):
                async for frame in call:
                    if frame.HasField("chunk"):
                        yield _chunk(frame.chunk)
                    elif frame.HasField("done"):
                        yield ReadSummary(page_count=frame.done.page_count, warnings=tuple(frame.done.warnings))
                        return
        finally:
            call.cancel()
        raise Unavailable("the docreader stream ended before the document was complete")
