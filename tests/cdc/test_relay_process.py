"""``jisik serve cdc`` as a real process, killed with SIGKILL in the middle of a stream of outbox rows."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from typing import Any

import psycopg
import pytest
from cdc_helpers import INSERT_OUTBOX, outbox_row, read_topic

from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings

pytestmark = pytest.mark.integration


def _env(database_url: str, bootstrap: str, cdc: CdcSettings) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("JISIK_")}
    env.update({
        "JISIK_DB_URL": database_url,
        "JISIK_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "JISIK_CDC_SLOT_NAME": cdc.slot_name,
        "JISIK_CDC_PUBLICATION_NAME": cdc.publication_name,
        "JISIK_CDC_INDEX_META_GROUP": cdc.index_meta_group,
        "JISIK_CDC_BILLING_GROUP": cdc.billing_group,
        "JISIK_CDC_APPLY_TO_RETRIEVER": "false",
        "JISIK_CDC_POLL_INTERVAL_S": "0.05",
    })
    return env


class TestRelayProcess:
    async def test_sigkill_mid_stream_loses_nothing(
        self, fresh_database: str, kafka: EmbeddedTansu, cdc_settings: CdcSettings, slot_cleanup: None,
        db: psycopg.AsyncConnection[Any],
    ) -> None:
        topic = f"test.cdc.{uuid.uuid4().hex[:8]}"
        env = _env(fresh_database, kafka.bootstrap_servers, cdc_settings)

        async def start() -> asyncio.subprocess.Process:
            return await asyncio.create_subprocess_exec(
                sys.executable, "-m", "jisik", "serve", "cdc", env=env,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)

        rows = [outbox_row(topic, f"doc-{n % 5}", n) for n in range(200)]
        process = await start()
        try:
            await db.execute(INSERT_OUTBOX, rows[0])
            await read_topic(kafka.bootstrap_servers, topic, until=lambda found: len(found) >= 1, timeout_s=60)

            async def write() -> None:
                for row in rows[1:]:
                    await db.execute(INSERT_OUTBOX, row)
                    await asyncio.sleep(0.005)

            writer = asyncio.create_task(write())
            await asyncio.sleep(0.4)
            process.kill()                     # SIGKILL: no clean shutdown, acks in flight are lost
            await process.wait()
            process = await start()
            await writer
            wanted = {row[0].encode() for row in rows}
            records = await read_topic(
                kafka.bootstrap_servers, topic, timeout_s=60,
                until=lambda found: {dict(r.headers)["jisik-outbox-id"] for r in found} >= wanted,
            )
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert {dict(r.headers)["jisik-outbox-id"] for r in records} == wanted
