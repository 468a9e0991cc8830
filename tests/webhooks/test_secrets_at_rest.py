"""Webhook signing secrets at rest: rows hold them sealed, the worker opens them to sign (and sends
nothing it cannot sign), and the migration seals secrets stored in clear before it."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import text
from standardwebhooks.webhooks import Webhook

from jisik.db.migrate import alembic_config, upgrade
from jisik.runtime.postgres import EmbeddedPostgres
from jisik.secret_box import SecretBox
from jisik.webhooks import DocumentIndexedData, EventType, stage_webhook_event
from jisik.webhooks.signing import new_secret
from tests.webhooks.receiver import Receiver
from tests.webhooks.webhook_db import BOX, ENCRYPTION_KEY, new_endpoint, new_tenant, sessions_for
from tests.webhooks.worker_run import FAST, messages, running_worker, wait_until

BEFORE = "0018_field_tagger"
INDEXED = EventType.DOCUMENT_INDEXED


async def _row(url: str, endpoint_id: str) -> dict[str, object]:
    async with sessions_for(url) as sessions, sessions() as session:
        row = await session.execute(text("SELECT * FROM webhook_endpoints WHERE id = :id"), {"id": endpoint_id})
        return dict(row.mappings().one())


async def test_rows_hold_secrets_sealed_and_deliveries_are_signed_with_them(
    fresh_database: str, receiver: tuple[Receiver, str]
) -> None:
    server, base = receiver
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        endpoint = await new_endpoint(sessions, tenant, f"{base}/ok", [INDEXED.value])
        row = await _row(fresh_database, endpoint.id)
        stored = " ".join(str(value) for value in row.values())
        assert endpoint.secret not in stored and endpoint.secret.removeprefix("whsec_") not in stored
        assert row["secret_prefix"] == endpoint.secret[:12]
        assert BOX.decrypt(str(row["secret"]), owner="test") == endpoint.secret

        async with sessions.begin() as session:
            await stage_webhook_event(session, tenant, INDEXED, DocumentIndexedData(
                knowledge_base_id="kb", knowledge_id="doc-1", chunk_count=1))
        async with running_worker(sessions):
            await wait_until(sessions, lambda rows: rows[0].status == "succeeded")
        [request] = server.delivered()
        assert Webhook(endpoint.secret).verify(request.body, request.headers)["data"]["knowledge_id"] == "doc-1"


async def test_a_worker_with_another_key_sends_nothing_unsigned(
    fresh_database: str, receiver: tuple[Receiver, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, base = receiver
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        await new_endpoint(sessions, tenant, f"{base}/ok", [INDEXED.value])
        async with sessions.begin() as session:
            await stage_webhook_event(session, tenant, INDEXED, DocumentIndexedData(
                knowledge_base_id="kb", knowledge_id="doc-2", chunk_count=1))
        monkeypatch.setattr("tests.webhooks.worker_run.BOX", SecretBox(SecretBox.generate_key()))
        async with running_worker(sessions, FAST):
            await wait_until(sessions, lambda rows: rows[0].attempts == 1)
        [row] = await messages(sessions)
        async with sessions() as session:
            [error] = (await session.execute(text("SELECT error FROM webhook_attempts"))).scalars()
    assert row.status == "pending" and "cannot be decrypted" in error
    assert server.records == []


async def _legacy_database(postgres: EmbeddedPostgres) -> tuple[str, str, str, str]:
    """A database at the revision before sealing, with one endpoint holding its secrets in clear."""
    url = postgres.create_database(f"s_{uuid.uuid4().hex[:12]}")
    upgrade(url, BEFORE)
    current, previous = new_secret(), new_secret()
    endpoint_id = str(uuid.uuid4())
    async with sessions_for(url) as sessions:
        tenant = await new_tenant(sessions)
        async with sessions.begin() as session:
            await session.execute(text(
                "INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, enabled, disabled_reason,"
                " secret, previous_secret, created_at, updated_at) VALUES (:id, :tenant, 'https://example.com/h', '',"
                " ARRAY['document.indexed'], true, '', :secret, :previous, now(), now())"),
                {"id": endpoint_id, "tenant": tenant, "secret": current, "previous": previous})
    return url, endpoint_id, current, previous


async def test_the_migration_seals_secrets_stored_in_clear(postgres: EmbeddedPostgres) -> None:
    url, endpoint_id, current, previous = await _legacy_database(postgres)
    upgrade(url, encryption_key=ENCRYPTION_KEY)
    row = await _row(url, endpoint_id)
    assert current not in str(row["secret"]) and previous not in str(row["previous_secret"])
    assert BOX.decrypt(str(row["secret"]), owner="test") == current
    assert BOX.decrypt(str(row["previous_secret"]), owner="test") == previous
    assert row["secret_prefix"] == current[:12]
    # Downgrading opens them again (with the key), so the older code still signs.
    command.downgrade(alembic_config(url, encryption_key=ENCRYPTION_KEY), BEFORE)
    row = await _row(url, endpoint_id)
    assert (row["secret"], row["previous_secret"]) == (current, previous)


async def test_without_the_key_the_migration_stops_and_changes_nothing(postgres: EmbeddedPostgres) -> None:
    url, endpoint_id, current, _ = await _legacy_database(postgres)
    with pytest.raises(RuntimeError, match="JISIK_ENCRYPTION_KEY"):
        upgrade(url)
    row = await _row(url, endpoint_id)
    assert row["secret"] == current and "secret_prefix" not in row
    # An empty database needs no key.
    upgrade(postgres.create_database(f"e_{uuid.uuid4().hex[:12]}"))
