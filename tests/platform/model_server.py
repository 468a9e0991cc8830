"""An in-process model service (any servicer) behind jisik's real server bootstrap and channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import grpc

from jisik.grpc_server import create_server, grpc_channel
from jisik.proto import model_pb2, model_pb2_grpc
from jisik.settings import EndpointSettings


async def serve_model(
    servicer: model_pb2_grpc.ModelServicer, endpoints: EndpointSettings
) -> tuple[grpc.aio.Server, int]:
    """``servicer`` as the model service on a free loopback port, started: (server, port)."""
    server, port, _ = create_server(
        register=lambda server: model_pb2_grpc.add_ModelServicer_to_server(servicer, server),
        service_names=[model_pb2.DESCRIPTOR.services_by_name["Model"].full_name],
        address="127.0.0.1:0",
        endpoints=endpoints,
    )
    await server.start()
    return server, port


@asynccontextmanager
async def model_channel(servicer: model_pb2_grpc.ModelServicer) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to ``servicer`` served on a free loopback port, closed and stopped on exit."""
    endpoints = EndpointSettings()
    server, port = await serve_model(servicer, endpoints)
    channel = grpc_channel(f"127.0.0.1:{port}", endpoints)
    try:
        yield channel
    finally:
        await channel.close()
        await server.stop(0)
