"""Ingest benchmark: upload -> searchable through the real pipeline (docreader, model service,
retriever, cdc and ingest as child processes on an embedded PostgreSQL and Tansu broker).

- Freshness: seconds from upload to searchable for a generated 10-page PDF, p50 over --runs uploads,
  with the time spent queued and in each stage (from status polling every 20 ms).
- Throughput: documents per minute for --small-docs small Markdown documents uploaded at once.
- Long PDF: pages per minute for ../shared/bench/docs/en_lyft_10k_2021_238p.pdf.

    .venv/bin/python bench/ingest.py
    .venv/bin/python bench/ingest.py --runs 3 --small-docs 50 --skip-long
    .venv/bin/python bench/ingest.py --metrics-overhead --runs 3 --small-docs 40   # with vs without metrics

Prints a table and writes bench/results/ingest.json (with cpu count and memory).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest import commands  # noqa: E402
from jisik.db.engine import create_engine, session_factory  # noqa: E402
from jisik.db.models import Knowledge, KnowledgeBase, ParseStatus  # noqa: E402
from jisik.db.tenants import create_tenant  # noqa: E402
from jisik.runtime.supervisor import Stack  # noqa: E402
from jisik.settings import (  # noqa: E402
    DatabaseSettings,
    EndpointSettings,
    KafkaSettings,
    RuntimeSettings,
    Settings,
    StorageSettings,
)
from jisik.storage import open_store  # noqa: E402

LONG_PDF = ROOT.parent / "shared" / "bench" / "docs" / "en_lyft_10k_2021_238p.pdf"
RESULTS = ROOT / "bench" / "results"
STAGE_ORDER = [ParseStatus.PARSING, ParseStatus.VALIDATING, ParseStatus.EMBEDDING, ParseStatus.INDEXING,
               ParseStatus.COMPLETED]
STAGE_NAMES = {ParseStatus.PARSING: "parse", ParseStatus.VALIDATING: "validate", ParseStatus.EMBEDDING: "embed",
               ParseStatus.INDEXING: "index"}

logger = logging.getLogger("bench.ingest")


def _port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pdf(pages: int, subject: str) -> bytes:
    import pymupdf

    document = pymupdf.open()
    for number in range(1, pages + 1):
        lines = [f"{subject} report, page {number}."] + [
            f"Clause {number}.{line}: {subject} measure {number * 100 + line} covers region {line} and "
            f"its quarterly targets, budgets and owners." for line in range(1, 40)]
        document.new_page().insert_text((40, 40), "\n".join(lines), fontsize=8)
    data = document.tobytes()
    document.close()
    return data


def _machine() -> dict[str, Any]:
    """CPU count, memory and the 1-minute load average (other work on the machine skews the figures)."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cpu_count": os.cpu_count(), "memory_gib": round(pages / 2**30, 1),
            "load_average_1m": round(os.getloadavg()[0], 1)}


