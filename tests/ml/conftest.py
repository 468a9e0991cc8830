"""Fixtures for the model service tests: the shared e5 engine and a scriptable local HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ml.serving.local import FastE5Embedder, load_embedder

Reply = tuple[int, dict[str, str], bytes]


@pytest.fixture(scope="session")
def e5() -> FastE5Embedder:
    return load_embedder("multilingual-e5-small")


@dataclass
class ScriptedServer:
    """A real HTTP server on 127.0.0.1; ``handler(path, body)`` decides each reply."""

    handler: Callable[[str, Any], Reply]
    requests: list[tuple[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""


def _make_handler(state: ScriptedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            return

        def _serve(self, body: Any) -> None:
            state.requests.append((self.path, body))
            state.headers.append(dict(self.headers.items()))
            code, headers, payload = state.handler(self.path, body)
            self.send_response(code)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            length = int(self.headers.get("Content-Length", 0))
            self._serve(json.loads(self.rfile.read(length) or b"null"))

        def do_GET(self) -> None:  # noqa: N802
            self._serve(None)

    return Handler


@pytest.fixture
def scripted_server() -> Iterator[Callable[[Callable[[str, Any], Reply]], ScriptedServer]]:
    servers: list[ThreadingHTTPServer] = []

    def start(handler: Callable[[str, Any], Reply]) -> ScriptedServer:
        state = ScriptedServer(handler)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(state))
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
        return state

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def json_reply(body: Any, code: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return code, {"Content-Type": "application/json", **(headers or {})}, json.dumps(body).encode()
