"""Prometheus metrics shared by every jisik process, and the one way a process serves them.

Names follow Prometheus conventions (``jisik_`` prefix, base units, ``_total`` counters). Labels are
bounded: HTTP routes are templates, RPC methods come from the protos, codes from fixed enums. Area
metrics (ingest stages, model tokens, CDC) live next to the code that owns them and register in the
same default registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from prometheus_client import Counter, Gauge, Histogram, Summary, start_http_server
from prometheus_client.metrics import MetricWrapperBase

__all__ = ["HTTP_REQUESTS", "HTTP_SECONDS", "RECORDING_METHODS", "RPC_REQUESTS", "RPC_SECONDS", "pause_recording",
           "recording_paused", "serve_metrics"]

# Latency buckets from 5 ms to 60 s: cheap lookups and long chats/parses land in distinct buckets.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

HTTP_REQUESTS = Counter(
    "jisik_http_requests",
    "HTTP requests the gateway answered, by method, route template and status code",
    ("method", "route", "code"),
)
HTTP_SECONDS = Histogram(
    "jisik_http_request_duration_seconds",
    "Time from request start to the end of the response, by method and route template",
    ("method", "route"),
    buckets=LATENCY_BUCKETS,
)
RPC_REQUESTS = Counter(
    "jisik_rpc_requests",
    "gRPC calls a jisik service handled, by full method name and status code",
    ("method", "code"),
)
RPC_SECONDS = Histogram(
    "jisik_rpc_request_duration_seconds",
    "Time a gRPC call took on the server (streams: until the last message), by method",
    ("method",),
    buckets=LATENCY_BUCKETS,
)


def serve_metrics(host: str, port: int) -> int:
    """Serve the default registry at ``http://host:port/metrics`` from a daemon thread.

    :returns: the bound port (``port`` 0 picks a free one).
    :raises OSError: the port is in use.
    """
    server, _thread = start_http_server(port, addr=host)
    return int(server.server_address[1])


# What pause_recording() replaces: the label lookup and every way a metric records a value.
RECORDING_METHODS: tuple[tuple[type, str], ...] = (
    (MetricWrapperBase, "labels"), (Counter, "inc"), (Gauge, "set"), (Gauge, "inc"), (Gauge, "dec"),
    (Histogram, "observe"), (Summary, "observe"),
)


def _return_self(self: Any, *args: Any, **kwargs: Any) -> Any:
    return self


def _record_nothing(self: Any, *args: Any, **kwargs: Any) -> None:
    return None


def pause_recording() -> Callable[[], None]:
    """Make every metric in this process record nothing (label lookups included); returns the function
    that restores recording. Only for measuring what the metrics cost (``JISIK_METRICS_RECORD=false``,
    bench/chat.py and bench/ingest.py ``--metrics-overhead``); the scrape endpoint keeps serving."""
    saved = [(owner, name, owner.__dict__[name]) for owner, name in RECORDING_METHODS]
    for owner, name, _method in saved:
        setattr(owner, name, _return_self if name == "labels" else _record_nothing)

    def restore() -> None:
        for owner, name, method in saved:
            setattr(owner, name, method)

    return restore


@contextmanager
def recording_paused() -> Iterator[None]:
    """:func:`pause_recording` for the duration of the block."""
    restore = pause_recording()
    try:
        yield
    finally:
        restore()
