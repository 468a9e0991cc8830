"""Generated invoices for the field-tagger tests: the tenant's documents call the supply amount
물품대금, a label its schema does not know, next to a distracting 운송비 amount; reviewers' values
are the truth."""

from __future__ import annotations

import random
from dataclasses import dataclass

from fields.schema import parse_schema

SCHEMA = parse_schema({"fields": [
    {"name": "supplier_brn", "label": "등록번호", "type": "brn"},
    {"name": "issue_date", "label": "작성일자", "type": "date"},
    {"name": "supply", "label": "공급가액", "type": "amount"},
]})
COMPANIES = ["한빛상사", "푸른들유통", "새봄물산", "다온테크", "마루식품", "윤슬디자인", "가람건설", "초롱전자"]


@dataclass(frozen=True)
class Invoice:
    text: str
    values: dict[str, str]  # as a reviewer types them
    normalized: dict[str, str]


def _brn(rng: random.Random) -> str:
    body = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(8)]
    total = sum(d * w for d, w in zip(body, (1, 3, 7, 1, 3, 7, 1, 3, 5), strict=True)) + body[8] * 5 // 10
    digits = "".join(map(str, body)) + str((10 - total % 10) % 10)
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"


def invoice(rng: random.Random, layout: str) -> Invoice:
    """``layout``: ``lines`` (label: value), ``header`` (labels over values) or ``grid`` (label | value)."""
    brn, supply, freight = _brn(rng), rng.randrange(100_000, 9_000_000, 1000), rng.randrange(5_000, 90_000, 500)
    year, month, day = 2024, rng.randint(1, 12), rng.randint(1, 28)
    date = f"{year}년 {month}월 {day}일"
    company = rng.choice(COMPANIES)
    cells = [("등록번호", brn), ("작성일자", date), ("물품대금", f"{supply:,}원"), ("운송비", f"{freight:,}원")]
    rng.shuffle(cells)
    if layout == "lines":
        body = "\n".join(f"{label}: {value}" for label, value in cells)
    elif layout == "header":
        body = " | ".join(label for label, _ in cells) + "\n" + " | ".join(value for _, value in cells)
    else:
        body = "\n".join(f"| {label} | {value} |" for label, value in cells)
    text = f"거래명세서\n상호: {company}\n{body}\n담당자 연락처 010-{rng.randint(2000, 9999)}-{rng.randint(1000, 9999)}"
    return Invoice(text, {"supplier_brn": brn.replace("-", ""), "issue_date": f"{year}-{month:02d}-{day:02d}",
                          "supply": str(supply)},
                   {"supplier_brn": brn, "issue_date": f"{year}-{month:02d}-{day:02d}", "supply": str(supply)})
