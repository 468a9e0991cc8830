"""The gateway's access log: one line per request with the query string's values redacted.

uvicorn's own access log writes the full URL, so a key sent as ``?api_key=...`` (or any search text)
would land in the log; it is switched off (see :mod:`gateway.server`), and its records are dropped
whatever the logging configuration, in favour of this one.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["AccessLogMiddleware", "redacted_target"]

logger = logging.getLogger("jisik.access")


def _drop(record: logging.LogRecord) -> bool:
    return False


def redacted_target(path: str, query_string: bytes) -> str:
    """``path?name=***&other=***``: parameter names are kept, every value is hidden."""
    if not query_string:
        return path
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    names = [re.sub(r"[^\w.\-\[\]]", "_", name) for name, _ in pairs]
    return f"{path}?{'&'.join(f'{name}=***' for name in names)}" if names else f"{path}?***"


def _raw_path(scope: Scope) -> str:
    """The path as sent (still percent-encoded, so no control characters reach the log)."""
    raw = scope.get("raw_path")
    return raw.decode("latin-1") if raw else re.sub(r"[^\x21-\x7e]", "?", scope["path"])


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        logging.getLogger("uvicorn.access").addFilter(_drop)  # the same filter object is added once

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            client = scope.get("client") or ("-", 0)
            logger.info(
                '%s - "%s %s" %d %.1fms',
                client[0],
                scope["method"],
                redacted_target(_raw_path(scope), scope.get("query_string", b"")),
                status["code"] or 500,
                (time.perf_counter() - started) * 1000,
            )
