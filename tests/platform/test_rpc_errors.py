"""The one gRPC-status <-> error mapping: what a jisik server raises, a jisik client raises again,
class for class, through a real server and channel; a plain status from a foreign server maps by status."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import asyncpg
import grpc
import pytest
from model_server import model_channel

from jisik import errors
from jisik.clients.model import ModelClient
from jisik.grpc_server import grpc_channel
from jisik.proto import model_pb2, model_pb2_grpc
from jisik.settings import EndpointSettings

# Every error class of jisik.errors made of a message and a field, raised by the server under its name.
RAISED = {
    name: cls for name in errors.__all__
    if (cls := getattr(errors, name)).__init__ is errors.JisikError.__init__
}
FOREIGN = {
    "ALREADY_EXISTS": errors.Conflict,
    "PERMISSION_DENIED": errors.Blocked,
    "FAILED_PRECONDITION": errors.ParseFailed,
    "INVALID_ARGUMENT": errors.InvalidInput,
    "RESOURCE_EXHAUSTED": errors.TooLarge,
    "UNAVAILABLE": errors.Unavailable,
    "ABORTED": errors.ParserCrashed,
    "INTERNAL": errors.JisikError,
}


class Raising(model_pb2_grpc.ModelServicer):
    """``model_id`` names the error: a jisik class (raised, so the shared interceptor maps it), or
    ``status:NAME`` (a bare status, as a server that is not jisik's would answer)."""

    async def Embed(self, request: model_pb2.EmbedRequest, context: grpc.aio.ServicerContext) -> model_pb2.EmbedResponse:
        if request.model_id.startswith("status:"):
            await context.abort(grpc.StatusCode[request.model_id.removeprefix("status:")], "refused")
        if request.model_id == "rate_limited":
            raise errors.RateLimited("slow down", retry_after_s=3)
        if request.model_id == "database_down":  # what the driver raises while PostgreSQL is down
            await asyncpg.connect(host="127.0.0.1", port=_closed_port(), user="jisik", timeout=5)
        if request.model_id == "database_starting":  # ... and while it restarts
            raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")
        if request.model_id == "bug":
            raise RuntimeError("a bug")
        raise RAISED[request.model_id](f"refused by {request.model_id}", field="texts")


def _closed_port() -> int:
    with socket.socket() as probe:  # a port that was free a moment ago; nothing listens on it
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
async def client() -> AsyncIterator[ModelClient]:
    async with model_channel(Raising()) as channel:
        yield ModelClient(channel, timeout_s=5, rerank_timeout_s=5, stream_timeout_s=5)


@pytest.mark.parametrize("name", sorted(RAISED))
async def test_a_jisik_error_arrives_as_the_same_class(client: ModelClient, name: str) -> None:
    with pytest.raises(errors.JisikError) as raised:
        await client.embed(tenant_id="t", model_id=name, texts=["x"])
    assert type(raised.value) is RAISED[name]
    assert raised.value.field == "texts"
    assert raised.value.message == f"model service: refused by {name}"


@pytest.mark.parametrize("status", sorted(FOREIGN))
async def test_a_bare_status_maps_by_status(client: ModelClient, status: str) -> None:
    with pytest.raises(errors.JisikError) as raised:
        await client.embed(tenant_id="t", model_id=f"status:{status}", texts=["x"])
    assert type(raised.value) is FOREIGN[status]


async def test_no_server_is_unavailable() -> None:
    channel = grpc_channel(f"127.0.0.1:{_closed_port()}", EndpointSettings())
    try:
        with pytest.raises(errors.Unavailable):
            await ModelClient(channel, timeout_s=2, rerank_timeout_s=2, stream_timeout_s=2).embed(
                tenant_id="t", model_id="", texts=["x"])
    finally:
        await channel.close()


async def test_an_error_with_more_fields_arrives_as_its_status_class(client: ModelClient) -> None:
    with pytest.raises(errors.TooLarge):  # RateLimited's retry_after_s does not cross the wire
        await client.embed(tenant_id="t", model_id="rate_limited", texts=["x"])


def test_every_status_a_jisik_error_uses_means_something_bare() -> None:
    from jisik.clients.errors import _BY_STATUS

    used = {grpc.StatusCode[getattr(errors, name).grpc_status] for name in errors.__all__} - {grpc.StatusCode.INTERNAL}
    assert used <= set(_BY_STATUS)


@pytest.mark.parametrize("model_id", ["database_down", "database_starting"])
async def test_a_service_whose_database_is_down_answers_unavailable(client: ModelClient, model_id: str) -> None:
    """So the caller (ingest) waits the restart out instead of failing the document after a few tries."""
    with pytest.raises(errors.Unavailable) as raised:
        await client.embed(tenant_id="t", model_id=model_id, texts=["x"])
    assert "PostgreSQL" in raised.value.message


async def test_any_other_unexpected_error_stays_internal(client: ModelClient) -> None:
    with pytest.raises(errors.JisikError) as raised:
        await client.embed(tenant_id="t", model_id="bug", texts=["x"])
    assert type(raised.value) is errors.JisikError
    assert raised.value.message == "model service: internal error"  # "a bug" stays in the service's log
