"""Remote backends over real sockets: retries, Retry-After, sub-batches, timeouts, typed errors."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from jisik.errors import DeadlineExceeded, InvalidInput, Unavailable
from ml.serving.backends.ollama import OllamaChat, OllamaEmbedder
from ml.serving.backends.openai_compat import OpenAIChat, OpenAIEmbedder, OpenAIReranker
from ml.serving.http import RemoteEndpoint, RetryPolicy, retry_after_seconds
from ml.serving.types import ChatInput, Message
from tests.conftest import free_port

from .conftest import LOCAL, json_reply

FAST = RetryPolicy(max_retries=3, backoff_s=0.01, max_retry_after_s=5, connect_timeout_s=1, timeout_s=2)


def embeddings_body(texts: list[str], dim: int = 4) -> dict[str, Any]:
    # vector i is a one-hot of len(text) % dim so the test can check order
    data = [
        {"index": i, "embedding": [1.0 if j == len(t) % dim else 0.0 for j in range(dim)]}
        for i, t in enumerate(texts)
    ]
    return {"object": "list", "data": data}


_OPEN_ENDPOINTS: list[RemoteEndpoint] = []


def endpoint(url: str, policy: RetryPolicy = FAST, api_key: str = "") -> RemoteEndpoint:
    """An endpoint closed when the test ends (its pooled connections would leak otherwise)."""
    opened = RemoteEndpoint(
        backend="remote-test", base_url=url, api_key=api_key, policy=policy, address_policy=LOCAL
    )
    _OPEN_ENDPOINTS.append(opened)
    return opened


@pytest.fixture(autouse=True)
async def _close_endpoints() -> AsyncIterator[None]:
    yield
    while _OPEN_ENDPOINTS:
        await _OPEN_ENDPOINTS.pop().aclose()


class TestRetryAfter:
    def test_parses_seconds_and_dates(self) -> None:
        assert retry_after_seconds("3") == 3.0
        assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
        date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(1_000_010))
        assert retry_after_seconds(date, now=1_000_000) == pytest.approx(10.0)


class TestOpenAIEmbedder:
    async def test_only_the_failed_sub_batch_is_retried_after_429(self, scripted_server: Any) -> None:
        failures = {"b": 1}

        def handle(path: str, body: Any) -> Any:
            first = body["input"][0]
            if first.startswith("b") and failures["b"]:
                failures["b"] -= 1
                return json_reply({"error": {"message": "slow down"}}, 429, {"Retry-After": "0"})
            return json_reply(embeddings_body(body["input"]))

        server = scripted_server(handle)
        embedder = OpenAIEmbedder(
            endpoint(server.url), name="remote-test", model="m", dimension=4, batch_size=2
        )
        result = await embedder.embed(["a1", "a22", "b1", "b22", "c1"], "passage")
        firsts = [body["input"][0] for _, body in server.requests]
        assert firsts == ["a1", "b1", "b1", "c1"]  # the a- and c- batches were sent once
        assert result.vectors.shape == (5, 4)
        assert [int(v.argmax()) for v in result.vectors] == [2, 3, 2, 3, 2]

    async def test_retry_after_is_honoured(self, scripted_server: Any) -> None:
        calls: list[float] = []

        def handle(path: str, body: Any) -> Any:
            calls.append(time.monotonic())
            if len(calls) == 1:
                return json_reply({}, 503, {"Retry-After": "1"})
            return json_reply(embeddings_body(body["input"]))

        server = scripted_server(handle)
        embedder = OpenAIEmbedder(
            endpoint(server.url), name="remote-test", model="m", dimension=4, batch_size=8
        )
        await embedder.embed(["x"], "query")
        assert len(calls) == 2 and calls[1] - calls[0] >= 0.9
        assert server.requests[0][1]["input_type"] == "query"

    async def test_retry_after_beyond_the_limit_fails_without_waiting(self, scripted_server: Any) -> None:
        server = scripted_server(lambda path, body: json_reply({}, 429, {"Retry-After": "3600"}))
        embedder = OpenAIEmbedder(
            endpoint(server.url), name="remote-test", model="m", dimension=4, batch_size=8
        )
        with pytest.raises(Unavailable, match="remote-test"):
            await embedder.embed(["x"], "query")
        assert len(server.requests) == 1

    async def test_persistent_failure_gives_up_after_max_retries(self, scripted_server: Any) -> None:
        server = scripted_server(lambda path, body: json_reply({}, 500))
        embedder = OpenAIEmbedder(
            endpoint(server.url), name="remote-test", model="m", dimension=4, batch_size=8
        )
        with pytest.raises(Unavailable, match="'remote-test' answered HTTP 500"):
            await embedder.embed(["x"], "query")
        assert len(server.requests) == FAST.max_retries + 1

    async def test_client_errors_are_not_retried(self, scripted_server: Any) -> None:
        server = scripted_server(lambda path, body: json_reply({"error": "bad"}, 400))
        embedder = OpenAIEmbedder(
            endpoint(server.url), name="remote-test", model="m", dimension=4, batch_size=8
        )
        with pytest.raises(InvalidInput, match="remote-test"):
            await embedder.embed(["x"], "query")
        assert len(server.requests) == 1

    async def test_wrong_dimension_is_a_typed_error(self, scripted_server: Any) -> None:
        server = scripted_server(lambda path, body: json_reply(embeddings_body(body["input"], dim=3)))
        embedder = OpenAIEmbedder(
            endpoint(server.url), name="remote-test", model="m", dimension=4, batch_size=8
        )
        with pytest.raises(Unavailable, match="shape"):
            await embedder.embed(["x"], "query")

    async def test_unreachable_backend_is_named_and_does_not_hang(self) -> None:
        url = f"http://127.0.0.1:{free_port()}"
        embedder = OpenAIEmbedder(endpoint(url), name="remote-test", model="m", dimension=4, batch_size=8)
        with pytest.raises(Unavailable, match="'remote-test' is unreachable"):
            await embedder.embed(["x"], "query")

    async def test_slow_backend_times_out(self, scripted_server: Any) -> None:
        def slow(path: str, body: Any) -> Any:
            time.sleep(1.5)
            return json_reply(embeddings_body(body["input"]))

        policy = RetryPolicy(
            max_retries=0, backoff_s=0, max_retry_after_s=1, connect_timeout_s=1, timeout_s=0.5
        )
        server = scripted_server(slow)
        embedder = OpenAIEmbedder(
            endpoint(server.url, policy), name="remote-test", model="m", dimension=4, batch_size=8
        )
        with pytest.raises(DeadlineExceeded, match="remote-test"):
            await embedder.embed(["x"], "query")

    async def test_api_key_is_sent_as_bearer(self, scripted_server: Any) -> None:
        server = scripted_server(lambda path, body: json_reply(embeddings_body(body["input"])))
        embedder = OpenAIEmbedder(
            endpoint(server.url, api_key="sk-test-123"),
            name="remote-test",
            model="m",
            dimension=4,
            batch_size=8,
        )
        await embedder.embed(["x"], "query")
        assert server.headers[0]["Authorization"] == "Bearer sk-test-123"


class TestOpenAIChatAndRerank:
    async def test_streams_deltas_and_usage(self, scripted_server: Any) -> None:
        events = [
            {"choices": [{"delta": {"role": "assistant"}, "finish_reason": None}]},
            {"choices": [{"delta": {"content": "Hel"}, "finish_reason": None}]},
            {"choices": [{"delta": {"content": "lo"}, "finish_reason": "stop"}]},
            {"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 2}},
        ]
        sse = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        server = scripted_server(
            lambda path, body: (200, {"Content-Type": "text/event-stream"}, sse.encode())
        )
        chat = OpenAIChat(endpoint(server.url), name="remote-test", model="m")
        out = [e async for e in chat.stream(ChatInput(messages=(Message("user", "hi"),), max_tokens=5))]
        assert [e.delta for e in out if e.delta] == ["Hel", "lo"]
        assert out[-1].usage is not None and (
            out[-1].usage.prompt_tokens,
            out[-1].usage.completion_tokens,
        ) == (7, 2)
        assert out[-1].finish_reason == "stop"
        path, body = server.requests[0]
        assert path == "/v1/chat/completions" and body["stream"] is True and body["max_tokens"] == 5

    async def test_rerank_scores_in_input_order(self, scripted_server: Any) -> None:
        body = {"results": [{"index": 1, "relevance_score": 0.9}, {"index": 0, "relevance_score": 0.1}]}
        server = scripted_server(lambda path, b: json_reply(body))
        reranker = OpenAIReranker(endpoint(server.url), name="remote-test", model="m")
        assert await reranker.rerank("q", ["a", "b"]) == [0.1, 0.9]


class TestOllama:
    async def test_embed_and_chat(self, scripted_server: Any) -> None:
        def handle(path: str, body: Any) -> Any:
            if path == "/api/embed":
                return json_reply({"embeddings": [[3.0, 4.0] for _ in body["input"]]})
            lines = [
                {"message": {"content": "안녕"}, "done": False},
                {"message": {"content": "하세요"}, "done": False},
                {
                    "message": {"content": ""},
                    "done": True,
                    "done_reason": "stop",
                    "prompt_eval_count": 11,
                    "eval_count": 2,
                },
            ]
            return (
                200,
                {"Content-Type": "application/x-ndjson"},
                "\n".join(json.dumps(x) for x in lines).encode(),
            )

        server = scripted_server(handle)
        embedder = OllamaEmbedder(
            endpoint(server.url),
            name="ollama-test",
            model="m",
            dimension=2,
            batch_size=8,
            prefixes={"query": "query: "},
        )
        result = await embedder.embed(["x", "y"], "query")
        assert result.vectors.tolist() == [[0.6000000238418579, 0.800000011920929]] * 2
        assert server.requests[0][1]["input"] == ["query: x", "query: y"]
        chat = OllamaChat(endpoint(server.url), name="ollama-test", model="m")
        out = [e async for e in chat.stream(ChatInput(messages=(Message("user", "hi"),)))]
        assert "".join(e.delta for e in out) == "안녕하세요"
        assert out[-1].usage is not None and out[-1].usage.prompt_tokens == 11
