"""At least once: the delivery worker process is SIGKILLed mid-delivery and a new one sends everything
(duplicates only with the same webhook-id, every delivery signed)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys

from standardwebhooks.webhooks import Webhook

from jisik.webhooks import DocumentIndexedData, EventType, stage_webhook_event
from tests.webhooks.receiver import Receiver
from tests.webhooks.webhook_db import ENCRYPTION_KEY, new_endpoint, new_tenant, sessions_for
from tests.webhooks.worker_run import wait_until

EVENTS = 300


def start_worker(database_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "JISIK_DB_URL": database_url,
        "JISIK_EGRESS_ALLOW_LIST": '["127.0.0.1"]',
        "JISIK_WEBHOOKS_LEASE_S": "2",
        "JISIK_WEBHOOKS_POLL_INTERVAL_S": "0.05",
        "JISIK_METRICS_WEBHOOKS_PORT": "0",
        "JISIK_ENCRYPTION_KEY": ENCRYPTION_KEY,
    }
    return subprocess.Popen([sys.executable, "-m", "jisik", "serve", "webhooks"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def test_nothing_is_lost_when_the_worker_is_killed_mid_delivery(
    fresh_database: str, receiver: tuple[Receiver, str]
) -> None:
    server, base = receiver
    async with sessions_for(fresh_database) as sessions:
        tenant = await new_tenant(sessions)
        endpoint = await new_endpoint(sessions, tenant, f"{base}/slow", [EventType.DOCUMENT_INDEXED.value])
        event_ids = set()
        async with sessions.begin() as session:
            for number in range(EVENTS):
                data = DocumentIndexedData(knowledge_base_id="kb", knowledge_id=f"doc-{number}", chunk_count=1)
                event_ids.add(await stage_webhook_event(session, tenant, EventType.DOCUMENT_INDEXED, data))

        first = start_worker(fresh_database)
        try:
            for _ in range(600):
                if len(server.records) >= 40:
                    break
                await asyncio.sleep(0.05)
            in_flight = len(server.records) - len(server.delivered("/slow"))
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        assert server.records, "the first worker delivered nothing before it was killed"
        assert in_flight > 0, "kill the worker while attempts are in flight"

        second = start_worker(fresh_database)
        try:
            rows = await wait_until(sessions, lambda rows: all(r.status == "succeeded" for r in rows), timeout_s=120)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=30)

    assert {row.event_id for row in rows} == event_ids
    delivered = server.delivered("/slow")
    assert {request.headers["webhook-id"] for request in delivered} == event_ids
    verifier = Webhook(endpoint.secret)
    for request in delivered:
        body = verifier.verify(request.body, request.headers)
        assert body["type"] == "document.indexed"
