"""The field-tagger half of bench/training.py: entity F1 on held-out generated documents.

Documents come from bench/field_docs.py (five kinds, four layouts, Korean/English/mixed labels, Faker
ko_KR names, addresses and phones), rendered to PDF and read back with PyMuPDF word boxes, as ingest
reads them. Training documents (seed 2026) play reviewed documents: their true values are what the
reviewers confirmed, turned into masked, labelled blocks exactly as a snapshot does. Held-out documents
use another seed (other values, companies, phones and label/layout draws).

Two schemas: the full benchmark schema, and the same schema with its English aliases removed (a tenant
whose schema lists only its Korean labels while a fifth of its documents are English or mixed: the case a
tagger trained on corrections is for); and the Korean-only schema trained on the key: value and grid
layouts alone, measured on the header-row and mixed layouts it never saw. Per run: the tagger's entity F1 alone on the held-out blocks,
field extraction micro-F1 and review rate without and with the tagger, and the training time.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from field_docs import BENCH_SCHEMA, Document, generate, render_pdf

from fields import tag_features
from fields.evaluate import Status, evaluate
from fields.extract import Extracted
from fields.layout import Layout
from fields.schema import FieldSchema, parse_schema
from fields.sources import layout_of
from fields.tagger import FieldTagger, extract_with_tagger, layout_lines
from ml.training.field_labels import labelled_blocks
from ml.training.tagger import entity_scores, train_tagger

__all__ = ["run_field_tagger_bench"]

TRAIN_SEED, HELD_OUT_SEED = 2026, 4049
_SEEN = ("lines", "grid")  # "unseen layouts": trained on these, measured on header and mixed documents only


def _korean_only() -> dict[str, Any]:
    schema = copy.deepcopy(BENCH_SCHEMA)
    for spec in schema["fields"]:
        spec["aliases"] = [alias for alias in spec["aliases"] if any("\uac00" <= c <= "\ud7a3" for c in alias)]
    return schema


def _extraction(schema: FieldSchema, documents: list[tuple[Document, Layout]], tagger: FieldTagger | None
                ) -> dict[str, Any]:
    tp = fp = fn = reviewed = 0
    for doc, layout in documents:
        found: dict[str, Extracted] = extract_with_tagger(layout, schema, tagger)
        for name in set(doc.truth) | set(found):
            want, got = doc.truth.get(name), found[name].normalized if name in found else None
            if got is not None and got == want:
                tp += 1
            else:
                fp += got is not None
                fn += want is not None
        reviewed += evaluate(schema, found).status != Status.AUTO_APPROVED
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"micro_f1": round(2 * precision * recall / max(precision + recall, 1e-9), 4),
            "precision": round(precision, 4), "recall": round(recall, 4),
            "review_rate": round(reviewed / max(len(documents), 1), 4)}


def _scenario(schema: FieldSchema, train: list[tuple[Document, Layout]], held: list[tuple[Document, Layout]]
              ) -> dict[str, Any]:
    blocks = [b for doc, layout in train for b in labelled_blocks(doc.id, layout_lines(layout), schema, doc.truth)]
    held_blocks = [b for doc, layout in held for b in labelled_blocks(doc.id, layout_lines(layout), schema, doc.truth)]
    located = sum(label.startswith("B-") for b in blocks for line in b.labels for label in line)
    tag_features._analysed.cache_clear()  # each run pays for its own morpheme analysis
    tag_features.line_features([[("준비", 0.0, 1.0)]], 0, [])  # Kiwi loaded before the clock starts
    started = time.perf_counter()
    tagger = FieldTagger(train_tagger(blocks, schema))
    training_s = time.perf_counter() - started
    started = time.perf_counter()
    with_tagger = _extraction(schema, held, tagger)
    tagged_ms = (time.perf_counter() - started) * 1000 / max(len(held), 1)
    return {
        "train_documents": len(train), "held_out_documents": len(held),
        "entity": entity_scores(tagger, held_blocks, schema),
        "extraction_without_tagger": _extraction(schema, held, None),
        "extraction_with_tagger": with_tagger,
        "training_s": round(training_s, 2),
        "extraction_with_tagger_ms_per_document": round(tagged_ms, 1),
        "training_entities_located": located,
        "training_entities_true": sum(len(doc.truth) for doc, _ in train),
    }


def run_field_tagger_bench(train_count: int, held_out_count: int) -> dict[str, Any]:
    train_docs = [(doc, layout_of("pdf", render_pdf(doc), ocr=False)) for doc in generate(train_count, TRAIN_SEED)]
    held_docs = [(doc, layout_of("pdf", render_pdf(doc), ocr=False)) for doc in generate(held_out_count, HELD_OUT_SEED)]
    train = [(doc, layout) for doc, layout in train_docs if layout is not None]
    held = [(doc, layout) for doc, layout in held_docs if layout is not None]
    out: dict[str, Any] = {"train_documents": len(train), "held_out_documents": len(held),
                           "split": f"generate({train_count}, seed={TRAIN_SEED}) trains, "
                                    f"generate({held_out_count}, seed={HELD_OUT_SEED}) is held out"}
    scenarios = (("full schema", BENCH_SCHEMA, train, held), ("Korean labels only", _korean_only(), train, held),
                 ("unseen layouts", _korean_only(), [(d, lay) for d, lay in train if d.layout in _SEEN],
                  [(d, lay) for d, lay in held if d.layout not in _SEEN]))
    for name, body, train_set, held_set in scenarios:
        out[name] = _scenario(parse_schema(body), train_set, held_set)
    return out


def print_field_tagger(result: dict[str, Any]) -> None:
    print(f"field tagger: {result['split']}")
    print(f"{'schema':<20}{'entity F1':>10}{'P':>7}{'R':>7}{'extract F1 before':>19}{'after':>7}"
          f"{'review before':>15}{'after':>7}{'train s':>9}")
    for name in ("full schema", "Korean labels only", "unseen layouts"):
        r = result[name]
        before, after = r["extraction_without_tagger"], r["extraction_with_tagger"]
        print(f"{name:<20}{r['entity']['f1']:>10.3f}{r['entity']['precision']:>7.3f}{r['entity']['recall']:>7.3f}"
              f"{before['micro_f1']:>19.3f}{after['micro_f1']:>7.3f}{before['review_rate']:>15.1%}"
              f"{after['review_rate']:>7.1%}{r['training_s']:>9.1f}")
