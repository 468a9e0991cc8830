"""CDC relay benchmark: outbox rows from commit to Kafka, on the embedded PostgreSQL and Tansu broker.

* latency: one outbox row per transaction, seconds from COMMIT returning to a consumer receiving it
  (the consumer long-polls for at most 20 ms)
  (p50/p95 over the runs; includes the relay's poll interval);
* throughput: rows per second relayed for a burst written in transactions of 100 rows.

Prints a table and writes bench/results/cdc_relay.json (with cpu count and memory).
Run: .venv/bin/python bench/cdc_relay.py [--rows 5000] [--latency-runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from aiokafka import AIOKafkaConsumer

from cdc.relay import Relay
from cdc.slot import ReplicationSlot, plain_url
from jisik.db.migrate import upgrade
from jisik.kafka import ensure_topics
from jisik.runtime.postgres import EmbeddedPostgres
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings, KafkaSettings

RESULTS = Path(__file__).parent / "results" / "cdc_relay.json"
INSERT = (
    "INSERT INTO outbox (id, tenant_id, aggregate_type, aggregate_id, event_type, payload, headers, created_at) "
    "VALUES (%s, 'bench', 'knowledge', %s, %s, %s, '{}', now())"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _payload(n: int) -> str:
    return json.dumps({"knowledge_id": f"doc-{n}", "tenant_id": "bench", "storage_key": f"k/{n}", "n": n})


async def _bench(url: str, bootstrap: str, rows: int, latency_runs: int, poll_s: float) -> dict[str, float]:
    name = f"bench_{uuid.uuid4().hex[:8]}"
    cdc = CdcSettings(slot_name=name, publication_name=name, poll_interval_s=poll_s)
    kafka = KafkaSettings()
    topic = f"bench.cdc.{name}"
    await ensure_topics(kafka, [topic], bootstrap_servers=bootstrap)
    relay = Relay(cdc, kafka, url, bootstrap_servers=bootstrap)
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    await asyncio.wait_for(relay.ready.wait(), 60)
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="latest", group_id=None,
                                fetch_max_wait_ms=20)
    await consumer.start()
    await consumer.seek_to_end()
    db = await psycopg.AsyncConnection.connect(plain_url(url), autocommit=True)
    try:
        latencies = []
        for n in range(latency_runs):
            await db.execute(INSERT, (str(uuid.uuid4()), f"doc-{n}", topic, _payload(n)))
            committed = time.perf_counter()
            await consumer.getone()
            latencies.append(time.perf_counter() - committed)
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
        stop.set()
        await task
        await consumer.stop()
        await db.close()
        async with ReplicationSlot(url, slot=name, publication=name) as slot:
            await slot.drop()
    ordered = sorted(latencies)
    return {
        "latency_p50_s": round(statistics.median(ordered), 4),
        "latency_p95_s": round(ordered[int(len(ordered) * 0.95) - 1], 4),
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
    root = Path(tempfile.mkdtemp(prefix="jisik-bench-cdc-"))
    postgres = EmbeddedPostgres(root / "pg", _free_port())
    broker = EmbeddedTansu(_free_port())
    postgres.start()
    broker.start()
    try:
        url = postgres.create_database("bench_cdc")
        upgrade(url)
        figures = asyncio.run(_bench(url, broker.bootstrap_servers, args.rows, args.latency_runs, args.poll_s))
    finally:
        broker.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    result = {"machine": {"cpu_count": os.cpu_count(), "memory_gib": round(memory_gib, 1)},
              "settings": {"poll_interval_s": args.poll_s, "max_changes": CdcSettings().max_changes},
              "figures": figures}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'figure':<20} {'value':>10}")
    for key, value in figures.items():
        print(f"{key:<20} {value:>10}")
    print(f"machine: {result['machine']}; written to {RESULTS}")


if __name__ == "__main__":
    main()
