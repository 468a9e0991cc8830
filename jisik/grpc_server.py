"""One shape for every jisik gRPC server: health, reflection, tracing, metrics, typed-error mapping, service auth.

``create_server`` builds and binds a server and returns it with its port (bind port 0 in tests);
``serve_forever`` starts it and stops it with a grace period on SIGINT/SIGTERM; ``grpc_channel`` is the
one way clients reach a service.

Service authentication: when ``JISIK_SERVICE_TOKEN`` is set, every call except health checks must carry
it (``x-jisik-service-token`` metadata, compared in constant time) and every channel made by
``grpc_channel`` sends it. A server bound beyond loopback refuses to start without a token, because its
callers name the tenant they act for and the services trust that name.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import signal
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry import trace

from jisik.clients.errors import status_of, trailing_metadata
from jisik.db.outage import database_is_down
from jisik.errors import InvalidInput, JisikError, Unavailable
from jisik.metrics import RPC_REQUESTS, RPC_SECONDS
from jisik.settings import EndpointSettings
from jisik.telemetry import attached, context_from_metadata, inject_metadata

__all__ = [
    "SERVICE_TOKEN_HEADER",
    "TracingClientInterceptor",
    "TracingStreamClientInterceptor",
    "abort_with",
    "create_server",
    "grpc_channel",
    "serve_forever",
]

logger = logging.getLogger(__name__)

SERVICE_TOKEN_HEADER = "x-jisik-service-token"
_UNAUTHENTICATED_EXEMPT = ("/grpc.health.v1.Health/",)


async def abort_with(context: grpc.aio.ServicerContext, error: JisikError) -> None:
    """End the call with ``error``'s status; its code in trailing metadata lets clients rebuild it."""
    await context.abort(status_of(error), error.message, trailing_metadata=trailing_metadata(error))


def _known_error(exc: Exception) -> JisikError | None:
    """The jisik error a failed call answers with: a JisikError as it is, PostgreSQL down or restarting
    as Unavailable (callers wait that out instead of failing the work); None for anything else."""
    if isinstance(exc, JisikError):
        return exc
    if database_is_down(exc):
        logger.warning("call failed: the database is unavailable (%s)", type(exc).__name__)
        return Unavailable("the database (PostgreSQL) is unavailable; try again shortly")
    return None


def _observe(method: str, context: grpc.aio.ServicerContext, outcome: str, started: float) -> None:
    """Count the call by the status it ended with (a code the handler set itself wins) and time it."""
    code = context.code()
    name = code.name if isinstance(code, grpc.StatusCode) and outcome in ("OK", "UNKNOWN") else outcome
    RPC_REQUESTS.labels(method, name).inc()
    RPC_SECONDS.labels(method).observe(time.perf_counter() - started)


@asynccontextmanager
async def _serving(method: str, context: grpc.aio.ServicerContext) -> AsyncIterator[Callable[[], None]]:
    """One served call in a server span of the caller's trace: a JisikError (or a database outage, as
    Unavailable) becomes the call's status, and the call is counted and timed by how it ended. The body
    calls the yielded ``finished()`` once it is done."""
    parent = context_from_metadata(context.invocation_metadata())
    started, outcome = time.perf_counter(), ["UNKNOWN"]
    with attached(parent), trace.get_tracer(__name__).start_as_current_span(
        method, kind=trace.SpanKind.SERVER, attributes={"rpc.method": method}
    ) as span:
        try:
            yield lambda: outcome.__setitem__(0, "OK")
        except Exception as exc:
            error = _known_error(exc)
            if error is None:
                raise
            span.set_attribute("error.code", error.code)
            outcome[0] = status_of(error).name
            await abort_with(context, error)
        except (asyncio.CancelledError, GeneratorExit):
            outcome[0] = "CANCELLED"
            raise
        finally:
            _observe(method, context, outcome[0], started)


def _wrap_unary(behavior: Callable[..., Awaitable[Any]], method: str) -> Callable[..., Awaitable[Any]]:
    async def handler(request: Any, context: grpc.aio.ServicerContext) -> Any:
        async with _serving(method, context) as finished:
            result = await behavior(request, context)
            finished()
            return result

    return handler


def _wrap_stream(behavior: Callable[..., Any], method: str) -> Callable[..., Any]:
    async def handler(request: Any, context: grpc.aio.ServicerContext) -> Any:
        async with _serving(method, context) as finished:
            async for item in behavior(request, context):
                yield item
            finished()

    return handler


