"""Ingest fairness benchmark: does one tenant's trouble slow another tenant's uploads?

The real pipeline (docreader, model service, retriever, cdc and ingest as child processes on an
embedded PostgreSQL and Tansu broker, default settings) is measured twice in one run:

- quiet: tenant B uploads --docs small text files, one every --every seconds, each followed until searchable;
- troubled: tenant A first imports --bad-urls URLs of hosts that do not resolve, then B does the same.

Reports B's upload-to-searchable p50/p95 for both, how long A's URLs took to end failed and with what
reason. A document still not searchable after --timeout counts as that timeout (shown as ">").

    .venv/bin/python bench/ingest_fairness.py
    .venv/bin/python bench/ingest_fairness.py --docs 20 --every 0.5 --timeout 900

Prints a table and writes bench/results/ingest_fairness.json (with cpu count, memory and load).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest import Bench, _machine, run_and_report  # noqa: E402
from ingest import commands  # noqa: E402
from jisik.db.models import ParseStatus  # noqa: E402
from jisik.runtime.supervisor import Stack  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TERMINAL = (ParseStatus.COMPLETED, ParseStatus.FAILED)

logger = logging.getLogger("bench.ingest_fairness")


async def _until_terminal(bench: Bench, knowledge_id: str, started: float, timeout_s: float) -> tuple[float, str, str]:
    """Seconds until the document ended (or the timeout), its status and its error."""
    while True:
        row = (await bench.statuses([knowledge_id]))[knowledge_id]
        elapsed = time.monotonic() - started
        if row.parse_status in TERMINAL or elapsed >= timeout_s:
            return min(elapsed, timeout_s), row.parse_status.value, row.error_message
        await asyncio.sleep(0.05)


async def _small_stream(bench: Bench, label: str, count: int, every_s: float, timeout_s: float) -> dict[str, Any]:
    """Upload ``count`` small files ``every_s`` apart, each followed until searchable."""

    async def one(number: int) -> float:
        await asyncio.sleep(number * every_s)
        data = f"{label} note {number}: the shuttle leaves gate {number % 7} at {8 + number % 9} o'clock.\n".encode()
        started = time.monotonic()
        knowledge_id = await bench.upload(f"{label}-{number}.txt", data)
        elapsed, status, error = await _until_terminal(bench, knowledge_id, started, timeout_s)
        if status != ParseStatus.COMPLETED.value and elapsed < timeout_s:
            raise RuntimeError(f"{label} document ended {status}: {error}")
        logger.info("%s document %d searchable after %.2f s", label, number, elapsed)
        return elapsed

    seconds = list(await asyncio.gather(*(one(number) for number in range(count))))
    ordered = sorted(seconds)
    return {"documents": count, "seconds": [round(s, 3) for s in seconds],
            "p50_seconds": round(statistics.median(ordered), 3),
            "p95_seconds": round(ordered[max(0, round(0.95 * len(ordered)) - 1)], 3),
            "timed_out": sum(1 for s in seconds if s >= timeout_s)}


async def run_bench(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    tenant_a, tenant_b = Bench(stack), Bench(stack)
    await tenant_a.setup()
    await tenant_b.setup()
    result: dict[str, Any] = {"machine": _machine(), "timeout_s": args.timeout}
    await _small_stream(tenant_b, "warm-up", 2, args.every, args.timeout)  # first embeds load the model
    result["quiet"] = await _small_stream(tenant_b, "quiet", args.docs, args.every, args.timeout)
    assert tenant_a.base is not None
    bad: list[tuple[str, float]] = []
    for number in range(args.bad_urls):
        async with tenant_a.sessions.begin() as session:
            doc = await commands.import_url(session, tenant_id=tenant_a.tenant_id, knowledge_base=tenant_a.base,
                                            url=f"http://jisik-bench-missing-{number}.invalid/page", title="",
                                            settings=stack.settings)
        bad.append((doc.id, time.monotonic()))
    followers = [_until_terminal(tenant_a, knowledge_id, started, args.timeout) for knowledge_id, started in bad]
    troubled, *endings = await asyncio.gather(
        _small_stream(tenant_b, "troubled", args.docs, args.every, args.timeout), *followers)
    result["troubled"] = troubled
    result["bad_urls"] = [{"seconds": round(seconds, 3), "status": status, "reason": error}
                          for seconds, status, error in endings]
    for bench in (tenant_a, tenant_b):
        await bench.engine.dispose()
    result["machine_at_end"] = _machine()
    return result


def _seconds(value: float, timeout_s: float) -> str:
    return f">{timeout_s:.0f} s" if value >= timeout_s else f"{value:.2f} s"


def _table(result: dict[str, Any]) -> str:
    timeout = result["timeout_s"]
    lines = ["| tenant B, small text upload to searchable | p50 | p95 | timed out |", "|---|---|---|---|"]
    for name in ("quiet", "troubled"):
        run = result[name]
        lines.append(f"| {name} ({run['documents']} documents) | {_seconds(run['p50_seconds'], timeout)} | "
                     f"{_seconds(run['p95_seconds'], timeout)} | {run['timed_out']} |")
    for number, ending in enumerate(result["bad_urls"]):
        lines.append(f"| tenant A, unresolvable URL {number} | {_seconds(ending['seconds'], timeout)} to "
                     f"{ending['status']} | {ending['reason'][:60]} | |")
    machine = result["machine"]
    lines.append(f"| machine | {machine['cpu_count']} CPUs, {machine['memory_gib']} GiB | load "
                 f"{machine['load_average_1m']} at start | {result['machine_at_end']['load_average_1m']} at end |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10, help="small documents of tenant B per phase")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between two uploads of tenant B")
    parser.add_argument("--bad-urls", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds one document may take")
    parser.add_argument("--output", default=str(RESULTS / "ingest_fairness.json"))
    run_and_report("jisik-bench-fairness-", run_bench, parser.parse_args(), _table)


if __name__ == "__main__":
    main()
