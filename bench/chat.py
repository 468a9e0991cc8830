"""Chat benchmark: time to the first answer token through the whole HTTP + SSE path.

Stack (all in this process, real parts): embedded PostgreSQL, the retriever and the model service
(gRPC on 127.0.0.1, extractive chat backend, e5-small query embeddings), the gateway under uvicorn.
Corpus: --chunks chunks (default 10,000) of Korean text cut from KorQuAD v1.0 dev paragraphs, in
documents of 20 chunks. Chunk vectors are random unit vectors (embedding 10k passages here takes
about half an hour); the question is embedded for real, so every search still runs both channels.

For each KorQuAD question: the client POSTs /knowledge-chat and measures the time to the
``references`` event and to the first ``answer`` delta; the stored assistant message gives the
per-stage timings. Prints a table and writes bench/results/chat.json (with cpu count and memory).

    .venv/bin/python bench/chat.py [--chunks 10000] [--questions 60]
    .venv/bin/python bench/chat.py --metrics-overhead --chunks 2000   # with vs without metrics, paired
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import math
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.metrics_overhead import recording_us  # noqa: E402
from gateway import create_app  # noqa: E402
from jisik.clients.retriever import RetrieverClient  # noqa: E402
from jisik.clients.types import IndexChunk  # noqa: E402
from jisik.db.engine import create_engine, session_factory  # noqa: E402
from jisik.db.migrate import upgrade  # noqa: E402
from jisik.db.models import Knowledge, KnowledgeBase, ParseStatus  # noqa: E402
from jisik.db.tenants import create_tenant  # noqa: E402
from jisik.grpc_server import grpc_channel  # noqa: E402
from jisik.metrics import RECORDING_METHODS, recording_paused  # noqa: E402
from jisik.runtime.postgres import EmbeddedPostgres  # noqa: E402
from jisik.settings import Settings  # noqa: E402

KORQUAD = ROOT.parent / "shared" / "bench" / "korquad" / "KorQuAD_v1.0_dev.json"
RESULTS = ROOT / "bench" / "results"
CHUNKS_PER_DOCUMENT = 20
CHUNK_CHARS = 300
WARMUP = 3
# Parts of a stage's time recorded with it (see chat.stages.search and chat.pipeline).
SUB_TIMINGS = {"chunk_search": ("embed_ms", "search_ms", "catalog_ms"), "chat_completion_stream": ("first_token_ms",)}

logger = logging.getLogger("bench.chat")


def korquad() -> tuple[list[str], list[str]]:
    data = json.loads(KORQUAD.read_text())["data"]
    paragraphs = [p["context"] for article in data for p in article["paragraphs"]]
    questions = [qa["question"] for article in data for p in article["paragraphs"] for qa in p["qas"]]
    return paragraphs, questions


def corpus(paragraphs: list[str], size: int) -> list[str]:
    """``size`` chunks of about CHUNK_CHARS characters, cycling through the paragraphs."""
    pieces = [p[i:i + CHUNK_CHARS] for p in paragraphs for i in range(0, len(p), CHUNK_CHARS) if p[i:i + CHUNK_CHARS]]
    return [pieces[i % len(pieces)] for i in range(size)]


def machine() -> dict[str, object]:
    """CPU count, memory and the 1-minute load average (other work on the machine skews latency)."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cpu_count": os.cpu_count(), "memory_gib": round(pages / 2**30, 1), "load_avg_1m": os.getloadavg()[0]}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))], 1)


