"""Retriever benchmark: quality on KorQuAD v1.0 dev and speed on a synthetic corpus.

Quality: the 964 dev paragraphs are indexed as chunks; each of the 5,774 questions should find the
paragraph that holds its answer. Reported for keyword (plain BM25, and with sentence evidence), vector
and hybrid (RRF and weighted): recall@1/5/20 and MRR@10, once with each paragraph's article title as
its document title (as ingest indexes and embeds an upload) and once without titles. Embeddings (the
default e5-small) are cached under --cache-dir, so a rerun skips them and an interrupted run resumes.

Speed: a synthetic corpus (Korean sentences recombined from KorQuAD; a chunk's vector is the mean of
its sentences' e5 vectors, a query's the question's own e5 vector) at each --sizes value: index write throughput (chunks/s of pre-analysed chunks: rows, postings and their
blocks, statistics, HNSW) and search latency p50/p95 through RetrieverService (query analysis
included, query embedding excluded): each channel alone at the fusion depth, then hybrid. Analyzer
throughput is reported on its own (chars/s on KorQuAD paragraphs).

    .venv/bin/python bench/retrieval.py                    # quality + speed at 10k
    .venv/bin/python bench/retrieval.py --sizes 10000 100000
    .venv/bin/python bench/retrieval.py --skip-quality --sizes 100000

Prints a table and writes bench/results/retrieval.json (with cpu count and memory).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import logging
import os
import random
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # ahead of bench/ (the script folder), whose ingest.py would shadow the package

from bench._retrieval_embed import cached_embeddings, default_embedder  # noqa: E402
from jisik.db.migrate import upgrade  # noqa: E402
from jisik.passages import passage_text  # noqa: E402
from jisik.runtime.postgres import EmbeddedPostgres  # noqa: E402
from jisik.settings import RetrieverSettings  # noqa: E402
from retriever import fusion  # noqa: E402
from retriever.analysis import analyze  # noqa: E402
from retriever.db import create_pool  # noqa: E402
from retriever.index import AnalyzedChunk, IndexWriter  # noqa: E402
from retriever.service import RetrieverService  # noqa: E402
from retriever.types import ChannelHit, ChunkInput, Filters, Hit, Mode, SearchQuery  # noqa: E402

KORQUAD = ROOT.parent / "shared" / "bench" / "korquad" / "KorQuAD_v1.0_dev.json"
RESULTS = ROOT / "bench" / "results"
BATCH = 500

logger = logging.getLogger("bench.retrieval")


def load_korquad(path: Path) -> tuple[list[str], list[str], list[tuple[str, int]]]:
    """Paragraphs, their articles' titles, and (question, index of its paragraph)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    paragraphs: list[str] = []
    titles: list[str] = []
    questions: list[tuple[str, int]] = []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            paragraphs.append(paragraph["context"])
            titles.append(article["title"].replace("_", " "))
            questions.extend((qa["question"], len(paragraphs) - 1) for qa in paragraph["qas"])
    return paragraphs, titles, questions


def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """recall@1/5/20 and MRR@10 from the 1-based rank of the right paragraph (None: not returned)."""
    n = len(ranks)
    found = [rank for rank in ranks if rank is not None]
    return {
        "recall@1": sum(rank <= 1 for rank in found) / n,
        "recall@5": sum(rank <= 5 for rank in found) / n,
        "recall@20": sum(rank <= 20 for rank in found) / n,
        "mrr@10": sum(1 / rank for rank in found if rank <= 10) / n,
    }


async def index_all(service: RetrieverService, tenant: str, chunks: Sequence[ChunkInput]) -> float:
    """Index in batches; returns chunks per second."""
    started = time.perf_counter()
    for start in range(0, len(chunks), BATCH):
        await service.index_chunks(tenant, chunks[start:start + BATCH])
    return len(chunks) / (time.perf_counter() - started)


