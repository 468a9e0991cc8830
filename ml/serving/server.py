"""gRPC face of the model service: protobuf in and out; the logic is in service.py."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import grpc
from grpc_health.v1 import health

from jisik.db.engine import create_engine, session_factory
from jisik.grpc_server import create_server as create_grpc_server
from jisik.grpc_server import serve_forever
from jisik.netguard import AddressPolicy
from jisik.proto import model_pb2 as pb
from jisik.proto import model_pb2_grpc as pb_grpc
from jisik.secret_box import SecretBox
from jisik.settings import Settings

from .backends import extractive
from .local import load_embedder
from .metrics import CHAT_FIRST_TOKEN_SECONDS, CHAT_TOKENS
from .service import ModelService
from .types import ChatInput, Message, Role

__all__ = ["SERVICE_NAME", "ModelServicer", "create_server", "run"]

logger = logging.getLogger(__name__)

SERVICE_NAME = pb.DESCRIPTOR.services_by_name["Model"].full_name
_ROLES: dict[int, Role] = {pb.EMBED_ROLE_PASSAGE: "passage", pb.EMBED_ROLE_QUERY: "query"}


class ModelServicer(pb_grpc.ModelServicer):
    def __init__(self, service: ModelService) -> None:
        self.service = service

    async def Embed(self, request: pb.EmbedRequest, context: grpc.aio.ServicerContext) -> pb.EmbedResponse:
        role = _ROLES.get(request.role, "passage")
        spec, result = await self.service.embed(
            request.tenant_id, request.model_id, list(request.texts), role
        )
        return pb.EmbedResponse(
            vectors=[pb.Vector(values=row.tolist()) for row in result.vectors],
            model_id=spec.id,
            dimension=int(result.vectors.shape[1]),
            truncated=list(result.truncated),
        )

    async def Rerank(self, request: pb.RerankRequest, context: grpc.aio.ServicerContext) -> pb.RerankResponse:
        spec, scores = await self.service.rerank(
            request.tenant_id, request.model_id, request.query, list(request.passages)
        )
        return pb.RerankResponse(scores=scores, model_id=spec.id)

    async def ChatStream(
        self, request: pb.ChatRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[pb.ChatChunk]:
        chat = ChatInput(
            messages=tuple(Message(m.role, m.content) for m in request.messages),
            passages=tuple(request.passages),
            question=request.question,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
        )
        started, first = time.perf_counter(), True
        spec, events = await self.service.chat_stream(request.tenant_id, request.model_id, chat)
        source = spec.source.value
        async for event in events:
            if first and event.delta:
                CHAT_FIRST_TOKEN_SECONDS.labels(source).observe(time.perf_counter() - started)
                first = False
            if event.model_input:
                yield pb.ChatChunk(model_input=event.model_input, model_id=spec.id)
            elif event.usage is None:
                yield pb.ChatChunk(delta=event.delta, model_id=spec.id)
            else:
                CHAT_TOKENS.labels(source, "prompt").inc(event.usage.prompt_tokens)
                CHAT_TOKENS.labels(source, "completion").inc(event.usage.completion_tokens)
                yield pb.ChatChunk(
                    delta=event.delta,
                    done=True,
                    usage=pb.Usage(
                        prompt_tokens=event.usage.prompt_tokens,
                        completion_tokens=event.usage.completion_tokens,
                    ),
                    model_id=spec.id,
                    finish_reason=event.finish_reason,
                )

    async def ListModels(
        self, request: pb.ListModelsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListModelsResponse:
        infos = await self.service.list_models(request.tenant_id)
        return pb.ListModelsResponse(
            models=[
                pb.ModelInfo(
                    id=info.spec.id,
                    name=info.spec.name,
                    type=info.spec.type.value,
                    source=info.spec.source.value,
                    dimension=info.spec.dimension,
                    is_default=info.spec.is_default,
                    available=info.available,
                    unavailable_reason=info.unavailable_reason,
                )
                for info in infos
            ]
        )


async def create_server(
    settings: Settings, port: int, database_url: str | None
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer, ModelService]:
    """Build the service (registry on ``database_url``; built-ins only when None) and bind, not start."""
    engine = create_engine(database_url, pool_size=settings.database.pool_size) if database_url else None
    service = ModelService(
        settings.model,
        session_factory(engine) if engine else None,
        engine=engine,
        address_policy=AddressPolicy(settings.endpoints.egress_allow_list),
        box=SecretBox(settings.endpoints.encryption_key.get_secret_value()),
    )
    servicer = ModelServicer(service)
    server, bound, health_servicer = create_grpc_server(
        register=lambda server: pb_grpc.add_ModelServicer_to_server(servicer, server),
        service_names=[SERVICE_NAME],
        address=f"{settings.endpoints.bind_host}:{port}",
        endpoints=settings.endpoints,
    )
    return server, bound, health_servicer, service


async def run(settings: Settings, *, port: int | None = None) -> None:
    """Serve the model service until SIGINT/SIGTERM; default models load at start only when preloading."""
    database_url = settings.database.dsn
    if port is None:
        port = settings.endpoints.model.port
    if settings.runtime.preload_models:
        if settings.model.default_embedding == "multilingual-e5-small":
            load_embedder(cache_dir=settings.model.cache_dir)
        if settings.model.default_chat == extractive.NAME:
            extractive.warm_up()
    server, bound, health_servicer, service = await create_server(settings, port, database_url)
    logger.info("model service listening on %s:%d", settings.endpoints.bind_host, bound)
    await serve_forever(
        server,
        health_servicer,
        [SERVICE_NAME],
        settings.endpoints.grpc_shutdown_grace_s,
        on_stop=service.aclose,
    )
