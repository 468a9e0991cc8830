"""Internal gRPC services accept only callers holding the service token (issue 13, break 7 / deliverable 4)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from pydantic import SecretStr

from jisik.errors import InvalidInput
from jisik.grpc_server import SERVICE_TOKEN_HEADER, grpc_channel
from jisik.proto import model_pb2, model_pb2_grpc
from jisik.settings import Settings
from ml.serving.server import create_server

TOKEN = "a-long-random-service-token"


@pytest.fixture(scope="module")
async def model_port() -> AsyncIterator[tuple[int, Settings]]:
    """The real model service (built-in models only) with a service token configured."""
    base = Settings.load()
    settings = base.model_copy(
        update={"endpoints": base.endpoints.model_copy(update={"service_token": SecretStr(TOKEN)})}
    )
    server, port, _, service = await create_server(settings, 0, None)
    await server.start()
    yield port, settings
    await server.stop(0)
    await service.aclose()


async def _list_models(port: int, metadata: tuple[tuple[str, str], ...] = ()) -> grpc.StatusCode:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            await model_pb2_grpc.ModelStub(channel).ListModels(
                model_pb2.ListModelsRequest(tenant_id="any-tenant"), metadata=metadata, timeout=10
            )
        except grpc.aio.AioRpcError as exc:
            return exc.code()
    return grpc.StatusCode.OK


async def test_calls_without_the_token_are_refused(model_port: tuple[int, Settings]) -> None:
    port, _ = model_port
    assert await _list_models(port) == grpc.StatusCode.UNAUTHENTICATED
    assert await _list_models(port, ((SERVICE_TOKEN_HEADER, "wrong"),)) == grpc.StatusCode.UNAUTHENTICATED
    assert await _list_models(port, ((SERVICE_TOKEN_HEADER, TOKEN[:-1]),)) == grpc.StatusCode.UNAUTHENTICATED
    assert await _list_models(port, ((SERVICE_TOKEN_HEADER, TOKEN),)) == grpc.StatusCode.OK


async def test_streaming_calls_are_refused_too(model_port: tuple[int, Settings]) -> None:
    port, _ = model_port
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = model_pb2_grpc.ModelStub(channel).ChatStream(
            model_pb2.ChatRequest(tenant_id="t", question="q"), timeout=10
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in call:
                pass
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_the_shared_channel_sends_the_token(model_port: tuple[int, Settings]) -> None:
    port, settings = model_port
    async with grpc_channel(f"127.0.0.1:{port}", settings.endpoints) as channel:
        reply = await model_pb2_grpc.ModelStub(channel).ListModels(model_pb2.ListModelsRequest(tenant_id="t"))
    assert any(model.id == "extractive" for model in reply.models)


async def test_health_checks_need_no_token(model_port: tuple[int, Settings]) -> None:
    port, _ = model_port
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
    assert reply.status == health_pb2.HealthCheckResponse.SERVING


async def test_binding_beyond_loopback_without_a_token_is_refused() -> None:
    base = Settings.load()
    settings = base.model_copy(
        update={
            "endpoints": base.endpoints.model_copy(
                update={"bind_host": "0.0.0.0", "service_token": SecretStr("")}
            )
        }
    )
    with pytest.raises(InvalidInput, match="JISIK_SERVICE_TOKEN"):
        await create_server(settings, 0, None)


def test_serve_command_refuses_a_public_bind_without_a_token() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "JISIK_DOCREADER_ADDR": f"0.0.0.0:{port}", "JISIK_SERVICE_TOKEN": ""}
    result = subprocess.run(
        [sys.executable, "-m", "jisik", "serve", "docreader"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "JISIK_SERVICE_TOKEN" in result.stderr.strip().splitlines()[-1]
