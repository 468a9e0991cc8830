"""Typed normalisers: Korean and ISO dates with the format read, amounts in every written form."""

from __future__ import annotations

import pytest

from fields.normalize import find_value, normalize_amount, normalize_date, parse_korean_number
from fields.schema import FieldSpec, FieldType

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("text", "iso", "ambiguous"), [
    ("2024년 1월 5일", "2024-01-05", False),
    ("2024. 1. 5.", "2024-01-05", False),
    ("2024.01.05.", "2024-01-05", False),
    ("24.01.05", "2024-01-05", False),
    ("2024-01-05", "2024-01-05", False),
    ("01/05/2024", "2024-01-05", True),
    ("13/05/2024", "2024-05-13", False),
    ("Jan 5, 2024", "2024-01-05", False),
    ("5 March 2024", "2024-03-05", False),
])
def test_dates(text: str, iso: str, ambiguous: bool) -> None:
    value = normalize_date(f"작성일 {text} 까지")
    assert value is not None and value.normalized == iso
    assert ("ambiguous" in value.note) is ambiguous
    assert value.note  # the format used is always named


def test_impossible_date_is_not_a_date() -> None:
    assert normalize_date("2024-02-30") is None


@pytest.mark.parametrize(("text", "amount", "currency"), [
    ("₩1,234,000", "1234000", "KRW"),
    ("1,234,000원", "1234000", "KRW"),
    ("123만4천원", "1234000", "KRW"),
    ("금 일백이십삼만사천원정", "1234000", "KRW"),
    ("금 오억원정", "500000000", "KRW"),
    ("$1,234.56", "1234.56", "USD"),
    ("USD 1,234.56", "1234.56", "USD"),
    ("EUR 1.234.567,89", "1234567.89", "EUR"),
    ("12,50 €", "12.50", "EUR"),
    ("CHF 1'234.50", "1234.50", "CHF"),
])
def test_amounts(text: str, amount: str, currency: str) -> None:
    value = normalize_amount(text)
    assert value is not None and (value.normalized, value.note) == (amount, currency)


def test_words_with_numeral_syllables_are_not_amounts() -> None:
    value = normalize_amount("백화점 천안점 1,000원")
    assert value is not None and value.normalized == "1000"


def test_korean_numbers() -> None:
    assert parse_korean_number("일억이천삼백사십오만육천칠백팔십구") == 123456789
    assert parse_korean_number("3억5천만") == 350000000
    assert parse_korean_number("십") == 10
    assert parse_korean_number("abc") is None


@pytest.mark.parametrize(("kind", "text", "normalized"), [
    ("brn", "등록번호 1234567890", "123-45-67890"),
    ("corp_no", "110111 - 1234567", "110111-1234567"),
    ("phone", "+82 10-1234-5678", "010-1234-5678"),
    ("phone", "(02) 123-4567", "02-123-4567"),
    ("email", "Kim@Example.COM", "kim@example.com"),
    ("number", "수량 1,200 개", "1200"),
])
def test_typed_values(kind: str, text: str, normalized: str) -> None:
    value = find_value(FieldSpec(name="x", type=kind), text)
    assert value is not None and value.normalized == normalized


def test_enum_takes_the_allowed_value() -> None:
    spec = FieldSpec(name="pay", type="enum", values=["현금", "카드"])
    value = find_value(spec, "결제: 카드")
    assert value is not None and value.normalized == "카드"
    assert find_value(spec, "계좌이체") is None


@pytest.mark.parametrize("text", ["주식회사한빛바이오", "주식회사 한빛바이오", "주식회사  한빛바이오"])
def test_a_legal_form_before_a_company_name_is_a_word_of_its_own(text: str) -> None:
    spec = FieldSpec(name="company", label="상호", type=FieldType.TEXT)
    value = find_value(spec, text)
    assert value is not None and value.normalized == "주식회사 한빛바이오"
    glued = find_value(spec, "(주)한강")
    assert glued is not None and glued.normalized == "(주) 한강"


@pytest.mark.parametrize(("text", "normalized"), [
    ("유한회 사 원더바이오", "유한회사 원더바이오"),  # OCR's spaces inside the legal form
    ("유한 회사 라온반도체", "유한회사 라온반도체"),
    ("(유). 에코기술", "(유) 에코기술"),  # a speck after it
    ("주식회사: 원더", "주식회사 원더"),
    ("주식회사 미래시스템.", "주식회사 미래시스템"),  # a full stop after Hangul ends a sentence
    ("Samsung Co., Ltd.", "Samsung Co., Ltd."),  # ... but not after an abbreviation
    ("( 유 )", None),  # a legal form alone: the name was cut off
])
def test_ocr_spacing_and_specks_around_a_legal_form_do_not_change_the_name(text: str, normalized: str | None) -> None:
    value = find_value(FieldSpec(name="company", label="상호", type=FieldType.TEXT), text)
    assert (value.normalized if value else None) == normalized
