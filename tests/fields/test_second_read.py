"""The second OCR read of a scanned value (its own region of the page, read as one line) and how the two
reads make one: agreeing reads are confirmed, differing reads go to a person unless the rules settle them.

The pages are rendered here (PyMuPDF's Korean font, rasterised at 150 dpi with noise) and read by the real
Tesseract; only the first pass is given, garbled on purpose, so the test knows what it got wrong."""

from __future__ import annotations

import io
import shutil
from statistics import median

import pytest

from fields.agreement import combined, settled_by_rules
from fields.evaluate import evaluate
from fields.extract import extract_fields
from fields.extracted import Extracted
from fields.layout import Layout, Word, layout_rows_from_words
from fields.schema import FieldType, parse_schema

SCHEMA = parse_schema({
    "fields": [
        {"name": "company", "label": "상호", "type": "text", "aliases": ["업체명"]},
        {"name": "brn", "label": "등록번호", "type": "brn"},
        {"name": "supply", "label": "공급가액", "type": "amount"},
        {"name": "tax", "label": "세액", "type": "amount"},
        {"name": "total", "label": "합계금액", "type": "amount"},
    ],
    "rules": [{"name": "sum", "kind": "sum", "fields": ["total", "supply", "tax"], "tolerance": 1},
              {"name": "vat", "kind": "ratio", "fields": ["tax", "supply"], "ratio": 0.1, "tolerance": 1}],
})
LINES = ["업체명: (주) 한강전자", "등록번호: 220-81-62517", "공급가액: 1,234,000원", "세액: 123,400원",
         "합계금액: 1,357,400원"]


def _scan(lines: list[str], garble: dict[str, str]) -> Layout:
    """A noisy 150-dpi page image of ``lines`` with a real second reader, and a first pass made of the
    page's true words with the words in ``garble`` replaced (as a misreading OCR pass would give them)."""
    pymupdf = pytest.importorskip("pymupdf")
    np = pytest.importorskip("numpy")
    from PIL import Image

    from fields.ocr import ScanPage, prepare_scan

    if shutil.which("tesseract") is None:
        pytest.skip("Tesseract is not installed")
    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    for number, line in enumerate(lines):
        page.insert_text((60, 80 + number * 26), line, fontname="korea", fontsize=11)
    width, height = page.rect.width, page.rect.height
    words = [Word(garble.get(w[4], w[4]), (w[0] / width, w[1] / height, w[2] / width, w[3] / height), 0.95)
             for w in page.get_text("words")]
    grey = Image.open(io.BytesIO(page.get_pixmap(dpi=150, colorspace=pymupdf.csGRAY).tobytes("png"))).convert("L")
    noise = np.random.default_rng(7).normal(0, 10, (grey.height, grey.width))
    noisy = Image.fromarray(np.clip(np.asarray(grey, dtype=np.float32) + noise, 0, 255).astype("uint8"))
    prepared = prepare_scan(noisy)
    line_px = median(word.box[3] - word.box[1] for word in words) * prepared.height
    reader = ScanPage(prepared, line_px, languages="kor+eng", timeout_s=30)
    return Layout(layout_rows_from_words(words, 1, ocr=True), readers={1: reader})


@pytest.mark.integration
def test_values_the_first_pass_misread_are_put_right_by_the_second_read_or_sent_to_review() -> None:
    garbled = {"220-81-62517": "220-81-62577", "1,234,000원": "1,284,000원", "한강전자": "한깅전지"}
    found = extract_fields(_scan(LINES, garbled), SCHEMA)
    # The checksum picks the second read of the registration number, the sum and VAT rules that of the
    # supply amount: both are confirmed.
    assert found["brn"].normalized == "220-81-62517"
    assert found["supply"].normalized == "1234000"
    # Nothing confirms either reading of the name: the first stays, with the other for the reviewer.
    assert found["company"].normalized == "(주) 한깅전지"
    assert found["company"].alternative is not None and found["company"].alternative.normalized == "(주) 한강전자"
    assert found["company"].confidence < SCHEMA.review_threshold
    outcome = evaluate(SCHEMA, found)
    assert outcome.status == "needs_review"
    assert [error["field"] for error in outcome.errors] == []  # held back by its confidence alone
    assert {name: found[name].normalized for name in ("tax", "total")} == {"tax": "123400", "total": "1357400"}
    assert all("two OCR reads agree" in found[name].note for name in ("tax", "total"))


@pytest.mark.integration
def test_reads_that_agree_are_auto_approved_even_when_the_ocr_confidence_is_low() -> None:
    layout = _scan(LINES, {})
    for row in layout.rows:  # Tesseract's own confidence is no signal on scans: make it look poor
        for segment in row.segments:
            segment.words = [(start, end, Word(word.text, word.box, 0.6)) for start, end, word in segment.words]
    found = extract_fields(layout, SCHEMA)
    assert found["company"].normalized == "(주) 한강전자"
    assert found["company"].confidence >= SCHEMA.review_threshold
    assert evaluate(SCHEMA, found).status == "auto_approved"


