"""A stand-in for a hosted chat LLM behind the real Model gRPC interface (the one fake jisik allows).

It scripts ChatStream from the question: ``think`` adds <think>...</think> and a bad citation,
``nothing`` answers NO_MATCH, ``unverified`` cites a passage for a sentence it does not hold, ``slowly``
streams many small deltas with pauses, ``unanswerable`` ends with the ``no_answer`` finish reason.
Query embeddings are unavailable, so the pipeline runs its keyword-only fallback against the real
retriever; passage embeddings (chunk edits) are a deterministic hash of the text, and the texts are
recorded.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import numpy as np

from jisik.proto import model_pb2, model_pb2_grpc
from jisik.settings import EndpointSettings
from tests.platform.model_server import serve_model

SLOW_DELTAS = 120
REWRITTEN = "Where are visitor badges issued?"


def slow_answer() -> str:
    return "".join(f"word{index} " for index in range(SLOW_DELTAS))


class ScriptedLLM(model_pb2_grpc.ModelServicer):
    def __init__(self, dimension: int) -> None:
        self.requests: list[model_pb2.ChatRequest] = []
        self.embedded_passages: list[str] = []
        self._dimension = dimension

    def _vector(self, text: str) -> model_pb2.Vector:
        values = np.random.default_rng(list(text.encode())).normal(size=self._dimension)
        return model_pb2.Vector(values=(values / np.linalg.norm(values)).tolist())

    async def Embed(self, request: model_pb2.EmbedRequest, context: grpc.aio.ServicerContext) -> model_pb2.EmbedResponse:
        if request.role == model_pb2.EMBED_ROLE_QUERY:
            await context.abort(grpc.StatusCode.UNAVAILABLE, "a hosted chat model has no query embeddings")
        self.embedded_passages += request.texts
        return model_pb2.EmbedResponse(vectors=[self._vector(text) for text in request.texts],
                                       model_id="scripted", dimension=self._dimension)

    async def Rerank(self, request: model_pb2.RerankRequest, context: grpc.aio.ServicerContext) -> model_pb2.RerankResponse:
        scores = [0.9 if "reception" in passage else 0.1 for passage in request.passages]
        return model_pb2.RerankResponse(scores=scores, model_id=request.model_id)

    async def ChatStream(
        self, request: model_pb2.ChatRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[model_pb2.ChatChunk]:
        self.requests.append(request)
        question = request.question
        if not request.passages:  # the rewrite call
            deltas = [REWRITTEN]
        elif "nothing" in question:
            deltas = ["<think>\n</think>\n", "NO_", "MATCH"]
        elif "unanswerable" in question:
            yield model_pb2.ChatChunk(delta="The passages say nothing about it.", done=True, finish_reason="no_answer")
            return
        elif "unverified" in question:
            deltas = ["Badges are issued at reception [1]. ", "Lunch costs 5 dollars a day [1]."]
        elif "slowly" in question:
            for index in range(SLOW_DELTAS):
                await asyncio.sleep(0.05)
                yield model_pb2.ChatChunk(delta=f"word{index} ")
            deltas = []
        else:
            deltas = ["<think>check passage", " one</think>", "Badges are issued at reception [", "1]. ",
                      "Nothing else [9]."]
        for delta in deltas:
            yield model_pb2.ChatChunk(delta=delta)
        # The final chunk reports the tokens read and written (a word counts as one), as a model service does.
        read = sum(len(message.content.split()) for message in request.messages) + len(" ".join(request.passages).split())
        usage = model_pb2.Usage(prompt_tokens=read, completion_tokens=len(" ".join(deltas).split()))
        yield model_pb2.ChatChunk(done=True, finish_reason="stop", usage=usage, model_id="scripted-chat")


async def start_scripted_llm(
    endpoints: EndpointSettings, *, dimension: int
) -> tuple[grpc.aio.Server, int, ScriptedLLM]:
    servicer = ScriptedLLM(dimension)
    server, port = await serve_model(servicer, endpoints)
    return server, port, servicer
