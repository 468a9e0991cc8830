"""A webhook receiver on 127.0.0.1 with hostile behaviours, on plain asyncio streams (HTTP/1.1 keep-alive).

Paths: ``/ok`` answers 204 (``/slow`` after 0.2 s); ``/fail`` 500; ``/gone`` 410; ``/busy?after=N`` 429 with Retry-After N;
``/redirect`` 307 to itself (a loop); ``/hang`` answers only once ``release`` is set; ``/huge`` answers 200 and streams a
1 GB body. ``fail_ratio`` makes that share of ``/ok`` and ``/slow`` requests answer 503. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

_GB = 1024**3
_CHUNK = b"\0" * 65536


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float
    status: int = 0


@dataclass
class Receiver:
    fail_ratio: float = 0.0
    # /hang requests wait for this (forever unless a test sets it), then answer 204.
    release: asyncio.Event = field(default_factory=asyncio.Event)
    records: list[Received] = field(default_factory=list)
    _server: asyncio.Server | None = None
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)
    _rng: random.Random = field(default_factory=lambda: random.Random(7))

    async def start(self, port: int = 0) -> str:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port, backlog=1024)
        bound = self._server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{bound}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for handler in list(self._handlers):
                handler.cancel()
            await asyncio.gather(*self._handlers, return_exceptions=True)
            await self._server.wait_closed()

    def on_request(self, received: Received) -> None:
        """Hook for subclasses (the bench logs each request)."""

    def delivered(self, path: str = "/ok") -> list[Received]:
        return [record for record in self.records if record.path == path and 200 <= record.status < 300]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        handler = asyncio.current_task()
        assert handler is not None
        self._handlers.add(handler)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                request_line, *lines = head.decode("latin-1").split("\r\n")
                _, target, _ = request_line.split(" ", 2)
                headers = {}
                for line in lines:
                    if ":" in line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                received = Received(urlsplit(target).path, headers, body, time.time())
                self.records.append(received)
                await self._answer(received, parse_qs(urlsplit(target).query), writer)
                self.on_request(received)
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._handlers.discard(handler)
            writer.close()

    async def _answer(self, received: Received, query: dict[str, list[str]], writer: asyncio.StreamWriter) -> None:
        path = received.path
        if path == "/hang":
            await self.release.wait()
        if path == "/slow":
            await asyncio.sleep(0.2)
        if path == "/huge":
            received.status = 200
            writer.write(f"HTTP/1.1 200 OK\r\ncontent-length: {_GB}\r\n\r\n".encode())
            for _ in range(_GB // len(_CHUNK)):
                writer.write(_CHUNK)
                await writer.drain()
            return
        status, extra = {
            "/fail": (500, ""),
            "/gone": (410, ""),
            "/busy": (429, f"retry-after: {query.get('after', ['5'])[0]}\r\n"),
            "/redirect": (307, "location: /redirect\r\n"),
        }.get(path, (204, ""))
        if path in ("/ok", "/slow") and self.fail_ratio and self._rng.random() < self.fail_ratio:
            status = 503
        received.status = status
        writer.write(f"HTTP/1.1 {status} X\r\n{extra}content-length: 0\r\n\r\n".encode())
        await writer.drain()