def _reading(name: str, normalized: str, confidence: float = 0.9) -> Extracted:
    return Extracted(name, normalized, normalized, confidence, 1, None, normalized, ocr=True)


@pytest.mark.unit
def test_differing_reads_are_held_below_the_threshold_and_agreeing_ones_confirmed() -> None:
    agreed = combined(_reading("company", "(주) 한강", 0.6), _reading("company", "(주) 한강", 0.95), FieldType.TEXT)
    assert agreed is not None and agreed.confidence == 0.95 and "agree" in agreed.note
    # Reads that differ only where their spaces fall do not agree: one of them is wrong.
    spaced = combined(_reading("company", "한빛바이오", 0.99), _reading("company", "한빛 바이오", 0.99), FieldType.TEXT)
    assert spaced is not None and spaced.confidence < 0.9
    differ = combined(_reading("company", "(주) 한깅", 0.99), _reading("company", "(주) 한강", 0.99), FieldType.TEXT)
    assert differ is not None and differ.normalized == "(주) 한깅" and differ.confidence < 0.9
    assert differ.alternative is not None and differ.alternative.normalized == "(주) 한강"
    alone = combined(None, _reading("company", "(주) 한강", 0.99), FieldType.TEXT)
    assert alone is not None and alone.confidence < 0.9
    # A checksum-valid read wins over one that fails its checksum, whichever pass gave it.
    brn = combined(_reading("brn", "220-81-62511"), _reading("brn", "220-81-62517"), FieldType.BRN)
    assert brn is not None and brn.normalized == "220-81-62517"


@pytest.mark.unit
def test_the_rules_settle_which_of_two_amount_reads_is_right() -> None:
    supply = combined(_reading("supply", "1234"), _reading("supply", "1234000"), FieldType.AMOUNT)
    tax = combined(_reading("tax", "123400"), _reading("tax", "123400"), FieldType.AMOUNT)
    total = combined(_reading("total", "1357400"), _reading("total", "1357400"), FieldType.AMOUNT)
    assert supply is not None and tax is not None and total is not None
    found = {"supply": supply, "tax": tax, "total": total}
    assert found["supply"].normalized == "1234"  # the first read is kept ...
    settled_by_rules(SCHEMA, found)
    assert found["supply"].normalized == "1234000"  # ... until the rules single out the second
    assert evaluate(SCHEMA, found).status == "auto_approved"
    # Where no combination passes more rules than another, nothing is swapped.
    torn = combined(_reading("supply", "1234"), _reading("supply", "1234000"), FieldType.AMOUNT)
    assert torn is not None
    alone = {"supply": torn}
    settled_by_rules(SCHEMA, alone)
    assert alone["supply"].normalized == "1234"


@pytest.mark.unit
def test_regions_take_the_label_and_its_value_and_the_cell_under_a_header() -> None:
    np = pytest.importorskip("numpy")
    from fields.regions import below_region, right_region

    ink = np.zeros((400, 1000), dtype=bool)
    line = 20.0
    ink[100:120, 50:130] = True  # the label
    ink[100:120, 150:400] = True  # its value
    ink[100:120, 700:800] = True  # the next pair's label, beyond a wide gap
    ink[60, 600] = True  # a speck
    right = right_region(ink, (50, 100, 130, 120), 1000, line)
    assert right is not None and right[0] <= 50 and 400 <= right[2] < 700
    assert right_region(ink, (50, 100, 130, 120), 380, line) is not None  # stops at the next label
    ink[160:180, 45:300] = True  # a value cell under the label
    below = below_region(ink, (50, 100, 130, 120), 600, line)
    assert below is not None and below[1] <= 160 and below[3] >= 180 and below[3] < 220


@pytest.mark.integration
def test_a_name_whose_label_the_second_read_cannot_find_is_confirmed_by_a_read_of_the_name_alone() -> None:
    # The second read uses the main language (Korean): it cannot read the English label, so the read
    # beside the label gives nothing; the read under it is the next pair's line, which says nothing about
    # this value. The name read alone agrees with the first pass.
    schema = parse_schema({"fields": [
        {"name": "company", "label": "상호", "type": "text", "aliases": ["Company"]},
        {"name": "issued", "label": "작성일자", "type": "date", "aliases": ["Issue Date"]}]})
    found = extract_fields(_scan(["Company              (주) 한강전자", "Issue Date           2024-05-11"], {}), schema)
    assert found["company"].normalized == "(주) 한강전자"
    assert found["company"].alternative is None
    assert found["company"].confidence >= schema.review_threshold
    assert evaluate(schema, found).status == "auto_approved"
