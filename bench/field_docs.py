"""Generated Korean business documents with known field values, for the field-extraction benchmark.

Five document kinds (세금계산서, 거래명세서, 영수증, 견적서, contract cover page), each in several layouts
(key: value lines, label|value grids, header rows over value rows, mixed) with Korean, English or mixed
labels and varied value formats, rendered to PDF (PyMuPDF, built-in Korean font), DOCX (python-docx) and
noisy, skewed page images. Names, addresses and phone numbers come from Faker's ko_KR locale.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from faker import Faker

__all__ = ["BENCH_SCHEMA", "Document", "generate", "render_docx", "render_pdf", "render_scan"]

BENCH_SCHEMA = {
    "fields": [
        {"name": "supplier_brn", "label": "공급자 등록번호", "type": "brn",
         "aliases": ["사업자등록번호", "등록번호", "Business No.", "Supplier Reg. No."]},
        {"name": "buyer_brn", "label": "공급받는자 등록번호", "type": "brn", "aliases": ["Buyer Reg. No."]},
        {"name": "supplier_name", "label": "상호", "type": "text", "aliases": ["업체명", "Company"]},
        {"name": "issue_date", "label": "작성일자", "type": "date", "aliases": ["발행일", "계약일", "Issue Date"],
         "required": True},
        {"name": "due_date", "label": "유효기간", "type": "date", "aliases": ["만기일", "Due Date"]},
        {"name": "supply", "label": "공급가액", "type": "amount", "aliases": ["Supply Amount"]},
        {"name": "tax", "label": "세액", "type": "amount", "aliases": ["VAT"]},
        {"name": "total", "label": "합계금액", "type": "amount", "aliases": ["계약금액", "Total Amount"],
         "required": True},
        {"name": "phone", "label": "전화번호", "type": "phone", "aliases": ["연락처", "Tel."]},
    ],
    "rules": [
        {"name": "total_is_supply_plus_tax", "kind": "sum", "fields": ["total", "supply", "tax"], "tolerance": 1},
        {"name": "tax_is_10_percent", "kind": "ratio", "fields": ["tax", "supply"], "ratio": 0.1, "tolerance": 1},
        {"name": "issued_before_due", "kind": "before", "fields": ["issue_date", "due_date"]},
    ],
    "duplicate_key": [],
    "review_threshold": 0.9,
}

KINDS: dict[str, tuple[str, list[str]]] = {
    "tax_invoice": ("세금계산서", ["supplier_brn", "buyer_brn", "supplier_name", "issue_date", "supply", "tax", "total"]),
    "statement": ("거래명세서", ["supplier_brn", "supplier_name", "issue_date", "supply", "tax", "total", "phone"]),
    "receipt": ("영수증", ["supplier_brn", "supplier_name", "issue_date", "total", "phone"]),
    "quote": ("견적서", ["supplier_name", "issue_date", "due_date", "supply", "tax", "total", "phone"]),
    "contract": ("계약서", ["supplier_name", "issue_date", "due_date", "total"]),
}
LAYOUTS = ("lines", "grid", "header", "mixed")
_KO_LABELS = {
    "supplier_brn": ["공급자 등록번호", "사업자등록번호", "등록번호"], "buyer_brn": ["공급받는자 등록번호"],
    "supplier_name": ["상호", "업체명"], "issue_date": ["작성일자", "발행일"], "due_date": ["유효기간", "만기일"],
    "supply": ["공급가액"], "tax": ["세액"], "total": ["합계금액"], "phone": ["전화번호", "연락처"],
}
_EN_LABELS = {
    "supplier_brn": ["Business No."], "buyer_brn": ["Buyer Reg. No."], "supplier_name": ["Company"],
    "issue_date": ["Issue Date"], "due_date": ["Due Date"], "supply": ["Supply Amount"], "tax": ["VAT"],
    "total": ["Total Amount"], "phone": ["Tel."],
}
_ENGLISH_TITLES = {"tax_invoice": "TAX INVOICE", "statement": "STATEMENT", "receipt": "RECEIPT",
                   "quote": "QUOTATION", "contract": "CONTRACT"}
_HANGUL_DIGITS = "영일이삼사오육칠팔구"


@dataclass
class Document:
    id: str
    kind: str
    layout: str
    language: str  # ko, en or mixed
    truth: dict[str, str]
    # (label, value text) in reading order; where they go depends on the layout.
    pairs: list[tuple[str, str]]
    title: str
    filler: list[str] = field(default_factory=list)


def _brn(rng: random.Random) -> str:
    body = [rng.randint(0, 9) for _ in range(9)]
    body[0] = rng.randint(1, 9)
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(body, weights, strict=True)) + body[8] * 5 // 10
    digits = "".join(map(str, body)) + str((10 - total % 10) % 10)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def _hangul_amount(value: int) -> str:
    """1234000 -> 일백이십삼만사천 (the anti-forgery form)."""
    def below_10000(number: int) -> str:
        out = ""
        for unit, name in ((1000, "천"), (100, "백"), (10, "십"), (1, "")):
            digit = number // unit % 10
            if digit:
                out += _HANGUL_DIGITS[digit] + name
        return out
    parts = []
    for unit, name in ((10**8, "억"), (10**4, "만"), (1, "")):
        chunk = value // unit % 10000
        if chunk:
            parts.append(below_10000(chunk) + name)
    return "".join(parts)


def _amount_text(rng: random.Random, value: int, english: bool, allow_hangul: bool) -> str:
    if english:
        return rng.choice([f"KRW {value:,}", f"₩{value:,}", f"{value:,}"])
    choices = [f"{value:,}원", f"₩{value:,}", f"{value:,}"]
    if value % 1000 == 0 and value >= 10000:
        man, rest = divmod(value, 10000)
        choices.append(f"{man}만{rest // 1000}천원" if rest else f"{man}만원")
    if allow_hangul:
        choices.append(f"금 {_hangul_amount(value)}원정")
    return rng.choice(choices)


def _date_text(rng: random.Random, day: date, english: bool) -> str:
    if english:
        return rng.choice([day.strftime("%b %-d, %Y"), day.isoformat()])
    return rng.choice([f"{day.year}년 {day.month}월 {day.day}일", f"{day.year}. {day.month}. {day.day}.",
                       day.isoformat(), day.strftime("%y.%m.%d")])


def generate(count: int, seed: int = 2026) -> list[Document]:
    rng = random.Random(seed)
    fake = Faker("ko_KR")
    fake.seed_instance(seed)
    documents = []
    kinds = list(KINDS)
    for index in range(count):
        kind = kinds[index % len(kinds)]
        layout = LAYOUTS[(index // len(kinds)) % len(LAYOUTS)]
        language = "en" if index % 10 == 7 else "mixed" if index % 10 == 3 else "ko"
        title, names = KINDS[kind]
        supply = rng.randrange(10_000, 50_000_000, 1000 if rng.random() < 0.5 else 10)
        tax = supply // 10
        issued = date(2023, 1, 1) + timedelta(days=rng.randrange(0, 700))
        values: dict[str, tuple[str, str]] = {}
        english_values = language == "en"
        for name in names:
            if name in ("supplier_brn", "buyer_brn"):
                number = _brn(rng)
                values[name] = (number, number)
            elif name == "supplier_name":
                company = fake.company()
                values[name] = (company, company)
            elif name == "issue_date":
                values[name] = (_date_text(rng, issued, english_values), issued.isoformat())
            elif name == "due_date":
                due = issued + timedelta(days=rng.randrange(7, 90))
                values[name] = (_date_text(rng, due, english_values), due.isoformat())
            elif name in ("supply", "tax", "total"):
                amount = {"supply": supply, "tax": tax, "total": supply + tax if "tax" in names else supply}[name]
                text = _amount_text(rng, amount, english_values, allow_hangul=kind == "contract" and name == "total")
                values[name] = (text, str(amount))
            elif name == "phone":
                phone = fake.phone_number()
                digits = "".join(c for c in phone if c.isdigit())
                if digits.startswith("82"):
                    digits = "0" + digits[2:]
                canonical = f"{digits[:2]}-{digits[2:-4]}-{digits[-4:]}" if digits.startswith("02") else \
                    f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"
                values[name] = (phone, canonical)
        pairs = []
        for name in names:
            labels = _EN_LABELS[name] if language == "en" or (language == "mixed" and rng.random() < 0.5) \
                else _KO_LABELS[name]
            pairs.append((rng.choice(labels), values[name][0]))
        shown_title = _ENGLISH_TITLES[kind] if language == "en" else title
        filler = [fake.address(), fake.catch_phrase(), f"담당자 {fake.name()}", fake.sentence()]
        documents.append(Document(f"doc{index:04d}", kind, layout, language,
                                  {name: values[name][1] for name in names}, pairs, shown_title, filler))
    return documents


# --- rendering ------------------------------------------------------------------------------------------

_AMOUNT_LABELS = {"공급가액", "세액", "합계금액", "Supply Amount", "VAT", "Total Amount", "계약금액"}


def _split(document: Document) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Parties/dates first, amounts second (header layouts put the amounts in a header row table)."""
    head = [pair for pair in document.pairs if pair[0] not in _AMOUNT_LABELS]
    amounts = [pair for pair in document.pairs if pair[0] in _AMOUNT_LABELS]
    return head, amounts


