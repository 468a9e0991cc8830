"""Field extraction benchmark on generated Korean business documents (bench/field_docs.py).

    .venv/bin/python bench/fields.py [--count 300] [--scans 100] [--workers 2]

Every document is rendered to PDF and DOCX and read back (text path); ``--scans`` of them are rasterised
at 150-200 dpi with skew and noise and read through Tesseract (scan path). Reports field micro-F1
(exact match after normalisation), the share of documents sent to review and the precision of the fields
of auto-approved documents at the schema's default threshold, and the validate-stage p95 for a 10-page
PDF (layout + extraction + checks, OCR excluded). Writes bench/results/fields.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

# This file is named like the package it measures: keep bench/ off the import path.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.append(str(_HERE))

import psutil  # noqa: E402
from field_docs import BENCH_SCHEMA, Document, generate, render_docx, render_pdf, render_scan  # noqa: E402

from fields.evaluate import Status, evaluate  # noqa: E402
from fields.extract import extract_fields  # noqa: E402
from fields.schema import parse_schema  # noqa: E402
from fields.sources import layout_of  # noqa: E402

ROOT = _HERE.parent
SCHEMA = parse_schema(BENCH_SCHEMA)
_TYPES = {spec.name: spec.type.value for spec in SCHEMA.fields}


def _read(file_type: str, data: bytes) -> tuple[dict[str, str], dict[str, float], str]:
    layout = layout_of(file_type, data, ocr=True, languages="kor+eng")
    assert layout is not None
    extracted = extract_fields(layout, SCHEMA)
    outcome = evaluate(SCHEMA, extracted)
    return ({name: e.normalized for name, e in extracted.items()},
            {name: e.confidence for name, e in extracted.items()}, outcome.status.value)


def _scan_job(args: tuple[int, bytes]) -> tuple[dict[str, str], dict[str, float], str, float]:
    seed, pdf = args
    image = render_scan(pdf, random.Random(seed))
    started = time.perf_counter()
    predicted, confidence, status = _read("png", image)
    return predicted, confidence, status, time.perf_counter() - started


class Tally:
    def __init__(self) -> None:
        self.tp = self.fp = self.fn = 0
        self.documents = self.reviewed = self.auto = 0
        self.auto_fields = self.auto_correct = 0
        self.errors: dict[str, int] = {}
        self.auto_wrong: dict[str, int] = {}  # wrong fields of auto-approved documents, by field
        # Per field type: how its readings went (correct, wrong value, missed, extra).
        self.by_type: dict[str, dict[str, int]] = {}

    def add(self, truth: dict[str, str], predicted: dict[str, str], status: str) -> None:
        for name in set(truth) | set(predicted):
            want, got = truth.get(name), predicted.get(name)
            outcome = "correct" if got is not None and got == want else \
                "missed" if got is None else "extra" if want is None else "wrong"
            counts = self.by_type.setdefault(_TYPES[name], {"correct": 0, "wrong": 0, "missed": 0, "extra": 0})
            counts[outcome] += 1
            if outcome == "correct":
                self.tp += 1
            else:
                self.fp += got is not None
                self.fn += want is not None
                self.errors[name] = self.errors.get(name, 0) + 1
        self.documents += 1
        if status == Status.AUTO_APPROVED:
            self.auto += 1
            self.auto_fields += len(predicted)
            self.auto_correct += sum(truth.get(name) == value for name, value in predicted.items())
            for name, value in predicted.items():
                if truth.get(name) != value:
                    self.auto_wrong[name] = self.auto_wrong.get(name, 0) + 1
        else:
            self.reviewed += 1

    def summary(self) -> dict[str, Any]:
        precision = self.tp / max(self.tp + self.fp, 1)
        recall = self.tp / max(self.tp + self.fn, 1)
        return {
            "documents": self.documents,
            "micro_f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4),
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "review_rate": round(self.reviewed / max(self.documents, 1), 4),
            "auto_approved_field_precision": round(self.auto_correct / max(self.auto_fields, 1), 4),
            "errors_by_field": dict(sorted(self.errors.items())),
            "auto_approved_wrong_by_field": dict(sorted(self.auto_wrong.items())),
            "readings_by_type": dict(sorted(self.by_type.items())),
        }


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--scans", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fields.json")
    args = parser.parse_args()

    documents: list[Document] = generate(args.count)
    pdfs = {doc.id: render_pdf(doc) for doc in documents}
    text, per_format = Tally(), {"pdf": Tally(), "docx": Tally()}
    for doc in documents:
        for file_type, data in (("pdf", pdfs[doc.id]), ("docx", render_docx(doc))):
            predicted, _, status = _read(file_type, data)
            text.add(doc.truth, predicted, status)
            per_format[file_type].add(doc.truth, predicted, status)

    scans = Tally()
    ocr_seconds: list[float] = []
    scanned = documents[: args.scans]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        jobs = [(index, pdfs[doc.id]) for index, doc in enumerate(scanned)]
        for doc, (predicted, _, status, seconds) in zip(scanned, pool.map(_scan_job, jobs), strict=True):
            scans.add(doc.truth, predicted, status)
            ocr_seconds.append(seconds)

    ten_page = [render_pdf(doc, extra_pages=9) for doc in documents[:40]]
    timings = []
    for data in ten_page:
        started = time.perf_counter()
        _read("pdf", data)
        timings.append((time.perf_counter() - started) * 1000)

    report: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "load_1m": round(os.getloadavg()[0], 2), "python": platform.python_version(),
        },
        "documents": {"generated": len(documents), "kinds": sorted({d.kind for d in documents}),
                      "layouts": sorted({d.layout for d in documents}), "scanned": len(scanned)},
        "text": text.summary(),
        "text_by_format": {name: tally.summary() for name, tally in per_format.items()},
        "scans": scans.summary(),
        "review_rate_all": round((text.reviewed + scans.reviewed) / max(text.documents + scans.documents, 1), 4),
        "validate_ms_10_pages": {"p50": round(statistics.median(timings), 1), "p95": round(_p95(timings), 1)},
        "ocr_s_per_page": {"p50": round(statistics.median(ocr_seconds), 2) if ocr_seconds else None},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"{'set':<14}{'docs':>6}{'F1':>8}{'P':>8}{'R':>8}{'review':>9}{'auto-P':>9}")
    for name, summary in (("text (all)", report["text"]), ("text pdf", report["text_by_format"]["pdf"]),
                          ("text docx", report["text_by_format"]["docx"]), ("scans", report["scans"])):
        print(f"{name:<14}{summary['documents']:>6}{summary['micro_f1']:>8.3f}{summary['precision']:>8.3f}"
              f"{summary['recall']:>8.3f}{summary['review_rate']:>9.1%}{summary['auto_approved_field_precision']:>9.3f}")
    print(f"validate p95 (10-page PDF, OCR excluded): {report['validate_ms_10_pages']['p95']} ms; "
          f"machine load {report['machine']['load_1m']}")
    print("errors by field:", "text", report["text"]["errors_by_field"], "scans", report["scans"]["errors_by_field"])
    print("scan readings by type:", report["scans"]["readings_by_type"])


if __name__ == "__main__":
    main()
