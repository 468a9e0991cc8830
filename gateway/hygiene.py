"""Refuse text no part of jisik can store: NUL characters and invalid Unicode (422, before any route runs).

PostgreSQL cannot hold NUL in text, and a lone surrogate (``"\\ud800"`` in JSON) cannot be encoded as
UTF-8; either one used to surface as a 500 from deep inside a query. The path, the query string and
JSON bodies are checked here, once, for every route. JSON bodies are read whole (they are small; the
body limit still applies) and handed on unchanged.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import send_error

__all__ = ["InputHygieneMiddleware", "text_problem"]


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be accepted, or None."""
    if "\x00" in text:
        return "contains a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode"
    return None


def _encoded_problem(raw: bytes) -> str | None:
    """For percent-encoded bytes (a path or query string)."""
    decoded = unquote_to_bytes(raw.replace(b"+", b" "))
    try:
        return text_problem(decoded.decode("utf-8"))
    except UnicodeDecodeError:
        return "is not valid UTF-8"


def _json_problem(value: Any, where: str = "body") -> tuple[str, str] | None:
    """(field, problem) for the first bad string (key or value) in a decoded JSON document."""
    if isinstance(value, str):
        problem = text_problem(value)
        return (where, problem) if problem else None
    if isinstance(value, dict):
        for key, item in value.items():
            field = key if where == "body" else f"{where}.{key}"
            found = _json_problem(key, field) or _json_problem(item, field)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _json_problem(item, f"{where}[{index}]")
            if found:
                return found
    return None


async def _refuse(send: Send, field: str, problem: str) -> None:
    await send_error(send, 422, "invalid_input", f"{field} {problem}", field)


class InputHygieneMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        for field, raw in (("path", raw_path), ("query", scope.get("query_string", b""))):
            problem = _encoded_problem(raw)
            if problem:
                await _refuse(send, field, problem)
                return
        content_type = dict(scope["headers"]).get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type != b"application/json" and not content_type.endswith(b"+json"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        body = bytearray()
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body.extend(message.get("body", b""))
            if not message.get("more_body", False):
                break
        try:
            document = json.loads(bytes(body)) if body else None
        except (ValueError, RecursionError):
            document = None  # malformed JSON: the route's own validation answers with its usual 422
        found = _json_problem(document)
        if found:
            await _refuse(send, *found)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)
