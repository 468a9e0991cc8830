"""Cost of the Prometheus metrics on the request path, against the cheapest real call they ride on.

Measures (1) what recording one gRPC call and one HTTP request costs (labels, counter, histogram), and
(2) the latency of a no-op gRPC call through jisik's real server bootstrap and channel. The ratio is an
upper bound of the metrics' share of any real call (real calls do more work than a no-op).
Writes bench/results/metrics_overhead.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

import grpc

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jisik.grpc_server import create_server, grpc_channel  # noqa: E402
from jisik.metrics import HTTP_REQUESTS, HTTP_SECONDS, RPC_REQUESTS, RPC_SECONDS  # noqa: E402
from jisik.proto import model_pb2, model_pb2_grpc  # noqa: E402
from jisik.settings import EndpointSettings  # noqa: E402

RECORDINGS = 200_000
CALLS = 2_000
RESULTS = Path(__file__).parent / "results" / "metrics_overhead.json"


class Noop(model_pb2_grpc.ModelServicer):
    async def Embed(self, request: model_pb2.EmbedRequest, context: grpc.aio.ServicerContext) -> model_pb2.EmbedResponse:
        return model_pb2.EmbedResponse()


def recording_us() -> tuple[float, float]:
    """Microseconds to record one RPC, and one HTTP request, as the interceptor and middleware do."""
    started = time.perf_counter()
    for _ in range(RECORDINGS):
        RPC_REQUESTS.labels("/jisik.model.v1.Model/Embed", "OK").inc()
        RPC_SECONDS.labels("/jisik.model.v1.Model/Embed").observe(0.0123)
    rpc = (time.perf_counter() - started) / RECORDINGS * 1e6
    started = time.perf_counter()
    for _ in range(RECORDINGS):
        HTTP_REQUESTS.labels("GET", "/api/v1/sessions/{session_id}", "200").inc()
        HTTP_SECONDS.labels("GET", "/api/v1/sessions/{session_id}").observe(0.0123)
    http = (time.perf_counter() - started) / RECORDINGS * 1e6
    return rpc, http


async def noop_call_us() -> list[float]:
    endpoints = EndpointSettings()
    server, port, _ = create_server(
        register=lambda server: model_pb2_grpc.add_ModelServicer_to_server(Noop(), server),
        service_names=[model_pb2.DESCRIPTOR.services_by_name["Model"].full_name],
        address="127.0.0.1:0",
        endpoints=endpoints,
    )
    await server.start()
    channel = grpc_channel(f"127.0.0.1:{port}", endpoints)
    stub = model_pb2_grpc.ModelStub(channel)
    try:
        for _ in range(100):  # warm up
            await stub.Embed(model_pb2.EmbedRequest())
        timings = []
        for _ in range(CALLS):
            started = time.perf_counter()
            await stub.Embed(model_pb2.EmbedRequest())
            timings.append((time.perf_counter() - started) * 1e6)
        return timings
    finally:
        await channel.close()
        await server.stop(0)


def main() -> None:
    load_start = os.getloadavg()[0]
    rpc_us, http_us = recording_us()
    calls = asyncio.run(noop_call_us())
    median = statistics.median(calls)
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    result = {
        "rpc_recording_us": round(rpc_us, 2),
        "http_recording_us": round(http_us, 2),
        "noop_grpc_call_median_us": round(median, 1),
        "rpc_share_of_noop_call_percent": round(100 * rpc_us / median, 2),
        "machine": {"cpu_count": os.cpu_count(), "memory_gib": round(pages / 2**30, 1),
                    "load_avg_1m_start": load_start, "load_avg_1m_end": os.getloadavg()[0]},
    }
    print(f"{'measure':<36}{'value':>12}")
    for key in ("rpc_recording_us", "http_recording_us", "noop_grpc_call_median_us", "rpc_share_of_noop_call_percent"):
        print(f"{key:<36}{result[key]:>12}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
