"""PII detection benchmark: jisik.pii beside Presidio on the same texts.

    .venv/bin/python bench/pii.py [--count 2000] [--clean 1000] [--presidio-python /path/to/venv/bin/python]

Labelled texts come from bench/pii_set.py; clean texts are KorQuAD dev paragraphs
(../shared/bench/korquad, skipped when absent). A labelled value counts as found when a hit of the same
type overlaps it. Precision counts every hit on the labelled texts; the clean rate is the share of KorQuAD
paragraphs with any hit. The dev set has 964 paragraphs: the second half is the tuning split the
detector's context rules were fitted on, the first half is held out; both are reported, and the overall rate. Presidio runs in its own venv (``--presidio-python``) with a blank spaCy pipeline,
its Korean recognizers enabled and no NER model, because none can be downloaded here.
Writes bench/results/pii.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path.append(str(_HERE))

from pii_set import TYPES, Sample, generate  # noqa: E402

from jisik.pii import detect  # noqa: E402

ROOT = _HERE.parent
KORQUAD = ROOT.parent.parent / "shared" / "bench" / "korquad" / "KorQuAD_v1.0_dev.json"
PRESIDIO_TYPES = {
    "KR_RRN": "RRN",
    "KR_FRN": "FRN",
    "KR_BRN": "BRN",
    "KR_PASSPORT": "PASSPORT",
    "KR_DRIVER_LICENSE": "DRIVER",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "CREDIT_CARD": "CARD",
    "IBAN_CODE": "IBAN",
    "PERSON": "NAME",
}
Hits = list[list[tuple[str, int, int]]]


def machine() -> dict[str, object]:
    pages = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpu_count": os.cpu_count(),
        "memory_gib": round(pages / 2**30, 1),
        "load_avg_1m": os.getloadavg()[0],
    }


def clean_paragraphs(limit: int, korquad: Path) -> list[str]:
    if not korquad.exists():
        return []
    data = json.loads(korquad.read_text(encoding="utf-8"))
    paragraphs = [p["context"] for article in data["data"] for p in article["paragraphs"]]
    return paragraphs[:limit]


def run_jisik(texts: list[str]) -> tuple[Hits, float]:
    detect("준비 010-0000-0000")
    started = time.perf_counter()
    hits = [[(h.type.value, h.start, h.end) for h in detect(text)] for text in texts]
    return hits, time.perf_counter() - started


def run_presidio(python: str, texts: list[str]) -> tuple[Hits, float] | str:
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder, "in.json"), Path(folder, "out.json")
        source.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        done = subprocess.run(
            [python, str(_HERE / "_pii_presidio.py"), str(source), str(target)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
        result = json.loads(target.read_text(encoding="utf-8"))
    hits = [
        [(PRESIDIO_TYPES.get(kind, kind), start, end) for kind, start, end, _score in row]
        for row in result["hits"]
    ]
    return hits, result["seconds"]


def score(samples: list[Sample], hits: Hits, clean_hits: Hits) -> dict[str, object]:
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    true_hits = all_hits = 0
    for (_text, labels), row in zip(samples, hits, strict=True):
        for kind, start, end in labels:
            total[kind] += 1
            if any(k == kind and s < end and start < e for k, s, e in row):
                found[kind] += 1
        for kind, start, end in row:
            all_hits += 1
            true_hits += any(k == kind and s < end and start < e for k, s, e in labels)
    return {
        "recall": {kind: round(found[kind] / total[kind], 4) for kind in TYPES if total[kind]},
        "precision": round(true_hits / all_hits, 4) if all_hits else None,
        "clean_paragraphs_with_a_hit": round(sum(1 for row in clean_hits if row) / len(clean_hits), 4)
        if clean_hits
        else None,
        "clean_paragraphs_with_a_non_name_hit": round(
            sum(1 for row in clean_hits if any(kind != "NAME" for kind, _s, _e in row)) / len(clean_hits), 4
        )
        if clean_hits
        else None,
        **_clean_splits(clean_hits),
        "clean_hit_types": dict(Counter(kind for row in clean_hits for kind, _s, _e in row)),
    }


def _rate(rows: Hits) -> float | None:
    return round(sum(1 for row in rows if row) / len(rows), 4) if rows else None


def _clean_splits(clean_hits: Hits) -> dict[str, float | None]:
    """The clean rate on the held-out first half and on the tuning second half."""
    half = len(clean_hits) // 2
    return {
        "clean_held_out_with_a_hit": _rate(clean_hits[:half]),
        "clean_tuning_split_with_a_hit": _rate(clean_hits[half:]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--clean", type=int, default=1000)
    parser.add_argument("--korquad", type=Path, default=KORQUAD)
    parser.add_argument("--presidio-python", default="")
    args = parser.parse_args()
    load_at_start = os.getloadavg()[0]
    samples = generate(args.count)
    clean = clean_paragraphs(args.clean, args.korquad)
    texts = [text for text, _labels in samples] + clean
    chars = sum(len(text) for text in texts)

    systems: dict[str, object] = {}
    hits, seconds = run_jisik(texts)
    systems["jisik.pii"] = score(samples, hits[: len(samples)], hits[len(samples) :]) | {
        "ms_per_1000_chars": round(seconds * 1000 / (chars / 1000), 3)
    }
    if args.presidio_python:
        outcome = run_presidio(args.presidio_python, texts)
        if isinstance(outcome, str):
            systems["presidio"] = {"error": outcome}
        else:
            p_hits, p_seconds = outcome
            systems["presidio"] = score(samples, p_hits[: len(samples)], p_hits[len(samples) :]) | {
                "ms_per_1000_chars": round(p_seconds * 1000 / (chars / 1000), 3)
            }
    else:
        systems["presidio"] = {
            "error": "not run (pass --presidio-python with a venv that has presidio-analyzer)"
        }

    _print(systems)
    report = {
        "samples": len(samples),
        "clean_paragraphs": len(clean),
        "chars": chars,
        "systems": systems,
        "machine": machine() | {"load_avg_1m_at_start": load_at_start},
    }
    out = ROOT / "bench" / "results" / "pii.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


def _print(systems: dict[str, object]) -> None:
    names = list(systems)
    print(f"{'metric':<34}" + "".join(f"{name:>14}" for name in names))
    rows = [f"recall {kind}" for kind in TYPES] + [
        "precision",
        "clean paragraphs with a hit",
        "  … held-out half",
        "  … tuning half",
        "  … with a non-name hit",
        "ms per 1,000 chars",
    ]
    keys = {
        "precision": "precision",
        "clean paragraphs with a hit": "clean_paragraphs_with_a_hit",
        "  … held-out half": "clean_held_out_with_a_hit",
        "  … tuning half": "clean_tuning_split_with_a_hit",
        "  … with a non-name hit": "clean_paragraphs_with_a_non_name_hit",
        "ms per 1,000 chars": "ms_per_1000_chars",
    }
    for row in rows:
        cells = []
        for name in names:
            result = systems[name]
            assert isinstance(result, dict)
            if "error" in result:
                cells.append("—")
            elif row.startswith("recall "):
                cells.append(str(result["recall"].get(row[7:], "—")))
            else:
                cells.append(str(result[keys[row]]))
        print(f"{row:<34}" + "".join(f"{cell:>14}" for cell in cells))
    for name in names:
        result = systems[name]
        if isinstance(result, dict) and "error" in result:
            print(f"{name}: {result['error']}")


if __name__ == "__main__":
    main()
