"""The field tagger's held-out split: whole documents on one side, repeatable, never empty when there are
two documents or more (a uniform hash threshold held out none of 12 documents about one time in 15)."""

from __future__ import annotations

import hashlib
import uuid

from ml.training.field_labels import LabelledBlock
from ml.training.tagger_job import split_by_document


def _blocks(documents: list[str], per_document: int = 2) -> list[LabelledBlock]:
    return [LabelledBlock(document=document, lines=[[("x", 0.0, 1.0)]], labels=[["O"]])
            for document in documents for _ in range(per_document)]


def _hash_share(document: str) -> float:
    return int(hashlib.sha256(document.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF


def test_documents_that_all_hash_above_the_share_still_leave_one_held_out() -> None:
    documents = [document for document in (str(uuid.UUID(int=n)) for n in range(400))
                 if _hash_share(document) >= 0.2][:12]
    train, held_out = split_by_document(_blocks(documents), 0.2)
    held = {block.document for block in held_out}
    assert len(held) == 2  # round(12 * 0.2)
    assert {block.document for block in train}.isdisjoint(held)
    assert len(train) + len(held_out) == 24


def test_the_split_is_repeatable_and_keeps_a_documents_blocks_together() -> None:
    documents = [str(uuid.UUID(int=n * 7919)) for n in range(30)]
    first = split_by_document(_blocks(documents, per_document=3), 0.25)
    second = split_by_document(list(reversed(_blocks(documents, per_document=3))), 0.25)
    held = {block.document for block in first[1]}
    assert held == {block.document for block in second[1]}
    assert len(held) == round(30 * 0.25)
    assert all(sum(block.document == document for block in first[1]) == 3 for document in held)


def test_one_document_is_never_held_out() -> None:
    train, held_out = split_by_document(_blocks(["only"]), 0.2)
    assert held_out == [] and len(train) == 2
