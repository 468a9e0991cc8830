"""Label-anchored extraction from text lines, PDF word boxes and DOCX tables (merged cells included),
and the status the checks give."""

from __future__ import annotations

import io

import pytest

from fields.evaluate import evaluate
from fields.extract import extract_fields
from fields.layout import layout_from_text
from fields.schema import parse_schema
from fields.sources import layout_of

pytestmark = pytest.mark.unit

SCHEMA = parse_schema({
    "fields": [
        {"name": "supplier_brn", "label": "공급자 등록번호", "type": "brn", "aliases": ["등록번호"], "required": True},
        {"name": "buyer_brn", "label": "공급받는자 등록번호", "type": "brn"},
        {"name": "company", "label": "상호", "type": "text"},
        {"name": "supply", "label": "공급가액", "type": "amount"},
        {"name": "tax", "label": "세액", "type": "amount"},
        {"name": "total", "label": "합계금액", "type": "amount", "aliases": ["합계"]},
        {"name": "issued", "label": "작성일자", "type": "date"},
    ],
    "rules": [{"name": "sum", "kind": "sum", "fields": ["total", "supply", "tax"], "tolerance": 1},
              {"name": "vat", "kind": "ratio", "fields": ["tax", "supply"], "ratio": 0.1, "tolerance": 1}],
})
WANT = {"supplier_brn": "220-81-62517", "buyer_brn": "123-45-67891", "company": "주식회사 가나",
        "supply": "1234000", "tax": "123400", "total": "1357400", "issued": "2024-01-05"}


def _values(found: dict) -> dict[str, str]:
    return {name: reading.normalized for name, reading in found.items()}


def test_text_lines_and_a_markdown_header_table() -> None:
    text = """세금계산서
등록번호: 220-81-62517   상호: 주식회사 가나
공급받는자 등록번호 123-45-67891
작성일자 2024년 1월 5일
| 공급가액 | 세액 | 합계금액 |
|---|---|---|
| 1,234,000원 | 123,400 | ₩1,357,400 |
"""
    found = extract_fields(layout_from_text(text), SCHEMA)
    # "등록번호" inside "공급받는자 등록번호" belongs to the buyer, not to the supplier's alias.
    assert _values(found) == WANT
    assert evaluate(SCHEMA, found).status == "auto_approved"


def test_pdf_word_boxes_give_page_and_box() -> None:
    pymupdf = pytest.importorskip("pymupdf")
    pdf = pymupdf.open()
    pdf.new_page()
    page = pdf.new_page(width=595, height=842)
    lines = ["공급자 등록번호: 220-81-62517", "공급받는자 등록번호: 123-45-67891", "상호: 주식회사 가나",
             "작성일자: 2024. 1. 5.", "공급가액: 1,234,000원", "세액: 123,400원", "합계금액: 금 일백삼십오만칠천사백원정"]
    for index, line in enumerate(lines):
        page.insert_text((60, 100 + index * 30), line, fontname="korea", fontsize=12)
    layout = layout_of("pdf", pdf.tobytes(), ocr=False)
    assert layout is not None
    found = extract_fields(layout, SCHEMA)
    assert _values(found) == WANT
    total = found["total"]
    assert total.page == 2 and total.bbox is not None
    x0, y0, x1, y1 = total.bbox
    # the box covers the value on the seventh line, right of its label
    assert 0.2 < x0 < x1 < 1 and abs((y0 + y1) / 2 - (100 + 6 * 30 - 4) / 842) < 0.02


