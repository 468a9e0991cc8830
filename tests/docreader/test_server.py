"""gRPC contract: a WeKnora-classic client built from its own .proto, jisik's additions, errors, multimodal."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from docreader.server import SERVICE_NAME, create_server
from jisik.proto import docreader_pb2 as pb
from jisik.proto import docreader_pb2_grpc as pb_grpc
from jisik.settings import DocreaderSettings, EndpointSettings, Settings, StorageSettings, get_settings
from jisik.storage import LocalStore

from . import fixtures as fx
from .local_http import local_http_server

pytestmark = pytest.mark.integration

# WeKnora's classic contract, written from its published field numbers (no jisik additions).
CLASSIC_PROTO = """
syntax = "proto3";
package docreader;
enum StorageProvider { STORAGE_PROVIDER_UNSPECIFIED = 0; COS = 1; MINIO = 2; }
message StorageConfig { StorageProvider provider = 1; string region = 2; string bucket_name = 3;
  string access_key_id = 4; string secret_access_key = 5; string app_id = 6; string path_prefix = 7; }
message VLMConfig { string model_name = 1; string base_url = 2; string api_key = 3; string interface_type = 4; }
message ReadConfig { int32 chunk_size = 1; int32 chunk_overlap = 2; repeated string separators = 3;
  bool enable_multimodal = 4; StorageConfig storage_config = 5; VLMConfig vlm_config = 6; }
message ReadFromFileRequest { bytes file_content = 1; string file_name = 2; string file_type = 3;
  ReadConfig read_config = 4; string request_id = 5; }
message ReadFromURLRequest { string url = 1; string title = 2; ReadConfig read_config = 3; string request_id = 4; }
message Image { string url = 1; string caption = 2; string ocr_text = 3; string original_url = 4;
  int32 start = 5; int32 end = 6; }
message Chunk { string content = 1; int32 seq = 2; int32 start = 3; int32 end = 4; repeated Image images = 5; }
message ReadResponse { repeated Chunk chunks = 1; string error = 2; }
service DocReader { rpc ReadFromFile(ReadFromFileRequest) returns (ReadResponse);
  rpc ReadFromURL(ReadFromURLRequest) returns (ReadResponse); }