class _ServerInterceptor(grpc.aio.ServerInterceptor):
    """Opens a server span in the caller's trace, turns JisikError into a gRPC status, counts and times the call."""

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or method.startswith(("/grpc.health", "/grpc.reflection")):
            return handler
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                _wrap_unary(handler.unary_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                _wrap_stream(handler.unary_stream, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        return handler


def _refuse(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """A handler of the same call shape that rejects the call as unauthenticated."""

    async def abort(request: Any, context: grpc.aio.ServicerContext) -> Any:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong service token")

    shape = {"request_deserializer": handler.request_deserializer, "response_serializer": handler.response_serializer}
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(abort, **shape)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(abort, **shape)
    if handler.stream_stream:
        return grpc.stream_stream_rpc_method_handler(abort, **shape)
    return grpc.unary_unary_rpc_method_handler(abort, **shape)


class _ServiceTokenInterceptor(grpc.aio.ServerInterceptor):
    """Lets a call through only when it carries the service token (health checks excepted)."""

    def __init__(self, token: str) -> None:
        self._token = token.encode()

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler_call_details.method.startswith(_UNAUTHENTICATED_EXEMPT):
            return handler
        sent = dict(handler_call_details.invocation_metadata or ()).get(SERVICE_TOKEN_HEADER, "")
        sent_bytes = sent.encode() if isinstance(sent, str) else bytes(sent)
        if hmac.compare_digest(sent_bytes, self._token):
            return handler
        logger.warning("refused %s: missing or wrong service token", handler_call_details.method)
        return _refuse(handler)


def _outgoing(details: grpc.aio.ClientCallDetails, token: str) -> grpc.aio.ClientCallDetails:
    metadata = list(inject_metadata(tuple(details.metadata or ())))
    if token:
        metadata.append((SERVICE_TOKEN_HEADER, token))
    return grpc.aio.ClientCallDetails(
        method=details.method,
        timeout=details.timeout,
        metadata=grpc.aio.Metadata(*metadata),
        credentials=details.credentials,
        wait_for_ready=details.wait_for_ready,
    )


# Two classes on purpose: grpc.aio files an interceptor under the FIRST call type it subclasses,
# so one class for both would leave server-streaming calls without trace context.
class TracingClientInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Adds the W3C traceparent of the current span (and the service token) to every unary call."""

    def __init__(self, token: str = "") -> None:
        self._token = token

    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return await continuation(_outgoing(client_call_details, self._token), request)


class TracingStreamClientInterceptor(grpc.aio.UnaryStreamClientInterceptor):
    """Adds the W3C traceparent of the current span (and the service token) to every streaming call."""

    def __init__(self, token: str = "") -> None:
        self._token = token

    async def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return await continuation(_outgoing(client_call_details, self._token), request)


def grpc_channel(address: str, endpoints: EndpointSettings) -> grpc.aio.Channel:
    """A channel with jisik's message cap, trace propagation and the service token; every client opens
    its channel here."""
    size = endpoints.grpc_max_message_bytes
    token = endpoints.service_token.get_secret_value()
    return grpc.aio.insecure_channel(
        address,
        options=[("grpc.max_send_message_length", size), ("grpc.max_receive_message_length", size)],
        interceptors=[TracingClientInterceptor(token), TracingStreamClientInterceptor(token)],
    )


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _interceptors(address: str, endpoints: EndpointSettings) -> list[grpc.aio.ServerInterceptor]:
    token = endpoints.service_token.get_secret_value()
    if not token and not _is_loopback(address):
        raise InvalidInput(
            f"refusing to serve on {address} without a service token: set JISIK_SERVICE_TOKEN "
            "(the same value for every jisik process) or bind to 127.0.0.1",
            field="service_token",
        )
    return [_ServiceTokenInterceptor(token)] if token else []


def create_server(
    *,
    register: Callable[[grpc.aio.Server], None],
    service_names: Sequence[str],
    address: str,
    endpoints: EndpointSettings,
    max_workers: int | None = None,
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """Build a server with the service(s) registered, health and reflection; bind ``address``.

    :returns: the server, the bound port and the health servicer (to flip NOT_SERVING on shutdown).
    """
    size = endpoints.grpc_max_message_bytes
    options = [("grpc.max_send_message_length", size), ("grpc.max_receive_message_length", size)]
    if max_workers:
        options.append(("grpc.max_concurrent_streams", max_workers * 4))
    interceptors = [*_interceptors(address, endpoints), _ServerInterceptor()]
    server = grpc.aio.server(interceptors=interceptors, options=options)
    register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    reflection.enable_server_reflection([*service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(address)
    if port == 0:
        raise OSError(f"cannot bind {address}: the port is in use or the address is invalid")
    return server, port, health_servicer


async def serve_forever(
    server: grpc.aio.Server,
    health_servicer: health.aio.HealthServicer,
    service_names: Sequence[str],
    grace_s: float,
    on_stop: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Start, mark SERVING, and on SIGINT/SIGTERM mark NOT_SERVING and stop with a grace period."""
    await server.start()
    for name in ("", *service_names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for name in ("", *service_names):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.NOT_SERVING)
    await server.stop(grace_s)
    if on_stop is not None:
        await on_stop()