def _blocks(document: Document) -> list[tuple[str, list[list[str]]]]:
    """The document as blocks: ("line", [[text]]), ("grid", rows of cells) or ("header", [labels, values])."""
    head, amounts = _split(document)
    blocks: list[tuple[str, list[list[str]]]] = [("title", [[document.title]])]
    if document.layout == "lines":
        for i in range(0, len(document.pairs), 2):
            pieces = [f"{label}: {value}" for label, value in document.pairs[i:i + 2]]
            blocks.append(("line", [pieces]))
    elif document.layout == "grid":
        rows = [[label, value] for label, value in document.pairs]
        blocks.append(("grid", rows))
    elif document.layout == "header":
        blocks.append(("grid", [[label, value] for label, value in head]))
        if amounts:
            blocks.append(("header", [[label for label, _ in amounts], [value for _, value in amounts]]))
    else:  # mixed: lines for the parties, a header table for the amounts
        for label, value in head:
            blocks.append(("line", [[f"{label} : {value}"]]))
        if amounts:
            blocks.append(("header", [[label for label, _ in amounts], [value for _, value in amounts]]))
    blocks.append(("line", [[document.filler[0]]]))
    blocks.append(("line", [[document.filler[3]]]))
    return blocks


def render_pdf(document: Document, *, extra_pages: int = 0) -> bytes:
    import pymupdf

    pdf = pymupdf.open()
    page = pdf.new_page(width=595, height=842)
    y = 70.0
    for kind, rows in _blocks(document):
        if kind == "title":
            page.insert_text((230, y), rows[0][0], fontname="korea", fontsize=20)
            y += 40
        elif kind == "line":
            x = 60.0
            for piece in rows[0]:
                page.insert_text((x, y), piece, fontname="korea", fontsize=11)
                x += 250
            y += 24
        else:
            columns = max(len(row) for row in rows)
            width = 470 / columns if kind == "header" else 0
            for row in rows:
                x = 60.0
                for column, cell in enumerate(row):
                    cell_width = width or (150 if column == 0 else 320)
                    page.draw_rect(pymupdf.Rect(x, y - 15, x + cell_width, y + 9), color=(0, 0, 0), width=0.6)
                    page.insert_text((x + 6, y), cell, fontname="korea", fontsize=10)
                    x += cell_width
                y += 24
            y += 12
    for number in range(extra_pages):
        extra = pdf.new_page(width=595, height=842)
        for line in range(30):
            extra.insert_text((60, 70 + line * 24), f"{number + 2}-{line + 1}. {document.filler[line % 4][:60]}",
                              fontname="korea", fontsize=10)
    return pdf.tobytes(garbage=3, deflate=True)


