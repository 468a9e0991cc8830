"""/api/v1/webhooks on a real gateway: endpoint CRUD with the SSRF guard, the secret shown once,
rotation, tenant isolation, the delivery log and replay (a real worker and a local receiver)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from gateway_testkit import RunningGateway, gateway_settings, running_gateway
from pydantic import SecretStr
from sqlalchemy import text
from standardwebhooks.webhooks import Webhook

from jisik.settings import WebhookSettings
from jisik.webhooks import DocumentIndexedData, EventType, stage_webhook_event
from tests.webhooks.receiver import Receiver
from tests.webhooks.webhook_db import BOX, ENCRYPTION_KEY
from tests.webhooks.worker_run import running_worker, wait_until

API = "/api/v1/webhooks"
INDEXED = "document.indexed"


@pytest.fixture(scope="module")
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    server = Receiver()
    base = await server.start()
    yield server, base
    await server.stop()


@pytest.fixture(scope="module")
async def gateway(
    module_database: str, tmp_path_factory: pytest.TempPathFactory, receiver: tuple[Receiver, str]
) -> AsyncIterator[RunningGateway]:
    _, base = receiver
    port = base.rsplit(":", 1)[1]
    # Only the receiver's port on loopback is allowed: every other internal target stays refused.
    settings = gateway_settings(module_database, Path(tmp_path_factory.mktemp("webhooks")),
                                endpoints={"egress_allow_list": [f"127.0.0.1:{port}"],
                                           "encryption_key": SecretStr(ENCRYPTION_KEY)})
    async with running_gateway(settings) as running:
        yield running


async def _create(gateway: RunningGateway, body: dict[str, Any]) -> Any:
    async with gateway.client(gateway.acme) as client:
        return await client.post(API, json=body)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("ftp://example.com/hook", "url"),
        ("http://127.0.0.1:9/hook", "url"),  # loopback, a port that is not allow-listed
        ("http://10.1.2.3/hook", "url"),
        ("http://169.254.169.254/latest", "url"),
        ("http://localhost/hook", "url"),
        ("https://user:pw@example.com/hook", "url"),
        ("https://example.com/" + "a" * 3000, "url"),
    ],
)
async def test_bad_urls_are_422_naming_the_field(gateway: RunningGateway, url: str, field: str) -> None:
    response = await _create(gateway, {"url": url, "event_types": [INDEXED]})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


async def test_bad_event_types_are_422(gateway: RunningGateway) -> None:
    for types in ([], ["document.exploded"]):
        response = await _create(gateway, {"url": "https://example.com/h", "event_types": types})
        assert response.status_code == 422 and response.json()["error"]["field"] == "event_types"


async def test_secret_shown_once_rotation_and_tenant_isolation(gateway: RunningGateway) -> None:
    created = await _create(gateway, {"url": "https://example.com/h", "event_types": [INDEXED, "review.completed"]})
    assert created.status_code == 201, created.text
    endpoint = created.json()["data"]
    assert endpoint["secret"].startswith("whsec_") and endpoint["secret"].startswith(endpoint["secret_prefix"])
    assert endpoint["event_types"] == ["document.indexed", "review.completed"]
    async with gateway.client(gateway.acme) as client:
        shown = (await client.get(f"{API}/{endpoint['id']}")).json()["data"]
        assert "secret" not in shown and endpoint["secret"] not in str((await client.get(API)).json())
        rotated = (await client.post(f"{API}/{endpoint['id']}/rotate-secret")).json()["data"]
        assert rotated["secret"] != endpoint["secret"]
        assert rotated["secret"].startswith(rotated["secret_prefix"]) and len(rotated["secret_prefix"]) == 12
    # The row holds both secrets sealed: neither appears in any column.
    async with gateway.sessions() as session:
        row = (await session.execute(text("SELECT * FROM webhook_endpoints WHERE id = :id"),
                                     {"id": endpoint["id"]})).mappings().one()
    stored = " ".join(str(value) for value in row.values())
    for secret in (endpoint["secret"], rotated["secret"]):
        assert secret not in stored and secret.removeprefix("whsec_") not in stored
    assert BOX.decrypt(row["secret"], owner="test") == rotated["secret"]
    assert BOX.decrypt(row["previous_secret"], owner="test") == endpoint["secret"]
    async with gateway.client(gateway.acme) as client:
        expires = datetime.fromisoformat(rotated["previous_secret_expires_at"])
        assert timedelta(hours=23) < expires - datetime.now(UTC) <= timedelta(hours=24)
        changed = await client.put(f"{API}/{endpoint['id']}", json={"enabled": False, "event_types": [INDEXED]})
        assert changed.json()["data"]["enabled"] is False and changed.json()["data"]["event_types"] == [INDEXED]
    async with gateway.client(gateway.globex) as other:
        assert (await other.get(f"{API}/{endpoint['id']}")).status_code == 404
        assert (await other.delete(f"{API}/{endpoint['id']}")).status_code == 404
        assert all(row["id"] != endpoint["id"] for row in (await other.get(API)).json()["data"])
        assert (await other.get(f"{API}/{endpoint['id']}/deliveries")).status_code == 404
    async with gateway.client(gateway.acme) as client:
        assert (await client.delete(f"{API}/{endpoint['id']}")).status_code == 200
        assert (await client.get(f"{API}/{endpoint['id']}")).status_code == 404


async def test_event_types_are_documented(gateway: RunningGateway) -> None:
    async with gateway.client(gateway.acme) as client:
        types = (await client.get(f"{API}/event-types")).json()["data"]
    assert {entry["type"] for entry in types} == {kind.value for kind in EventType}
    assert all(entry["version"] >= 1 and entry["schema"]["properties"] for entry in types)


async def test_delivery_log_and_replay(gateway: RunningGateway, receiver: tuple[Receiver, str]) -> None:
    server, base = receiver
    ok = (await _create(gateway, {"url": f"{base}/ok", "event_types": [INDEXED]})).json()["data"]
    failing = (await _create(gateway, {"url": f"{base}/fail", "event_types": [INDEXED]})).json()["data"]
    data = DocumentIndexedData(knowledge_base_id="kb", knowledge_id="doc-log", chunk_count=3)
    async with gateway.sessions.begin() as session:
        event_id = await stage_webhook_event(session, gateway.acme.id, EventType.DOCUMENT_INDEXED, data)
    # A failure is given up at once (tiny retry window), so the range replay has something to resend.
    settings = WebhookSettings(poll_interval_s=0.05, retry_window_s=1, backoff_base_s=5)
    mine = {ok["id"], failing["id"]}
    async with running_worker(gateway.sessions, settings):
        await wait_until(gateway.sessions, lambda rows: all(r.status != "pending" for r in rows
                                                            if r.endpoint_id in mine))
    async with gateway.client(gateway.acme) as client:
        log = (await client.get(f"{API}/{ok['id']}/deliveries")).json()
        [delivery] = log["data"]
        assert log["total"] == 1 and delivery["event_id"] == event_id and delivery["status"] == "succeeded"
        [attempt] = delivery["attempt_log"]
        assert attempt["result"] == "succeeded" and attempt["response_code"] == 204 and attempt["latency_ms"] > 0
        failed = (await client.get(f"{API}/{failing['id']}/deliveries", params={"status": "failed"})).json()["data"]
        assert failed[0]["attempt_log"][0]["response_code"] == 500

        replayed = await client.post(f"{API}/{ok['id']}/deliveries/{delivery['id']}/replay")
        assert replayed.status_code == 202
        window = {"since": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
                  "until": (datetime.now(UTC) + timedelta(minutes=1)).isoformat()}
        queued = (await client.post(f"{API}/{failing['id']}/replay", json=window)).json()["data"]["queued"]
        assert queued == 1
        bad_range = await client.post(f"{API}/{failing['id']}/replay", json={**window, "until": window["since"]})
        assert bad_range.status_code == 422 and bad_range.json()["error"]["field"] == "until"
    async with gateway.client(gateway.globex) as other:
        stolen = await other.post(f"{API}/{ok['id']}/deliveries/{delivery['id']}/replay")
        assert stolen.status_code == 404

    async with running_worker(gateway.sessions, settings):
        await wait_until(gateway.sessions, lambda rows: all(r.attempts == 2 for r in rows if r.endpoint_id in mine))
    resent = [request for request in server.delivered() if request.headers["webhook-id"] == event_id]
    assert len(resent) == 2  # the first delivery and the replay, same webhook-id, both signed
    async with gateway.client(gateway.acme) as client:
        assert (await client.get(f"{API}/{failing['id']}/deliveries")).json()["data"][0]["attempts"] == 2
    for request in resent:
        Webhook(ok["secret"]).verify(request.body, request.headers)
