"""CDC relay benchmark: outbox rows from commit to Kafka, on the embedded PostgreSQL and Tansu broker.

* latency: one outbox row per transaction, seconds from COMMIT returning to a consumer receiving it
  (the consumer long-polls for at most 20 ms)
  (p50/p95 over the runs; includes the relay's poll interval);
* throughput: rows per second relayed for a burst written in transactions of 100 rows.

Prints a table and writes bench/results/cdc_relay.json (with cpu count, memory and load).
Run: .venv/bin/python bench/cdc_relay.py [--rows 5000] [--latency-runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path

import psycopg
from aiokafka import AIOKafkaConsumer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import relay_timing  # noqa: E402
from cdc.slot import plain_url  # noqa: E402
from jisik.kafka import ensure_topics  # noqa: E402
from jisik.settings import CdcSettings, KafkaSettings  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "cdc_relay.json"
INSERT = (
    "INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, event_type, payload, headers, created_at) "
    "VALUES (%s, 'bench', 'knowledge', %s, %s, %s, '{}', now())"
)


def _payload(n: int) -> str:
    return json.dumps({"knowledge_id": f"doc-{n}", "tenant_id": "bench", "storage_key": f"k/{n}", "n": n})


async def _bench(url: str, bootstrap: str, rows: int, latency_runs: int, poll_s: float) -> dict[str, float]:
    cdc = relay_timing.own_cdc_settings(poll_interval_s=poll_s)
    topic = f"bench.cdc.{cdc.slot_name}"
    await ensure_topics(KafkaSettings(), [topic], bootstrap_servers=bootstrap)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest", group_id=None,
                                fetch_max_wait_ms=20)
    db = await psycopg.AsyncConnection.connect(plain_url(url), autocommit=True)

    async def insert(n: int) -> None:
        await db.execute(INSERT, (str(uuid.uuid4()), f"doc-{n}", topic, _payload(n)))

    try:
        async with relay_timing.running_relay(url, bootstrap, cdc):
            await consumer.start()
            await consumer.seek_to_end()
            latencies = await relay_timing.commit_to_visible(latency_runs, insert, lambda _: consumer.getone())
            started = time.perf_counter()
            batch = 100
            for first in range(0, rows, batch):
                async with db.transaction():
                    async with db.cursor() as cursor:
                        await cursor.executemany(INSERT, [(str(uuid.uuid4()), f"doc-{n}", topic, _payload(n))
                                                          for n in range(first, min(first + batch, rows))])
            written = time.perf_counter() - started
            received = 0
            while received < rows:
                batches = await consumer.getmany(timeout_ms=1000)
                received += sum(len(records) for records in batches.values())
            elapsed = time.perf_counter() - started
    finally:
        await consumer.stop()
        await db.close()
    return {
        **relay_timing.latency_figures(latencies, 4),
        "burst_rows": rows,
        "burst_write_s": round(written, 2),
        "burst_relayed_s": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--latency-runs", type=int, default=50)
    parser.add_argument("--poll-s", type=float, default=CdcSettings().poll_interval_s)
    args = parser.parse_args()
    with relay_timing.embedded_stack("bench_cdc") as (url, bootstrap):
        figures = asyncio.run(_bench(url, bootstrap, args.rows, args.latency_runs, args.poll_s))
    relay_timing.report(RESULTS, figures, {"poll_interval_s": args.poll_s, "max_changes": CdcSettings().max_changes})

if __name__ == "__main__":
    main()
