"""Log correlation: every log line carries the trace id and the request id of the work it belongs to.

The request id travels as W3C baggage (``jisik.request_id``) next to the trace context, so gRPC
metadata and Kafka headers carry it to every process the request reaches; the gateway only honours
the id the caller sends in ``X-Request-ID``, never baggage from outside.
"""

from __future__ import annotations

import logging
import sys

from opentelemetry import baggage, trace
from opentelemetry.context import Context

__all__ = ["LOG_FORMAT", "CorrelationFilter", "configure_logging", "current_request_id", "with_request_id"]

REQUEST_ID_KEY = "jisik.request_id"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [trace=%(trace_id)s request=%(request_id)s]: %(message)s"


def with_request_id(request_id: str, context: Context | None = None) -> Context:
    """``context`` (default: the current one) with the request id in its baggage."""
    return baggage.set_baggage(REQUEST_ID_KEY, request_id, context=context)


def current_request_id() -> str:
    """The request id of the work in progress ("" outside any request)."""
    value = baggage.get_baggage(REQUEST_ID_KEY)
    return str(value) if value else ""


class CorrelationFilter(logging.Filter):
    """Adds ``trace_id`` and ``request_id`` to every record ("-" when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        span = trace.get_current_span().get_span_context()
        record.trace_id = format(span.trace_id, "032x") if span.is_valid else "-"
        record.request_id = current_request_id() or "-"
        return True


def configure_logging(level: str) -> None:
    """One log format for every jisik process, with correlation ids and repeat back-off."""
    logging.basicConfig(
        level=level.upper() if level.upper() in logging.getLevelNamesMapping() else logging.INFO,
        format=LOG_FORMAT,
        stream=sys.stderr,
    )
    # Per-request lines from the HTTP client would repeat every readiness poll.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from jisik.runtime.log_backoff import RepeatBackoff

    repeats, correlation = RepeatBackoff(), CorrelationFilter()
    for handler in logging.getLogger().handlers:
        handler.addFilter(correlation)
        handler.addFilter(repeats)