async def seed(settings: Settings, url: str, texts: list[str], retriever_addr: str) -> tuple[str, str]:
    engine = create_engine(url, pool_size=2)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        tenant, api_key = await create_tenant(session, name="bench")
        base = KnowledgeBase(tenant_id=tenant.id, name="korquad")
        session.add(base)
        await session.flush()
        documents = []
        for number in range(0, len(texts), CHUNKS_PER_DOCUMENT):
            knowledge = Knowledge(tenant_id=tenant.id, knowledge_base_id=base.id, title=f"KorQuAD {number // 20}",
                                  parse_status=ParseStatus.COMPLETED, chunk_count=CHUNKS_PER_DOCUMENT)
            session.add(knowledge)
            documents.append(knowledge)
        await session.flush()
    await engine.dispose()
    vectors = np.random.default_rng(1).standard_normal((len(texts), settings.retriever.embedding_dimension))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    channel = grpc_channel(retriever_addr, settings.endpoints)
    retriever = RetrieverClient(channel, timeout_s=600)
    started = time.perf_counter()
    for begin in range(0, len(texts), 500):
        batch = []
        for index in range(begin, min(begin + 500, len(texts))):
            document = documents[index // CHUNKS_PER_DOCUMENT]
            seq = index % CHUNKS_PER_DOCUMENT
            batch.append(IndexChunk(
                chunk_id=f"{document.id}-{seq}", tenant_id=tenant.id, knowledge_base_id=base.id,
                knowledge_id=document.id, content=texts[index], title="", embedding=vectors[index].tolist(),
                seq=seq, start=seq * CHUNK_CHARS, end=seq * CHUNK_CHARS + len(texts[index]),
            ))
        await retriever.index_chunks(batch)
    logger.info("indexed %d chunks in %.1fs", len(texts), time.perf_counter() - started)
    await channel.close()
    return api_key, base.id


async def ask(client: httpx.AsyncClient, session_id: str, question: str) -> dict[str, float]:
    started = time.perf_counter()
    marks: dict[str, float] = {}
    async with client.stream("POST", f"/api/v1/knowledge-chat/{session_id}", json={"query": question}) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            now = (time.perf_counter() - started) * 1000
            if event["response_type"] == "references":
                marks.setdefault("references_ms", now)
            elif event["response_type"] == "answer" and event["content"]:
                marks.setdefault("first_token_ms", now)
            if event["done"]:
                marks["done_ms"] = now
    marks.setdefault("first_token_ms", marks["done_ms"])
    return marks


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from ml.serving.server import create_server as model_server
    from retriever.server import create_server as retriever_server

    load_at_start = os.getloadavg()[0]
    root = Path(tempfile.mkdtemp(prefix="jisik-bench-chat-"))
    postgres = EmbeddedPostgres(root / "pg", 0 or _free_port())
    postgres.start()
    try:
        url = postgres.create_database("bench_chat")
        upgrade(url)
        settings = Settings.load()
        settings = settings.model_copy(update={
            "database": settings.database.model_copy(update={"url": url}),
            "storage": settings.storage.model_copy(update={"local_dir": root / "objects"}),
            "gateway": settings.gateway.model_copy(update={"web_dist": str(root / "none")}),
        })
        retriever, retriever_port, _, retriever_service = await retriever_server(settings, 0, url)
        model, model_port, _, _ = await model_server(settings, 0, url)
        await retriever.start()
        await model.start()
        endpoints = settings.endpoints.model_copy(update={
            "retriever_addr": f"127.0.0.1:{retriever_port}", "model_addr": f"127.0.0.1:{model_port}"})
        settings = settings.model_copy(update={"endpoints": endpoints})
        paragraphs, questions = korquad()
        api_key, base_id = await seed(settings, url, corpus(paragraphs, args.chunks), endpoints.retriever_addr)
        server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=0, log_config=None))
        serving = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 - uvicorn only exposes a flag
            await asyncio.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        marks: list[dict[str, float]] = []
        stages: dict[str, list[float]] = defaultdict(list)
        paired: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"X-API-Key": api_key},
                                     timeout=120) as client:
            body = {"knowledge_base_id": base_id, "vector_threshold": 0.0}
            session_id = (await client.post("/api/v1/sessions", json=body)).json()["data"]["id"]
            if args.metrics_overhead:
                paired = await with_and_without_metrics(client, session_id, questions[: args.questions + WARMUP])
            for number, question in enumerate([] if args.metrics_overhead else questions[: args.questions + WARMUP]):
                result = await ask(client, session_id, question)
                if number < WARMUP:
                    continue
                marks.append(result)
                stored = (await client.get(f"/api/v1/messages/{session_id}/load", params={"limit": 1})).json()["data"]
                for timing in stored[-1]["stage_timings"]:
                    stages[timing["name"]].append(float(timing["ms"]))
                    for part in SUB_TIMINGS.get(timing["name"], ()):
                        if part in timing:
                            stages[f"{timing['name']}.{part}"].append(float(timing[part]))
        server.should_exit = True
        await serving
        await model.stop(0)
        await retriever.stop(0)
        await retriever_service.close()
    finally:
        postgres.stop()
    if args.metrics_overhead:
        return overhead_report(paired, args, load_at_start)
    return {
        "machine": machine() | {"load_avg_1m_at_start": load_at_start},
        "chunks": args.chunks,
        "questions": len(marks),
        "chat_backend": "extractive",
        "chunk_vectors": "random unit vectors (query embedded with e5-small)",
        "first_token_ms": {q: percentile([m["first_token_ms"] for m in marks], v)
                           for q, v in (("p50", 0.5), ("p95", 0.95))},
        "references_ms": {q: percentile([m["references_ms"] for m in marks], v) for q, v in (("p50", 0.5), ("p95", 0.95))},
        "done_ms": {q: percentile([m["done_ms"] for m in marks], v) for q, v in (("p50", 0.5), ("p95", 0.95))},
        "stages_ms": {name: {"mean": round(statistics.fmean(values), 2), "p50": percentile(values, 0.5),
                             "p95": percentile(values, 0.95)} for name, values in stages.items()},
    }


async def with_and_without_metrics(client: httpx.AsyncClient, session_id: str,
                                   questions: list[str]) -> dict[str, list[dict[str, float]]]:
    """Each question asked three times: once to warm what a repeated question finds cached (not counted),
    then once with metrics recorded and once with every metric of this process (gateway, retriever,
    model service) paused; the order alternates so drifting load hits both alike."""
    paired: dict[str, list[dict[str, float]]] = {"on": [], "off": []}
    for number, question in enumerate(questions):
        await ask(client, session_id, question)
        for mode in (("on", "off") if number % 2 == 0 else ("off", "on")):
            calls = [0]
            with recording_paused() if mode == "off" else counted_recordings(calls):
                result = await ask(client, session_id, question)
            if mode == "on":
                result["recordings"] = calls[0]
            if number >= WARMUP:
                paired[mode].append(result)
    return paired