class Bench:
    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.engine = create_engine(stack.database_url, pool_size=4)
        self.sessions = session_factory(self.engine)
        self.store = open_store(stack.settings.storage)
        self.tenant_id = ""
        self.base: KnowledgeBase | None = None

    async def setup(self) -> None:
        async with self.sessions.begin() as session:
            tenant, _ = await create_tenant(session, name=f"bench-{time.time_ns()}")
            self.base = KnowledgeBase(tenant_id=tenant.id, name="bench")
            session.add(self.base)
        self.tenant_id = tenant.id

    async def upload(self, name: str, data: bytes) -> str:
        assert self.base is not None
        async with self.sessions.begin() as session:
            doc = await commands.upload_file(session, self.store, tenant_id=self.tenant_id, knowledge_base=self.base,
                                             file_name=name, data=data, settings=self.stack.settings)
        return doc.id

    async def statuses(self, ids: list[str]) -> dict[str, Knowledge]:
        from sqlalchemy import select

        async with self.sessions() as session:
            rows = await session.execute(select(Knowledge).where(Knowledge.id.in_(ids)))  # type: ignore[attr-defined]  # SQLModel types the column as its Python value
            return {row.id: row for row in rows.scalars()}

    async def follow(self, knowledge_id: str, started: float, timeout_s: float) -> dict[str, Any]:
        """Poll one document; returns seconds to completion and the time in queue and each stage."""
        seen: dict[ParseStatus, float] = {}
        while time.monotonic() - started < timeout_s:
            row = (await self.statuses([knowledge_id]))[knowledge_id]
            seen.setdefault(row.parse_status, time.monotonic() - started)
            if row.parse_status in (ParseStatus.COMPLETED, ParseStatus.FAILED):
                break
            await asyncio.sleep(0.02)
        if row.parse_status != ParseStatus.COMPLETED:
            raise RuntimeError(f"document ended {row.parse_status}: {row.error_message}")
        marks = [(status, seen[status]) for status in STAGE_ORDER if status in seen]
        stages = {"queued": marks[0][1]}
        for (status, at), (_, following) in zip(marks, marks[1:], strict=False):
            stages[STAGE_NAMES[status]] = following - at
        return {"seconds": seen[ParseStatus.COMPLETED], "pages": row.page_count, "chunks": row.chunk_count,
                "stages": {name: round(value, 3) for name, value in stages.items()}}

    async def wait_all(self, ids: list[str], timeout_s: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout_s:
            rows = await self.statuses(ids)
            if all(row.parse_status in (ParseStatus.COMPLETED, ParseStatus.FAILED) for row in rows.values()):
                failed = [row.error_message for row in rows.values() if row.parse_status == ParseStatus.FAILED]
                if failed:
                    raise RuntimeError(f"{len(failed)} document(s) failed, e.g. {failed[0]}")
                return time.monotonic() - started
            await asyncio.sleep(0.2)
        raise RuntimeError("documents did not finish in time")


async def run_bench(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    bench = Bench(stack)
    await bench.setup()
    result: dict[str, Any] = {"machine": _machine()}
    runs = []
    for number in range(args.runs):
        data = _pdf(10, f"freshness-{number}")
        started = time.monotonic()
        knowledge_id = await bench.upload(f"fresh-{number}.pdf", data)
        runs.append(await bench.follow(knowledge_id, started, args.timeout))
        logger.info("freshness run %d: %.2fs %s", number, runs[-1]["seconds"], runs[-1]["stages"])
    stage_names = sorted({name for run in runs for name in run["stages"]})
    result["freshness_10p_pdf"] = {
        "runs": runs,
        "p50_seconds": round(statistics.median(run["seconds"] for run in runs), 3),
        "p50_stage_seconds": {name: round(statistics.median(run["stages"].get(name, 0.0) for run in runs), 3)
                              for name in stage_names},
    }
    texts = [(f"note-{i}.md", f"# Note {i}\n\nTeam {i} meets on day {i % 28 + 1} in room {i * 7 % 90}. "
              f"Agenda item {i}: budget {i * 13} and hiring {i % 5}.\n".encode()) for i in range(args.small_docs)]
    started = time.monotonic()
    ids = [await bench.upload(name, data) for name, data in texts]
    uploaded = time.monotonic() - started
    await bench.wait_all(ids, args.timeout * 4)
    seconds = time.monotonic() - started
    result["small_docs"] = {"documents": len(ids), "seconds": round(seconds, 2),
                            "docs_per_minute": round(len(ids) / seconds * 60, 1),
                            "upload_seconds": round(uploaded, 2)}
    if not args.skip_long and LONG_PDF.is_file():
        started = time.monotonic()
        knowledge_id = await bench.upload(LONG_PDF.name, LONG_PDF.read_bytes())
        long_run = await bench.follow(knowledge_id, started, args.timeout * 10)
        result["long_pdf"] = {**long_run, "file": LONG_PDF.name,
                              "pages_per_minute": round(long_run["pages"] / long_run["seconds"] * 60, 1)}
    await bench.engine.dispose()
    result["machine_at_end"] = _machine()
    return result


def _table(result: dict[str, Any]) -> str:
    fresh = result["freshness_10p_pdf"]
    lines = ["| measure | value |", "|---|---|",
             f"| freshness, 10-page PDF, p50 | {fresh['p50_seconds']} s |"]
    lines += [f"| - {name} (p50) | {value} s |" for name, value in fresh["p50_stage_seconds"].items()]
    small = result["small_docs"]
    lines.append(f"| {small['documents']} small docs | {small['seconds']} s = {small['docs_per_minute']} docs/min |")
    if "long_pdf" in result:
        long_run = result["long_pdf"]
        lines.append(f"| {long_run['file']} ({long_run['pages']} pages, {long_run['chunks']} chunks) | "
                     f"{long_run['seconds']:.1f} s = {long_run['pages_per_minute']} pages/min |")
        lines += [f"| - {name} | {value} s |" for name, value in long_run["stages"].items()]
    machine = result["machine"]
    lines.append(f"| machine | {machine['cpu_count']} CPUs, {machine['memory_gib']} GiB, load average "
                 f"{machine['load_average_1m']} at start, {result['machine_at_end']['load_average_1m']} at end |")
    return "\n".join(lines)


@contextlib.contextmanager
def pipeline_stack(prefix: str, env: dict[str, str] | None = None) -> Iterator[Stack]:
    """The pipeline's services on free ports, a fresh embedded PostgreSQL and broker, default settings
    (``env`` adds to the services' environment)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    settings = Settings.load().model_copy(update={
        "database": DatabaseSettings(embedded_port=_port()),
        "kafka": KafkaSettings(embedded_port=_port()),
        "endpoints": EndpointSettings(docreader_addr=f"127.0.0.1:{_port()}", retriever_addr=f"127.0.0.1:{_port()}",
                                      model_addr=f"127.0.0.1:{_port()}", gateway_port=_port()),
        "runtime": RuntimeSettings(data_dir=root / "var", ready_timeout_s=300),
        "storage": StorageSettings(local_dir=root / "objects"),
    })
    stack = Stack(settings, base_env={**os.environ, **(env or {})},
                  services=["docreader", "retriever", "model", "cdc", "ingest"])
    stack.start()
    try:
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(root, ignore_errors=True)


def run_and_report(prefix: str, run: Callable[[Stack, argparse.Namespace], Coroutine[Any, Any, dict[str, Any]]],
                   args: argparse.Namespace, table: Callable[[dict[str, Any]], str]) -> None:
    """Run a benchmark on a fresh :func:`pipeline_stack`, print its table and write ``args.output``."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    with pipeline_stack(prefix) as stack:
        result = asyncio.run(run(stack, args))
    print(table(result))  # noqa: T201 - a benchmark prints its table
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False))


