"""docreader benchmark over ../shared/bench/docs, end to end through gRPC.

Starts the docreader server in this process (its parser worker processes do the work), sends each
file with ReadStream, and records time, pages, chunks, tables and peak memory (server + workers).

    .venv/bin/python bench/docreader.py [--docs ../shared/bench/docs] [--repeat 3] [--no-ocr]

Prints a table and writes bench/results/docreader.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

# This file is named like the package it measures: keep bench/ off the import path.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

import grpc  # noqa: E402
import psutil  # noqa: E402

from docreader.server import create_server  # noqa: E402
from docreader.service import DocReaderService  # noqa: E402
from jisik.proto import docreader_pb2 as pb  # noqa: E402
from jisik.proto import docreader_pb2_grpc as pb_grpc  # noqa: E402
from jisik.settings import Settings, StorageSettings, get_settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DOCS = ROOT.parent / "shared" / "bench" / "docs"
SCANNED = {"zh_scanned_book_8p.pdf", "en_scanned_1p.pdf"}
IMAGES = {".png", ".jpg", ".jpeg"}


class PeakMemory:
    """Samples the RSS of a process (default: this one) and its children every 50 ms."""

    def __init__(self, pid: int | None = None) -> None:
        self.peak = 0
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process(self._pid)
        while not self._stop.is_set():
            try:
                total = me.memory_info().rss
                children = me.children(recursive=True)
            except psutil.Error:  # the process ended (a crash the caller measures)
                return
            for child in children:
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    """User + system CPU time of this process (server, client) and its parser workers so far."""
    me = psutil.Process()
    total = sum(me.cpu_times()[:2])
    for child in me.children(recursive=True):
        try:
            total += sum(child.cpu_times()[:2])
        except psutil.Error:
            continue
    return total


async def read(stub: pb_grpc.DocReaderStub, path: Path) -> dict[str, Any]:
    content = await asyncio.to_thread(path.read_bytes)
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    chunks = tables = 0
    done = None
    async for frame in stub.ReadStream(pb.ReadStreamRequest(file_content=content, file_name=path.name)):
        if frame.WhichOneof("payload") == "chunk":
            chunks += 1
            tables += "|---" in frame.chunk.content
        else:
            done = frame.done
    seconds = time.perf_counter() - started
    assert done is not None
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu_seconds() - cpu_before, 3),
        "pages": done.page_count,
        "chunks": chunks,
        "table_chunks": tables,
        "ocr_pages": int(done.metadata.get("ocr_pages", "0")),
        "warnings": len(done.warnings),
    }


@contextlib.asynccontextmanager
async def serving_docreader(settings: Settings) -> AsyncIterator[tuple[pb_grpc.DocReaderStub, DocReaderService]]:
    """A docreader gRPC server on a free port with a stub that takes large replies; stopped on exit."""
    server, port, _, service = await create_server(settings, 0)
    await server.start()
    size = 256 * 1024 * 1024
    options = [("grpc.max_receive_message_length", size), ("grpc.max_send_message_length", size)]
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=options) as channel:
            yield pb_grpc.DocReaderStub(channel), service
    finally:
        await server.stop(1)
        await service.close()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    store = Path(tempfile.mkdtemp(prefix="jisik-bench-objects-"))
    settings = get_settings()
    settings = settings.model_copy(
        update={
            "storage": StorageSettings(local_dir=store),
            "docreader": settings.docreader.model_copy(
                update={"ocr_engine": "none" if args.no_ocr else "tesseract"}
            ),
        }
    )
    files = sorted(p for p in args.docs.iterdir() if p.is_file() and p.name != "MANIFEST.md")
    results: dict[str, dict[str, Any]] = {}
    with PeakMemory() as memory:
        async with serving_docreader(settings) as (stub, _):
            for path in files:
                if args.no_ocr and (path.name in SCANNED or path.suffix in IMAGES):
                    continue
                text_pdf = path.suffix == ".pdf" and path.name not in SCANNED
                runs = [await read(stub, path) for _ in range(args.repeat if text_pdf else 1)]
                best = min(runs, key=lambda r: float(r["seconds"]))
                best["median_seconds"] = round(statistics.median(float(r["seconds"]) for r in runs), 3)
                pages = int(best["pages"])
                if text_pdf and pages:
                    best["pages_per_s"] = round(pages / float(best["median_seconds"]), 1)
                    best["pages_per_cpu_s"] = round(pages / max(float(best["cpu_seconds"]), 1e-3), 1)
                if int(best["ocr_pages"]):
                    best["s_per_ocr_page"] = round(
                        float(best["median_seconds"]) / int(best["ocr_pages"]), 2
                    )
                results[path.name] = best
    text_pdf_pages = sum(
        int(r["pages"]) for n, r in results.items() if n.endswith(".pdf") and n not in SCANNED
    )
    text_pdf_seconds = sum(
        float(r["median_seconds"])
        for n, r in results.items()
        if n.endswith(".pdf") and n not in SCANNED
    )
    return {
        "machine": {
            "cpu_count": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / (1 << 30), 1),
            "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "worker_processes": settings.docreader.parser_processes,
        },
        "summary": {
            "text_pdf_pages_per_s": round(text_pdf_pages / text_pdf_seconds, 1) if text_pdf_seconds else None,
            "lyft_10k_pages_per_s": results.get("en_lyft_10k_2021_238p.pdf", {}).get("pages_per_s"),
            "lyft_10k_pages_per_cpu_s": results.get("en_lyft_10k_2021_238p.pdf", {}).get("pages_per_cpu_s"),
            "peak_rss_mib": round(memory.peak / (1 << 20), 1),
        },
        "files": results,
    }


def print_table(report: dict[str, Any]) -> None:
    files: dict[str, dict[str, object]] = report["files"]
    header = (
        f"{'file':42} {'pages':>5} {'chunks':>6} {'tables':>6} {'sec':>7} {'cpu s':>7} {'pages/s':>8} "
        f"{'pg/cpu-s':>8} {'s/OCR pg':>8}"
    )
    print(header)
    print("-" * len(header))
    for name, row in files.items():
        print(
            f"{name[:42]:42} {row['pages']:>5} {row['chunks']:>6} {row['table_chunks']:>6} "
            f"{row['median_seconds']:>7} {row['cpu_seconds']:>7} {row.get('pages_per_s', ''):>8} "
            f"{row.get('pages_per_cpu_s', ''):>8} {row.get('s_per_ocr_page', ''):>8}"
        )
    print()
    print(json.dumps({"machine": report["machine"], "summary": report["summary"]}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=Path, default=DEFAULT_DOCS)
    parser.add_argument("--repeat", type=int, default=3, help="runs per PDF (the median is reported)")
    parser.add_argument("--no-ocr", action="store_true", help="skip scanned files and images")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "docreader.json")
    arguments = parser.parse_args()
    if not arguments.docs.is_dir():
        raise SystemExit(f"{arguments.docs} does not exist")
    report = asyncio.run(main(arguments))
    print_table(report)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    arguments.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
