"""The field tagger on generated invoices: it learns a field the schema's labels cannot anchor from
reviewers' values and finds it in a layout it never saw; masking keeps the labels on the values; a
damaged artifact is refused."""

from __future__ import annotations

import random

import pytest

from fields.extract import extract_fields
from fields.layout import layout_from_text
from fields.tag_features import tokens_of
from fields.tagger import FieldTagger, extract_with_tagger, layout_lines
from jisik.errors import InvalidInput
from ml.training.field_labels import LabelledBlock, labelled_blocks
from ml.training.tagger import entity_scores, train_tagger

from .tagger_docs import SCHEMA, Invoice, invoice


def _blocks(invoices: list[Invoice]) -> list[LabelledBlock]:
    return [block for i, doc in enumerate(invoices)
            for block in labelled_blocks(f"doc{i}", layout_lines(layout_from_text(doc.text)), SCHEMA, doc.values)]


@pytest.fixture(scope="module")
def tagger() -> FieldTagger:
    rng = random.Random(7)
    reviewed = [invoice(rng, ("lines", "header")[i % 2]) for i in range(40)]
    return FieldTagger(train_tagger(_blocks(reviewed), SCHEMA))


def test_the_tagger_finds_a_field_the_labels_miss_in_a_layout_it_never_saw(tagger: FieldTagger) -> None:
    unseen = [invoice(random.Random(100 + i), "grid") for i in range(15)]
    for doc in unseen:
        layout = layout_from_text(doc.text)
        assert "supply" not in extract_fields(layout, SCHEMA)  # 물품대금 is no label of the schema
        found = extract_with_tagger(layout, SCHEMA, tagger)
        assert found["supply"].normalized == doc.normalized["supply"], doc.text  # not the 운송비 amount
        assert "field tagger" in found["supply"].note
        # the label-anchored readings are kept as they were
        assert found["supplier_brn"].normalized == doc.normalized["supplier_brn"]
        assert found["issue_date"].normalized == doc.normalized["issue_date"]
    scores = entity_scores(tagger, _blocks(unseen), SCHEMA)
    assert scores["per_field"]["supply"] >= 0.9 and scores["f1"] >= 0.9


def test_without_a_tagger_extraction_is_the_label_anchored_one() -> None:
    doc = invoice(random.Random(3), "grid")
    layout = layout_from_text(doc.text)
    assert extract_with_tagger(layout, SCHEMA, None).keys() == extract_fields(layout, SCHEMA).keys()


def test_masking_hides_personal_values_and_keeps_the_labels_on_them() -> None:
    doc = invoice(random.Random(11), "lines")
    phone = doc.text.rsplit(" ", 1)[1]
    blocks = _blocks([doc])
    text = "\n".join(cell for block in blocks for line in block.lines for cell, _, _ in line)
    assert doc.normalized["supplier_brn"] not in text and phone not in text
    assert "000-00-00000" in text  # same shape: the tagger still sees a registration number
    assert f"{int(doc.normalized['supply']):,}원" in text  # an amount is not personal
    for block in blocks:
        for line, labels in zip(block.lines, block.labels, strict=True):
            tokens = tokens_of(line)
            assert len(tokens) == len(labels)
            tagged = "".join(token.text for token, label in zip(tokens, labels, strict=True)
                             if label.endswith("supplier_brn"))
            if tagged:
                assert tagged == "000-00-00000"


def test_a_damaged_or_foreign_artifact_is_refused(tagger: FieldTagger) -> None:
    with pytest.raises(InvalidInput):
        FieldTagger(b"not a tagger")
    rng = random.Random(5)
    artifact = train_tagger(_blocks([invoice(rng, "lines") for _ in range(6)]), SCHEMA)
    with pytest.raises(InvalidInput):
        FieldTagger(artifact[:40] + b"\x00" * 16 + artifact[56:])


_OUTLIVES = """
import gc, random
from fields.layout import layout_from_text
from fields.tagger import FieldTagger, layout_lines
from ml.training.field_labels import labelled_blocks
from ml.training.tagger import train_tagger
from tests.fields.tagger_docs import SCHEMA, invoice

rng = random.Random(1)
docs = [invoice(rng, "lines") for _ in range(8)]
blocks = [b for i, d in enumerate(docs) for b in labelled_blocks(str(i), layout_lines(layout_from_text(d.text)), SCHEMA, d.values)]
tagger = FieldTagger(bytes(bytearray(train_tagger(blocks, SCHEMA))))
gc.collect()
litter = [bytes([n % 251]) * 4096 for n in range(20000)]  # reuse the freed memory
lines = layout_lines(layout_from_text(docs[0].text))
for _ in range(50):
    tagger.tag(lines, SCHEMA)
print("tagged")
"""


def test_a_loaded_tagger_keeps_its_model_bytes_alive() -> None:
    """CRFsuite reads an in-memory model in place: freeing the bytes under it crashed the process."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", _OUTLIVES], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout.strip() == "tagged", result.stderr[-1500:]