def metrics_overhead(args: argparse.Namespace) -> dict[str, Any]:
    """The same runs on fresh stacks with metrics recorded and with JISIK_METRICS_RECORD=false, in the order
    on, off, off, on, ... so drifting load hits both alike; overhead = how much slower with metrics."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args.skip_long = True
    runs: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    for round_number in range(args.overhead_rounds):
        order = ("on", "off") if round_number % 2 == 0 else ("off", "on")
        for mode in order:
            env = {"JISIK_METRICS_RECORD": "false"} if mode == "off" else {}
            with pipeline_stack(f"jisik-bench-ingest-{mode}-", env) as stack:
                result = asyncio.run(run_bench(stack, args))
            runs[mode].append({"freshness_p50_seconds": result["freshness_10p_pdf"]["p50_seconds"],
                               "docs_per_minute": result["small_docs"]["docs_per_minute"],
                               "load_average_1m": result["machine"]["load_average_1m"]})
    fresh = {mode: round(statistics.median(run["freshness_p50_seconds"] for run in done), 3)
             for mode, done in runs.items()}
    rate = {mode: round(statistics.median(run["docs_per_minute"] for run in done), 1) for mode, done in runs.items()}
    return {
        "machine": _machine(),
        "rounds": args.overhead_rounds, "freshness_runs_per_stack": args.runs, "small_docs": args.small_docs,
        "runs": runs,
        "freshness_p50_seconds": fresh,
        "docs_per_minute": rate,
        "freshness_overhead_pct": round((fresh["on"] - fresh["off"]) / fresh["off"] * 100, 2),
        "throughput_overhead_pct": round((rate["off"] - rate["on"]) / rate["off"] * 100, 2),
    }


def _overhead_table(result: dict[str, Any]) -> str:
    lines = ["| measure | metrics on | metrics off | overhead |", "|---|---|---|---|",
             f"| freshness, 10-page PDF, p50 | {result['freshness_p50_seconds']['on']} s | "
             f"{result['freshness_p50_seconds']['off']} s | {result['freshness_overhead_pct']}% |",
             f"| {result['small_docs']} small docs | {result['docs_per_minute']['on']} docs/min | "
             f"{result['docs_per_minute']['off']} docs/min | {result['throughput_overhead_pct']}% |",
             f"| machine | {result['machine']['cpu_count']} CPUs, load average "
             f"{result['machine']['load_average_1m']} at end | | |"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--small-docs", type=int, default=100)
    parser.add_argument("--skip-long", action="store_true")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per document")
    parser.add_argument("--output", default=str(RESULTS / "ingest.json"))
    parser.add_argument("--metrics-overhead", action="store_true",
                        help="compare stacks with and without metrics; writes ingest_metrics_overhead.json")
    parser.add_argument("--overhead-rounds", type=int, default=2, help="stacks per mode with --metrics-overhead")
    args = parser.parse_args()
    if args.metrics_overhead:
        result = metrics_overhead(args)
        print(_overhead_table(result))  # noqa: T201 - a benchmark prints its table
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "ingest_metrics_overhead.json").write_text(json.dumps(result, indent=2))
        return
    run_and_report("jisik-bench-ingest-", run_bench, args, _table)


if __name__ == "__main__":
    main()
