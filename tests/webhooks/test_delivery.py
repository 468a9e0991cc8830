"""The delivery worker against real local receivers: signed delivery (checked with the standardwebhooks
package), hostile receivers that never stall others, 410, 429 + Retry-After, 5xx retries, rotation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from sqlmodel import col
from standardwebhooks.webhooks import Webhook

from jisik.db.models import UsageRecord, WebhookAttempt, WebhookEndpoint
from jisik.settings import WebhookSettings
from jisik.webhooks import DocumentIndexedData, EventType, stage_webhook_event
from jisik.webhooks.endpoints import rotate_secret
from tests.webhooks.receiver import Receiver
from tests.webhooks.webhook_db import BOX, new_endpoint, new_tenant, sessions_for
from tests.webhooks.worker_run import FAST, running_worker, wait_until

INDEXED = EventType.DOCUMENT_INDEXED


def indexed(number: int) -> DocumentIndexedData:
    return DocumentIndexedData(knowledge_base_id="kb", knowledge_id=f"doc-{number}", chunk_count=number)


async def test_delivers_signed_standard_webhooks(fresh_database: str, receiver: tuple[Receiver, str]) -> None:
    server, base = receiver
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        endpoint = await new_endpoint(sessions, tenant, f"{base}/ok", [INDEXED.value])
        async with sessions.begin() as session:
            event_id = await stage_webhook_event(session, tenant, INDEXED, indexed(1))
        succeeded_before = REGISTRY.get_sample_value(
            "jisik_webhook_attempts_total", {"result": "succeeded", "code_class": "2xx"})
        async with running_worker(sessions):
            rows = await wait_until(sessions, lambda rows: rows[0].status == "succeeded")

        [request] = server.delivered()
        assert request.headers["webhook-id"] == event_id
        body = Webhook(endpoint.secret).verify(request.body, request.headers)
        assert body["type"] == "document.indexed" and body["data"]["knowledge_id"] == "doc-1"
        assert abs(int(request.headers["webhook-timestamp"]) - datetime.now(UTC).timestamp()) < 60
        with pytest.raises(Exception, match="signature"):
            Webhook("whsec_" + "A" * 43 + "=").verify(request.body, request.headers)
        assert rows[0].attempts == 1 and rows[0].last_response_code == 204
        async with sessions() as session:
            [attempt] = (await session.execute(select(WebhookAttempt))).scalars()
            [usage] = (await session.execute(select(UsageRecord))).scalars()
        assert usage.id == f"webhook_deliveries:{rows[0].id}" and usage.metric == "webhook_deliveries"
        assert attempt.result == "succeeded" and attempt.response_code == 204 and attempt.latency_ms > 0
        assert REGISTRY.get_sample_value("jisik_webhook_attempts_total", {"result": "succeeded", "code_class": "2xx"}) \
            == (succeeded_before or 0) + 1


async def test_hostile_receivers_never_stall_a_healthy_endpoint(
    fresh_database: str, receiver: tuple[Receiver, str]
) -> None:
    server, base = receiver
    settings = WebhookSettings(attempt_timeout_s=300, poll_interval_s=0.05, endpoint_concurrency=2,
                               global_concurrency=12, backoff_base_s=600, response_body_bytes=100)
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        hostile = {path: await new_endpoint(sessions, tenant, f"{base}{path}", [INDEXED.value])
                   for path in ("/hang", "/redirect", "/fail", "/huge")}
        healthy = await new_endpoint(sessions, tenant, f"{base}/ok", [INDEXED.value])
        async with sessions.begin() as session:
            for number in range(20):
                await stage_webhook_event(session, tenant, INDEXED, indexed(number))

        async with running_worker(sessions, settings):
            def healthy_done(rows: list) -> bool:
                return sum(r.endpoint_id == healthy.id and r.status == "succeeded" for r in rows) == 20

            rows = await wait_until(sessions, healthy_done)
            # Every healthy message went out while the hanging receiver still held its first attempts.
            hanging = [r for r in rows if r.endpoint_id == hostile["/hang"].id]
            assert all(r.attempts == 0 for r in hanging)
            assert len([r for r in server.records if r.path == "/hang"]) == settings.endpoint_concurrency

            def hostile_tried(rows: list) -> bool:
                return all(r.attempts >= 1 for r in rows if r.endpoint_id in
                           {hostile[p].id for p in ("/redirect", "/fail", "/huge")})

            rows = await wait_until(sessions, hostile_tried)
            server.release.set()  # let the hanging attempts end, so the worker stops at once

        async with sessions() as session:
            attempts = list((await session.execute(select(WebhookAttempt))).scalars())
        by_endpoint = {endpoint.id: path for path, endpoint in hostile.items()}
        results = {(by_endpoint.get(a.endpoint_id, "/ok"), a.result, a.response_code) for a in attempts}
        assert ("/redirect", "failed", 307) in results
        assert ("/fail", "failed", 500) in results
        assert ("/huge", "succeeded", 200) in results
        assert all(len(a.response_body) <= 100 for a in attempts)
        # The redirect was not followed: one request per attempt.
        redirects = [a for a in attempts if a.endpoint_id == hostile["/redirect"].id]
        assert len([r for r in server.records if r.path == "/redirect"]) == len(redirects)
        failed = [r for r in rows if r.endpoint_id == hostile["/fail"].id]
        assert all(r.status == "pending" and r.next_attempt_at > datetime.now(UTC) for r in failed)


async def test_gone_disables_the_endpoint_and_busy_honours_retry_after(
    fresh_database: str, receiver: tuple[Receiver, str]
) -> None:
    _, base = receiver
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        gone = await new_endpoint(sessions, tenant, f"{base}/gone", [INDEXED.value])
        busy = await new_endpoint(sessions, tenant, f"{base}/busy?after=1000", [INDEXED.value])
        async with sessions.begin() as session:
            await stage_webhook_event(session, tenant, INDEXED, indexed(1))
        async with running_worker(sessions):
            rows = await wait_until(sessions, lambda rows: all(r.attempts == 1 for r in rows))
        state = {row.endpoint_id: row for row in rows}
        assert state[gone.id].status == "failed"
        assert state[busy.id].status == "pending" and state[busy.id].last_response_code == 429
        last_attempt = state[busy.id].last_attempt_at
        assert last_attempt is not None
        waited = (state[busy.id].next_attempt_at - last_attempt).total_seconds()
        assert 990 <= waited <= 1010  # Retry-After, not the 60 s backoff
        async with sessions() as session:
            disabled = await session.get(WebhookEndpoint, gone.id)
            still = await session.get(WebhookEndpoint, busy.id)
        assert disabled is not None and not disabled.enabled and "410" in disabled.disabled_reason
        assert still is not None and still.enabled and still.failing_since is not None


async def test_rotation_signs_with_old_and_new_secret(fresh_database: str, receiver: tuple[Receiver, str]) -> None:
    server, base = receiver
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        endpoint = await new_endpoint(sessions, tenant, f"{base}/ok", [INDEXED.value])
        old = endpoint.secret
        async with sessions.begin() as session:
            current = await session.get(WebhookEndpoint, endpoint.id)
            assert current is not None
            _, new = await rotate_secret(session, endpoint=current, overlap_s=86400, box=BOX)
            await stage_webhook_event(session, tenant, INDEXED, indexed(1))
        async with running_worker(sessions, FAST):
            await wait_until(sessions, lambda rows: rows[0].status == "succeeded")
        [request] = server.delivered()
        assert new != old
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        for secret in (old, new):
            assert json.loads(request.body) == Webhook(secret).verify(request.body, request.headers)


async def test_an_endpoint_failing_for_days_is_disabled_with_a_notice(
    fresh_database: str, receiver: tuple[Receiver, str]
) -> None:
    _, base = receiver
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        failing = await new_endpoint(sessions, tenant, f"{base}/fail", [INDEXED.value])
        recent = await new_endpoint(sessions, tenant, f"{base}/fail", [INDEXED.value])
        async with sessions.begin() as session:
            await session.execute(update(WebhookEndpoint).where(col(WebhookEndpoint.id) == failing.id)
                                  .values(failing_since=datetime.now(UTC) - timedelta(days=6)))
            await session.execute(update(WebhookEndpoint).where(col(WebhookEndpoint.id) == recent.id)
                                  .values(failing_since=datetime.now(UTC) - timedelta(days=1)))
            await stage_webhook_event(session, tenant, INDEXED, indexed(1))
        async with running_worker(sessions):
            await wait_until(sessions, lambda rows: all(r.attempts == 1 for r in rows))
        async with sessions() as session:
            old = await session.get(WebhookEndpoint, failing.id)
            young = await session.get(WebhookEndpoint, recent.id)
        assert old is not None and not old.enabled and old.disabled_reason.startswith("every attempt failed since")
        assert young is not None and young.enabled and not young.disabled_reason


async def test_a_clean_stop_hands_back_queued_messages_at_once(
    fresh_database: str, receiver: tuple[Receiver, str]
) -> None:
    server, base = receiver
    # One slot for the endpoint: the first message hangs in it, the second waits in the worker's queue.
    settings = WebhookSettings(attempt_timeout_s=2, poll_interval_s=0.05, endpoint_concurrency=1, lease_s=600,
                               backoff_base_s=600)
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        await new_endpoint(sessions, tenant, f"{base}/hang", [INDEXED.value])
        async with sessions.begin() as session:
            for number in range(2):
                await stage_webhook_event(session, tenant, INDEXED, indexed(number))
        async with running_worker(sessions, settings):
            # Both are claimed (leased for 600 s) while only one is sent.
            await wait_until(sessions, lambda rows: all(
                r.next_attempt_at > datetime.now(UTC) + timedelta(seconds=300) for r in rows))
            assert len([r for r in server.records if r.path == "/hang"]) == 1
        rows = await wait_until(sessions, lambda rows: True)
    attempted = [r for r in rows if r.attempts == 1]
    queued = [r for r in rows if r.attempts == 0]
    assert len(attempted) == 1 and len(queued) == 1
    # The queued message is due now, not after its 600 s lease; the timed-out one waits for its backoff.
    assert queued[0].status == "pending" and queued[0].next_attempt_at <= datetime.now(UTC)
    assert attempted[0].next_attempt_at > datetime.now(UTC) + timedelta(seconds=300)
    assert len(server.records) == 1