def test_docx_table_values_right_of_and_below_labels_with_merged_cells() -> None:
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("거래명세서")
    parties = document.add_table(rows=3, cols=3)
    parties.cell(0, 0).text = "공급자 등록번호"
    parties.cell(0, 1).merge(parties.cell(0, 2)).text = "220-81-62517"
    parties.cell(1, 0).text = "공급받는자 등록번호"
    parties.cell(1, 1).text = "123-45-67891"
    parties.cell(2, 0).text = "상호"
    parties.cell(2, 1).text = "주식회사 가나"
    document.add_paragraph("작성일자: 2024-01-05")
    amounts = document.add_table(rows=2, cols=3)
    for column, (label, value) in enumerate([("공급가액", "1,234,000"), ("세액", "123,400"), ("합계", "1,357,400")]):
        amounts.cell(0, column).text = label
        amounts.cell(1, column).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    layout = layout_of("docx", buffer.getvalue())
    assert layout is not None
    assert _values(extract_fields(layout, SCHEMA)) == WANT


def test_checksum_invalid_number_is_rejected_and_a_wrong_sum_needs_review() -> None:
    bad_number = layout_from_text("등록번호: 220-81-62518\n공급가액 1,000원\n세액 100원\n합계 1,100원")
    assert evaluate(SCHEMA, extract_fields(bad_number, SCHEMA)).status == "rejected"
    bad_sum = layout_from_text("등록번호: 220-81-62517\n공급가액 1,000원\n세액 100원\n합계 1,200원")
    outcome = evaluate(SCHEMA, extract_fields(bad_sum, SCHEMA))
    assert outcome.status == "needs_review"
    assert [(e["field"], e["rule"]) for e in outcome.errors] == [("total", "sum")]


def test_missing_required_field_and_expected_mismatch_need_review() -> None:
    found = extract_fields(layout_from_text("합계 1,100원"), SCHEMA)
    outcome = evaluate(SCHEMA, found, expected={"total": "1,200원"})
    assert outcome.status == "needs_review"
    assert {(e["field"], e["rule"]) for e in outcome.errors} == {("supplier_brn", "required"), ("total", "expected")}
    assert evaluate(SCHEMA, found, expected={"total": "₩1,100"}).errors == [
        {"field": "supplier_brn", "rule": "required", "message": "supplier_brn: not found in the document"}]


def test_a_noisy_skewed_table_scan_is_read_through_ocr() -> None:
    """Tesseract word boxes: ruling lines removed, syllables joined, OCR's spaced digit groups closed."""
    import random
    import shutil

    from PIL import Image, ImageDraw, ImageFont

    font_path = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    if shutil.which("tesseract") is None or not __import__("os").path.exists(font_path):
        pytest.skip("needs tesseract with Korean data and the Noto CJK font")
    font = ImageFont.truetype(font_path, 30)
    page = Image.new("L", (1240, 900), 255)
    draw = ImageDraw.Draw(page)
    rows = [("공급자 등록번호", "220-81-62517"), ("공급가액", "1,234,000원"), ("세액", "123,400원"),
            ("합계금액", "1,357,400원")]
    for index, (label, value) in enumerate(rows):
        top = 120 + index * 70
        draw.rectangle((100, top, 520, top + 70), outline=0, width=2)
        draw.rectangle((520, top, 1100, top + 70), outline=0, width=2)
        draw.text((120, top + 15), label, font=font, fill=0)
        draw.text((540, top + 15), value, font=font, fill=0)
    page = page.rotate(1.0, fillcolor=255, expand=True)
    noisy = page.point(lambda v: v)
    pixels = noisy.load()
    assert pixels is not None
    rng = random.Random(7)
    for _ in range(4000):
        pixels[rng.randrange(noisy.width), rng.randrange(noisy.height)] = rng.choice((0, 255))
    buffer = io.BytesIO()
    noisy.save(buffer, format="PNG")
    layout = layout_of("png", buffer.getvalue(), languages="kor+eng")
    assert layout is not None
    found = extract_fields(layout, SCHEMA)
    assert {name: found[name].normalized for name in ("supplier_brn", "supply", "tax", "total")} == {
        "supplier_brn": "220-81-62517", "supply": "1234000", "tax": "123400", "total": "1357400"}
    assert found["total"].ocr and found["total"].bbox is not None
    # The amounts add up, so the reading is confirmed even where OCR was unsure: nothing to review.
    assert evaluate(SCHEMA, found).status == "auto_approved"
