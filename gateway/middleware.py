"""Request context: X-Request-ID (honoured or generated, always returned), one server span per
request in the caller's W3C trace, and the request's count and duration in the HTTP metrics. Spans
and metrics record method, route template and status only — never raw paths, headers, API keys or
bodies."""

from __future__ import annotations

import re
import time
import uuid

from opentelemetry import propagate, trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jisik.log_context import current_request_id, with_request_id
from jisik.metrics import HTTP_REQUESTS, HTTP_SECONDS
from jisik.telemetry import attached

__all__ = ["RequestContextMiddleware", "current_request_id"]

REQUEST_ID_HEADER = "x-request-id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")
_tracer = trace.get_tracer(__name__)


def route_template(scope: Scope) -> str:
    """The matched route's full path template (``/api/v1/sessions/{session_id}``), never the raw path.

    FastAPI keeps included routes as they were declared, so the full template (with the router
    prefixes) lives in its effective route context; plain Starlette routes carry it themselves.
    """
    effective = scope.get("fastapi", {}).get("effective_route_context")
    template = getattr(effective, "path", None) or getattr(scope.get("route"), "path", None)
    return str(template) if template else "unmatched"


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _bounded_method(method: str) -> str:
    """The method as a metric label; any other verb a client invents counts as ``other``."""
    return method if method in _METHODS else "other"


def _request_id_from(headers: dict[str, str]) -> str:
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if _VALID_ID.match(given) else uuid.uuid4().hex


class RequestContextMiddleware:
    """Pure ASGI (no response buffering), so SSE streams and disconnects pass straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope["headers"]}
        request_id = _request_id_from(headers)
        carrier = {name: headers[name] for name in ("traceparent", "tracestate") if name in headers}
        method = scope["method"]
        status = {"code": 0}
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            await send(message)

        with attached(with_request_id(request_id, propagate.extract(carrier))), _tracer.start_as_current_span(
            f"{method} http", kind=trace.SpanKind.SERVER
        ) as span:
            span.set_attribute("http.request.method", method)
            span.set_attribute("jisik.request_id", request_id)
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                template = route_template(scope)
                code = status["code"] or 500
                span.update_name(f"{method} {template}")
                span.set_attribute("http.route", template)
                span.set_attribute("http.response.status_code", code)
                HTTP_REQUESTS.labels(_bounded_method(method), template, str(code)).inc()
                HTTP_SECONDS.labels(_bounded_method(method), template).observe(time.perf_counter() - started)
                if status["code"] >= 500 or not status["code"]:
                    span.set_status(trace.Status(trace.StatusCode.ERROR))
