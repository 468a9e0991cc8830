"""What a further OCR read may confirm on a scan: a first-pass number that the second read shows but could
not parse (stray marks, a garbled label), a value its own run of text shows when read alone, and a number
found by its shape whose line, read again, shows the field's own label before it."""

from __future__ import annotations

import pytest

from fields.agreement import combined, confirm_by_value_read, unsettled
from fields.extract import _label_before, extract_fields
from fields.extracted import Extracted
from fields.layout import Reread
from fields.schema import FieldType, parse_schema

from .test_second_read import LINES, SCHEMA, _scan

BOX = (0.3, 0.10, 0.5, 0.12)


def _reading(name: str, normalized: str, confidence: float = 0.9) -> Extracted:
    return Extracted(name, normalized, normalized, confidence, 1, BOX, normalized, ocr=True)


def _read(text: str, top: float = 0.09, bottom: float = 0.13) -> Reread:
    return Reread("right", text, (0.1, top, 0.6, bottom))


@pytest.mark.unit
def test_a_number_the_second_read_shows_but_could_not_parse_is_confirmed() -> None:
    date = combined(_reading("issue_date", "2024-05-11"), None, FieldType.DATE, [_read("15546 08316 2024--05-11")])
    assert date is not None and date.confidence >= 0.9 and "shows the same number" in date.note
    brn = combined(_reading("brn", "970-38-26532"), None, FieldType.BRN, [_read("사업 자등 록 번호 ：: 970.-38. ㄴ 26532")])
    assert brn is not None and brn.confidence >= 0.9
    # A read of another line (its box misses the value's centre) confirms nothing.
    elsewhere = combined(_reading("issue_date", "2024-05-11"), None, FieldType.DATE,
                         [_read("2024-05-11", 0.13, 0.16)])
    assert elsewhere is not None and elsewhere.confidence < 0.9 and unsettled(elsewhere)
    # An amount cut short at a space is not shown by the whole amount.
    cut = combined(_reading("total", "3689"), None, FieldType.AMOUNT, [_read("합계금액 3,689, 000원")])
    assert cut is not None and cut.confidence < 0.9
    whole = combined(_reading("total", "3689000"), None, FieldType.AMOUNT, [_read("합계금액 3,689, 000원")])
    assert whole is not None and whole.confidence >= 0.9


@pytest.mark.unit
def test_a_read_of_the_value_alone_confirms_exactly_what_it_shows() -> None:
    single = combined(_reading("total", "3689"), None, FieldType.AMOUNT)
    assert single is not None and unsettled(single)
    assert confirm_by_value_read(single, "3,689,000", FieldType.AMOUNT).confidence < 0.9
    assert confirm_by_value_read(single, "₩3,689", FieldType.AMOUNT).confidence >= 0.9
    # Free text: a read of the value alone is a second opinion on the first pass only. It repeats the
    # second read's crop (and where that read put its spaces), so it never confirms the second read.
    torn = combined(_reading("company", "한빛바이오"), _reading("company", "한빛 바이오"), FieldType.TEXT)
    assert torn is not None and unsettled(torn)
    assert confirm_by_value_read(torn, "한빛 바이오", FieldType.TEXT, "한빛 바이오").confidence < 0.9
    assert confirm_by_value_read(torn, "한빛바이오", FieldType.TEXT, "한빛바이오").confidence >= 0.9
    second_only = combined(None, _reading("company", "한빛바이오"), FieldType.TEXT)
    assert second_only is not None
    assert confirm_by_value_read(second_only, "한빛바이오", FieldType.TEXT, "한빛바이오").confidence < 0.9


TWO_NUMBERS = parse_schema({"fields": [
    {"name": "supplier_brn", "label": "공급자 등록번호", "type": "brn", "aliases": ["사업자등록번호", "등록번호"]},
    {"name": "buyer_brn", "label": "공급받는자 등록번호", "type": "brn"},
]})


@pytest.mark.unit
def test_the_label_before_a_number_found_by_its_shape_must_be_the_fields_own() -> None:
    supplier, buyer = TWO_NUMBERS.fields
    text = "839-98-69874 공급받는자 등록번호: 809-11-41705"
    assert _label_before(TWO_NUMBERS, buyer, text, whole_line=False) is not None
    assert _label_before(TWO_NUMBERS, supplier, text, whole_line=True) is None
    assert _label_before(TWO_NUMBERS, supplier, "사업 자등록번호 2 470-10-79817", whole_line=False) is not None
    # 등록번호 lies inside the buyer's label: only a whole line with nothing before it tells whose it is.
    assert _label_before(TWO_NUMBERS, supplier, "등록번호 601-30-41188", whole_line=True) is not None
    assert _label_before(TWO_NUMBERS, supplier, "등록번호 601-30-41188", whole_line=False) is None
    assert _label_before(TWO_NUMBERS, supplier, "받는 등록번호 601-30-41188", whole_line=True) is None


@pytest.mark.integration
def test_a_number_whose_label_the_first_pass_lost_is_confirmed_by_reading_its_line_again() -> None:
    found = extract_fields(_scan(LINES, {"등록번호:": "55X:"}), SCHEMA)
    assert found["brn"].normalized == "220-81-62517"
    assert not found["brn"].placed and "shows its label" in found["brn"].note
