"""Train the field tagger (a linear-chain CRF, CRFsuite's L-BFGS with L1 + L2 penalties) on labelled
blocks, and measure entity F1: an entity counts when its field and its exact token span match."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fields.schema import FieldSchema
from fields.tag_features import line_features, schema_labels
from fields.tagger import FieldTagger, entity_runs, pack_tagger

from .field_labels import LabelledBlock

__all__ = ["TaggerConfig", "entity_scores", "train_tagger"]


@dataclass(frozen=True, slots=True)
class TaggerConfig:
    c1: float = 0.05
    c2: float = 0.01
    max_iterations: int = 150


def train_tagger(blocks: Sequence[LabelledBlock], schema: FieldSchema, config: TaggerConfig | None = None,
                 progress: Callable[[float], None] | None = None) -> bytes:
    """The packed tagger artifact learned from ``blocks``.

    :raises ValueError: the blocks hold no labelled entity.
    """
    import pycrfsuite

    settings = config or TaggerConfig()
    labels = schema_labels(schema)
    report = progress or (lambda share: None)

    class _Trainer(pycrfsuite.Trainer):  # reports progress after each L-BFGS iteration
        def on_iteration(self, log: object, info: dict[str, object]) -> None:
            report(min(int(str(info.get("num", 0))) / settings.max_iterations, 1.0))

    trainer = _Trainer(verbose=False)
    entities = 0
    for block in blocks:
        for row, expected in enumerate(block.labels):
            _, features = line_features(block.lines, row, labels)
            if len(features) != len(expected):
                raise ValueError(f"block of {block.document}: line {row} has {len(features)} tokens and "
                                 f"{len(expected)} labels")
            if features:
                trainer.append(features, expected)
                entities += sum(label.startswith("B-") for label in expected)
    if not entities:
        raise ValueError("the labelled blocks hold no field value")
    trainer.set_params({"c1": settings.c1, "c2": settings.c2, "max_iterations": settings.max_iterations,
                        "feature.possible_transitions": True})
    handle, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(path)
        with open(path, "rb") as model:
            data = model.read()
    finally:
        os.unlink(path)
    fields = sorted({label[2:] for block in blocks for line in block.labels for label in line if label != "O"})
    return pack_tagger(data, fields)


def _entities(block_labels: Sequence[Sequence[str]], block: LabelledBlock, labels: Sequence[tuple[str, str]]
              ) -> set[tuple[int, int, int, str]]:
    found = set()
    for row, line_labels in enumerate(block_labels):
        tokens, _ = line_features(block.lines, row, labels) if line_labels else ([], [])
        for first, last in entity_runs(line_labels, tokens):
            found.add((row, first, last, line_labels[first][2:]))
    return found


def entity_scores(tagger: FieldTagger | None, blocks: Sequence[LabelledBlock], schema: FieldSchema
                  ) -> dict[str, Any]:
    """Micro precision, recall and F1 of the tagger's entities against the blocks' labels, and F1 per field
    (``tagger`` None: nothing found)."""
    labels = schema_labels(schema)
    hit: Counter[str] = Counter()
    predicted_count: Counter[str] = Counter()
    gold_count: Counter[str] = Counter()
    for block in blocks:
        gold = _entities(block.labels, block, labels)
        predicted_labels = [[label for label, _ in tagger.label_line(block.lines, row, labels)[1]] if tagger else
                            ["O"] * len(line) for row, line in enumerate(block.labels)]
        predicted = _entities(predicted_labels, block, labels)
        for entity in gold:
            gold_count[entity[3]] += 1
        for entity in predicted:
            predicted_count[entity[3]] += 1
            hit[entity[3]] += entity in gold

    def f1(tp: int, p: int, g: int) -> float:
        return round(2 * tp / (p + g), 4) if p + g else 0.0

    tp, p, g = sum(hit.values()), sum(predicted_count.values()), sum(gold_count.values())
    return {
        "precision": round(tp / p, 4) if p else 0.0, "recall": round(tp / g, 4) if g else 0.0, "f1": f1(tp, p, g),
        "entities": g,
        "per_field": {name: f1(hit[name], predicted_count[name], gold_count[name]) for name in sorted(gold_count)},
    }
