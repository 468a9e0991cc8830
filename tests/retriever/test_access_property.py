"""Access lists as a property, on the real database and retriever: for random users, groups and lists,
a search returns exactly the chunks of the documents the user may read, never another.

The lists are written by the gateway's one writer (gateway.services.access_lists) and reach the index
as the CDC index.meta applier sends them (SetKnowledgeAccess with the row's effective list); the
oracle below recomputes the rule from the lists and memberships on its own.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from retriever_testkit import chunk
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from gateway.repositories.readable import readable_by
from gateway.services.access_lists import set_document_list, set_knowledge_base_list
from jisik.access import Access, effective_list, normalize_access_list
from jisik.db.engine import create_engine, session_factory, transaction
from jisik.db.models import Knowledge, KnowledgeBase, Tenant
from jisik.errors import InvalidInput
from retriever.service import RetrieverService
from retriever.types import Filters, Mode, SearchQuery

USERS = ["u1", "u2", "u3", "u4"]
GROUPS = ["hr", "dev", "ops"]
PRINCIPALS = [f"user:{user}" for user in USERS] + [f"group:{group}" for group in GROUPS]
DOCUMENTS = 5


class TestRule:
    def test_entries_are_checked_trimmed_and_deduplicated(self) -> None:
        assert normalize_access_list([" user:a ", "group:hr", "user:a"]) == ["user:a", "group:hr"]
        for bad in ("a", "role:admin", "user:", "user: a", "group:" + "x" * 300):
            with pytest.raises(InvalidInput):
                normalize_access_list([bad])
        with pytest.raises(InvalidInput):
            normalize_access_list([f"user:{n}" for n in range(201)])

    def test_own_list_wins_then_the_bases_then_everyone(self) -> None:
        assert effective_list(["user:a"], ["group:hr"]) == ["user:a"]
        assert effective_list([], ["group:hr"]) == ["group:hr"]
        assert effective_list([], []) == []
        kim = Access(frozenset({"user:kim", "group:hr"}))
        assert kim.allows([]) and kim.allows(["group:hr", "user:x"]) and not kim.allows(["user:lee"])
        assert Access.all_documents().allows(["user:lee"]) and not Access().allows(["user:lee"])


@dataclass
class World:
    tenant_id: str
    base_id: str
    document_ids: list[str]
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture(scope="module")
async def world(module_database: str, service: RetrieverService) -> AsyncIterator[World]:
    """One tenant, one knowledge base, five documents of two chunks each, all indexed."""
    engine = create_engine(module_database, pool_size=2)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        tenant = Tenant(name="acl", api_key_hash=uuid.uuid4().hex, api_key_prefix="sk-acl")
        session.add(tenant)
        await session.flush()
        base = KnowledgeBase(tenant_id=tenant.id, name="handbook")
        session.add(base)
        await session.flush()
        documents = [Knowledge(tenant_id=tenant.id, knowledge_base_id=base.id, title=f"d{n}") for n in range(DOCUMENTS)]
        session.add_all(documents)
    await service.index_chunks(tenant.id, [
        chunk(f"{document.id}-{part}", f"휴가 정책 vacation policy {n} {part}", kb=base.id, knowledge=document.id)
        for n, document in enumerate(documents) for part in range(2)
    ])
    yield World(tenant.id, base.id, [document.id for document in documents], sessions)
    await engine.dispose()


lists = st.lists(st.sampled_from(PRINCIPALS), max_size=3)
worlds = st.fixed_dictionaries({
    "members": st.fixed_dictionaries({user: st.sets(st.sampled_from(GROUPS), max_size=2) for user in USERS}),
    "base": lists,
    "documents": st.lists(lists, min_size=DOCUMENTS, max_size=DOCUMENTS),
    "base_after": st.one_of(st.none(), lists),
})


def _oracle(spec: dict, user: str) -> set[int]:
    """Indexes of the documents ``user`` may read, from the rule's words alone."""
    base = spec["base"] if spec["base_after"] is None else spec["base_after"]
    mine = {f"user:{user}"} | {f"group:{group}" for group in spec["members"][user]}
    visible = set()
    for n, own in enumerate(spec["documents"]):
        deciding = own or base
        if not deciding or mine & set(deciding):
            visible.add(n)
    return visible


class TestSearchNeverShowsWhatAUserMayNotRead:
    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(spec=worlds)
    async def test_search_and_database_agree_with_the_rule(
        self, service: RetrieverService, world: World, spec: dict
    ) -> None:
        async with transaction(world.sessions) as session:
            base = (await session.execute(
                select(KnowledgeBase).where(col(KnowledgeBase.id) == world.base_id).with_for_update())).scalar_one()
            await set_knowledge_base_list(session, base, spec["base"])
            for document_id, own in zip(world.document_ids, spec["documents"], strict=True):
                document = (await session.execute(
                    select(Knowledge).where(col(Knowledge.id) == document_id))).scalar_one()
                await set_document_list(session, document, base, own)
            if spec["base_after"] is not None:  # a later change of the base's list reaches documents without one
                await set_knowledge_base_list(session, base, spec["base_after"])
        async with world.sessions() as session:
            effective = {row[0]: row[1] for row in (await session.execute(
                select(col(Knowledge.id), col(Knowledge.acl_principals))
                .where(col(Knowledge.knowledge_base_id) == world.base_id))).all()}
        for document_id, acl in effective.items():  # what the index.meta applier does for each changed row
            await service.set_access(world.tenant_id, [document_id], acl, True)

        for user in USERS:
            mine = frozenset({f"user:{user}"} | {f"group:{group}" for group in spec["members"][user]})
            hits = await service.search(SearchQuery(
                Filters(world.tenant_id, (world.base_id,), principals=tuple(sorted(mine))),
                top_k=100, mode=Mode.KEYWORD, text="vacation policy", keyword_threshold=-1e9,
            ))
            expected = {world.document_ids[n] for n in _oracle(spec, user)}
            assert {hit.knowledge_id for hit in hits} == expected, user
            assert len(hits) == 2 * len(expected)
            async with world.sessions() as session:
                readable = set((await session.execute(
                    select(col(Knowledge.id)).where(
                        col(Knowledge.knowledge_base_id) == world.base_id, readable_by(Access(mine))))).scalars())
            assert readable == expected, user

        everything = await service.search(SearchQuery(
            Filters(world.tenant_id, (world.base_id,), all_documents=True),
            top_k=100, mode=Mode.KEYWORD, text="vacation policy", keyword_threshold=-1e9,
        ))
        assert {hit.knowledge_id for hit in everything} == set(world.document_ids)
