"""Input hygiene at the gateway (issue 13, break 7): NUL and invalid Unicode, parameter objects checked
when written, key rotation and revocation, and an access log without query values."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest
from gateway_testkit import RunningGateway

from jisik.db.models import ChatSession
from jisik.db.tenants import create_tenant

API = "/api/v1"


class TestNulAndInvalidUnicode:
    @pytest.mark.parametrize(
        "body",
        [
            b'{"title": "a\\u0000b"}',
            b'{"title": "ok", "description": "\\ud800"}',
            b'{"title": "ok", "knowledge_base_ids": ["\\udfff"]}',
            b'{"title": "ok", "summary_parameters": {"prompt": "x\\u0000"}}',
        ],
    )
    async def test_json_bodies_are_refused_with_422(self, gateway: RunningGateway, body: bytes) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/sessions", content=body, headers={"Content-Type": "application/json"})
            listed = await client.get(f"{API}/sessions")
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_input"
        assert "\x00" not in listed.text and listed.status_code == 200

    @pytest.mark.parametrize(
        "path",
        [
            "/knowledge-bases/abc%00def",
            "/knowledge-bases/%ff%fe",
            "/knowledge-bases?keyword=%00",
            "/knowledge-bases?keyword=%c3%28",
            "/sessions/%ed%a0%80",
        ],
    )
    async def test_paths_and_query_strings_are_refused_with_422(self, gateway: RunningGateway, path: str) -> None:
        async with gateway.client(gateway.acme) as client:
            response = await client.get(f"{API}{path}")
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] == "invalid_input"

    async def test_chat_session_update_with_nul_is_refused(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.acme) as client:
            created = await client.post(f"{API}/sessions", json={"title": "t"})
            session_id = created.json()["data"]["id"]
            response = await client.put(f"{API}/sessions/{session_id}", json={"title": "a\u0000"})
        assert response.status_code == 422


class TestParametersCheckedWhenWritten:
    @pytest.mark.parametrize(
        "parameters",
        [
            {"temperature": "hot"},
            {"temperature": 7},
            {"max_completion_tokens": -1},
            {"max_completion_tokens": 1.5},
            {"prompt": "x" * 20000},
            {"nested": {"a": {"b": {"c": {"d": 1}}}}},
            {"callback": "file:///etc/passwd"},
        ],
    )
    async def test_bad_summary_parameters_are_422(self, gateway: RunningGateway, parameters: dict[str, Any]) -> None:
        async with gateway.client(gateway.acme) as client:
            created = await client.post(f"{API}/sessions", json={"title": "s", "summary_parameters": parameters})
            session_id = (await client.post(f"{API}/sessions", json={"title": "s"})).json()["data"]["id"]
            updated = await client.put(f"{API}/sessions/{session_id}", json={"summary_parameters": parameters})
            stored = await client.get(f"{API}/sessions/{session_id}")
        assert created.status_code == 422 and updated.status_code == 422, (created.text, updated.text)
        assert created.json()["error"]["field"] == "summary_parameters"
        assert stored.json()["data"]["summary_parameters"] == {}

    async def test_good_summary_parameters_are_kept(self, gateway: RunningGateway) -> None:
        parameters = {"temperature": 0.2, "max_completion_tokens": 512, "no_match_prefix": "없음"}
        async with gateway.client(gateway.acme) as client:
            created = await client.post(f"{API}/sessions", json={"title": "s", "summary_parameters": parameters})
        assert created.status_code == 201
        assert created.json()["data"]["summary_parameters"] == parameters

    async def test_a_bad_value_stored_earlier_no_longer_breaks_chat(self, gateway: RunningGateway) -> None:
        from gateway.services.chat import retrieval_settings

        stored = ChatSession(tenant_id=gateway.acme.id, title="old", summary_parameters={"temperature": "hot"})
        settings = retrieval_settings(stored, None)
        assert settings.temperature == pytest.approx(0.3) and settings.max_completion_tokens == 2048

    @pytest.mark.parametrize(
        ("parameters", "status"),
        [
            ({"base_url": "file:///etc/passwd"}, 422),
            ({"base_url": "gopher://example.com"}, 422),
            ({"base_url": "http://user:pw@example.com"}, 422),
            ({"base_url": "http://127.0.0.1:5432"}, 403),
            ({"base_url": "http://localhost.:11434"}, 403),
            ({"dimension": "384"}, 422),
            ({"dimension": 10**9}, 422),
            ({"provider": "smtp"}, 422),
            ({"blob": "x" * 7000, "blob2": "y" * 7000, "blob3": "z" * 7000}, 422),
            ({"extra": "ftp://example.com/x"}, 422),
        ],
    )
    async def test_bad_model_parameters_are_refused(
        self, gateway: RunningGateway, parameters: dict[str, Any], status: int
    ) -> None:
        body = {"name": "m", "type": "Embedding", "source": "remote", "parameters": parameters}
        async with gateway.client(gateway.acme) as client:
            created = await client.post(f"{API}/models", json=body)
            good = {**body, "parameters": {"base_url": "https://api.example.com/v1", "dimension": 8}}
            model_id = (await client.post(f"{API}/models", json=good)).json()["data"]["id"]
            updated = await client.put(f"{API}/models/{model_id}", json={"parameters": parameters})
            stored = await client.get(f"{API}/models/{model_id}")
        assert created.status_code == status and updated.status_code == status, (created.text, updated.text)
        assert stored.json()["data"]["parameters"] == good["parameters"]

    async def test_five_megabyte_parameters_are_refused(self, gateway: RunningGateway) -> None:
        body = {"name": "m", "type": "Embedding", "source": "local", "parameters": {"x": ["y" * 1000] * 5000}}
        async with gateway.client(gateway.acme) as client:
            response = await client.post(f"{API}/models", json=body)
        assert response.status_code == 422


class TestKeyRotation:
    async def _tenant(self, gateway: RunningGateway) -> tuple[str, str]:
        async with gateway.sessions() as session, session.begin():
            tenant, key = await create_tenant(session, name=f"rotate-{uuid.uuid4().hex[:6]}")
        return tenant.id, key

    async def test_rotate_returns_a_new_key_once_and_the_old_one_stops_working(
        self, gateway: RunningGateway
    ) -> None:
        tenant_id, old = await self._tenant(gateway)
        async with gateway.client(headers={"X-API-Key": old}) as client:
            rotated = await client.post(f"{API}/tenants/{tenant_id}/api-key/rotate")
            after = await client.get(f"{API}/tenants/{tenant_id}")
        assert rotated.status_code == 200
        new = rotated.json()["data"]["api_key"]
        assert new.startswith("sk-") and new != old
        assert after.status_code == 401
        async with gateway.client(headers={"X-API-Key": new}) as client:
            fetched = await client.get(f"{API}/tenants/{tenant_id}")
        assert fetched.status_code == 200 and "api_key" not in fetched.json()["data"]
        assert fetched.json()["data"]["api_key_prefix"] == new[:10]

    async def test_revoke_makes_the_key_stop_working(self, gateway: RunningGateway) -> None:
        tenant_id, key = await self._tenant(gateway)
        async with gateway.client(headers={"X-API-Key": key}) as client:
            revoked = await client.post(f"{API}/tenants/{tenant_id}/api-key/revoke")
            after = await client.get(f"{API}/knowledge-bases")
        assert revoked.status_code == 200 and after.status_code == 401

    async def test_another_tenant_cannot_rotate_or_revoke(self, gateway: RunningGateway) -> None:
        async with gateway.client(gateway.globex) as client:
            rotated = await client.post(f"{API}/tenants/{gateway.acme.id}/api-key/rotate")
            revoked = await client.post(f"{API}/tenants/{gateway.acme.id}/api-key/revoke")
        assert rotated.status_code == 404 and revoked.status_code == 404
        async with gateway.client(gateway.acme) as client:
            assert (await client.get(f"{API}/tenants/{gateway.acme.id}")).status_code == 200


async def test_access_log_hides_query_values(gateway: RunningGateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with gateway.client(gateway.acme) as client:
        await client.get(f"{API}/knowledge-bases", params={"api_key": "sk-leaked-in-query", "keyword": "급여 명세"})
    server_side = [record for record in caplog.records if not record.name.startswith(("httpx", "httpcore"))]
    text = "\n".join(record.getMessage() for record in server_side)
    assert "sk-leaked-in-query" not in text and "급여" not in text and "%EA%B8%89" not in text
    assert "/api/v1/knowledge-bases?api_key=***&keyword=***" in text
