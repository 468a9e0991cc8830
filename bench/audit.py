"""Audit trail benchmark, on the embedded PostgreSQL and Tansu broker with the real relay and audit processor.

* overhead: mean time of a one-row write transaction with an actor (the session event adds the
  audit_context row) against the same write without one (no row), over ``--writes`` transactions each;
* latency: seconds from COMMIT returning to the change's entry being readable in audit_events
  (p50/p95 over ``--latency-runs``; includes the relay's poll interval and the Kafka hop);
* throughput: entries per second for a burst of ``--burst`` write transactions.

Prints a table and writes bench/results/audit.json (with cpu count, memory and load).
Run: .venv/bin/python bench/audit.py [--writes 300] [--latency-runs 40] [--burst 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.answers import machine  # noqa: E402
from cdc.audit import AuditProcessor  # noqa: E402
from cdc.processor import run_processor  # noqa: E402
from cdc.relay import Relay  # noqa: E402
from cdc.slot import ReplicationSlot, plain_url  # noqa: E402
from jisik.actors import Actor, acting_as  # noqa: E402
from jisik.db import audit_context  # noqa: E402
from jisik.db.engine import create_engine, session_factory, transaction  # noqa: E402
from jisik.db.migrate import upgrade  # noqa: E402
from jisik.db.models import KnowledgeBase, Tenant  # noqa: E402
from jisik.runtime.postgres import EmbeddedPostgres  # noqa: E402
from jisik.runtime.tansu import EmbeddedTansu  # noqa: E402
from jisik.settings import CdcSettings, KafkaSettings  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "audit.json"
_SEEN = "SELECT count(*) FROM audit_events WHERE entity_id = %s AND changes -> 'name' ->> 'after' = %s"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _rename(engine: AsyncEngine, base_id: str, name: str) -> None:
    async with transaction(session_factory(engine)) as session:
        await session.execute(update(KnowledgeBase).where(col(KnowledgeBase.id) == base_id).values(name=name))


async def _seed(engine: AsyncEngine) -> tuple[str, str]:
    async with transaction(session_factory(engine)) as session:
        tenant = Tenant(name="bench", api_key_hash=uuid.uuid4().hex, api_key_prefix="sk-bench")
        session.add(tenant)
        await session.flush()
        base = KnowledgeBase(tenant_id=tenant.id, name="bench")
        session.add(base)
    return tenant.id, base.id


async def _mean_write_s(engine: AsyncEngine, base_id: str, writes: int, actor: Actor | None) -> float:
    started = time.perf_counter()
    for n in range(writes):
        if actor is None:
            await _rename(engine, base_id, f"plain-{n}")
        else:
            with acting_as(actor):
                await _rename(engine, base_id, f"acted-{n}")
    return (time.perf_counter() - started) / writes


async def _bench(url: str, bootstrap: str, writes: int, latency_runs: int, burst: int) -> dict[str, float]:
    audit_context.install()
    engine = create_engine(url, pool_size=2)
    tenant_id, base_id = await _seed(engine)
    actor = Actor(kind="key", id="sk-bench", tenant_id=tenant_id)
    await _mean_write_s(engine, base_id, 20, actor)  # warm the pool and the plans
    plain = await _mean_write_s(engine, base_id, writes, None)
    acted = await _mean_write_s(engine, base_id, writes, actor)

    name = f"bench_{uuid.uuid4().hex[:8]}"
    cdc = CdcSettings(slot_name=name, publication_name=name, snapshot_on_create=False, audit_group=f"{name}.audit")
    kafka = KafkaSettings()
    relay = Relay(cdc, kafka, url, bootstrap_servers=bootstrap)
    processor = AuditProcessor(cdc, url)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop))]
    await asyncio.wait_for(relay.ready.wait(), 60)
    tasks.append(asyncio.create_task(run_processor(processor, kafka, stop, bootstrap_servers=bootstrap, poll_ms=50)))
    db = await psycopg.AsyncConnection.connect(plain_url(url), autocommit=True)

    async def wait_seen(label: str, interval_s: float) -> None:
        for _ in range(int(120 / interval_s)):
            row = await (await db.execute(_SEEN, (base_id, label))).fetchone()
            if row is not None and row[0] > 0:
                return
            await asyncio.sleep(interval_s)
        raise TimeoutError(f"the audit entry of {label} never appeared")

    try:
        latencies = []
        for n in range(latency_runs):
            label = f"latency-{n}"
            with acting_as(actor):
                await _rename(engine, base_id, label)
            committed = time.perf_counter()
            await wait_seen(label, 0.005)
            latencies.append(time.perf_counter() - committed)
        stored_before = processor.stored
        started = time.perf_counter()
        with acting_as(actor):
            for n in range(burst):
                await _rename(engine, base_id, f"burst-{n}")
        written = time.perf_counter() - started
        await wait_seen(f"burst-{burst - 1}", 0.02)
        elapsed = time.perf_counter() - started
        burst_stored = processor.stored - stored_before
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        await db.close()
        await engine.dispose()
        async with ReplicationSlot(url, slot=name, publication=name) as slot:
            await slot.drop()
    ordered = sorted(latencies)
    return {
        "write_plain_ms": round(plain * 1000, 2),
        "write_with_actor_ms": round(acted * 1000, 2),
        "context_overhead_ms": round((acted - plain) * 1000, 2),
        "latency_p50_s": round(statistics.median(ordered), 3),
        "latency_p95_s": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3),
        "burst_transactions": burst,
        "burst_entries_stored": burst_stored,
        "burst_write_s": round(written, 2),
        "burst_all_visible_s": round(elapsed, 2),
        "entries_per_s": round(burst / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument("--latency-runs", type=int, default=40)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="jisik-bench-audit-"))
    postgres = EmbeddedPostgres(root / "pg", _free_port())
    broker = EmbeddedTansu(_free_port())
    postgres.start()
    broker.start()
    try:
        url = postgres.create_database("bench_audit")
        upgrade(url)
        figures = asyncio.run(_bench(url, broker.bootstrap_servers, args.writes, args.latency_runs, args.burst))
    finally:
        broker.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)
    result = {"machine": machine(), "settings": {"poll_interval_s": CdcSettings().poll_interval_s},
              "figures": figures}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'figure':<24} {'value':>10}")
    for key, value in figures.items():
        print(f"{key:<24} {value:>10}")
    print(f"machine: {result['machine']}; written to {RESULTS}")


if __name__ == "__main__":
    main()
