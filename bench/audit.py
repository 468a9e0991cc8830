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
import sys
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import relay_timing  # noqa: E402
from cdc.audit import AuditProcessor  # noqa: E402
from cdc.slot import plain_url  # noqa: E402
from jisik.actors import Actor, acting_as  # noqa: E402
from jisik.db import audit_context  # noqa: E402
from jisik.db.engine import create_engine, session_factory, transaction  # noqa: E402
from jisik.db.models import KnowledgeBase, Tenant  # noqa: E402
from jisik.settings import CdcSettings  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "audit.json"
_SEEN = "SELECT count(*) FROM audit_events WHERE entity_id = %s AND changes -> 'name' ->> 'after' = %s"


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

    cdc = relay_timing.own_cdc_settings(snapshot_on_create=False)
    processor = AuditProcessor(cdc, url)
    db = await psycopg.AsyncConnection.connect(plain_url(url), autocommit=True)

    async def seen(label: str) -> bool:
        row = await (await db.execute(_SEEN, (base_id, label))).fetchone()
        return row is not None and row[0] > 0

    async def rename(n: int) -> None:
        with acting_as(actor):
            await _rename(engine, base_id, f"latency-{n}")

    try:
        async with relay_timing.running_relay(url, bootstrap, cdc, processor, poll_ms=50):
            latencies = await relay_timing.commit_to_visible(latency_runs, rename, lambda n: relay_timing.poll_until(
                lambda: seen(f"latency-{n}"), f"the audit entry of latency-{n}", 120))
            stored_before = processor.stored
            started = time.perf_counter()
            with acting_as(actor):
                for n in range(burst):
                    await _rename(engine, base_id, f"burst-{n}")
            written = time.perf_counter() - started
            last = f"burst-{burst - 1}"
            await relay_timing.poll_until(lambda: seen(last), "the burst's last audit entry", 120, 0.02)
            elapsed = time.perf_counter() - started
            burst_stored = processor.stored - stored_before
    finally:
        await db.close()
        await engine.dispose()
    return {
        "write_plain_ms": round(plain * 1000, 2),
        "write_with_actor_ms": round(acted * 1000, 2),
        "context_overhead_ms": round((acted - plain) * 1000, 2),
        **relay_timing.latency_figures(latencies, 3),
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
    with relay_timing.embedded_stack("bench_audit") as (url, bootstrap):
        figures = asyncio.run(_bench(url, bootstrap, args.writes, args.latency_runs, args.burst))
    relay_timing.report(RESULTS, figures, {"poll_interval_s": CdcSettings().poll_interval_s})

if __name__ == "__main__":
    main()