async def quality(service: RetrieverService, cache_dir: Path, limit: int | None) -> dict[str, object]:
    """Each paragraph is a chunk of a document named after its Wikipedia article, indexed and embedded as
    ingest does with an upload of that article; the same runs without titles show what the paragraph
    text alone achieves."""
    paragraphs, titles, questions = load_korquad(KORQUAD)
    if limit:
        questions = questions[:limit]
    name, embed = default_embedder()
    query_vectors = cached_embeddings(cache_dir, name, "query", [q for q, _ in questions], embed)
    results: dict[str, object] = {}
    for with_titles in (True, False):
        tenant = "korquad" if with_titles else "korquad-untitled"
        passages = [passage_text(titles[i] if with_titles else "", text) for i, text in enumerate(paragraphs)]
        passage_vectors = cached_embeddings(cache_dir, name, "passage", passages, embed)
        chunks = [
            ChunkInput(chunk_id=f"p{i:04d}", knowledge_base_id="korquad", knowledge_id=f"p{i:04d}", content=text,
                       title=titles[i] if with_titles else "", embedding=passage_vectors[i])
            for i, text in enumerate(paragraphs)
        ]
        await index_all(service, tenant, chunks)
        runs = await rank_questions(service, tenant, questions, query_vectors)
        results.update({(run if with_titles else f"{run} (no titles)"): table for run, table in runs.items()})
    return {"embedder": name, "paragraphs": len(paragraphs), "questions": len(questions), "results": results}


async def rank_questions(
    service: RetrieverService, tenant: str, questions: Sequence[tuple[str, int]], query_vectors: np.ndarray
) -> dict[str, dict[str, float]]:
    """recall@k and MRR of each channel and fusion over one indexed tenant."""
    # Each channel runs once per question at the depth hybrid search uses; the fusions are then the
    # service's own functions over those two rankings (exactly what a hybrid Search computes).
    depth = max(20, service.settings.fusion_depth)
    runs = ("keyword_bm25", "keyword", "vector", "hybrid_rrf", "hybrid_weighted")
    ranks: dict[str, list[int | None]] = {run: [] for run in runs}
    sentence_weight = service.settings.sentence_weight
    for (question, answer), vector in zip(questions, query_vectors, strict=True):
        plain = await service.search(
            SearchQuery(Filters(tenant), top_k=depth, text=question, mode=Mode.KEYWORD, sentence_weight=0.0)
        )
        keyword = await service.search(
            SearchQuery(Filters(tenant), top_k=depth, text=question, mode=Mode.KEYWORD, sentence_weight=sentence_weight)
        )
        semantic = await service.search(SearchQuery(Filters(tenant), top_k=depth, vector=vector, mode=Mode.VECTOR))
        k_hits = [ChannelHit(h.ref, h.chunk_id, h.keyword_score, h.keyword_rank) for h in keyword]
        v_hits = [ChannelHit(h.ref, h.chunk_id, h.vector_score, h.vector_rank) for h in semantic]
        rankings: dict[str, Sequence[Hit | ChannelHit]] = {
            "keyword_bm25": plain,
            "keyword": k_hits,
            "vector": v_hits,
            "hybrid_rrf": fusion.rrf(
                v_hits, k_hits, k=service.settings.rrf_k,
                vector_weight=service.settings.vector_weight, keyword_weight=service.settings.keyword_weight,
            ),
            "hybrid_weighted": fusion.weighted(
                v_hits, k_hits,
                vector_weight=service.settings.vector_weight, keyword_weight=service.settings.keyword_weight,
            ),
        }
        target = f"p{answer:04d}"
        for run, hits in rankings.items():
            ids = [hit.chunk_id for hit in hits][:20]
            ranks[run].append(ids.index(target) + 1 if target in ids else None)
    return {run: metrics(run_ranks) for run, run_ranks in ranks.items()}