def render_docx(document: Document) -> bytes:
    import docx

    out = docx.Document()
    for kind, rows in _blocks(document):
        if kind == "title":
            out.add_heading(rows[0][0], level=1)
        elif kind == "line":
            out.add_paragraph("     ".join(rows[0]))
        else:
            table = out.add_table(rows=len(rows), cols=max(len(row) for row in rows))
            table.style = "Table Grid"
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def render_scan(pdf: bytes, rng: random.Random) -> bytes:
    """The first page as a noisy, slightly skewed grey PNG at 150-200 dpi, like a cheap office scan."""
    import numpy as np
    import pymupdf
    from PIL import Image, ImageFilter

    with pymupdf.open(stream=pdf, filetype="pdf") as opened:
        pixmap = opened[0].get_pixmap(dpi=rng.choice([150, 175, 200]), colorspace=pymupdf.csGRAY)
    picture = Image.open(io.BytesIO(pixmap.tobytes("png"))).convert("L")
    picture = picture.rotate(rng.uniform(-1.5, 1.5), fillcolor=255, resample=Image.Resampling.BICUBIC, expand=True)
    picture = picture.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.7)))
    pixels = np.asarray(picture, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(1 << 30)).normal(0, rng.uniform(8, 18), pixels.shape)
    speckle = np.random.default_rng(rng.randrange(1 << 30)).random(pixels.shape) < 0.002
    noisy = np.clip(pixels + noise, 0, 255)
    noisy[speckle] = 0
    buffer = io.BytesIO()
    Image.fromarray(noisy.astype("uint8")).save(buffer, format="PNG")
    return buffer.getvalue()
