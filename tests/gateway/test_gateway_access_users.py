"""What a signed-in user may read, through the gateway: documents, chunks, downloads, fields and search
follow the access lists and the user's groups; a revocation or a group removal applies to the user's
very next request, before the index has caught up (no CDC runs here, so the index stays stale)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from gateway_testkit import RunningGateway, gateway_settings, running_gateway

from jisik.grpc_server import grpc_channel
from jisik.proto import retriever_pb2, retriever_pb2_grpc
from jisik.runtime.tansu import EmbeddedTansu
from retriever import server as retriever_server

pytestmark = pytest.mark.integration

API = "/api/v1"
PASSWORD = "a long enough password 1"


@dataclass
class World:
    gateway: RunningGateway
    base_id: str
    open_doc: str
    hr_doc: str
    kim_id: str
    hr_group: str
    kim: httpx.AsyncClient

    def admin(self) -> httpx.AsyncClient:
        return self.gateway.client(self.gateway.acme)


async def _signed_in_viewer(gateway: RunningGateway, email: str, role: str = "viewer") -> tuple[str, httpx.AsyncClient]:
    async with gateway.client(gateway.acme) as admin:
        invited = await admin.post(f"{API}/invitations", json={"email": email, "role": role})
        assert invited.status_code == 201, invited.text
    browser = httpx.AsyncClient(base_url=gateway.url, timeout=30)
    accepted = await browser.post(f"{API}/auth/invitations/accept",
                                  json={"token": invited.json()["data"]["token"], "name": "Kim", "password": PASSWORD})
    assert accepted.status_code == 201, accepted.text
    me = accepted.json()["data"]
    browser.headers["X-CSRF-Token"] = me["csrf_token"]
    return me["user"]["id"], browser


async def _draft(admin: httpx.AsyncClient, base_id: str, title: str) -> str:
    response = await admin.post(f"{API}/knowledge-bases/{base_id}/knowledge/manual",
                                json={"title": title, "content": f"{title}: 휴가 규정 vacation policy", "status": "draft"})
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


@pytest.fixture(scope="module")
async def world(module_database: str, kafka: EmbeddedTansu, tmp_path_factory: pytest.TempPathFactory
                ) -> AsyncIterator[World]:
    base = gateway_settings(module_database, tmp_path_factory.mktemp("acl"), kafka_servers=kafka.bootstrap_servers)
    retriever, port, _, service = await retriever_server.create_server(base, 0, module_database)
    await retriever.start()
    settings = gateway_settings(module_database, Path(str(tmp_path_factory.mktemp("acl-gw"))),
                                kafka_servers=kafka.bootstrap_servers, endpoints={"retriever_addr": f"127.0.0.1:{port}"})
    settings = settings.model_copy(update={"accounts": settings.accounts.model_copy(update={"session_cookie_secure": False})})
    try:
        async with running_gateway(settings) as gateway:
            async with gateway.client(gateway.acme) as admin:
                base_id = (await admin.post(f"{API}/knowledge-bases", json={"name": "handbook"})).json()["data"]["id"]
                open_doc, hr_doc = await _draft(admin, base_id, "open"), await _draft(admin, base_id, "hr only")
                assert (await admin.put(f"{API}/knowledge/{hr_doc}/access",
                                        json={"principals": ["group:hr"]})).status_code == 200
                hr_group = (await admin.post(f"{API}/groups", json={"name": "hr"})).json()["data"]["id"]
            kim_id, kim = await _signed_in_viewer(gateway, "kim@acme.example")
            # The index as CDC would have left it after these commits (no CDC runs in this module).
            channel = grpc_channel(f"127.0.0.1:{port}", settings.endpoints)
            await retriever_pb2_grpc.RetrieverStub(channel).IndexChunks(retriever_pb2.IndexChunksRequest(chunks=[
                retriever_pb2.IndexedChunk(
                    chunk_id=f"{doc}-0", tenant_id=gateway.acme.id, knowledge_base_id=base_id, knowledge_id=doc,
                    content="휴가 규정 vacation policy", embedding=[0.05] * settings.retriever.embedding_dimension,
                    acl_principals=acl)
                for doc, acl in ((open_doc, []), (hr_doc, ["group:hr"]))] + [
                retriever_pb2.IndexedChunk(  # other text, so the query's words are rare enough to score
                    chunk_id=f"filler-{n}", tenant_id=gateway.acme.id, knowledge_base_id=base_id,
                    knowledge_id=f"filler-{n}", content=f"주차 안내 parking floor {n}",
                    embedding=[0.05] * settings.retriever.embedding_dimension)
                for n in range(4)]))
            await channel.close()
            yield World(gateway, base_id, open_doc, hr_doc, kim_id, hr_group, kim)
            await kim.aclose()
    finally:
        await retriever.stop(0)
        await service.close()


async def _found(world: World) -> set[str]:
    response = await world.kim.post(f"{API}/knowledge-bases/{world.base_id}/hybrid-search", json={
        "query_text": "vacation policy", "vector_threshold": 0.0, "keyword_threshold": 0.0, "match_count": 10})
    assert response.status_code == 200, response.text
    return {hit["knowledge_id"] for hit in response.json()["data"]}


async def _readable(world: World, doc: str) -> dict[str, int]:
    paths = {"document": f"{API}/knowledge/{doc}", "chunks": f"{API}/chunks/{doc}",
             "download": f"{API}/knowledge/{doc}/download", "fields": f"{API}/knowledge/{doc}/fields",
             "access": f"{API}/knowledge/{doc}/access"}
    return {name: (await world.kim.get(path)).status_code for name, path in paths.items()}


class TestWhatAUserMayRead:
    async def test_a_restricted_document_is_hidden_everywhere_until_a_group_grants_it(self, world: World) -> None:
        assert await _found(world) == {world.open_doc}
        assert set((await _readable(world, world.hr_doc)).values()) == {404}
        assert set((await _readable(world, world.open_doc)).values()) == {200}
        listed = (await world.kim.get(f"{API}/knowledge-bases/{world.base_id}/knowledge")).json()["data"]
        assert [doc["id"] for doc in listed] == [world.open_doc]

        async with world.admin() as admin:  # kim joins hr: the very next request sees the document
            added = await admin.put(f"{API}/groups/{world.hr_group}/members/{world.kim_id}")
            assert added.status_code in (200, 204), added.text
        assert await _found(world) == {world.open_doc, world.hr_doc}
        assert set((await _readable(world, world.hr_doc)).values()) == {200}

        async with world.admin() as admin:  # and leaves it: hidden again at once
            await admin.delete(f"{API}/groups/{world.hr_group}/members/{world.kim_id}")
        assert await _found(world) == {world.open_doc}
        assert set((await _readable(world, world.hr_doc)).values()) == {404}

    async def test_revoking_is_immediate_even_while_the_index_is_stale(self, world: World) -> None:
        async with world.admin() as admin:
            await admin.put(f"{API}/knowledge/{world.open_doc}/access", json={"principals": ["user:someone-else"]})
        # The index still lists the document as open to all (nothing applied index.meta here) ...
        assert await _found(world) == set()  # ... yet the gateway's own check drops the hit
        assert set((await _readable(world, world.open_doc)).values()) == {404}
        async with world.admin() as admin:
            await admin.put(f"{API}/knowledge/{world.open_doc}/access", json={"principals": [f"user:{world.kim_id}"]})
        assert set((await _readable(world, world.open_doc)).values()) == {200}

    async def test_a_viewer_may_not_change_lists_and_admins_see_everything(self, world: World) -> None:
        refused = await world.kim.put(f"{API}/knowledge/{world.open_doc}/access", json={"principals": []})
        assert refused.status_code == 403
        async with world.admin() as admin:
            everything: Any = (await admin.get(f"{API}/knowledge-bases/{world.base_id}/knowledge")).json()["data"]
        assert {doc["id"] for doc in everything} == {world.open_doc, world.hr_doc}

    async def test_chat_sessions_open_only_to_who_started_them_and_admins(self, world: World) -> None:
        async with world.admin() as admin:
            theirs = (await admin.post(f"{API}/sessions", json={"knowledge_base_ids": [world.base_id]})).json()
        mine = await world.kim.post(f"{API}/sessions", json={"knowledge_base_ids": [world.base_id]})
        assert mine.status_code == 201, mine.text
        mine_id, theirs_id = mine.json()["data"]["id"], theirs["data"]["id"]
        for path in (f"{API}/sessions/{theirs_id}", f"{API}/messages/{theirs_id}/load"):
            assert (await world.kim.get(path)).status_code == 404, path
        listed = {row["id"] for row in (await world.kim.get(f"{API}/sessions")).json()["data"]}
        assert listed == {mine_id}
        async with world.admin() as admin:
            assert (await admin.get(f"{API}/sessions/{mine_id}")).status_code == 200

    async def test_an_editor_manages_the_lists_of_the_bases_they_created_only(self, world: World) -> None:
        lee_id, lee = await _signed_in_viewer(world.gateway, "lee@acme.example", role="editor")
        _, park = await _signed_in_viewer(world.gateway, "park@acme.example", role="editor")
        try:
            created = await lee.post(f"{API}/knowledge-bases", json={"name": "lee's notes"})
            assert created.status_code == 201, created.text
            base = created.json()["data"]["id"]
            shown = (await lee.get(f"{API}/knowledge-bases/{base}/access")).json()["data"]
            assert shown["owner"] == f"user:{lee_id}" and shown["may_manage"] is True
            closed = await lee.put(f"{API}/knowledge-bases/{base}/access", json={"principals": [f"user:{lee_id}"]})
            assert closed.status_code == 200, closed.text
            assert (await park.put(f"{API}/knowledge-bases/{base}/access", json={"principals": []})).status_code == 403
            assert (await park.get(f"{API}/knowledge-bases/{base}/access")).json()["data"]["may_manage"] is False
        finally:
            await lee.aclose()
            await park.aclose()