@contextlib.contextmanager
def counted_recordings(calls: list[int]) -> Iterator[None]:
    """Count every metric recording (inc, set, observe; label lookups excluded) into ``calls[0]``."""
    saved = [(owner, name, owner.__dict__[name]) for owner, name in RECORDING_METHODS if name != "labels"]

    def counting(method: Callable[..., Any]) -> Callable[..., Any]:
        def record(self: Any, *args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            return method(self, *args, **kwargs)
        return record

    for owner, name, method in saved:
        setattr(owner, name, counting(method))
    try:
        yield
    finally:
        for owner, name, method in saved:
            setattr(owner, name, method)


def overhead_report(paired: dict[str, list[dict[str, float]]], args: argparse.Namespace,
                    load_at_start: float) -> dict[str, Any]:
    report: dict[str, Any] = {"machine": machine() | {"load_avg_1m_at_start": load_at_start},
                              "chunks": args.chunks, "questions": len(paired["on"]), "chat_backend": "extractive"}
    # The analytic estimate: recordings per request times what one recording with its label lookup costs
    # (bench/metrics_overhead.py), against the whole request.
    per_request = statistics.fmean(m["recordings"] for m in paired["on"])
    recording = max(recording_us())
    done = statistics.median(m["done_ms"] for m in paired["on"])
    report["recordings_per_request"] = round(per_request, 1)
    report["recording_us"] = round(recording, 2)
    report["recording_share_of_request_pct"] = round(per_request * recording / (done * 1000) * 100, 4)
    for measure in ("first_token_ms", "done_ms"):
        on = statistics.median(m[measure] for m in paired["on"])
        off = statistics.median(m[measure] for m in paired["off"])
        differences = [a[measure] - b[measure] for a, b in zip(paired["on"], paired["off"], strict=True)]
        # Mean log-ratio of each pair with its 95% interval: how far apart on and off are beyond the noise.
        ratios = [math.log(a[measure] / b[measure]) for a, b in zip(paired["on"], paired["off"], strict=True)]
        spread = 1.96 * statistics.stdev(ratios) / math.sqrt(len(ratios))
        report[measure] = {"on_p50": round(on, 2), "off_p50": round(off, 2),
                           "overhead_pct": round((on - off) / off * 100, 2),
                           "paired_overhead_pct": round((math.exp(statistics.fmean(ratios)) - 1) * 100, 2),
                           "paired_overhead_ci95_pct": [round((math.exp(statistics.fmean(ratios) + sign * spread) - 1)
                                                              * 100, 2) for sign in (-1, 1)],
                           "paired_difference_ms_p50": round(statistics.median(differences), 2),
                           "pairs": [[round(a[measure], 2), round(b[measure], 2)]
                                     for a, b in zip(paired["on"], paired["off"], strict=True)]}
    return report


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def print_table(report: dict[str, Any]) -> None:
    machine_info = report["machine"]
    print(f"chat benchmark: {report['chunks']} chunks, {report['questions']} questions, "
          f"{machine_info['cpu_count']} cpus (load {machine_info['load_avg_1m_at_start']:.1f} -> "
          f"{machine_info['load_avg_1m']:.1f}), {report['chat_backend']} backend")
    print(f"{'measure':<28}{'p50 ms':>10}{'p95 ms':>10}")
    for name in ("references_ms", "first_token_ms", "done_ms"):
        print(f"{name:<28}{report[name]['p50']:>10}{report[name]['p95']:>10}")
    print(f"{'stage':<28}{'mean ms':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, values in report["stages_ms"].items():
        print(f"{name:<28}{values['mean']:>10}{values['p50']:>10}{values['p95']:>10}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--metrics-overhead", action="store_true",
                        help="ask each question with and without metrics; writes chat_metrics_overhead.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    report = asyncio.run(run(args))
    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.metrics_overhead:
        print(f"chat metrics overhead: {report['questions']} question pairs, {report['chunks']} chunks, "
              f"load {report['machine']['load_avg_1m_at_start']:.1f} -> {report['machine']['load_avg_1m']:.1f}")
        print(f"{'measure':<16}{'on p50 ms':>11}{'off p50 ms':>11}{'p50 overhead':>14}{'paired overhead (95% CI)':>30}")
        for name in ("first_token_ms", "done_ms"):
            row = report[name]
            low, high = row["paired_overhead_ci95_pct"]
            print(f"{name:<16}{row['on_p50']:>11}{row['off_p50']:>11}{row['overhead_pct']:>13}%"
                  f"{row['paired_overhead_pct']:>14}% ({low}% .. {high}%)")
        print(f"{report['recordings_per_request']} recordings per request x {report['recording_us']} us = "
              f"{report['recording_share_of_request_pct']}% of the request")
        (RESULTS / "chat_metrics_overhead.json").write_text(json.dumps(report, indent=2) + "\n")
        return
    (RESULTS / "chat.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print_table(report)


if __name__ == "__main__":
    main()
