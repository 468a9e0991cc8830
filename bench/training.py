"""Training benchmark: a tenant's own models on KorQuAD v1.0 dev, and the rollout flip under load.

Split by article (even-numbered articles are half A, odd-numbered half B). The tenant has indexed both
halves. Training data: A's real questions (as an uploaded labelled JSONL would give them) plus synthetic
pairs from all of the tenant's paragraphs (sentence or clause -> its paragraph); B's questions are never
seen. Evaluation on B's questions over B's paragraphs: vector,
hybrid (RRF of vector and BM25) and reranked R@1/R@5/MRR@10 for the base e5 embedder and for the
tuned bundle (query adapter + feature reranker), and the training time.

Flip under load: a real (embedded) PostgreSQL with a registered challenger; concurrent callers resolve
the serving model per session and rerank with it (``ml.training.serving.TunedModels``, what the chat
pipeline calls) while the canary is promoted 10 -> 50 -> 100 and rolled back; failed calls are counted.

Adapter lookup: per-question latency of the adapter (map + corpus memory) with the memory searched
exactly (one product over all keys) and through its key index, on the trained memory and on memories of
50,000 and 200,000 keys (the trained keys copied with noise), with the index's recall of the exact 32
nearest keys and the agreement of the adapted vectors.

The same run on the field tagger (bench/_field_tagger.py): trained on generated documents' reviewed
values, entity F1 on held-out generated documents, and field extraction F1 without and with the tagger.

    .venv/bin/python bench/training.py [--cache-dir DIR] [--part all|retrieval|tagger|cross_encoder|bi_encoder]

``--part cross_encoder`` (bench/_cross_encoder.py) fine-tunes a cross-encoder reranker on A's questions on
the CPU within ``--cross-encoder-budget`` seconds and reports its reranked R@1/MRR@10 on a sample of B.
``--part bi_encoder`` (bench/_bi_encoder.py) fine-tunes all-MiniLM-L6-v2 on A's questions, fully and with
LoRA, each within ``--bi-encoder-budget`` seconds, and reports pairs/s, re-embedding speed and vector
R@1/MRR@10 on a sample of B.

The retrieval part skips cleanly when ../shared/bench/korquad is absent. Prints tables; writes
bench/results/training.json, bench/results/training_tagger.json, bench/results/training_cross_encoder.json
and bench/results/training_bi_encoder.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._retrieval_embed import cached_embeddings, default_embedder  # noqa: E402
from jisik.passages import passage_text  # noqa: E402
from ml.training.adapter import CorpusMemory, QueryAdapter, normalise  # noqa: E402
from ml.training.bundle import TunedBundle  # noqa: E402
from ml.training.corpus import Corpus  # noqa: E402
from ml.training.evaluate import evaluate  # noqa: E402
from ml.training.fit import fit_bundle  # noqa: E402
from ml.training.synthetic import synthetic_queries  # noqa: E402

KORQUAD = ROOT.parent / "shared" / "bench" / "korquad" / "KorQuAD_v1.0_dev.json"
RESULTS = ROOT / "bench" / "results" / "training.json"
TAGGER_RESULTS = ROOT / "bench" / "results" / "training_tagger.json"
CROSS_ENCODER_RESULTS = ROOT / "bench" / "results" / "training_cross_encoder.json"
BI_ENCODER_RESULTS = ROOT / "bench" / "results" / "training_bi_encoder.json"


def _machine() -> dict[str, Any]:
    memory_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {"cpus": os.cpu_count(), "memory_gb": round(memory_kb / 1024**2, 1),
            "load_1m_start": round(os.getloadavg()[0], 2)}


def _half(articles: list[dict[str, Any]], embed: Any, cache: Path) -> tuple[Corpus, list[str], list[int]]:
    ids: list[str] = []
    texts: list[str] = []
    titles: list[str] = []
    questions: list[str] = []
    targets: list[int] = []
    for article in articles:
        for paragraph in article["paragraphs"]:
            ids.append(f"p{len(ids)}-{article['title']}")
            texts.append(paragraph["context"])
            titles.append(article["title"])
            for qa in paragraph["qas"]:
                questions.append(qa["question"])
                targets.append(len(ids) - 1)
    vectors = cached_embeddings(cache, "e5-small", "passage",
                                [passage_text(t, x) for t, x in zip(titles, texts, strict=True)], embed)
    return Corpus(ids, texts, titles, vectors), questions, targets


async def _flip_under_load(bundle: TunedBundle, corpus: Corpus, queries: list[str], vectors: np.ndarray) -> dict[str, Any]:
    from jisik.db.engine import create_engine, session_factory
    from jisik.db.migrate import upgrade
    from jisik.db.tenants import create_tenant
    from jisik.runtime.postgres import EmbeddedPostgres
    from ml.training import registry
    from ml.training.serving import TunedModels

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    root = Path(tempfile.mkdtemp(prefix="jisik-bench-training-"))
    server = EmbeddedPostgres(root / "data", port)
    server.start()
    try:
        url = server.create_database("bench")
        upgrade(url)
        engine = create_engine(url, pool_size=10)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            tenant, _ = await create_tenant(session, name="bench")
            await registry.register(session, tenant_id=tenant.id, artifact=bundle.to_bytes(), snapshot_id="bench", job_id="",
                                    metrics={}, champion_metrics={}, training_s=0.0, challenger=True)
        models = TunedModels(sessions, refresh_s=0.05)
        served: dict[str, int] = {}
        failed = 0
        calls = 0
        stop = asyncio.Event()

        async def caller(worker: int) -> None:
            nonlocal failed, calls
            i = worker
            while not stop.is_set():
                i = (i + 7) % len(queries)
                try:
                    model = await models.for_session(tenant.id, f"session-{i}")
                    name = f"v{model.version}" if model else "base"
                    if model is not None and model.bundle is not None:
                        corpus.reranked_ranking(queries[i], vectors[i], model.bundle, 5)
                    served[name] = served.get(name, 0) + 1
                except Exception:  # noqa: BLE001 - every failure counts, whatever it is
                    failed += 1
                calls += 1
                await asyncio.sleep(0)

        workers = [asyncio.create_task(caller(n)) for n in range(16)]
        steps = []
        for action in ("promote", "promote", "rollback", "promote", "promote", "promote"):
            await asyncio.sleep(1.0)
            async with sessions() as session, session.begin():
                if action == "promote":
                    state = await registry.promote(session, tenant.id, (10, 50, 100))
                else:
                    state = await registry.rollback(session, tenant.id, "bench")
            steps.append(f"{action}:{state.percent}%{'/champion' if state.champion else ''}")
            if action == "rollback":  # a challenger again, for the second canary
                async with sessions() as session, session.begin():
                    await registry.register(session, tenant_id=tenant.id, artifact=bundle.to_bytes(), snapshot_id="bench",
                                            job_id="", metrics={}, champion_metrics={}, training_s=0.0,
                                            challenger=True)
        await asyncio.sleep(1.0)
        stop.set()
        await asyncio.gather(*workers)
        await engine.dispose()
        return {"calls": calls, "failed": failed, "served": served, "steps": steps}
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def _per_question_ms(adapter: QueryAdapter, questions: np.ndarray) -> float:
    adapter(questions[0])
    started = time.perf_counter()
    for question in questions:
        adapter(question)
    return (time.perf_counter() - started) / len(questions) * 1000


def _lookup(memory: CorpusMemory, weights: np.ndarray, questions: np.ndarray) -> dict[str, Any]:
    """Exact against indexed lookup of one memory: latency per question, the index's recall of the exact 32
    nearest keys, and the agreement of the adapted vectors."""
    started = time.perf_counter()
    indexed = memory.indexed(min_keys=0)  # whatever its size, to compare
    build_s = time.perf_counter() - started
    assert indexed.index is not None
    mapped = normalise(questions @ weights.T)
    wanted, _ = indexed.neighbours(mapped)  # the exact product, over the keys in their grouped order
    found, _ = indexed.nearest(mapped)
    recall = np.mean([len(set(w.tolist()) & set(f.tolist())) / len(w) for w, f in zip(wanted, found, strict=True)])
    exact_adapter, indexed_adapter = QueryAdapter(weights, memory), QueryAdapter(weights, indexed)
    agreement = np.sum(exact_adapter(questions) * indexed_adapter(questions), axis=1)
    return {"keys": len(memory.keys), "groups": len(indexed.index.centroids), "probes": indexed.index.probes,
            "index_build_s": round(build_s, 2),
            "exact_ms_per_question": round(_per_question_ms(exact_adapter, questions[:300]), 2),
            "indexed_ms_per_question": round(_per_question_ms(indexed_adapter, questions[:300]), 2),
            "recall_at_32": round(float(recall), 4), "adapted_cosine_min": round(float(agreement.min()), 4),
            "adapted_cosine_mean": round(float(agreement.mean()), 5)}


def _adapter_lookup(bundle: TunedBundle, questions: np.ndarray) -> list[dict[str, Any]]:
    memory = bundle.adapter.memory
    if memory is None or not len(memory.keys):
        return []
    rng = np.random.default_rng(7)
    rows = []
    for size in (len(memory.keys), 50_000, 200_000):
        grown = size != len(memory.keys)
        picked = rng.integers(0, len(memory.keys), size=size) if grown else np.arange(size)
        keys = memory.keys[picked].astype(np.float32)
        if grown:  # copies of the trained questions moved by noise, so no two keys coincide
            keys = normalise(keys + 0.25 * normalise(rng.normal(size=keys.shape).astype(np.float32)))
        copied = CorpusMemory(keys, memory.values, memory.targets[picked], memory.temperature, memory.weight)
        rows.append(_lookup(copied, bundle.adapter.weights, questions))
    return rows


def _report(machine: dict[str, Any], result: dict[str, Any], show: Callable[[dict[str, Any]], None],
            path: Path) -> None:
    """One bench part's end: the load as it finished, its table and machine printed, its JSON written."""
    machine["load_1m_end"] = round(os.getloadavg()[0], 2)
    show(result)
    print(f"machine: {machine}")
    path.write_text(json.dumps({"machine": machine, **result}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _field_tagger_part(train_count: int, held_out_count: int) -> None:
    from bench._field_tagger import print_field_tagger, run_field_tagger_bench

    machine = _machine()
    result = run_field_tagger_bench(train_count, held_out_count)
    _report(machine, result, print_field_tagger, TAGGER_RESULTS)


def _cross_encoder_part(machine: dict[str, Any], tenant: Corpus, queries: list[str], vectors: np.ndarray,
                        targets: list[int], corpus_b: Corpus, questions_b: list[str], vectors_b: np.ndarray,
                        targets_b: list[int], budget_s: float, sample: int) -> None:
    from bench._cross_encoder import print_cross_encoder, run_cross_encoder_bench

    result = run_cross_encoder_bench(tenant, queries, vectors, targets, corpus_b, questions_b, vectors_b, targets_b,
                                     budget_s=budget_s, sample=sample)
    _report(machine, result, print_cross_encoder, CROSS_ENCODER_RESULTS)


def _bi_encoder_part(machine: dict[str, Any], corpus_a: Corpus, questions_a: list[str], targets_a: list[int],
                     corpus_b: Corpus, questions_b: list[str], targets_b: list[int], budget_s: float,
                     sample: int) -> None:
    from bench._bi_encoder import print_bi_encoder, run_bi_encoder_bench

    result = run_bi_encoder_bench(corpus_a, questions_a, targets_a, corpus_b, questions_b, targets_b,
                                  budget_s=budget_s, sample=sample)
    _report(machine, result, print_bi_encoder, BI_ENCODER_RESULTS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "jisik-bench-embeddings")
    parser.add_argument("--part", choices=("all", "retrieval", "tagger", "cross_encoder", "bi_encoder"),
                        default="all",
                        help="retrieval models on KorQuAD, the field tagger on generated documents, or both; "
                        "cross_encoder: only a cross-encoder reranker on KorQuAD (CPU, within its budget); "
                        "bi_encoder: only full and LoRA fine-tuning of MiniLM on KorQuAD (CPU, within its budget)")
    parser.add_argument("--bi-encoder-budget", type=float, default=120.0, help="each method's training budget (s)")
    parser.add_argument("--bi-encoder-sample", type=int, default=300, help="B questions the bi-encoders are asked")
    parser.add_argument("--cross-encoder-budget", type=float, default=300.0, help="its training budget in seconds")
    parser.add_argument("--cross-encoder-sample", type=int, default=200, help="B questions it reranks")
    parser.add_argument("--tagger-train", type=int, default=300, help="generated documents the tagger trains on")
    parser.add_argument("--tagger-held-out", type=int, default=150, help="generated documents it is measured on")
    args = parser.parse_args()
    if args.part in ("all", "tagger"):
        _field_tagger_part(args.tagger_train, args.tagger_held_out)
    if args.part == "tagger":
        return 0
    if not KORQUAD.exists():
        print(f"skipped: {KORQUAD} is not present")
        return 0
    machine = _machine()
    articles = json.loads(KORQUAD.read_text(encoding="utf-8"))["data"]
    half_a, half_b = articles[0::2], articles[1::2]
    _, embed = default_embedder()
    corpus_a, questions_a, targets_a = _half(half_a, embed, args.cache_dir)
    corpus_b, questions_b, targets_b = _half(half_b, embed, args.cache_dir)
    if args.part == "bi_encoder":
        _bi_encoder_part(machine, corpus_a, questions_a, targets_a, corpus_b, questions_b, targets_b,
                         args.bi_encoder_budget, args.bi_encoder_sample)
        return 0
    # The tenant has indexed both halves; it trains on A's questions and on synthetic pairs from all of its
    # chunks (B's passages included, never B's questions).
    tenant = Corpus(corpus_a.ids + corpus_b.ids, corpus_a.texts + corpus_b.texts, corpus_a.titles + corpus_b.titles,
                    np.concatenate([corpus_a.vectors, corpus_b.vectors]))
    synthetic = [(query, i) for i, text in enumerate(tenant.texts) for query, _ in synthetic_queries("", text)]
    train_queries = questions_a + [query for query, _ in synthetic]
    train_targets = targets_a + [i for _, i in synthetic]
    real = [True] * len(questions_a) + [False] * len(synthetic)
    train_vectors = cached_embeddings(args.cache_dir, "e5-small", "query", train_queries, embed)
    test_vectors = cached_embeddings(args.cache_dir, "e5-small", "query", questions_b, embed)
    if args.part == "cross_encoder":
        _cross_encoder_part(machine, tenant, questions_a, train_vectors[: len(questions_a)], targets_a, corpus_b,
                            questions_b, test_vectors, targets_b, args.cross_encoder_budget, args.cross_encoder_sample)
        return 0
    started = time.perf_counter()
    bundle = fit_bundle(tenant, train_queries, train_vectors, train_targets, real)
    training_s = time.perf_counter() - started
    before = evaluate(corpus_b, questions_b, test_vectors, targets_b, None)
    after = evaluate(corpus_b, questions_b, test_vectors, targets_b, bundle)
    flip = asyncio.run(_flip_under_load(bundle, corpus_b, questions_b, test_vectors))
    lookup = _adapter_lookup(bundle, test_vectors[:500])
    machine["load_1m_end"] = round(os.getloadavg()[0], 2)
    result = {
        "machine": machine,
        "split": {"A": {"articles": len(half_a), "paragraphs": len(corpus_a), "questions": len(questions_a),
                        "synthetic_pairs_from_A_and_B_chunks": len(synthetic)},
                  "B": {"articles": len(half_b), "paragraphs": len(corpus_b), "questions": len(questions_b)},
                  "rule": "articles[0::2] = A (train), articles[1::2] = B (evaluate)"},
        "training_s": round(training_s, 1),
        "adapter": {"map_strength": bundle.adapter_strength,
                    "memory_keys": len(bundle.adapter.memory.keys) if bundle.adapter.memory else 0,
                    "memory_temperature": bundle.adapter.memory.temperature if bundle.adapter.memory else None,
                    "memory_weight": bundle.adapter.memory.weight if bundle.adapter.memory else None},
        "before": before,
        "after": after,
        "flip": flip,
        "adapter_lookup": lookup,
    }
    print(f"KorQuAD v1.0 dev, train A ({len(questions_a)} questions + {len(synthetic)} synthetic), "
          f"evaluate B ({len(questions_b)} questions, {len(corpus_b)} paragraphs)")
    print(f"{'ranking':<10}{'R@1 before':>12}{'R@1 after':>11}{'R@5 before':>12}{'R@5 after':>11}"
          f"{'MRR@10 before':>15}{'MRR@10 after':>14}")
    for name in ("vector", "hybrid", "reranked"):
        b, a = before[name], after[name]
        print(f"{name:<10}{b['r@1']:>12.3f}{a['r@1']:>11.3f}{b['r@5']:>12.3f}{a['r@5']:>11.3f}"
              f"{b['mrr@10']:>15.3f}{a['mrr@10']:>14.3f}")
    print(f"training {training_s:.1f}s (adapter strength {bundle.adapter_strength:g}); flip under load: "
          f"{flip['failed']} failed of {flip['calls']} calls, steps {flip['steps']}")
    print(f"adapter per question (500 of B's questions; memory exact vs key index): {'keys':>8}{'groups':>8}{'probes':>8}"
          f"{'exact ms':>10}{'index ms':>10}{'recall@32':>11}{'min cos':>9}{'build s':>9}")
    for row in lookup:
        print(f"{'':<73}{row['keys']:>8}{row['groups']:>8}{row['probes']:>8}{row['exact_ms_per_question']:>10.2f}"
              f"{row['indexed_ms_per_question']:>10.2f}{row['recall_at_32']:>11.3f}{row['adapted_cosine_min']:>9.4f}"
              f"{row['index_build_s']:>9.1f}")
    print(f"machine: {machine}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
