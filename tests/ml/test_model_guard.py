"""A tenant's remote model ``base_url`` cannot reach internal services nor tell them apart (issue 13, break 4)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jisik.db.models import ModelSource, ModelType
from jisik.errors import Blocked, JisikError
from jisik.netguard import AddressPolicy
from jisik.settings.model import ModelSettings
from ml.serving.factory import BackendFactory
from ml.serving.registry import ModelSpec
from tests.conftest import free_port

from .conftest import LOCAL, ScriptedServer, json_reply

FAST = ModelSettings(max_retries=0, connect_timeout_s=1.0, request_timeout_s=3.0)


def remote_spec(base_url: str) -> ModelSpec:
    return ModelSpec(
        id="m1",
        name="tenant-model",
        type=ModelType.EMBEDDING,
        source=ModelSource.REMOTE,
        parameters={"base_url": base_url, "dimension": 4},
    )


async def embed_error(factory: BackendFactory, base_url: str) -> JisikError:
    with pytest.raises(JisikError) as caught:
        await factory.embedder(remote_spec(base_url)).embed(["probe"], "query")
    await factory.aclose()
    return caught.value


@pytest.fixture
def raw_tcp_server() -> Iterator[Callable[[bytes], int]]:
    """A TCP listener that answers every connection with fixed bytes, like a non-HTTP service."""
    sockets: list[socket.socket] = []

    def start(greeting: bytes) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        sockets.append(listener)

        def serve() -> None:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(greeting)

        threading.Thread(target=serve, daemon=True).start()
        return int(listener.getsockname()[1])

    yield start
    for listener in sockets:
        listener.close()


async def test_loopback_base_url_is_refused_and_never_contacted(
    scripted_server: Callable[..., ScriptedServer],
) -> None:
    server = scripted_server(
        lambda path, body: json_reply({"data": [{"index": 0, "embedding": [1, 0, 0, 0]}]})
    )
    port = server.url.rsplit(":", 1)[1]
    for base_url in (server.url, f"http://localhost.:{port}", f"http://[::ffff:127.0.0.1]:{port}"):
        error = await embed_error(BackendFactory(FAST, AddressPolicy()), base_url)
        assert isinstance(error, Blocked), base_url
    assert server.requests == []


async def test_closed_ports_and_other_services_look_the_same(
    scripted_server: Callable[..., ScriptedServer], raw_tcp_server: Callable[[bytes], int]
) -> None:
    # Even where the operator allow-lists loopback, the error says nothing about what listens there.
    html = scripted_server(lambda path, body: (200, {"Content-Type": "text/html"}, b"<html>admin</html>"))
    postgres_like = raw_tcp_server(
        b"E\x00\x00\x00\x50SFATAL\x00C0A000\x00Munsupported frontend protocol\x00\x00"
    )
    http2_like = raw_tcp_server(b"\x00\x00\x06\x04\x00\x00\x00\x00\x00" + b"\x00" * 6)
    targets = {
        "closed": f"http://127.0.0.1:{free_port()}",
        "postgres": f"http://127.0.0.1:{postgres_like}",
        "grpc": f"http://127.0.0.1:{http2_like}",
        "html": html.url,
    }
    messages = {}
    for label, base_url in targets.items():
        error = await embed_error(BackendFactory(FAST, LOCAL), base_url)
        messages[label] = (type(error).__name__, error.message)
    assert len(set(messages.values())) == 1, messages
    kind, message = messages["closed"]
    assert kind == "Unavailable" and "could not be reached" in message


def local_spec(type_: ModelType, path: str, engine: str = "") -> ModelSpec:
    return ModelSpec(
        id="m2",
        name="tenant-local",
        type=type_,
        source=ModelSource.LOCAL,
        parameters={"path": path, **({"engine": engine} if engine else {})},
    )


def build(factory: BackendFactory, spec: ModelSpec) -> object:
    if spec.type is ModelType.EMBEDDING:
        return factory.embedder(spec)
    if spec.type is ModelType.RERANK:
        return factory.reranker(spec, None)
    return factory.chat(spec)


@pytest.mark.parametrize("type_", [ModelType.EMBEDDING, ModelType.RERANK, ModelType.KNOWLEDGE_QA])
def test_local_paths_outside_the_models_directory_all_read_the_same(tmp_path: Path, type_: ModelType) -> None:
    models = tmp_path / "models"
    (models / "broken").mkdir(parents=True)
    (models / "broken" / "config.json").write_text("{ not json")
    (models / "junk.gguf").write_bytes(b"not a gguf file")
    secret = tmp_path / "secret"
    secret.mkdir()
    (models / "escape").symlink_to(secret)
    factory = BackendFactory(ModelSettings(models_dir=models), AddressPolicy())
    probes = [
        "/etc/passwd",
        "/etc",
        "/nonexistent/x",
        str(secret),
        "../secret",
        "escape",
        "missing",
        "broken" if type_ is not ModelType.KNOWLEDGE_QA else "junk.gguf",
        "a\x00b",
    ]
    messages = set()
    for probe in probes:
        with pytest.raises(JisikError) as caught:
            build(factory, local_spec(type_, probe))
        assert type(caught.value).__name__ == "Unavailable", (probe, caught.value)
        messages.add(caught.value.message)
        if probe not in ("broken", "junk.gguf"):  # these exist inside the directory; loading them fails
            assert factory.unavailable_reason(local_spec(type_, probe)) == caught.value.message
    assert len(messages) == 1, messages
    assert "passwd" not in messages.pop()


def test_without_a_models_directory_no_tenant_path_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    factory = BackendFactory(ModelSettings(), AddressPolicy())
    with pytest.raises(JisikError, match="not available"):
        factory.embedder(local_spec(ModelType.EMBEDDING, str(tmp_path / "model")))
    assert factory.unavailable_reason(local_spec(ModelType.EMBEDDING, "/etc")) is not None
