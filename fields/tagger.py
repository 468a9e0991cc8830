"""A knowledge base's trained field tagger at run time: a CRF (CRFsuite) over the features of
:mod:`fields.tag_features` that labels each token of each line ``B-<field>``, ``I-<field>`` or ``O``.

Inference needs only ``python-crfsuite`` (a small C extension with no dependencies) and Kiwi, both core
dependencies, so the ingest validate stage can use a tagger without the training extra.

How the extractor uses it (:func:`extract_with_tagger`): label-anchored readings stay as they are
(their precision was 1.000 in every run of bench/training.py --part tagger). The tagger fills a field the
labels did not find, or found only by its value's shape on a scan, with its own reading when the tagged
text parses as the field's type; the confidence is the CRF's mean marginal probability of the entity's
labels times ``TAGGED_WEIGHT``, so only a sure tagging can pass a review threshold of 0.9, and the field's
checks and rules still judge it. A second rule, capping an anchored reading the tagger contradicts, was
measured and dropped: it caught no error and only sent more documents to review (+0.7 points with the
full benchmark schema, +4.3 on layouts the tagger never saw).
"""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from jisik.errors import InvalidInput

from .extract import Extracted, extract_fields
from .layout import Layout
from .normalize import find_value
from .schema import FieldSchema
from .tag_features import FEATURE_VERSION, Line, Token, line_features, schema_labels

__all__ = ["FieldTagger", "Tagged", "entity_runs", "extract_with_tagger", "layout_lines", "pack_tagger"]

TAGGED_WEIGHT = 0.95
_MAGIC = b"JISIKCRF"


@dataclass(frozen=True, slots=True)
class Tagged:
    """One entity the tagger found: a field's text in a cell of a line, and how sure it is."""

    field: str
    row: int
    cell: int
    start: int
    end: int
    text: str
    confidence: float


def pack_tagger(model: bytes, fields: Sequence[str]) -> bytes:
    """The registered artifact: a header (feature version, the fields it tags) and the CRFsuite model."""
    header = json.dumps({"feature_version": FEATURE_VERSION, "fields": list(fields)}).encode()
    return _MAGIC + struct.pack(">I", len(header)) + header + model


def layout_lines(layout: Layout) -> list[Line]:
    return [[(segment.text, segment.span[0], segment.span[1]) for segment in row.segments] for row in layout.rows]


class FieldTagger:
    """A loaded tagger; ``tag`` is serialised (a CRFsuite tagger holds per-call state)."""

    def __init__(self, artifact: bytes) -> None:
        """:raises InvalidInput: not a tagger artifact, or one built on other features."""
        import pycrfsuite

        if not artifact.startswith(_MAGIC) or len(artifact) < len(_MAGIC) + 4:
            raise InvalidInput("the artifact is not a field tagger", field="artifact")
        (size,) = struct.unpack(">I", artifact[len(_MAGIC):len(_MAGIC) + 4])
        body = len(_MAGIC) + 4 + size
        try:
            header = json.loads(artifact[len(_MAGIC) + 4:body])
        except ValueError as exc:
            raise InvalidInput("the field tagger's header is damaged", field="artifact") from exc
        if header.get("feature_version") != FEATURE_VERSION:
            raise InvalidInput("the field tagger was trained on other features", field="artifact")
        self.fields: list[str] = [str(name) for name in header.get("fields", [])]
        self._tagger = pycrfsuite.Tagger()
        # CRFsuite reads the model in place and never copies it: the bytes must live as long as the tagger.
        self._model = artifact[body:]
        try:
            self._tagger.open_inmemory(self._model)
        except (ValueError, OSError) as exc:
            raise InvalidInput("the field tagger's model cannot be read", field="artifact") from exc
        self._lock = threading.Lock()

    def label_line(self, lines: Sequence[Line], row: int, labels: Sequence[tuple[str, str]]
                   ) -> tuple[list[Token], list[tuple[str, float]]]:
        """The tokens of ``lines[row]`` and each one's label with its marginal probability."""
        tokens, features = line_features(lines, row, labels)
        if not features:
            return tokens, []
        with self._lock:
            predicted = self._tagger.tag(features)
            return tokens, [(label, self._tagger.marginal(label, i)) for i, label in enumerate(predicted)]

    def tag(self, lines: Sequence[Line], schema: FieldSchema) -> list[Tagged]:
        """The entities in ``lines``: a ``B-`` token (or an ``I-`` without one) and the ``I-`` tokens of
        the same field right after it in the same cell."""
        found: list[Tagged] = []
        labels = schema_labels(schema)
        for row in range(len(lines)):
            tokens, labelled = self.label_line(lines, row, labels)
            for first, last in entity_runs([label for label, _ in labelled], tokens):
                name = labelled[first][0][2:]
                text = lines[row][tokens[first].cell][0]
                confidence = sum(marginal for _, marginal in labelled[first:last + 1]) / (last + 1 - first)
                found.append(Tagged(name, row, tokens[first].cell, tokens[first].start, tokens[last].end,
                                    text[tokens[first].start:tokens[last].end], round(confidence, 4)))
        return found


def entity_runs(labels: Sequence[str], tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(first, last) token indexes of each entity in a line's BIO labels; an entity never spans cells."""
    runs: list[tuple[int, int]] = []
    for i, label in enumerate(labels):
        kind, _, name = label.partition("-")
        if kind not in ("B", "I"):
            continue
        if (kind == "I" and runs and runs[-1][1] == i - 1 and labels[runs[-1][0]][2:] == name
                and tokens[i].cell == tokens[i - 1].cell):
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _reading(schema: FieldSchema, layout: Layout, tagged: Tagged) -> Extracted | None:
    spec = schema.field(tagged.field)
    value = find_value(spec, tagged.text) if spec is not None else None
    if value is None:
        return None
    segment = layout.rows[tagged.row].segments[tagged.cell]
    at = segment.text.find(value.raw, tagged.start)
    start = at if at >= 0 else tagged.start
    end = start + len(value.raw) if at >= 0 else tagged.end
    return Extracted(
        name=tagged.field, value=value.raw, normalized=value.normalized,
        confidence=round(tagged.confidence * TAGGED_WEIGHT * segment.confidence_of(start, end), 4),
        page=segment.page, bbox=segment.box_of(start, end), source_text=segment.text[:300],
        note="; ".join(filter(None, [value.note, "read by the field tagger"])), ocr=segment.ocr,
    )


def extract_with_tagger(layout: Layout, schema: FieldSchema, tagger: FieldTagger | None) -> dict[str, Extracted]:
    """:func:`fields.extract.extract_fields`, with the tagger's readings merged in (see the module doc)."""
    found = extract_fields(layout, schema)
    if tagger is None or not layout.rows:
        return found
    best: dict[str, Extracted] = {}
    for tagged in tagger.tag(layout_lines(layout), schema):
        reading = _reading(schema, layout, tagged)
        if reading is not None and (tagged.field not in best or reading.confidence > best[tagged.field].confidence):
            best[tagged.field] = reading
    for name, reading in best.items():
        anchored = found.get(name)
        if anchored is None or anchored.placed:
            found[name] = reading
    return found
