"""Readiness of a process's dependencies: PostgreSQL, the Kafka broker and the gRPC services.

The gateway's ``/ready`` route calls :func:`check_dependencies`; each check has a short time limit
and, when it fails, a reason that names the cause (never a password or key).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import asyncpg
import grpc
from aiokafka import AIOKafkaClient
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from jisik.db.engine import async_url
from jisik.settings import Settings

__all__ = ["DEFAULT_TIMEOUT_S", "BusyTolerance", "DependencyStatus", "check_dependencies", "database_status",
           "grpc_status", "kafka_status"]

DEFAULT_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class DependencyStatus:
    """``ok`` with the check's latency, or not ok with a ``reason``."""

    ok: bool
    reason: str = ""
    latency_ms: float = 0.0


NO_ANSWER_IN_TIME = "no answer in time"


class BusyTolerance:
    """Tells a busy service from a dead one: a check that only timed out counts as ok (``busy``)
    when the same dependency answered within the last ``window_s`` seconds. A refused connection or
    an explicit NOT_SERVING is reported at once."""

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._last_ok: dict[str, float] = {}

    def apply(self, results: dict[str, DependencyStatus], now: float | None = None) -> dict[str, DependencyStatus]:
        now = time.monotonic() if now is None else now
        tolerated = {}
        for name, status in results.items():
            if status.ok:
                self._last_ok[name] = now
            elif status.reason == NO_ANSWER_IN_TIME and now - self._last_ok.get(name, -self.window_s) < self.window_s:
                status = DependencyStatus(ok=True, reason="busy: slow to answer, answered "
                                          f"{now - self._last_ok[name]:.0f}s ago")
            tolerated[name] = status
        return tolerated


class _NotServing(Exception):
    """The service answered, but not with SERVING."""


async def _check_database(settings: Settings, engine: AsyncEngine | None) -> None:
    if engine is not None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return
    dsn = "postgresql://" + async_url(settings.database.dsn).removeprefix("postgresql+asyncpg://")
    connection = await asyncpg.connect(dsn, timeout=DEFAULT_TIMEOUT_S)
    try:
        await connection.fetchval("SELECT 1")
    finally:
        await connection.close()


async def _check_kafka(settings: Settings) -> None:
    client = AIOKafkaClient(bootstrap_servers=settings.kafka.brokers, client_id=settings.kafka.client_id)
    try:
        await client.bootstrap()  # a metadata request to one of the brokers
    finally:
        await client.close()


async def _check_grpc(address: str, timeout_s: float) -> None:
    async with grpc.aio.insecure_channel(address) as channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=timeout_s)
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        raise _NotServing(f"health status is {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}")


def _reason(exc: BaseException, secrets: tuple[str, ...]) -> str:
    if isinstance(exc, TimeoutError):
        return NO_ANSWER_IN_TIME
    if isinstance(exc, _NotServing):
        return str(exc)
    if isinstance(exc, grpc.aio.AioRpcError) and exc.code() == grpc.StatusCode.DEADLINE_EXCEEDED:
        return NO_ANSWER_IN_TIME
    if isinstance(exc, grpc.aio.AioRpcError):
        reason = f"{exc.code().name}: {exc.details() or ''}".strip(": ")
    else:
        reason = f"{type(exc).__name__}: {exc}".strip(": ")
    for secret in secrets:
        if secret:
            reason = reason.replace(secret, "***")
    return reason[:300]


async def _timed(check: Callable[[], Awaitable[None]], timeout_s: float, secrets: tuple[str, ...]) -> DependencyStatus:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check(), timeout_s)
    except Exception as exc:  # noqa: BLE001 - any failure means "down", reported with its reason
        return DependencyStatus(ok=False, reason=_reason(exc, secrets))
    return DependencyStatus(ok=True, latency_ms=round((time.perf_counter() - started) * 1000, 1))


def _password(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(async_url(url)).password or ""
    except Exception:  # noqa: BLE001 - an unparsable URL has no password to hide
        return ""


async def database_status(
    settings: Settings, *, engine: AsyncEngine | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
) -> DependencyStatus:
    """Whether PostgreSQL answers ``SELECT 1``."""
    secrets = (_password(settings.database.dsn),)
    return await _timed(lambda: _check_database(settings, engine), timeout_s, secrets)


async def kafka_status(settings: Settings, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> DependencyStatus:
    """Whether a Kafka broker answers a metadata request."""
    return await _timed(lambda: _check_kafka(settings), timeout_s, ())


async def grpc_status(address: str, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> DependencyStatus:
    """Whether the gRPC server at ``address`` answers grpc.health.v1 Check with SERVING."""
    return await _timed(lambda: _check_grpc(address, timeout_s), timeout_s, ())


async def check_dependencies(
    settings: Settings, *, engine: AsyncEngine | None = None, timeout_s: float = DEFAULT_TIMEOUT_S
) -> dict[str, DependencyStatus]:
    """Check every dependency concurrently.

    :param engine: the caller's engine, reused for the database check; else a short connection is made.
    :returns: ``database``, ``kafka``, ``docreader``, ``retriever`` and ``model``, each with its status.
    """
    endpoints = settings.endpoints
    checks: dict[str, Awaitable[DependencyStatus]] = {
        "database": database_status(settings, engine=engine, timeout_s=timeout_s),
        "kafka": kafka_status(settings, timeout_s=timeout_s),
        "docreader": grpc_status(endpoints.docreader_addr, timeout_s=timeout_s),
        "retriever": grpc_status(endpoints.retriever_addr, timeout_s=timeout_s),
        "model": grpc_status(endpoints.model_addr, timeout_s=timeout_s),
    }
    results = await asyncio.gather(*checks.values())
    return dict(zip(checks, results, strict=True))