"""


def classic_messages(tmp: Path) -> dict[str, Any]:
    """Message classes compiled by protoc from the classic .proto into a private descriptor pool."""
    from grpc_tools import protoc

    (tmp / "docreader.proto").write_text(CLASSIC_PROTO)
    out = tmp / "classic.desc"
    assert (
        protoc.main(["protoc", f"-I{tmp}", f"--descriptor_set_out={out}", str(tmp / "docreader.proto")]) == 0
    )
    files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    return {
        name: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"docreader.{name}"))
        for name in ("ReadFromFileRequest", "ReadFromURLRequest", "ReadResponse", "ReadConfig")
    }


@pytest.fixture(scope="module")
def http_base() -> Iterator[str]:
    with local_http_server() as url:
        yield url


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("docreader-store")
    return get_settings().model_copy(
        update={
            "storage": StorageSettings(backend="local", local_dir=root),
            "endpoints": EndpointSettings(egress_allow_list=["127.0.0.1"]),
            "docreader": DocreaderSettings(
                worker_processes=1,
                max_workers=4,
                max_file_mb=2,
                ocr_languages="eng",
                image_concurrency=2,
            ),
        }
    )


@pytest.fixture(scope="module")
async def server(settings: Settings) -> AsyncIterator[int]:
    grpc_server, port, _, service = await create_server(settings, 0)
    await grpc_server.start()
    yield port
    await grpc_server.stop(1)
    await service.close()


@pytest.fixture
async def channel(server: int) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server}") as chan:
        yield chan


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> pb_grpc.DocReaderStub:
    return pb_grpc.DocReaderStub(channel)


def check_chunks(chunks: Any, size: int) -> None:
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    for before, after in zip(chunks, chunks[1:], strict=False):
        assert after.start <= before.end and after.end > before.end
    for chunk in chunks:
        assert chunk.end - chunk.start <= len(chunk.content)
        if "|---" not in chunk.content:
            assert len(chunk.content) <= size


class TestClassicContract:
    async def test_read_from_file_with_zero_config_uses_defaults(
        self, channel: grpc.aio.Channel, tmp_path: Path
    ) -> None:
        msgs = classic_messages(tmp_path)
        call = channel.unary_unary(
            "/docreader.DocReader/ReadFromFile",
            request_serializer=msgs["ReadFromFileRequest"].SerializeToString,
            response_deserializer=msgs["ReadResponse"].FromString,
        )
        text = ("첫 문단입니다. " * 10 + "\n\n") * 12
        storage = {"provider": 2, "bucket_name": "theirs", "access_key_id": "AK", "secret_access_key": "SK"}
        request = msgs["ReadFromFileRequest"](
            file_content=text.encode(),
            file_name="notes.txt",
            file_type="txt",
            read_config=msgs["ReadConfig"](storage_config=storage),
        )
        response = await call(request)
        assert response.error == ""
        check_chunks(response.chunks, 512)
        assert len(response.chunks) >= 2
        assert response.chunks[0].content.startswith("첫 문단입니다.")
        assert max(len(c.content) for c in response.chunks) > 400  # packed up to 512, not split per sentence

    async def test_read_from_url_classic(
        self, channel: grpc.aio.Channel, tmp_path: Path, http_base: str
    ) -> None:
        msgs = classic_messages(tmp_path)
        call = channel.unary_unary(
            "/docreader.DocReader/ReadFromURL",
            request_serializer=msgs["ReadFromURLRequest"].SerializeToString,
            response_deserializer=msgs["ReadResponse"].FromString,
        )
        response = await call(msgs["ReadFromURLRequest"](url=f"{http_base}/page", title="로컬"))
        text = "".join(c.content for c in response.chunks)
        assert "# 로컬" in text and "지식 문서 본문입니다." in text and "- 하나" in text
        assert "Menu junk" not in text


class TestAdditions:
    async def test_stream_sends_chunks_then_done_with_pages(self, stub: pb_grpc.DocReaderStub) -> None:
        frames = [
            frame
            async for frame in stub.ReadStream(
                pb.ReadStreamRequest(
                    file_content=fx.pdf_document(),
                    file_name="report.pdf",
                    read_config=pb.ReadConfig(chunk_size=200, chunk_overlap=20),
                )
            )
        ]
        assert frames[-1].WhichOneof("payload") == "done"
        assert all(f.WhichOneof("payload") == "chunk" for f in frames[:-1])
        done = frames[-1].done
        chunks = [f.chunk for f in frames[:-1]]
        assert done.chunk_count == len(chunks) and done.page_count == 2 and done.file_type == "pdf"
        check_chunks(chunks, 200)
        assert chunks[0].pages == [1] and chunks[-1].pages == [2]
        assert any(list(c.pages) == [1, 2] for c in chunks) or any("Page Break" in c.content for c in chunks)
        table = next(c.content for c in chunks if "| 구분 |" in c.content)
        assert "| 매출 | 120 | 150 |" in table

    async def test_stream_from_storage_key(self, stub: pb_grpc.DocReaderStub, settings: Settings) -> None:
        store = LocalStore(Path(settings.storage.local_dir))
        await store.put("t1/kb/note.docx", fx.docx_document())
        frames = [f async for f in stub.ReadStream(pb.ReadStreamRequest(storage_key="t1/kb/note.docx"))]
        assert frames[-1].done.title == "지식 문서"
        assert "# 개요 Overview" in frames[0].chunk.content
        response = await stub.ReadFromStorage(pb.ReadFromStorageRequest(storage_key="t1/kb/note.docx"))
        assert [c.content for c in response.chunks] == [f.chunk.content for f in frames[:-1]]

    async def test_reflection_lists_the_service(self, channel: grpc.aio.Channel) -> None:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        responses = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        )
        names = [s.name async for r in responses for s in r.list_services_response.service]
        assert SERVICE_NAME in names and "grpc.health.v1.Health" in names

    async def test_concurrent_requests(self, stub: pb_grpc.DocReaderStub) -> None:
        data = [fx.docx_document(), fx.xlsx_document(), fx.pptx_document(), fx.HTML.encode()]
        names = ["a.docx", "b.xlsx", "c.pptx", "d.html"]
        responses = await asyncio.gather(
            *(
                stub.ReadFromFile(pb.ReadFromFileRequest(file_content=d, file_name=n))
                for d, n in zip(data, names, strict=True)
            )
        )
        assert [r.document.file_type for r in responses] == ["docx", "xlsx", "pptx", "html"]
        assert all(r.chunks for r in responses)


class TestErrors:
    @pytest.mark.parametrize(
        ("request_kwargs", "code", "pattern"),
        [
            (
                {"file_content": b"not a pdf at all", "file_name": "x.pdf"},
                grpc.StatusCode.FAILED_PRECONDITION,
                "x.pdf",
            ),
            ({"file_content": b"", "file_name": "empty.txt"}, grpc.StatusCode.INVALID_ARGUMENT, "empty"),
            (
                {"file_content": b"\x00\x01" * 3000, "file_name": "blob.bin"},
                grpc.StatusCode.INVALID_ARGUMENT,
                "blob.bin",
            ),
            (
                {"file_content": b"a" * (3 << 20), "file_name": "big.txt"},
                grpc.StatusCode.RESOURCE_EXHAUSTED,
                "big.txt",
            ),
            (
                {
                    "file_content": b"hello",
                    "file_name": "a.txt",
                    "read_config": pb.ReadConfig(chunk_size=10, chunk_overlap=20),
                },
                grpc.StatusCode.INVALID_ARGUMENT,
                "chunk_overlap",
            ),
        ],
    )
    async def test_typed_status_and_message(
        self, stub: pb_grpc.DocReaderStub, request_kwargs: dict[str, Any], code: grpc.StatusCode, pattern: str
    ) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ReadFromFile(pb.ReadFromFileRequest(**request_kwargs))
        assert caught.value.code() == code
        assert re.search(pattern, caught.value.details() or "")

    async def test_encrypted_pdf_then_server_still_serves(self, stub: pb_grpc.DocReaderStub) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.ReadFromFile(
                pb.ReadFromFileRequest(file_content=fx.encrypted_pdf(), file_name="locked.pdf")
            )
        assert "password" in (caught.value.details() or "")
        ok = await stub.ReadFromFile(pb.ReadFromFileRequest(file_content=b"still alive", file_name="a.txt"))
        assert ok.chunks[0].content == "still alive"

    async def test_storage_key_errors(self, stub: pb_grpc.DocReaderStub) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await stub.ReadFromStorage(pb.ReadFromStorageRequest(storage_key="nope/none.pdf"))
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        with pytest.raises(grpc.aio.AioRpcError) as escape:
            await stub.ReadFromStorage(pb.ReadFromStorageRequest(storage_key="../../etc/passwd"))
        assert escape.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    async def test_blocked_url(self, stub: pb_grpc.DocReaderStub) -> None:
        for url in ("http://127.0.0.2:9/x", "http://169.254.169.254/latest/meta-data/"):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await stub.ReadFromURL(pb.ReadFromURLRequest(url=url))
            assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED

    async def test_stream_error_is_a_status(self, stub: pb_grpc.DocReaderStub) -> None:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in stub.ReadStream(pb.ReadStreamRequest(storage_key="missing/key.pdf")):
                pass
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def _deck_images(stub: pb_grpc.DocReaderStub, vlm: pb.VLMConfig) -> list[Any]:
    """The images of a generated slide deck read with multimodal on and ``vlm`` as the vision model."""
    response = await stub.ReadFromFile(
        pb.ReadFromFileRequest(
            file_content=fx.pptx_document(),
            file_name="deck.pptx",
            read_config=pb.ReadConfig(enable_multimodal=True, vlm_config=vlm),
        )
    )
    return [image for chunk in response.chunks for image in chunk.images]


class TestMultimodal:
    async def test_images_stored_and_reported_when_no_vision_model(
        self, stub: pb_grpc.DocReaderStub, settings: Settings
    ) -> None:
        response = await stub.ReadFromFile(
            pb.ReadFromFileRequest(
                file_content=fx.docx_document(),
                file_name="note.docx",
                read_config=pb.ReadConfig(enable_multimodal=True),
            )
        )
        images = [image for chunk in response.chunks for image in chunk.images]
        assert images, "the picture must be reported"
        image = images[0]
        assert re.fullmatch(r"images/[0-9a-f]{64}\.png", image.storage_key)
        assert image.url == f"local://{image.storage_key}"
        assert "caption skipped: no vision model is configured" in image.error
        chunk = next(c for c in response.chunks if c.images)
        assert chunk.content[image.start : image.end] == f"![image]({image.storage_key})"
        assert (Path(settings.storage.local_dir) / image.storage_key).read_bytes()[:4] == b"\x89PNG"

    async def test_caption_from_request_vision_model(
        self, stub: pb_grpc.DocReaderStub, http_base: str
    ) -> None:
        vlm = pb.VLMConfig(
            model_name="tiny-vl", base_url=f"{http_base}/v1", api_key="k", interface_type="openai"
        )
        images = await _deck_images(stub, vlm)
        assert images and all(image.caption == "a small square" for image in images)

    async def test_vision_model_on_blocked_address_is_refused(self, stub: pb_grpc.DocReaderStub) -> None:
        vlm = pb.VLMConfig(model_name="m", base_url="http://169.254.169.254/v1")
        images = await _deck_images(stub, vlm)
        assert images and all("vision model URL refused" in image.error for image in images)
