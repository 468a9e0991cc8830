"""Small documents generated in code: Korean, Chinese and English text, tables and images."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
import pymupdf
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches
from PIL import Image, ImageDraw, ImageFont
from pptx import Presentation
from pptx.util import Inches as PptInches

NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")

KO = "지식 그래프는 문서를 연결합니다"
ZH = "知识库把文档切成有序的片段"
EN = "Quarterly revenue grew strongly"


def png(color: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (64, 48)) -> bytes:
    image = Image.new("RGB", size, color)
    ImageDraw.Draw(image).rectangle((8, 8, size[0] - 8, size[1] - 8), outline=(0, 0, 0), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def text_image(lines: list[str], *, fmt: str = "PNG", size: int = 44) -> bytes:
    """Black text on white, rendered with Noto Sans CJK when present (else Pillow's default font)."""
    font = ImageFont.truetype(str(NOTO), size) if NOTO.exists() else ImageFont.load_default(size)
    image = Image.new("RGB", (60 + size * 22, 60 + len(lines) * int(size * 1.6)), "white")
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(lines):
        draw.text((30, 30 + row * int(size * 1.6)), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def pdf_document() -> bytes:
    """Page 1: Korean/English text, a ruled 3x3 table, an image. Page 2: two columns of Chinese/English text
    plus an aligned (unruled) numeric table."""
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text((50, 60), "1. " + KO, fontname="korea", fontsize=14)
    page.insert_text((50, 90), EN + " in the first quarter.", fontsize=11)
    top, left, widths, height = 130, 50, (150, 150, 150), 24
    rows = [["구분", "2023", "2024"], ["매출", "120", "150"], ["이익", "30", "45"]]
    for r, row in enumerate(rows):
        x = left
        for c, cell in enumerate(row):
            page.insert_text((x + 6, top + r * height + 16), cell, fontname="korea", fontsize=10)
            x += widths[c]
    for r in range(len(rows) + 1):
        page.draw_line((left, top + r * height), (left + sum(widths), top + r * height))
    x = left
    for w in (0, *widths):
        x += w
        page.draw_line((x, top), (x, top + len(rows) * height))
    page.insert_image(pymupdf.Rect(50, 260, 178, 356), stream=png())
    page.insert_text((50, 400), "After the picture: " + KO, fontname="korea", fontsize=11)

    page = doc.new_page(width=595, height=842)
    for i in range(12):
        page.insert_text((40, 80 + i * 18), f"L{i:02d} {ZH}", fontname="china-s", fontsize=10)
        page.insert_text((320, 80 + i * 18), f"R{i:02d} right column text", fontsize=10)
    for r, row in enumerate(
        [
            ["Item", "Q1", "Q2", "Q3"],
            ["Rides", "1,200", "1,350", "1,410"],
            ["Bikes", "310", "325", "402"],
            ["Scooters", "88", "91", "97"],
        ]
    ):
        for c, cell in enumerate(row):
            page.insert_text((60 + c * 120, 420 + r * 16), cell, fontsize=10)
    return doc.tobytes()


def scanned_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_image(
        pymupdf.Rect(40, 40, 555, 300), stream=text_image(["Invoice number 4711", "Total amount 980"])
    )
    return doc.tobytes()


def encrypted_pdf() -> bytes:
    doc = pymupdf.open()
    doc.new_page().insert_text((50, 60), "secret")
    return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="user", owner_pw="owner")  # type: ignore[attr-defined]  # pymupdf defines the constant; its hints leave it out


def _merge_note(cell) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:fill"), "DDDDDD")
    cell._tc.get_or_add_tcPr().append(shading)


def docx_document() -> bytes:
    document = docx.Document()
    document.core_properties.title = "지식 문서"
    document.add_heading("개요 Overview", level=1)
    document.add_paragraph(KO + ". " + EN + ".")
    document.add_paragraph("첫째 항목", style="List Bullet")
    document.add_paragraph("둘째 항목", style="List Bullet")
    document.add_heading("表格", level=2)
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["지역", "상반기", "하반기"], ["서울", "10", "12"], ["부산", "7", "9"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))
    merged.text = "합계 16"
    _merge_note(merged)
    document.add_paragraph(ZH)
    document.add_picture(io.BytesIO(png((20, 120, 220))), width=Inches(1))
    document.add_paragraph("그림 뒤 문단 after the picture")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_document() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "매출"
    sheet.append(["지역", "분기", "금액"])
    sheet.append(["서울", "Q1", 100])
    sheet.append(["서울", "Q2", 120])
    sheet.append(["北京", "Q1", 80])
    sheet.merge_cells("A2:A3")
    second = workbook.create_sheet("Notes")
    second.append(["Key", "Value"])
    second.append(["owner", "Kim"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def pptx_document() -> bytes:
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "첫 슬라이드 " + EN
    slide.placeholders[1].text = KO
    slide = presentation.slides.add_slide(presentation.slide_layouts[5])
    slide.shapes.title.text = "第二张 " + ZH
    shape = slide.shapes.add_table(3, 2, PptInches(1), PptInches(2), PptInches(6), PptInches(1.5))
    for r, row in enumerate([["항목", "값"], ["사용자", "1200"], ["문서", "350"]]):
        for c, value in enumerate(row):
            shape.table.cell(r, c).text = value
    slide.shapes.add_picture(io.BytesIO(png((30, 160, 60))), PptInches(1), PptInches(4.5), PptInches(1))
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


HTML = f"""<!doctype html><html><head><title>지식 페이지</title><style>p {{color: red}}</style></head>
<body>
<nav class="site-nav"><a href="/home">Home</a> <a href="/login">Login menu item</a></nav>
<header id="site-header">Site banner text</header>
<main>
<h1>지식 안내 Knowledge guide</h1>
<p>{KO}. {EN}. <a href="https://example.com/docs">docs link</a></p>
<h2>목록</h2>
<ul><li>첫째 {ZH}</li><li>둘째 second</li></ul>
<table><tr><th>이름</th><th>값</th></tr><tr><td>가</td><td>1</td></tr><tr><td>나</td><td>2</td></tr></table>
<script>var tracking = "should not appear";</script>
</main>
<div class="cookie-banner">Accept cookies please</div>
<footer>Copyright footer text</footer>
</body></html>"""
