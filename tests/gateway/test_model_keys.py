"""A stored provider key stays with its endpoint (issue 13, break 6): a real gateway, a real model
service and a local HTTP server standing in for the attacker's endpoint."""

from __future__ import annotations

import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from gateway_testkit import RunningGateway, gateway_settings, running_gateway
from pydantic import SecretStr

from jisik.secret_box import SecretBox
from ml.serving.server import create_server

API = "/api/v1"


class _Capture(BaseHTTPRequestHandler):
    """An OpenAI-style embeddings endpoint that records the Authorization header of every call."""

    seen: list[tuple[str, str]] = []

    def log_message(self, *args: object) -> None:
        """Quiet."""

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        _Capture.seen.append((self.path, self.headers.get("Authorization", "")))
        vectors = [{"index": i, "embedding": [1.0, 0.0, 0.0, 0.0]} for i, _ in enumerate(body["input"])]
        reply = json.dumps({"object": "list", "data": vectors}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)


@pytest.fixture(scope="module")
def capture_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
async def gateway(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningGateway]:
    key = SecretBox.generate_key()
    base = gateway_settings(module_database, tmp_path_factory.mktemp("model-keys"))
    model_settings = base.model.model_copy(update={"max_retries": 0})
    # The operator allow-lists loopback so the stand-in endpoint is reachable at all.
    endpoints = base.endpoints.model_copy(update={"egress_allow_list": ["127.0.0.1"], "encryption_key": SecretStr(key)})
    service_settings = base.model_copy(update={"model": model_settings, "endpoints": endpoints})
    server, port, _, service = await create_server(service_settings, 0, module_database)
    await server.start()
    settings = service_settings.model_copy(
        update={"endpoints": endpoints.model_copy(update={"model_addr": f"127.0.0.1:{port}"})}
    )
    try:
        async with running_gateway(settings) as running:
            yield running
    finally:
        await server.stop(0)
        await service.aclose()


async def _test_call(gateway: RunningGateway, model_id: str) -> dict[str, object]:
    async with gateway.client(gateway.acme) as client:
        response = await client.post(f"{API}/models/{model_id}/test")
    assert response.status_code == 200, response.text
    return dict(response.json()["data"])


async def test_changing_base_url_drops_the_stored_key(gateway: RunningGateway, capture_url: str) -> None:
    _Capture.seen.clear()
    body = {
        "name": "remote-embedder", "type": "Embedding", "source": "remote", "api_key": "sk-victim-secret",
        "parameters": {"base_url": f"{capture_url}/provider", "dimension": 4, "model": "m"},
    }
    async with gateway.client(gateway.acme) as client:
        created = await client.post(f"{API}/models", json=body)
        model_id = created.json()["data"]["id"]
    assert created.status_code == 201
    assert (await _test_call(gateway, model_id))["ok"] is True
    assert _Capture.seen[-1] == ("/provider/v1/embeddings", "Bearer sk-victim-secret")

    moved = {"parameters": {"base_url": f"{capture_url}/attacker", "dimension": 4, "model": "m"}}
    async with gateway.client(gateway.acme) as client:
        updated = await client.put(f"{API}/models/{model_id}", json=moved)
    assert updated.status_code == 200 and updated.json()["data"]["has_api_key"] is False
    await _test_call(gateway, model_id)
    attacker_calls = [auth for path, auth in _Capture.seen if path.startswith("/attacker/")]
    assert attacker_calls == [""]
    assert not any("sk-victim-secret" in auth for path, auth in _Capture.seen if path.startswith("/attacker/"))


async def test_key_sent_with_the_new_base_url_is_kept(gateway: RunningGateway, capture_url: str) -> None:
    _Capture.seen.clear()
    parameters = {"base_url": f"{capture_url}/one", "dimension": 4, "model": "m"}
    body = {
        "name": "remote-embedder-2", "type": "Embedding", "source": "remote", "api_key": "sk-old",
        "parameters": parameters,
    }
    async with gateway.client(gateway.acme) as client:
        model_id = (await client.post(f"{API}/models", json=body)).json()["data"]["id"]
        moved = {"parameters": {**parameters, "base_url": f"{capture_url}/two"}, "api_key": "sk-new"}
        assert (await client.put(f"{API}/models/{model_id}", json=moved)).json()["data"]["has_api_key"] is True
        renamed = await client.put(f"{API}/models/{model_id}", json={"description": "same endpoint"})
    assert renamed.json()["data"]["has_api_key"] is True
    await _test_call(gateway, model_id)
    assert _Capture.seen[-1] == ("/two/v1/embeddings", "Bearer sk-new")


async def test_internal_address_errors_say_nothing_about_the_target(gateway: RunningGateway, tmp_path: Path) -> None:
    bodies = [
        {"name": "scan", "type": "Embedding", "source": "remote",
         "parameters": {"base_url": "http://10.255.255.1:5432/v1", "dimension": 4}},
        {"name": "peek", "type": "Embedding", "source": "local", "parameters": {"path": "/etc/passwd"}},
    ]
    async with gateway.client(gateway.acme) as client:
        for body in bodies:
            response = await client.post(f"{API}/models", json=body)
            if response.status_code == 201:
                result = await _test_call(gateway, response.json()["data"]["id"])
                assert result["ok"] is False
                text = str(result["message"])
            else:
                assert response.status_code in (403, 422)
                text = response.text
            assert "passwd" not in text and "5432" not in text and "10.255.255.1" not in text
