"""Access-list routes of knowledge bases and documents on a real gateway and database."""

from __future__ import annotations

from typing import Any

import pytest
from gateway_testkit import RunningGateway

pytestmark = pytest.mark.integration

API = "/api/v1"


async def _base(gateway: RunningGateway) -> dict[str, Any]:
    async with gateway.client(gateway.acme) as client:
        response = await client.post(f"{API}/knowledge-bases", json={"name": "hr handbook"})
    assert response.status_code == 201, response.text
    return dict(response.json()["data"])


async def _draft(gateway: RunningGateway, base_id: str, title: str) -> str:
    async with gateway.client(gateway.acme) as client:
        response = await client.post(f"{API}/knowledge-bases/{base_id}/knowledge/manual",
                                     json={"title": title, "content": "휴가는 25일입니다.", "status": "draft"})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


class TestAccessListRoutes:
    async def test_base_list_is_inherited_until_a_document_has_its_own(self, gateway: RunningGateway) -> None:
        base = await _base(gateway)
        before = await _draft(gateway, base["id"], "before")
        async with gateway.client(gateway.acme) as client:
            shown = (await client.get(f"{API}/knowledge-bases/{base['id']}/access")).json()["data"]
            assert shown["principals"] == [] and shown["may_manage"] is True
            assert shown["owner"].startswith("key:")

            response = await client.put(f"{API}/knowledge-bases/{base['id']}/access",
                                        json={"principals": ["group:hr", " user:kim ", "group:hr"]})
            assert response.status_code == 200, response.text
            assert response.json()["data"]["principals"] == ["group:hr", "user:kim"]
            after = await _draft(gateway, base["id"], "after")
            for document in (before, after):  # an existing document follows, a new one starts with it
                access = (await client.get(f"{API}/knowledge/{document}/access")).json()["data"]
                assert access == {"knowledge_id": document, "principals": [], "inherited": ["group:hr", "user:kim"],
                                  "effective": ["group:hr", "user:kim"], "may_manage": True}

            own = await client.put(f"{API}/knowledge/{after}/access", json={"principals": ["user:lee"]})
            assert own.json()["data"]["effective"] == ["user:lee"]
            await client.put(f"{API}/knowledge-bases/{base['id']}/access", json={"principals": []})
            kept = (await client.get(f"{API}/knowledge/{after}/access")).json()["data"]
            assert kept["effective"] == ["user:lee"] and kept["inherited"] == []
            opened = (await client.get(f"{API}/knowledge/{before}/access")).json()["data"]
            assert opened["effective"] == []
            cleared = await client.put(f"{API}/knowledge/{after}/access", json={"principals": []})
            assert cleared.json()["data"]["effective"] == []

    async def test_malformed_lists_are_refused_and_change_nothing(self, gateway: RunningGateway) -> None:
        base = await _base(gateway)
        async with gateway.client(gateway.acme) as client:
            await client.put(f"{API}/knowledge-bases/{base['id']}/access", json={"principals": ["group:hr"]})
            for body in ({"principals": ["role:admin"]}, {"principals": ["user:"]}, {"principals": "group:hr"},
                         {"principals": [f"user:{n}" for n in range(201)]}, {"principals": [], "extra": 1}):
                response = await client.put(f"{API}/knowledge-bases/{base['id']}/access", json=body)
                assert response.status_code == 422, (body, response.text)
            shown = (await client.get(f"{API}/knowledge-bases/{base['id']}/access")).json()["data"]
            assert shown["principals"] == ["group:hr"]

    async def test_another_tenant_cannot_read_or_set_the_lists(self, gateway: RunningGateway) -> None:
        base = await _base(gateway)
        document = await _draft(gateway, base["id"], "mine")
        async with gateway.client(gateway.globex) as stranger:
            for path in (f"{API}/knowledge-bases/{base['id']}/access", f"{API}/knowledge/{document}/access"):
                assert (await stranger.get(path)).status_code == 404
                assert (await stranger.put(path, json={"principals": ["user:spy"]})).status_code == 404
        async with gateway.client(gateway.acme) as client:
            access = (await client.get(f"{API}/knowledge/{document}/access")).json()["data"]
        assert access["effective"] == []
