"""Personal data kept out of logs and traces: a logging filter and a span processor that replace every
hit with its type (``⟦RRN⟧``), irreversibly. Both run the same detector as the chat mask."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from opentelemetry.context import Context
from opentelemetry.sdk.trace import Event, ReadableSpan, Span, SpanProcessor

from jisik.pii.mask import scrub

__all__ = ["PiiLogFilter", "PiiSpanProcessor", "mask_root_log_handlers", "scrub"]


class PiiLogFilter(logging.Filter):
    """Masks the formatted message and any exception text of every record it sees; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
            record.exc_info = None
        return True


def mask_root_log_handlers() -> None:
    """Put one :class:`PiiLogFilter` on every handler of the root logger (call after ``basicConfig``)."""
    personal_data = PiiLogFilter()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, PiiLogFilter) for f in handler.filters):
            handler.addFilter(personal_data)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, tuple | list):
        return tuple(_scrub_value(item) for item in value)
    return value


def _scrub_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    return {key: _scrub_value(value) for key, value in (attributes or {}).items()}


class PiiSpanProcessor(SpanProcessor):
    """Hands ``inner`` (an exporting processor) a copy of each ended span whose attributes, event
    attributes and status text are masked; the span itself is not touched."""

    def __init__(self, inner: SpanProcessor) -> None:
        self._inner = inner

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        self._inner.on_start(span, parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        status = span.status
        if status.description:
            status = type(status)(status.status_code, scrub(status.description))
        events = [
            Event(event.name, _scrub_attributes(event.attributes), event.timestamp) for event in span.events
        ]
        self._inner.on_end(
            ReadableSpan(
                name=span.name,
                context=span.context,
                parent=span.parent,
                resource=span.resource,
                attributes=_scrub_attributes(span.attributes),
                events=events,
                links=span.links,
                kind=span.kind,
                status=status,
                start_time=span.start_time,
                end_time=span.end_time,
                instrumentation_scope=span.instrumentation_scope,
            )
        )

    def shutdown(self) -> None:
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._inner.force_flush(timeout_millis)
