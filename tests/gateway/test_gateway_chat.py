"""The chat over HTTP with a real retriever (in-process gRPC on port 0) and a scripted chat LLM:
the SSE contract, stored turns, stop, disconnect, session deletion mid-stream, resume, isolation."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gateway_testkit import RunningGateway, gateway_settings, running_gateway
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from scripted_llm import ScriptedLLM, slow_answer, start_scripted_llm
from sqlalchemy import select, text
from sqlmodel import col
from sse_testkit import ask, check_contract, events

from jisik.db.models import Chunk, Knowledge, ParseStatus, UsageRecord
from jisik.grpc_server import grpc_channel
from jisik.proto import retriever_pb2, retriever_pb2_grpc
from jisik.settings import Settings
from tests.webhooks.webhook_db import new_endpoint, staged

retriever_server = pytest.importorskip("retriever.server")

pytestmark = pytest.mark.integration

API = "/api/v1"
HANDBOOK = (
    "Visitor badges are issued at the reception desk on the ground floor. Bring photo ID to collect one. "
    "Laptops are handed out by the IT team on the first morning. Lunch is served at noon in the canteen."
)
CHUNKS = [(0, 70), (60, 134), (134, 200)]  # the first two overlap by ten characters
# Unrelated chunks of another document, so BM25's document frequencies stay meaningful.
FILLER = [
    "Parking permits are renewed every spring by the facilities office.",
    "The quarterly report template lives in the finance folder.",
    "Fire drills happen twice a year and take about twenty minutes.",
    "Travel expenses need a receipt and manager approval within thirty days.",
    "The library on the third floor lends books for two weeks.",
    "Printers on each floor accept badge release for confidential jobs.",
]
FALLBACK = "Sorry, the handbook does not say."
GRACE_S = 1.5  # how long an answer outlives its disconnected reader in these tests


@dataclass
class ChatEnv:
    gateway: RunningGateway
    llm: ScriptedLLM
    base_id: str
    knowledge_id: str
    settings: Settings

    def client(self, other: bool = False) -> Any:
        return self.gateway.client(self.gateway.globex if other else self.gateway.acme)

    async def session(self, **settings: Any) -> str:
        async with self.client() as client:
            body = {"knowledge_base_id": self.base_id, "enable_rewrite": False, **settings}
            response = await client.post(f"{API}/sessions", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["data"]["id"])


def _vector(seed: int, dimension: int) -> list[float]:
    values = np.random.default_rng(seed).normal(size=dimension)
    return (values / np.linalg.norm(values)).astype(np.float32).tolist()


async def _seed(env_settings: Settings, running: RunningGateway, port: int) -> tuple[str, str]:
    async with running.client(running.acme) as client:
        base = (await client.post(f"{API}/knowledge-bases", json={"name": "handbook"})).json()["data"]
    knowledge = Knowledge(
        tenant_id=running.acme.id, knowledge_base_id=base["id"], title="Employee handbook",
        file_name="handbook.pdf", parse_status=ParseStatus.COMPLETED, chunk_count=len(CHUNKS),
    )
    async with running.sessions() as session, session.begin():
        session.add(knowledge)
        await session.flush()
        session.add_all(
            Chunk(id=f"{knowledge.id}-{seq}", tenant_id=running.acme.id, knowledge_base_id=base["id"],
                  knowledge_id=knowledge.id, content=HANDBOOK[start:end], chunk_index=seq, start_at=start, end_at=end)
            for seq, (start, end) in enumerate(CHUNKS)
        )
    filler = Knowledge(tenant_id=running.acme.id, knowledge_base_id=base["id"], title="Office notes",
                       parse_status=ParseStatus.COMPLETED, chunk_count=len(FILLER))
    async with running.sessions() as session, session.begin():
        session.add(filler)
    dimension = env_settings.retriever.embedding_dimension
    chunks = [
        retriever_pb2.IndexedChunk(
            chunk_id=f"{filler.id}-{seq}", tenant_id=running.acme.id, knowledge_base_id=base["id"],
            knowledge_id=filler.id, content=text, embedding=_vector(100 + seq, dimension), seq=seq,
            start=seq * 100, end=seq * 100 + len(text),
        )
        for seq, text in enumerate(FILLER)
    ] + [
        retriever_pb2.IndexedChunk(
            chunk_id=f"{knowledge.id}-{seq}", tenant_id=running.acme.id, knowledge_base_id=base["id"],
            knowledge_id=knowledge.id, content=HANDBOOK[start:end], embedding=_vector(seq, dimension),
            metadata=retriever_pb2.ChunkMetadata(pages=[1]), seq=seq, start=start, end=end,
        )
        for seq, (start, end) in enumerate(CHUNKS)
    ]
    channel = grpc_channel(f"127.0.0.1:{port}", env_settings.endpoints)
    await retriever_pb2_grpc.RetrieverStub(channel).IndexChunks(retriever_pb2.IndexChunksRequest(chunks=chunks))
    await channel.close()
    return base["id"], knowledge.id


@pytest.fixture(scope="module")
async def env(module_database: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[ChatEnv]:
    data_dir: Path = tmp_path_factory.mktemp("chat")
    base = gateway_settings(module_database, data_dir)
    retriever, retriever_port, _, service = await retriever_server.create_server(base, 0, module_database)
    await retriever.start()
    llm_server, llm_port, llm = await start_scripted_llm(
        base.endpoints, dimension=base.retriever.embedding_dimension)
    endpoints = {"retriever_addr": f"127.0.0.1:{retriever_port}", "model_addr": f"127.0.0.1:{llm_port}"}
    settings = gateway_settings(module_database, data_dir, endpoints=endpoints, resume_grace_s=GRACE_S)
    try:
        async with running_gateway(settings) as running:
            base_id, knowledge_id = await _seed(settings, running, retriever_port)
            yield ChatEnv(running, llm, base_id, knowledge_id, settings)
    finally:
        await llm_server.stop(0)
        await retriever.stop(0)
        await service.close()


async def _messages(env: ChatEnv, session_id: str) -> list[dict[str, Any]]:
    async with env.client() as client:
        response = await client.get(f"{API}/messages/{session_id}/load")
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


async def _assistant_status(env: ChatEnv, session_id: str, wanted: str) -> dict[str, Any]:
    for _ in range(200):
        assistant = (await _messages(env, session_id))[-1]
        if assistant["status"] == wanted:
            return assistant
        await asyncio.sleep(0.05)
    raise AssertionError(f"assistant message never became {wanted}: {assistant['status']}")


class TestStream:
    async def test_contract_thinking_and_citations(self, env: ChatEnv) -> None:
        session_id = await env.session(summary_parameters={"temperature": 0.1})
        await new_endpoint(env.gateway.sessions, env.gateway.acme.id, "https://example.com/hook", ["rag.answer.ready"])
        async with env.client() as client:
            stream = await ask(client, session_id, "Where are visitor badges issued, with which photo ID? think")
        references, answer, final = check_contract(stream)
        thinking = "".join(e["content"] for e in stream if e["response_type"] == "thinking")
        assert thinking == "check passage one"
        assert answer == "Badges are issued at reception [1]. Nothing else ."
        assert final["cited"] == [1] and final["status"] == "complete"
        assert [t["name"] for t in final["stage_timings"]][-1] == "citation_check"
        assert final["unsupported_citations"] == []
        # the two overlapping chunks were merged into one passage without repeating the overlap
        first = references[0]
        assert first["content"] == HANDBOOK[0:134]
        assert first["sub_chunk_id"] == [f"{env.knowledge_id}-0", f"{env.knowledge_id}-1"]
        assert first["knowledge_title"] == "Employee handbook"
        assert {"id", "knowledge_id", "chunk_index", "start_at", "end_at", "seq", "score", "match_type"} <= set(first)
        assert len({event["id"] for event in stream}) == 1
        user, assistant = await _messages(env, session_id)
        assert user["content"] == "Where are visitor badges issued, with which photo ID? think"
        assert assistant["content"] == answer and assistant["status"] == "complete"
        [ready] = [data for data in await staged(env.gateway.sessions, "rag.answer.ready")
                   if data["session_id"] == session_id]
        assert ready["message_id"] == assistant["id"] and ready["knowledge_base_ids"] == [env.base_id]
        assert ready["reference_count"] == len(references) and answer not in str(ready)
        assert assistant["knowledge_references"][0]["cited"] is True
        timings = {t["name"]: t for t in assistant["stage_timings"]}
        assert list(timings) == [
            "rewrite_query", "preprocess_query", "chunk_search", "chunk_rerank", "chunk_merge", "filter_top_k",
            "into_chat_message", "chat_completion_stream", "stream_filter", "citation_check",
        ]
        assert timings["chunk_rerank"]["skipped"] == "no rerank model configured"
        assert timings["chunk_search"]["skipped"] == "embedding unavailable; keyword search only"
        assert "first_token_ms" in timings["chat_completion_stream"]
        request = env.llm.requests[-1]
        assert list(request.passages) == [ref["content"] for ref in references]
        assert "[1]" in request.messages[-1].content and request.messages[0].role == "system"

    async def test_every_stage_has_its_own_span_in_the_request_trace(
        self, env: ChatEnv, spans: InMemorySpanExporter
    ) -> None:
        spans.clear()
        session_id = await env.session()
        query = "Where are visitor badges issued? think"
        async with env.client() as client:
            await ask(client, session_id, query)
        finished = spans.get_finished_spans()
        server = [s for s in finished if s.name == "POST /api/v1/knowledge-chat/{session_id}"]
        assert len(server) == 1
        trace_id = server[0].context.trace_id
        names = {s.name for s in finished if s.context.trace_id == trace_id}
        assert {f"chat.{stage}" for stage in (
            "rewrite_query", "preprocess_query", "chunk_search", "chunk_rerank", "chunk_merge", "filter_top_k",
            "into_chat_message", "chat_completion_stream")} <= names
        for span in finished:
            assert query not in repr(dict(span.attributes or {})) and env.gateway.acme.api_key not in repr(span.attributes)

    async def test_no_match_becomes_the_sessions_fallback(self, env: ChatEnv) -> None:
        session_id = await env.session(fallback_response=FALLBACK)
        async with env.client() as client:
            stream = await ask(client, session_id, "Where are badges issued? nothing")
        _, answer, final = check_contract(stream)
        assert answer == FALLBACK and final["cited"] == []
        assert not [e for e in stream if e["response_type"] == "thinking" and "NO_MATCH" in e["content"]]

    async def test_a_no_answer_finish_reason_becomes_the_sessions_fallback(self, env: ChatEnv) -> None:
        """The model's own no-answer text never reaches the user; the finish reason alone decides."""
        session_id = await env.session(fallback_response=FALLBACK)
        async with env.client() as client:
            stream = await ask(client, session_id, "Where are badges issued? unanswerable")
        _, answer, final = check_contract(stream)
        assert answer == FALLBACK and final["cited"] == []
        assert not [e for e in stream if "say nothing" in (e.get("content") or "")]

    async def test_default_fallback_speaks_the_questions_language(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.client() as client:
            found = await ask(client, session_id, "방문객 badges 발급 장소는? nothing")
            empty = await ask(client, session_id, "양자 색역학이란?")
        assert check_contract(found)[1] == "제공된 문서에는 이 질문에 대한 답이 없습니다."
        assert check_contract(empty)[1] == "제공된 문서에는 이 질문에 대한 답이 없습니다."

    async def test_unsupported_citations_are_flagged_in_the_final_event(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.client() as client:
            stream = await ask(client, session_id, "Where are visitor badges issued? unverified")
        references, answer, final = check_contract(stream)
        assert "reception" in references[0]["content"] and "5 dollars" not in references[0]["content"]
        assert answer == "Badges are issued at reception [1]. Lunch costs 5 dollars a day [1]."
        assert final["unsupported_citations"] == [{"number": 1, "sentence": "Lunch costs 5 dollars a day"}]
        assistant = (await _messages(env, session_id))[-1]
        assert assistant["knowledge_references"][0]["unsupported_sentences"] == ["Lunch costs 5 dollars a day"]
        async with env.client() as client, client.stream(
            "GET", f"{API}/sessions/continue-stream/{session_id}"
        ) as replayed:
            replay = [item async for item in events(replayed)]
        assert check_contract(replay)[2]["unsupported_citations"] == final["unsupported_citations"]

    async def test_nothing_found_answers_with_the_fallback(self, env: ChatEnv) -> None:
        session_id = await env.session(fallback_response=FALLBACK)
        async with env.client() as client:
            stream = await ask(client, session_id, "quantum chromodynamics")
        references, answer, _ = check_contract(stream)
        assert references == [] and answer == FALLBACK

    async def test_rewrite_uses_the_history(self, env: ChatEnv) -> None:
        models = await _chat_model(env)
        session_id = await env.session(enable_rewrite=True, summary_model_id=models)
        async with env.client() as client:
            await ask(client, session_id, "Where are visitor badges issued? think")
            await ask(client, session_id, "and what do I bring? think")
        rewrite_request = [r for r in env.llm.requests if not r.passages][-1]
        assert "Where are visitor badges issued?" in rewrite_request.messages[-1].content
        assistant = (await _messages(env, session_id))[-1]
        rewrite = assistant["stage_timings"][0]
        assert rewrite["name"] == "rewrite_query" and "skipped" not in rewrite

    async def test_rerank_model_is_used_when_configured(self, env: ChatEnv) -> None:
        async with env.client() as client:
            model = await client.post(f"{API}/models", json={"name": "rr", "type": "Rerank", "source": "local"})
        session_id = await env.session(rerank_model_id=model.json()["data"]["id"], rerank_threshold=0.5)
        async with env.client() as client:
            stream = await ask(client, session_id, "Where are visitor badges issued? think")
        references, _, _ = check_contract(stream)
        assert all("reception" in ref["content"] for ref in references)
        assert references[0]["score"] == pytest.approx(0.9)
        # The turn is metered with its answer: one rerank call, tokens in and out under the answering model.
        answer_id = (await _messages(env, session_id))[-1]["id"]
        async with env.gateway.sessions() as db:
            rows = (await db.execute(select(UsageRecord).where(col(UsageRecord.id).like(f"%:{answer_id}")))).scalars()
            usage = {row.metric: (row.quantity, row.subject) for row in rows}
        assert usage["rerank_calls"] == (1, model.json()["data"]["id"]), usage
        assert usage["chat_tokens_in"][0] > 0 and usage["chat_tokens_out"][0] > 0, usage
        assert usage["chat_tokens_in"][1] == usage["chat_tokens_out"][1] == "scripted-chat"

    async def test_a_threshold_no_passage_passes_leaves_nothing(self, env: ChatEnv) -> None:
        """The reranker scores every passage below the threshold: no references, the fallback, and
        the timings say why (the unreranked list must not come back)."""
        async with env.client() as client:
            model = await client.post(f"{API}/models", json={"name": "rr2", "type": "Rerank", "source": "local"})
        session_id = await env.session(
            rerank_model_id=model.json()["data"]["id"], rerank_threshold=0.95, fallback_response=FALLBACK
        )
        async with env.client() as client:
            stream = await ask(client, session_id, "Where are visitor badges issued? think")
        references, answer, final = check_contract(stream)
        assert references == [] and answer == FALLBACK
        timings = {timing["name"]: timing for timing in final["stage_timings"]}
        assert timings["chunk_rerank"]["skipped"] == "no passage scored above the rerank threshold 0.95"
        assert timings["chunk_merge"]["skipped"] == "nothing to merge"


async def _chat_model(env: ChatEnv) -> str:
    async with env.client() as client:
        response = await client.post(f"{API}/models", json={"name": "llm", "type": "KnowledgeQA", "source": "remote"})
    return str(response.json()["data"]["id"])


class TestModelCheck:
    async def test_check_reports_success_and_failure(self, env: ChatEnv) -> None:
        async with env.client() as client:
            chat_model = (await client.post(f"{API}/models", json={"name": "llm", "type": "KnowledgeQA",
                                                                    "source": "remote"})).json()["data"]["id"]
            embedder = (await client.post(f"{API}/models", json={"name": "emb", "type": "Embedding",
                                                                  "source": "remote"})).json()["data"]["id"]
            good = await client.post(f"{API}/models/{chat_model}/test")
            bad = await client.post(f"{API}/models/{embedder}/test")
        assert good.json()["data"]["ok"] is True
        assert bad.status_code == 200 and bad.json()["data"]["ok"] is False
        assert "no query embeddings" in bad.json()["data"]["message"]
        async with env.client(other=True) as client:
            assert (await client.post(f"{API}/models/{chat_model}/test")).status_code == 404


async def _slow_answer_interrupted(
    env: ChatEnv, session_id: str, when: Callable[[list[dict[str, Any]]], bool], act: Callable[[], Awaitable[None]]
) -> list[dict[str, Any]]:
    """Every event of a slowly streamed answer in the session; ``act`` runs once the events so far meet ``when``."""
    received: list[dict[str, Any]] = []
    async with env.client() as client:
        async with client.stream("POST", f"{API}/knowledge-chat/{session_id}", json={"query": "badges slowly"}) as response:
            async for event in events(response):
                received.append(event)
                if when(received):
                    await act()
    return received


class TestInterruptions:
    async def test_client_disconnect_stops_and_stores_the_partial_answer(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.client() as client:
            async with client.stream("POST", f"{API}/knowledge-chat/{session_id}", json={"query": "badges slowly"}) as response:
                seen = 0
                async for event in events(response):
                    seen += event["response_type"] == "answer"
                    if seen == 3:
                        break
        assistant = await _assistant_status(env, session_id, "interrupted")
        assert assistant["is_completed"] is False
        assert assistant["content"] and slow_answer().startswith(assistant["content"])
        assert len(assistant["content"]) < len(slow_answer())

    async def test_reload_within_the_grace_period_resumes_the_answer(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.client() as client:
            async with client.stream("POST", f"{API}/knowledge-chat/{session_id}", json={"query": "badges slowly"}) as response:
                async for event in events(response):
                    if event["response_type"] == "answer":
                        break  # the page is reloaded: this reader is gone
        async with env.client() as client, client.stream("GET", f"{API}/sessions/continue-stream/{session_id}") as resumed:
            replay = [item async for item in events(resumed)]
        _, answer, final = check_contract(replay)
        assert answer == slow_answer() and final["status"] == "complete"
        assert (await _messages(env, session_id))[-1]["status"] == "complete"

    async def test_stop_ends_the_stream(self, env: ChatEnv) -> None:
        session_id = await env.session()

        async def stop() -> None:
            async with env.client() as other:
                stopped = await other.post(f"{API}/sessions/{session_id}/stop")
            assert stopped.json()["data"] == {"stopped": True}

        received = await _slow_answer_interrupted(
            env, session_id, lambda seen: seen[-1]["response_type"] == "answer" and len(seen) == 3, stop)
        assert received[-1]["done"] is True and received[-1]["status"] == "interrupted"
        await _assistant_status(env, session_id, "interrupted")

    async def test_session_deleted_mid_stream_ends_cleanly(self, env: ChatEnv) -> None:
        session_id = await env.session()

        async def delete() -> None:
            async with env.client() as other:
                assert (await other.delete(f"{API}/sessions/{session_id}")).status_code == 200

        received = await _slow_answer_interrupted(env, session_id, lambda seen: len(seen) == 2, delete)
        assert received[-1]["done"] is True
        assert received[-1]["stop_reason"] == "session deleted"
        async with env.client() as client:
            assert (await client.get(f"{API}/sessions/{session_id}")).status_code == 404

    async def test_a_database_failure_while_storing_is_unavailable_not_a_deleted_session(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.gateway.sessions.begin() as session:  # a real failure: this session's answers refuse updates
            await session.execute(text(
                "CREATE OR REPLACE FUNCTION refuse_answer() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'down'; END $$ "
                "LANGUAGE plpgsql"))
            await session.execute(text(
                "CREATE TRIGGER refuse_answer BEFORE UPDATE ON messages FOR EACH ROW "
                f"WHEN (NEW.session_id = '{session_id}') EXECUTE FUNCTION refuse_answer()"))
        try:
            async with env.client() as client:
                stream = await ask(client, session_id, "Where are visitor badges issued? think")
        finally:
            async with env.gateway.sessions.begin() as session:
                await session.execute(text("DROP TRIGGER refuse_answer ON messages"))
        _, answer, final = check_contract(stream)
        assert "reception" in answer
        assert final["stop_reason"] == "the answer could not be stored"
        errors = [event for event in stream if event["response_type"] == "error"]
        assert [error["code"] for error in errors] == ["unavailable"]

    async def test_second_question_while_streaming_is_409(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.client() as client:
            async with client.stream("POST", f"{API}/knowledge-chat/{session_id}", json={"query": "badges slowly"}) as response:
                async for _ in events(response):
                    async with env.client() as other:
                        second = await other.post(f"{API}/knowledge-chat/{session_id}", json={"query": "again"})
                    assert second.status_code == 409
                    await other_stop(env, session_id)
                    break

    async def test_continue_stream_replays_then_follows(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.client() as client:
            async with client.stream("POST", f"{API}/knowledge-chat/{session_id}", json={"query": "badges slowly"}) as response:
                async for event in events(response):
                    if event["response_type"] == "answer":
                        async with env.client() as other, other.stream(
                            "GET", f"{API}/sessions/continue-stream/{session_id}"
                        ) as resumed:
                            replay = [item async for item in events(resumed)]
                        break
        _, answer, final = check_contract(replay)
        assert answer == slow_answer() and final["status"] == "complete"
        async with env.client() as client, client.stream("GET", f"{API}/sessions/continue-stream/{session_id}") as again:
            stored = [item async for item in events(again)]
        assert check_contract(stored)[1] == slow_answer()


async def other_stop(env: ChatEnv, session_id: str) -> None:
    async with env.client() as client:
        await client.post(f"{API}/sessions/{session_id}/stop")


class TestSearch:
    async def test_hybrid_search_with_a_json_body_on_get(self, env: ChatEnv) -> None:
        async with env.client() as client:
            response = await client.request(
                "GET", f"{API}/knowledge-bases/{env.base_id}/hybrid-search",
                json={"query_text": "laptops IT team", "match_count": 5},
            )
            posted = await client.post(
                f"{API}/knowledge-bases/{env.base_id}/hybrid-search", json={"query_text": "laptops IT team"}
            )
        assert response.status_code == 200, response.text
        assert "Laptops" in response.json()["data"][0]["content"]
        assert posted.json()["data"][0]["id"] == response.json()["data"][0]["id"]

    async def test_knowledge_search_and_isolation(self, env: ChatEnv) -> None:
        async with env.client() as client:
            mine = await client.post(f"{API}/knowledge-search", json={"query": "canteen lunch", "knowledge_base_id": env.base_id})
        assert "canteen" in mine.json()["data"][0]["content"]
        async with env.client(other=True) as client:
            theirs = await client.post(
                f"{API}/knowledge-search", json={"query": "canteen lunch", "knowledge_base_id": env.base_id}
            )
            hybrid = await client.post(f"{API}/knowledge-bases/{env.base_id}/hybrid-search", json={"query_text": "lunch"})
        assert theirs.status_code == 404 and hybrid.status_code == 404
        assert "canteen" not in theirs.text

    async def test_disabled_document_is_not_retrieved(self, env: ChatEnv) -> None:
        async with env.client() as client:
            off = await client.put(f"{API}/knowledge/{env.knowledge_id}", json={"enable_status": "disabled"})
            assert off.status_code == 200, off.text
            hidden = await client.post(f"{API}/knowledge-search", json={"query": "canteen lunch", "knowledge_base_id": env.base_id})
            await client.put(f"{API}/knowledge/{env.knowledge_id}", json={"enable_status": "enabled"})
            shown = await client.post(f"{API}/knowledge-search", json={"query": "canteen lunch", "knowledge_base_id": env.base_id})
        assert hidden.json()["data"] == []
        assert shown.json()["data"]


class TestMessages:
    async def test_delete_a_message(self, env: ChatEnv) -> None:
        session_id = await env.session()
        async with env.client() as client:
            await ask(client, session_id, "Where are visitor badges issued? think")
        user, assistant = await _messages(env, session_id)
        async with env.client(other=True) as client:
            assert (await client.delete(f"{API}/messages/{session_id}/{assistant['id']}")).status_code == 404
        async with env.client() as client:
            assert (await client.delete(f"{API}/messages/{session_id}/{assistant['id']}")).status_code == 200
        assert [m["id"] for m in await _messages(env, session_id)] == [user["id"]]


class TestChunks:
    """Runs last in this module: it changes what the index holds."""

    async def _search(self, env: ChatEnv, query: str) -> list[str]:
        async with env.client() as client:
            response = await client.post(f"{API}/knowledge-search", json={"query": query, "knowledge_base_id": env.base_id})
        return [hit["id"] for hit in response.json()["data"]]

    async def test_list_edit_disable_delete(self, env: ChatEnv) -> None:
        chunk_ids = [f"{env.knowledge_id}-{seq}" for seq in range(len(CHUNKS))]
        async with env.client() as client:
            listed = await client.get(f"{API}/chunks/{env.knowledge_id}")
        assert [c["id"] for c in listed.json()["data"]] == chunk_ids and listed.json()["total"] == 3
        async with env.client(other=True) as client:
            assert (await client.get(f"{API}/chunks/{env.knowledge_id}")).status_code == 404
            assert (await client.delete(f"{API}/chunks/{env.knowledge_id}/{chunk_ids[2]}")).status_code == 404
            assert (await client.put(f"{API}/chunks/{env.knowledge_id}/{chunk_ids[2]}",
                                     json={"is_enabled": False})).status_code == 404
        assert chunk_ids[2] in await self._search(env, "canteen lunch")
        async with env.client() as client:
            disabled = await client.put(f"{API}/chunks/{env.knowledge_id}/{chunk_ids[2]}", json={"is_enabled": False})
        assert disabled.json()["data"]["is_enabled"] is False
        assert chunk_ids[2] not in await self._search(env, "canteen lunch")
        assert chunk_ids[1] in await self._search(env, "laptops IT team")
        async with env.client() as client:
            assert (await client.delete(f"{API}/chunks/{env.knowledge_id}/{chunk_ids[1]}")).status_code == 200
            remaining = await client.get(f"{API}/chunks/{env.knowledge_id}")
        assert chunk_ids[1] not in await self._search(env, "laptops IT team")
        assert [c["id"] for c in remaining.json()["data"]] == [chunk_ids[0], chunk_ids[2]]

    async def test_an_edited_chunk_is_embedded_and_indexed_with_its_title(self, env: ChatEnv) -> None:
        """Like ingest: the embedder sees "title\ncontent" and the title's words count for keyword search."""
        chunk_id = f"{env.knowledge_id}-0"
        assert chunk_id not in await self._search(env, "handbook")  # seeded without the title
        content = "Visitors sign the guest book at the front door."
        async with env.client() as client:
            edit = await client.put(f"{API}/chunks/{env.knowledge_id}/{chunk_id}", json={"content": content})
            listed = await client.get(f"{API}/chunks/{env.knowledge_id}")
        assert edit.status_code == 200, edit.text
        assert edit.json()["data"]["content"] == content == listed.json()["data"][0]["content"]
        assert env.llm.embedded_passages[-1] == f"Employee handbook\n{content}"
        assert chunk_id in await self._search(env, "guest book")
        assert chunk_id in await self._search(env, "handbook")
