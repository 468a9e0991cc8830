"""A tiny HTTP server on 127.0.0.1 for fetch, redirect and vision-model tests (never the internet)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

PAGE = (
    "<html><head><title>로컬 페이지</title></head><body><nav class='menu'>Menu junk</nav><main>"
    "<h1>로컬 제목</h1><p>" + "지식 문서 본문입니다. " * 30 + "</p><ul><li>하나</li><li>둘</li></ul></main>"
    "</body></html>"
).encode()


class _Handler(BaseHTTPRequestHandler):
    captions: list[dict] = []

    def log_message(self, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        if parts.path == "/page":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", query["to"][0])
            self.end_headers()
        elif parts.path == "/loop":
            self.send_response(301)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif parts.path == "/big":
            self._send(200, b"x" * (3 * 1024 * 1024), "text/plain")
        elif parts.path == "/down":
            self._send(503, b"maintenance", "text/plain")
        elif parts.path == "/host":
            self._send(200, (self.headers.get("Host") or "").encode(), "text/plain")
        else:
            self._send(404, b"missing", "text/plain")

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        _Handler.captions.append(body)
        if self.path.endswith("/chat/completions"):
            self._send(
                200,
                json.dumps({"choices": [{"message": {"content": "a small square"}}]}).encode(),
                "application/json",
            )
        elif self.path.endswith("/api/generate"):
            self._send(200, json.dumps({"response": "ollama caption"}).encode(), "application/json")
        else:
            self._send(404, b"{}", "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def local_http_server() -> Iterator[str]:
    """Yields the base URL, e.g. http://127.0.0.1:PORT."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