def sentence_tokens(cache_dir: Path) -> list[tuple[str, list[str]]]:
    """KorQuAD sentences with their analyzer tokens, analysed once per analyzer version and cached."""
    analyzer = hashlib.sha256(
        b"".join(path.read_bytes() for path in sorted((ROOT / "retriever" / "analysis").glob("*.py")))
    ).hexdigest()[:12]
    path = cache_dir / f"korquad-sentence-tokens-{analyzer}.json"
    if path.exists():
        return [(text, tokens) for text, tokens in json.loads(path.read_text(encoding="utf-8"))]
    paragraphs, _, _ = load_korquad(KORQUAD)
    sentences = sorted({s for p in paragraphs for s in re.split(r"(?<=[.?!])\s+", p) if len(s) > 20})
    pairs = [(text, analyze(text)) for text in sentences]
    cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
    return pairs


def synthetic_chunks(
    size: int, sentences: Sequence[tuple[str, list[str]]], sentence_vectors: np.ndarray, seed: int
) -> list[AnalyzedChunk]:
    """Chunks of four random KorQuAD sentences in ten knowledge bases. A chunk's vector is the normalised
    mean of its sentences' e5 vectors: close to embedding the chunk, and shaped like a real corpus
    (random unit vectors are the HNSW graph's worst case, which no embedder produces)."""
    rng = random.Random(seed)
    chunks = []
    for i in range(size):
        picked = rng.choices(range(len(sentences)), k=4)
        vector = sentence_vectors[picked].mean(axis=0)
        chunk = ChunkInput(
            chunk_id=f"c{i:07d}", knowledge_base_id=f"kb{i % 10}", knowledge_id=f"k{i // 20}",
            content=" ".join(sentences[j][0] for j in picked), embedding=vector / np.linalg.norm(vector),
        )
        chunks.append(AnalyzedChunk(chunk, [sentences[j][1] for j in picked]))
    return chunks


async def speed(service: RetrieverService, pool: asyncpg.Pool, size: int, queries: int, cache_dir: Path) -> dict[str, float]:
    """Write throughput of pre-analysed chunks, then keyword, vector and hybrid latency (query analysis included)."""
    sentences = sentence_tokens(cache_dir)
    _, _, questions = load_korquad(KORQUAD)
    name, embed = default_embedder()
    sentence_vectors = cached_embeddings(cache_dir, name, "passage", [text for text, _ in sentences], embed)
    tenant = f"synthetic-{size}"
    chunks = synthetic_chunks(size, sentences, sentence_vectors, seed=size)
    writer = IndexWriter(pool)
    started = time.perf_counter()
    for start in range(0, len(chunks), BATCH):
        await writer.upsert(tenant, chunks[start:start + BATCH])
    throughput = size / (time.perf_counter() - started)
    async with pool.acquire() as connection:  # fresh statistics for the planner, visibility map for index-only scans
        for table in ("retriever_chunks", "retriever_postings", "retriever_blocks", "retriever_terms"):
            await connection.execute(f"VACUUM ANALYZE {table}")
    texts = [questions[i % len(questions)][0] for i in range(queries)]
    vectors = cached_embeddings(cache_dir, name, "query", texts, embed)
    depth = service.settings.fusion_depth
    # Each channel alone at the depth hybrid search asks of it, then hybrid (both channels concurrently).
    runs = {
        "keyword": lambda i: SearchQuery(Filters(tenant), top_k=depth, text=texts[i], mode=Mode.KEYWORD),
        "vector": lambda i: SearchQuery(Filters(tenant), top_k=depth, vector=vectors[i], mode=Mode.VECTOR),
        "hybrid": lambda i: SearchQuery(Filters(tenant), top_k=10, text=texts[i], vector=vectors[i]),
    }
    row: dict[str, float] = {"chunks": size, "index_chunks_per_s": round(throughput, 1)}
    for run, make in runs.items():
        latencies = []
        for i in range(queries):
            started = time.perf_counter()
            await service.search(make(i))
            latencies.append((time.perf_counter() - started) * 1000)
        latencies.sort()
        row[f"{run}_p50_ms"] = round(statistics.median(latencies), 2)
        row[f"{run}_p95_ms"] = round(latencies[int(0.95 * (len(latencies) - 1))], 2)
    row["queries"] = queries
    return row


