"""One error shape for every failure: ``{"success": false, "error": {"code", "message", "field"}}``."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException
from starlette.types import Send

from jisik.db.outage import database_is_down
from jisik.errors import JisikError, RateLimited

__all__ = ["error_body", "install_error_handlers", "send_error"]

logger = logging.getLogger(__name__)

_HTTP_CODES = {401: "unauthenticated", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


def error_body(code: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message, "field": field, **extra}}


async def send_error(send: Send, status: int, code: str, message: str, field: str | None = None) -> None:
    """Answer with the usual error body straight from an ASGI middleware (before any route runs)."""
    body = json.dumps(error_body(code, message, field)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or "body"


async def _jisik_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JisikError)
    extra: dict[str, Any] = {}
    if existing := getattr(exc, "existing_id", None):
        extra["existing_id"] = existing
    extra.update(getattr(exc, "details", None) or {})
    if exc.http_status >= 500:
        logger.warning("request failed: %s (%s)", exc.code, exc.message)
    headers = {}
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after_s)))
    return JSONResponse(
        error_body(exc.code, exc.message, exc.field, **extra), status_code=exc.http_status, headers=headers
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    first: dict[str, Any] = dict(errors[0]) if errors else {"loc": ("body",), "msg": "invalid", "type": "invalid"}
    field = _field_name(tuple(first.get("loc", ())))
    if first.get("type") == "json_invalid":
        context: dict[str, Any] = first.get("ctx") or {}
        message = f"malformed JSON: {context.get('error', 'cannot decode the body')}"
    else:
        message = f"{field}: {first.get('msg', 'invalid value')}"
    details = [{"field": _field_name(tuple(err.get("loc", ()))), "message": err.get("msg", "")} for err in errors]
    return JSONResponse(error_body("invalid_input", message, field, details=details), status_code=422)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        error_body(code, str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


def _database_unavailable() -> JSONResponse:
    body = error_body("unavailable", "the database (PostgreSQL) is unavailable; try again shortly",
                      dependency="database")
    return JSONResponse(body, status_code=503, headers={"Retry-After": "5"})


async def _connection_error(request: Request, exc: Exception) -> JSONResponse:
    """PostgreSQL down or restarting: 503 naming the database, never a 500 with a traceback."""
    if database_is_down(exc):
        logger.warning("request failed: the database is unavailable (%s)", type(exc).__name__)
        return _database_unavailable()
    return await _unexpected(request, exc)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error", exc_info=exc)
    return JSONResponse(error_body("internal", "internal server error"), status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(JisikError, _jisik_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    for connection_error in (DBAPIError, PoolTimeout, ConnectionError, TimeoutError):
        app.add_exception_handler(connection_error, _connection_error)
    app.add_exception_handler(Exception, _unexpected)
