"""stage_webhook_event: one message per subscribed, enabled endpoint of the tenant, committed only with
the caller's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jisik.db.models import WebhookMessage
from jisik.errors import InvalidInput
from jisik.webhooks import DocumentIndexedData, EventType, event_schemas, stage_webhook_event
from tests.webhooks.webhook_db import new_endpoint, new_tenant, sessions_for

INDEXED = DocumentIndexedData(knowledge_base_id="kb1", knowledge_id="doc1", version=2, chunk_count=7)


async def test_fans_out_to_subscribed_enabled_endpoints_of_the_tenant(fresh_database: str) -> None:
    async with sessions_for(fresh_database) as sessions:
        tenant, other = await new_tenant(sessions, "a"), await new_tenant(sessions, "b")
        wanted = await new_endpoint(sessions, tenant, "https://example.com/a", ["document.indexed"])
        both = await new_endpoint(sessions, tenant, "https://example.com/b", ["document.failed", "document.indexed"])
        await new_endpoint(sessions, tenant, "https://example.com/c", ["document.failed"])
        await new_endpoint(sessions, tenant, "https://example.com/d", ["document.indexed"], enabled=False)
        await new_endpoint(sessions, other, "https://example.com/e", ["document.indexed"])

        async with sessions.begin() as session:
            event_id = await stage_webhook_event(session, tenant, EventType.DOCUMENT_INDEXED, INDEXED)

        async with sessions() as session:
            rows = list((await session.execute(select(WebhookMessage))).scalars())
        assert sorted(row.endpoint_id for row in rows) == sorted([wanted.id, both.id])
        assert {row.event_id for row in rows} == {event_id}
        assert event_id.startswith("msg_")
        assert all(row.status == "pending" and row.tenant_id == tenant for row in rows)
        body = rows[0].payload
        assert body["type"] == "document.indexed" and body["version"] == 1
        assert body["data"] == {"knowledge_base_id": "kb1", "knowledge_id": "doc1", "version": 2,
                                "chunk_count": 7, "embedding_model": ""}
        assert body["timestamp"].endswith("Z")


async def test_nothing_is_staged_when_the_callers_transaction_rolls_back(fresh_database: str) -> None:
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        await new_endpoint(sessions, tenant, "https://example.com/a", ["document.indexed"])

        class Boom(Exception):
            pass

        with pytest.raises(Boom):
            async with sessions.begin() as session:
                await stage_webhook_event(session, tenant, "document.indexed", INDEXED)
                raise Boom

        async with sessions() as session:
            assert list((await session.execute(select(WebhookMessage))).scalars()) == []


async def test_data_is_checked_against_the_event_schema(fresh_database: str) -> None:
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        async with sessions.begin() as session:
            with pytest.raises(InvalidInput) as missing:
                await stage_webhook_event(session, tenant, "document.indexed", {"knowledge_id": "x"})
            assert missing.value.field == "data"
            with pytest.raises(InvalidInput):
                await stage_webhook_event(session, tenant, EventType.REVIEW_COMPLETED, INDEXED)
            with pytest.raises(ValueError, match="no.such"):
                await stage_webhook_event(session, tenant, "no.such", {})


def test_every_event_type_has_a_versioned_schema() -> None:
    schemas = {entry["type"]: entry for entry in event_schemas()}
    assert set(schemas) == {kind.value for kind in EventType}
    for entry in schemas.values():
        assert entry["version"] >= 1 and entry["description"]
        assert entry["schema"]["type"] == "object" and entry["schema"]["properties"]