def analysis_speed(limit: int = 200) -> dict[str, float]:
    """Analyzer throughput on KorQuAD paragraphs (characters per second)."""
    paragraphs, _, _ = load_korquad(KORQUAD)
    analyze(paragraphs[0])
    started = time.perf_counter()
    chars = 0
    for paragraph in paragraphs[:limit]:
        analyze(paragraph)
        chars += len(paragraph)
    elapsed = time.perf_counter() - started
    return {"paragraphs": limit, "chars_per_s": round(chars / elapsed), "paragraphs_per_s": round(limit / elapsed, 1)}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def machine() -> dict[str, object]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    # The load average says how busy the shared machine was while the figures were taken.
    return {"cpu_count": os.cpu_count(), "memory_gib": round(pages / 2**30, 1), "load_avg_1m": os.getloadavg()[0]}


async def main(args: argparse.Namespace) -> dict[str, object]:
    root = Path(tempfile.mkdtemp(prefix="jisik-bench-pg-"))
    server: EmbeddedPostgres | None = None
    url = args.database_url
    try:
        if not url:
            server = EmbeddedPostgres(root / "data", args.port or free_port())
            server.start()
            url = server.create_database("bench_retrieval")
        upgrade(url)
        pool = await create_pool(url, size=4)
        service = RetrieverService(pool, RetrieverSettings())
        report: dict[str, object] = {"machine": machine()}
        if not args.skip_quality:
            report["quality"] = await quality(service, Path(args.cache_dir), args.limit)
        report["analysis"] = analysis_speed()
        report["speed"] = [
            await speed(service, pool, size, args.queries, Path(args.cache_dir)) for size in args.sizes
        ]
        await service.close()
        return report
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


def print_table(report: dict[str, Any]) -> None:
    print(f"machine: {report['machine']}")
    if "quality" in report:
        q = report["quality"]
        print(f"\nKorQuAD v1.0 dev ({q['questions']} questions, {q['paragraphs']} paragraphs, {q['embedder']})")
        print(f"{'run':<30}{'R@1':>8}{'R@5':>8}{'R@20':>8}{'MRR@10':>8}")
        for run, m in q["results"].items():
            print(f"{run:<30}{m['recall@1']:>8.3f}{m['recall@5']:>8.3f}{m['recall@20']:>8.3f}{m['mrr@10']:>8.3f}")
    print(f"\nanalysis: {report['analysis']}")
    runs = ("keyword", "vector", "hybrid")
    print(f"\n{'chunks':>8}{'index/s':>10}" + "".join(f"{run + ' p50/p95 ms':>24}" for run in runs))
    for row in report["speed"]:
        latency = "".join(f"{row[run + '_p50_ms']:>12}{row[run + '_p95_ms']:>12}" for run in runs)
        print(f"{row['chunks']:>8}{row['index_chunks_per_s']:>10}{latency}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000])
    parser.add_argument("--queries", type=int, default=300, help="searches per size for latency")
    parser.add_argument("--limit", type=int, default=None, help="use only the first N KorQuAD questions")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--cache-dir", default="/tmp/jisik-bench-cache")
    parser.add_argument("--database-url", default="", help="use this PostgreSQL instead of an embedded one")
    parser.add_argument("--port", type=int, default=0, help="port of the embedded PostgreSQL (0: any free)")
    parser.add_argument("--output", default=str(RESULTS / "retrieval.json"))
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    result = asyncio.run(main(arguments))
    Path(arguments.output).parent.mkdir(parents=True, exist_ok=True)
    Path(arguments.output).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_table(result)
