"""What the CDC benchmarks share (audit, cdc_relay, billing, acl): an embedded PostgreSQL and Tansu broker,
the relay running on them with its processors, the commit-to-visible timing loop, percentiles, and the
results file with the machine it ran on."""

from __future__ import annotations

import asyncio
import json
import math
import os
import shutil
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

from cdc.processor import Processor, run_processor
from cdc.relay import Relay
from cdc.slot import ReplicationSlot
from jisik.db.migrate import upgrade
from jisik.runtime.postgres import EmbeddedPostgres
from jisik.runtime.tansu import EmbeddedTansu
from jisik.settings import CdcSettings, KafkaSettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def machine() -> dict[str, Any]:
    """Cores, memory and the load averages (1, 5, 15 min) now: the machine is shared, so every figure needs it."""
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return {"cpu_count": os.cpu_count(), "memory_gib": round(memory_gib, 1),
            "load_avg": [round(load, 2) for load in os.getloadavg()]}


def own_cdc_settings(**overrides: Any) -> CdcSettings:
    """CDC settings with a slot, publication and consumer groups of their own (nothing left from a run
    before), and ``overrides``."""
    name = f"bench_{uuid.uuid4().hex[:8]}"
    return CdcSettings(**{"slot_name": name, "publication_name": name, "audit_group": f"{name}.audit",
                          "billing_group": f"{name}.billing", "index_meta_group": f"{name}.meta",
                          "retriever_access_group": f"{name}.access", **overrides})


@contextmanager
def embedded_stack(database: str) -> Iterator[tuple[str, str]]:
    """A migrated database ``database`` on an embedded PostgreSQL and a Tansu broker, both on free ports:
    (database URL, bootstrap servers). Both are stopped and their files removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix=f"jisik-{database}-"))
    postgres = EmbeddedPostgres(root / "pg", free_port())
    broker = EmbeddedTansu(free_port())
    postgres.start()
    broker.start()
    try:
        url = postgres.create_database(database)
        upgrade(url)
        yield url, broker.bootstrap_servers
    finally:
        broker.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


@asynccontextmanager
async def running_relay(url: str, bootstrap: str, cdc: CdcSettings, *processors: Processor,
                        poll_ms: int = 500) -> AsyncIterator[Relay]:
    """The relay (ready: its slot exists) and ``processors`` consuming what it publishes; on exit all stop and
    the replication slot is dropped."""
    kafka = KafkaSettings()
    relay = Relay(cdc, kafka, url, bootstrap_servers=bootstrap)
    stop = asyncio.Event()
    tasks = [asyncio.create_task(relay.run(stop))]
    try:
        await asyncio.wait_for(relay.ready.wait(), 60)
        tasks += [asyncio.create_task(run_processor(processor, kafka, stop, bootstrap_servers=bootstrap,
                                                    poll_ms=poll_ms)) for processor in processors]
        yield relay
    finally:
        stop.set()
        await asyncio.gather(*tasks)
        async with ReplicationSlot(url, slot=cdc.slot_name, publication=cdc.publication_name) as slot:
            await slot.drop()


async def poll_until(check: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 60.0,
                     interval_s: float = 0.005) -> None:
    """Calls ``check`` every ``interval_s`` until it is true; TimeoutError naming ``what`` after ``timeout_s``."""
    deadline = time.perf_counter() + timeout_s
    while not await check():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{what} did not happen within {timeout_s} s")
        await asyncio.sleep(interval_s)


async def commit_to_visible(runs: int, commit: Callable[[int], Awaitable[object]],
                            visible: Callable[[int], Awaitable[object]]) -> list[float]:
    """Seconds from each of ``runs`` commits returning (``commit(n)``) to ``visible(n)`` returning, one at a time."""
    seconds = []
    for n in range(runs):
        await commit(n)
        committed = time.perf_counter()
        await visible(n)
        seconds.append(time.perf_counter() - committed)
    return seconds


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def latency_figures(seconds: list[float], digits: int) -> dict[str, float]:
    """``latency_p50_s`` and ``latency_p95_s`` of ``seconds``, rounded to ``digits``."""
    return {"latency_p50_s": round(statistics.median(seconds), digits),
            "latency_p95_s": round(percentile(seconds, 0.95), digits)}


def summary(seconds: list[float]) -> dict[str, float]:
    """Runs, p50, p95 and max of ``seconds``, in milliseconds."""
    return {"runs": len(seconds), "p50_ms": round(statistics.median(seconds) * 1000, 1),
            "p95_ms": round(percentile(seconds, 0.95) * 1000, 1), "max_ms": round(max(seconds) * 1000, 1)}


def write_results(path: Path, result: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


def report(path: Path, figures: dict[str, Any], settings: dict[str, Any]) -> None:
    """Writes ``figures`` with ``settings`` and the machine to ``path`` and prints them as a two-column table."""
    result = {"machine": machine(), "settings": settings, "figures": figures}
    write_results(path, result)
    width = max(len(key) for key in figures) + 2
    print(f"{'figure':<{width}} {'value':>10}")
    for key, value in figures.items():
        print(f"{key:<{width}} {value:>10}")
    print(f"machine: {result['machine']}; written to {path}")
