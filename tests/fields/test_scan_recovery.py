"""Scans whose labels OCR garbled: jamo-level fuzzy labels, fields found by their value's shape (rule
arithmetic, checksum-valid numbers), repaired dates; and that such readings keep auto-approval honest."""

from __future__ import annotations

import pytest

from fields.evaluate import evaluate
from fields.extract import extract_fields
from fields.layout import Layout, Word, layout_rows_from_words
from fields.normalize import repair_ocr_date
from fields.schema import parse_schema

pytestmark = pytest.mark.unit

SCHEMA = parse_schema({
    "fields": [
        {"name": "supplier_brn", "label": "공급자 등록번호", "type": "brn", "aliases": ["사업자등록번호"]},
        {"name": "buyer_brn", "label": "공급받는자 등록번호", "type": "brn"},
        {"name": "issued", "label": "작성일자", "type": "date", "aliases": ["발행일"]},
        {"name": "supply", "label": "공급가액", "type": "amount"},
        {"name": "tax", "label": "세액", "type": "amount"},
        {"name": "total", "label": "합계금액", "type": "amount", "required": True},
        {"name": "phone", "label": "전화번호", "type": "phone"},
    ],
    "rules": [{"name": "sum", "kind": "sum", "fields": ["total", "supply", "tax"], "tolerance": 1},
              {"name": "vat", "kind": "ratio", "fields": ["tax", "supply"], "ratio": 0.1, "tolerance": 1}],
})
_CHAR, _HEIGHT = 0.012, 0.02


def _scan(*lines: list[tuple[float, str]]) -> Layout:
    """OCR word boxes: each line is a list of (left edge, text) cells, words split on spaces."""
    words = []
    for number, cells in enumerate(lines):
        top = 0.1 + number * 3 * _HEIGHT
        for left, text in cells:
            x = left
            for token in text.split():
                words.append(Word(token, (x, top, x + len(token) * _CHAR, top + _HEIGHT), 0.96))
                x += (len(token) + 1) * _CHAR
    return Layout(layout_rows_from_words(words, 1, ocr=True))


def test_a_label_garbled_in_three_syllables_still_anchors_its_value() -> None:
    # 사업자등록번호 read as 사업자드로버호: three syllables wrong, but only their final consonants lost.
    found = extract_fields(_scan([(0.1, "사업자드로버호: 220-81-62517")], [(0.1, "합계금액: 1,100원")]), SCHEMA)
    assert found["supplier_brn"].normalized == "220-81-62517"
    assert not found["supplier_brn"].placed  # anchored on the label, not merely placed by its shape


def test_an_amount_whose_label_is_unreadable_is_found_by_the_rules_and_confirmed() -> None:
    layout = _scan([(0.1, "공급가액 : 44,924, 000"), (0.5, "MH: 4,492,400 원")], [(0.1, "합계금액: 49, 416, 400")])
    found = extract_fields(layout, SCHEMA)
    assert {name: found[name].normalized for name in ("supply", "tax", "total")} == {
        "supply": "44924000", "tax": "4492400", "total": "49416400"}
    assert found["tax"].bbox is not None and not found["tax"].placed
    assert evaluate(SCHEMA, found).status == "auto_approved"


def test_an_unlabelled_valid_number_is_placed_but_always_reviewed() -> None:
    layout = _scan([(0.1, "공급자 등록번호: 220-81-62517"), (0.5, "AB 4 NS: 123-45-67891")],
                   [(0.1, "연락처 054-90-17057")],  # a phone number that happens to pass the checksum
                   [(0.1, "합계금액: 1,100원")])
    found = extract_fields(layout, SCHEMA)
    assert found["buyer_brn"].normalized == "123-45-67891" and found["buyer_brn"].placed
    assert evaluate(SCHEMA, found).status == "needs_review"
    # Without an unlabelled number, nothing is placed, and the phone-shaped one is never taken.
    alone = extract_fields(_scan([(0.1, "공급자 등록번호: 220-81-62517")], [(0.1, "연락처 054-90-17057")],
                                 [(0.1, "합계금액: 1,100원")]), SCHEMA)
    assert "buyer_brn" not in alone
    assert evaluate(SCHEMA, alone).status == "auto_approved"


@pytest.mark.parametrize(("text", "want"), [
    ("20234 102 14 일", "2023-10-14"),  # 년 read as 4, 월 as 2
    ("20244 11 월 16 일", "2024-11-16"),
    ("2024. 4  13.", "2024-04-13"),
    ("20244 3H 214", None),  # letters inside: not a date to guess at
    ("2024 1 1 1", None),  # 1/11 or 11/1: ambiguous
    # Each mark read as a digit: three words, each a number and its mark, say which digit is the mark.
    ("20244 108 202", "2024-10-20"),
    ("20244 99 244", "2024-09-24"),
    ("20244 1O8 202", None),  # a letter inside a number: nothing to guess at
])
def test_ocr_garbled_korean_dates_are_repaired_only_when_unambiguous(text: str, want: str | None) -> None:
    repaired = repair_ocr_date(text)
    assert (repaired.normalized if repaired else None) == want


def test_a_date_split_across_cells_is_joined_and_sent_to_review() -> None:
    layout = _scan([(0.1, "발행일: 2024. 7"), (0.4, "1 1")], [(0.1, "합계금액: 1,100원")])
    found = extract_fields(layout, SCHEMA)
    assert found["issued"].normalized == "2024-07-11"
    outcome = evaluate(SCHEMA, found)
    assert outcome.status == "needs_review"


def test_words_of_one_line_stay_in_one_row_whatever_their_box_heights() -> None:
    # OCR glued a speck above the label into its box and reads the value a little lower: the centres differ
    # by more than half a line, but the boxes overlap, so it is one line.
    words = [Word("상호:", (0.10, 0.111, 0.16, 0.138), 0.95), Word("유한회사", (0.18, 0.126, 0.26, 0.137), 0.95),
             Word("원더바이오", (0.27, 0.126, 0.37, 0.137), 0.95),
             Word("합계금액:", (0.10, 0.20, 0.18, 0.211), 0.95), Word("1,100원", (0.20, 0.20, 0.27, 0.211), 0.95)]
    rows = layout_rows_from_words(words, 1, ocr=True)
    assert [[segment.text for segment in row.segments] for row in rows] == [
        ["상호: 유한회사 원더바이오"], ["합계금액: 1,100원"]]
    schema = parse_schema({"fields": [{"name": "company", "label": "상호", "type": "text"}]})
    assert extract_fields(Layout(rows), schema)["company"].normalized == "유한회사 원더바이오"
