"""REST routes against a real gateway and a real PostgreSQL: envelope, auth, tenant isolation, validation."""

from __future__ import annotations

import uuid

import pytest
from gateway_testkit import ADMIN_TOKEN, RunningGateway

pytestmark = pytest.mark.integration

API = "/api/v1"


async def _create_base(gateway: RunningGateway, name: str = "manuals") -> dict:
    async with gateway.client(gateway.acme) as client:
        response = await client.post(f"{API}/knowledge-bases", json={"name": name})
    assert response.status_code == 201, response.text
    return response.json()["data"]


class TestAuthentication:
    async def test_missing_key_is_401_with_the_error_shape(self, gateway: RunningGateway) -> None:
        async with gateway.client() as client:
            response = await client.get(f"{API}/knowledge-bases")
        assert response.status_code == 401
        body = response.json()
        assert body["success"] is False
        assert body["error"]["code"] == "unauthenticated"

    async def test_wrong_key_is_401(self, gateway: RunningGateway) -> None:
        async with gateway.client(headers={"X-API-Key": "sk-not-a-real-key"}) as client:
            assert (await client.get(f"{API}/knowledge-bases")).status_code == 401

    async def test_bearer_token_is_accepted(self, gateway: RunningGateway) -> None:
        async with gateway.client(headers={"Authorization": f"Bearer {gateway.acme.api_key}"}) as client:
            response = await client.get(f"{API}/knowledge-bases")
        assert response.status_code == 200
        assert response.json()["success"] is True

    async def test_request_id_is_honoured_or_generated(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            given = await client.get(f"{API}/knowledge-bases", headers={"X-Request-ID": "req-42"})
            generated = await client.get(f"{API}/knowledge-bases")
            hostile = await client.get(f"{API}/knowledge-bases", headers={"X-Request-ID": "a b<script>"})
        assert given.headers["x-request-id"] == "req-42"
        assert len(generated.headers["x-request-id"]) == 32
        assert hostile.headers["x-request-id"] != "a b<script>"

    async def test_ready_names_what_is_down(self, gateway: RunningGateway) -> None:
        async with gateway.client() as client:
            response = await client.get("/ready")
        body = response.json()
        assert response.status_code == 503
        assert body["dependencies"]["database"]["ok"] is True
        assert {"docreader", "retriever", "model"} <= set(body["down"])
        assert all(body["dependencies"][name]["reason"] for name in body["down"])

    async def test_health_needs_no_key(self, gateway: RunningGateway) -> None:
        async with gateway.client() as client:
            response = await client.get("/health")
        assert response.json() == {"status": "ok"}


class TestTenants:
    async def test_creating_needs_the_admin_token_and_returns_a_working_key(self, gateway: RunningGateway) -> None:
        async with gateway.client() as client:
            refused = await client.post(f"{API}/tenants", json={"name": "initech"})
            created = await client.post(
                f"{API}/tenants", json={"name": "initech"}, headers={"X-Admin-Token": ADMIN_TOKEN}
            )
        assert refused.status_code == 401
        assert created.status_code == 201
        data = created.json()["data"]
        assert data["api_key"].startswith("sk-")
        async with gateway.client(headers={"X-API-Key": data["api_key"]}) as client:
            mine = await client.get(f"{API}/tenants")
        assert [tenant["id"] for tenant in mine.json()["data"]] == [data["id"]]
        assert "api_key" not in mine.json()["data"][0]

    async def test_another_tenant_is_not_found(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.get(f"{API}/tenants/{gateway.globex.id}")
        assert response.status_code == 404


class TestKnowledgeBases:
    async def test_crud_round_trip(self, gateway: RunningGateway) -> None:
        created = await _create_base(gateway, "handbook")
        assert created["chunking_config"]["chunk_size"] == 512
        async with gateway.client(gateway.acme) as client:
            updated = await client.put(
                f"{API}/knowledge-bases/{created['id']}", json={"description": "HR", "chunking_config": {"chunk_size": 256}}
            )
            fetched = await client.get(f"{API}/knowledge-bases/{created['id']}")
            listed = await client.get(f"{API}/knowledge-bases")
        assert updated.status_code == 200
        assert fetched.json()["data"]["description"] == "HR"
        assert fetched.json()["data"]["chunking_config"]["chunk_size"] == 256
        assert created["id"] in [base["id"] for base in listed.json()["data"]]

    async def test_another_tenants_base_is_404_and_untouched(self, gateway: RunningGateway) -> None:
        base = await _create_base(gateway, "secret")
        async with gateway.client(gateway.globex) as client:
            got = await client.get(f"{API}/knowledge-bases/{base['id']}")
            put = await client.put(f"{API}/knowledge-bases/{base['id']}", json={"name": "stolen"})
            listed = await client.get(f"{API}/knowledge-bases")
            docs = await client.get(f"{API}/knowledge-bases/{base['id']}/knowledge")
        assert (got.status_code, put.status_code, docs.status_code) == (404, 404, 404)
        assert base["id"] not in [item["id"] for item in listed.json()["data"]]
        assert "secret" not in got.text
        async with gateway.client(gateway.acme) as client:
            mine = await client.get(f"{API}/knowledge-bases/{base['id']}")
        assert mine.json()["data"]["name"] == "secret"

    async def test_weknora_multimodal_switch_moves_to_image_processing(self, gateway: RunningGateway) -> None:
        body = {"name": "mm", "chunking_config": {"chunk_size": 300, "chunk_overlap": 20, "enable_multimodal": True}}
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/knowledge-bases", json=body)
        data = response.json()["data"]
        assert data["image_processing_config"] == {"enable_multimodal": True}
        assert "enable_multimodal" not in data["chunking_config"]

    async def test_unknown_model_is_404_naming_the_field(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/knowledge-bases", json={"name": "x", "rerank_model_id": "nope"})
        assert response.status_code == 404
        assert response.json()["error"]["field"] == "rerank_model_id"


class TestValidation:
    async def test_malformed_json_is_422(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.post(
                f"{API}/knowledge-bases", content=b'{"name": ', headers={"Content-Type": "application/json"}
            )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["code"] == "invalid_input"
        assert "JSON" in error["message"]

    async def test_wrong_type_names_the_field(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/sessions", json={"embedding_top_k": "many"})
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "embedding_top_k"

    async def test_unknown_field_is_refused(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/knowledge-bases", json={"name": "x", "colour": "red"})
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "colour"

    async def test_unknown_route_is_a_json_404(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.get(f"{API}/nothing-here")
        assert response.status_code == 404
        assert response.json()["success"] is False


class TestSessions:
    async def test_defaults_are_weknoras_session_defaults(self, gateway: RunningGateway) -> None:
        base = await _create_base(gateway, "faq")
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/sessions", json={"knowledge_base_id": base["id"]})
        assert response.status_code == 201
        data = response.json()["data"]
        assert data["knowledge_base_id"] == base["id"]
        assert data["knowledge_base_ids"] == [base["id"]]
        expected = {
            "max_rounds": 5, "enable_rewrite": True, "keyword_threshold": 0.5, "vector_threshold": 0.5,
            "embedding_top_k": 10, "rerank_top_k": 10, "rerank_threshold": 0.65, "fallback_strategy": "fixed",
        }
        assert {key: data[key] for key in expected} == expected

    async def test_settings_update_and_isolation(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            session = (await client.post(f"{API}/sessions", json={"title": "t"})).json()["data"]
            updated = await client.put(
                f"{API}/sessions/{session['id']}", json={"embedding_top_k": 20, "enable_rewrite": False}
            )
        assert updated.json()["data"]["embedding_top_k"] == 20
        assert updated.json()["data"]["enable_rewrite"] is False
        async with gateway.client(gateway.globex) as client:
            assert (await client.get(f"{API}/sessions/{session['id']}")).status_code == 404
            assert (await client.delete(f"{API}/sessions/{session['id']}")).status_code == 404
            assert (await client.get(f"{API}/messages/{session['id']}/load")).status_code == 404
            listed = await client.get(f"{API}/sessions")
        assert session["id"] not in [item["id"] for item in listed.json()["data"]]

    async def test_weknora_session_strategy_is_understood(self, gateway: RunningGateway) -> None:
        body = {"session_strategy": {"max_rounds": 3, "embedding_top_k": 7, "no_match_prefix": "<think>"},
                "embedding_top_k": 8}
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/sessions", json=body)
        data = response.json()["data"]
        assert (data["max_rounds"], data["embedding_top_k"]) == (3, 8)

    async def test_another_tenants_base_cannot_be_attached(self, gateway: RunningGateway) -> None:
        base = await _create_base(gateway, "private")
        async with gateway.client(gateway.globex) as client:
            response = await client.post(f"{API}/sessions", json={"knowledge_base_ids": [base["id"]]})
        assert response.status_code == 404
        assert response.json()["error"]["field"] == "knowledge_base_ids"

    async def test_delete(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            session = (await client.post(f"{API}/sessions", json={})).json()["data"]
            assert (await client.delete(f"{API}/sessions/{session['id']}")).status_code == 200
            assert (await client.get(f"{API}/sessions/{session['id']}")).status_code == 404


class TestChatInput:
    async def test_oversized_query_is_413(self, gateway: RunningGateway) -> None:
        limit = gateway.settings.gateway.max_query_chars
        async with gateway.client(gateway.acme) as client:
            session = (await client.post(f"{API}/sessions", json={})).json()["data"]
            response = await client.post(f"{API}/knowledge-chat/{session['id']}", json={"query": "x" * (limit + 1)})
            search = await client.post(f"{API}/knowledge-search", json={"query": "y" * (limit + 1)})
        assert response.status_code == 413
        assert response.json()["error"]["field"] == "query"
        assert search.status_code == 413

    async def test_blank_query_is_422(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            session = (await client.post(f"{API}/sessions", json={})).json()["data"]
            response = await client.post(f"{API}/knowledge-chat/{session['id']}", json={"query": "   "})
        assert response.status_code == 422

    async def test_another_tenants_session_is_404(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            session = (await client.post(f"{API}/sessions", json={})).json()["data"]
        async with gateway.client(gateway.globex) as client:
            response = await client.post(f"{API}/knowledge-chat/{session['id']}", json={"query": "hello"})
            stop = await client.post(f"{API}/sessions/{session['id']}/stop")
            resume = await client.get(f"{API}/sessions/continue-stream/{session['id']}")
        assert (response.status_code, stop.status_code, resume.status_code) == (404, 404, 404)

    async def test_hybrid_search_body_is_validated(self, gateway: RunningGateway) -> None:
        base = await _create_base(gateway, "search")
        async with gateway.client(gateway.acme) as client:
            bad = await client.request(
                "GET", f"{API}/knowledge-bases/{base['id']}/hybrid-search", content=b"{nope",
                headers={"Content-Type": "application/json"},
            )
            missing = await client.request("GET", f"{API}/knowledge-bases/{base['id']}/hybrid-search", json={})
        assert bad.status_code == 422
        assert missing.status_code == 422
        assert missing.json()["error"]["field"] == "query_text"


class TestModels:
    async def test_crud_without_key(self, gateway: RunningGateway) -> None:
        body = {"name": "bge-reranker", "type": "Rerank", "source": "local", "parameters": {"base_url": "http://x"}}
        async with gateway.client(gateway.acme) as client:
            created = await client.post(f"{API}/models", json=body)
            model_id = created.json()["data"]["id"]
            fetched = await client.get(f"{API}/models/{model_id}")
            updated = await client.put(f"{API}/models/{model_id}", json={"description": "cross-encoder"})
        assert created.status_code == 201
        assert fetched.json()["data"]["has_api_key"] is False
        assert updated.json()["data"]["description"] == "cross-encoder"
        async with gateway.client(gateway.globex) as client:
            assert (await client.get(f"{API}/models/{model_id}")).status_code == 404
        async with gateway.client(gateway.acme) as client:
            assert (await client.delete(f"{API}/models/{model_id}")).status_code == 200

    async def test_api_key_without_an_encryption_key_is_refused(self, gateway: RunningGateway) -> None:
        body = {"name": "m", "type": "KnowledgeQA", "source": "remote", "api_key": "sk-secret-value"}
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/models", json=body)
            listed = await client.get(f"{API}/models")
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "api_key"
        assert "sk-secret-value" not in response.text + listed.text

    async def test_bad_type_is_422(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/models", json={"name": "m", "type": "Magic", "source": "local"})
        assert response.status_code == 422
        assert response.json()["error"]["field"] == "type"


class TestManualKnowledge:
    async def test_draft_edit_publish(self, gateway: RunningGateway) -> None:
        base = await _create_base(gateway, "wiki")
        async with gateway.client(gateway.acme) as client:
            draft = await client.post(
                f"{API}/knowledge-bases/{base['id']}/knowledge/manual",
                json={"title": "Onboarding", "content": "# Day one\nBring your badge."},
            )
            knowledge_id = draft.json()["data"]["id"]
            published = await client.put(
                f"{API}/knowledge/manual/{knowledge_id}",
                json={"title": "Onboarding", "content": "# Day one\nBring your badge and laptop.", "status": "publish"},
            )
            listed = await client.get(f"{API}/knowledge-bases/{base['id']}/knowledge", params={"page_size": 5})
            batch = await client.get(f"{API}/knowledge/batch", params={"ids": f"{knowledge_id},{uuid.uuid4()}"})
            download = await client.get(f"{API}/knowledge/{knowledge_id}/download")
        assert draft.status_code == 201
        assert draft.json()["data"]["parse_status"] == "draft"
        assert published.json()["data"]["parse_status"] == "pending"
        assert listed.json()["total"] == 1
        assert listed.json()["page_size"] == 5
        assert [item["id"] for item in batch.json()["data"]] == [knowledge_id]
        assert download.text == "# Day one\nBring your badge and laptop."
        async with gateway.client(gateway.globex) as client:
            assert (await client.get(f"{API}/knowledge/{knowledge_id}")).status_code == 404
            assert (await client.get(f"{API}/knowledge/batch", params={"ids": knowledge_id})).json()["data"] == []
            assert (await client.get(f"{API}/chunks/{knowledge_id}")).status_code == 404

    async def test_answer_becomes_a_draft(self, gateway: RunningGateway) -> None:
        base = await _create_base(gateway, "answers")
        async with gateway.client(gateway.acme) as client:
            response = await client.post(
                f"{API}/knowledge/from-answer",
                json={"knowledge_base_id": base["id"], "question": "Where is the badge?", "answer": "At reception [1]."},
            )
        assert response.status_code == 201
        data = response.json()["data"]
        assert data["parse_status"] == "draft"
        assert data["title"] == "Where is the badge?"
        async with gateway.client(gateway.globex) as client:
            stolen = await client.post(
                f"{API}/knowledge/from-answer", json={"knowledge_base_id": base["id"], "answer": "x"}
            )
        assert stolen.status_code == 404


class TestDocs:
    async def test_swagger_ui_is_served_offline(self, gateway: RunningGateway) -> None:
        async with gateway.client() as client:
            page = await client.get("/docs")
            script = await client.get("/docs/assets/swagger-ui-bundle.js")
            spec = await client.get("/openapi.json")
        assert page.status_code == 200
        assert "/docs/assets/swagger-ui-bundle.js" in page.text
        assert "cdn" not in page.text.lower()
        assert script.status_code == 200 and len(script.content) > 100_000
        paths = spec.json()["paths"]
        assert "/api/v1/knowledge-chat/{session_id}" in paths
        assert "get" in paths["/api/v1/knowledge-bases/{knowledge_base_id}/hybrid-search"]


class TestIngestLag:
    async def test_lag_per_stage(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.get(f"{API}/ingest/lag")
        async with gateway.client() as client:
            anonymous = await client.get(f"{API}/ingest/lag")
        assert response.status_code == 200, response.text
        lag = response.json()["data"]
        groups = lag.pop("consumer_groups")
        assert lag and all(isinstance(value, int) and value >= 0 for value in lag.values())
        for stage, group in groups.items():
            assert stage in lag
            assert group["status"] in ("OK", "WARN", "STALL", "STOP")
            assert group["lag_records"] >= 0 and group["lag_seconds"] >= 0
            assert all(p["status"] in ("OK", "WARN", "STALL", "STOP") for p in group["partitions"])
        assert anonymous.status_code == 401

    async def test_stream_shows_finished_documents_and_top_failures_of_the_caller_only(
        self, gateway: RunningGateway
    ) -> None:
        from sqlalchemy import update

        from jisik.db.models import Knowledge

        base = await _create_base(gateway, "stream")
        ids = []
        async with gateway.client(gateway.acme) as client:
            for index in range(4):
                uploaded = await client.post(f"{API}/knowledge-bases/{base['id']}/knowledge/file",
                                             files={"file": (f"s{index}.md", f"# S{index}\n\nText {index}.\n".encode(),
                                                             "text/markdown")})
                assert uploaded.status_code == 201, uploaded.text
                ids.append(uploaded.json()["data"]["id"])
        outcomes = [("failed", "the file is encrypted"), ("failed", "the file is encrypted"),
                    ("failed", "no text found"), ("completed", "")]
        async with gateway.sessions() as session, session.begin():
            for knowledge_id, (status, reason) in zip(ids, outcomes, strict=True):
                await session.execute(update(Knowledge).where(Knowledge.id == knowledge_id)
                                      .values(parse_status=status, error_message=reason))
        async with gateway.client(gateway.acme) as client:
            mine = (await client.get(f"{API}/ingest/stream", params={"window_s": 600, "buckets": 6})).json()["data"]
        async with gateway.client(gateway.globex) as client:
            other = (await client.get(f"{API}/ingest/stream")).json()["data"]
        assert len(mine["throughput"]) == 6
        assert sum(b["failed"] for b in mine["throughput"]) >= 3
        assert sum(b["completed"] for b in mine["throughput"]) >= 1
        assert mine["throughput"][-1]["failed"] >= 3  # just now: the newest slice
        top = {row["reason"]: row["documents"] for row in mine["top_failures"]}
        assert top["the file is encrypted"] >= 2 and top["no text found"] >= 1
        assert mine["top_failures"][0]["documents"] >= mine["top_failures"][-1]["documents"]
        assert other["top_failures"] == [] and sum(b["failed"] + b["completed"] for b in other["throughput"]) == 0

    async def test_counts_unfinished_documents_that_no_event_reports(self, gateway: RunningGateway) -> None:
        """No ingest or cdc runs here, so the broker holds no event for this upload: the lag still shows it,
        to its own tenant only."""
        base = await _create_base(gateway, "backlog")
        async with gateway.client(gateway.acme) as client:
            before = (await client.get(f"{API}/ingest/lag")).json()["data"]
            uploaded = await client.post(f"{API}/knowledge-bases/{base['id']}/knowledge/file",
                                         files={"file": ("note.md", b"# Note\n\nWaiting to be parsed.\n", "text/markdown")})
            assert uploaded.status_code == 201, uploaded.text
            after = (await client.get(f"{API}/ingest/lag")).json()["data"]
        async with gateway.client(gateway.globex) as client:
            other = (await client.get(f"{API}/ingest/lag")).json()["data"]
        assert after["parse"] == before["parse"] + 1
        assert after["unfinished_documents"] == before["unfinished_documents"] + 1
        assert other["unfinished_documents"] == 0
