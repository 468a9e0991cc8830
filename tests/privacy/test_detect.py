"""The detectors read each kind of personal data in the forms people write it, and leave look-alikes alone."""

from __future__ import annotations

import pytest

from jisik.identifiers import Verdict, check_rrn
from jisik.pii import PiiType, detect


def _found(text: str) -> list[tuple[str, str]]:
    return [(hit.type.value, hit.text_in(text)) for hit in detect(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("주민등록번호: 900101-1234568 입니다", ("RRN", "900101-1234568")),
        ("주민번호 9001011234568", ("RRN", "9001011234568")),
        ("외국인등록번호 900101-5234567", ("FRN", "900101-5234567")),
        ("사업자등록번호 220-81-62517", ("BRN", "220-81-62517")),
        ("법인등록번호 110111-0006246", ("CORP", "110111-0006246")),
        ("휴대폰 010-1234-5678로 연락", ("PHONE", "010-1234-5678")),
        ("대표번호 (02) 123-4567", ("PHONE", "(02) 123-4567")),
        ("call +82 10 1234 5678 today", ("PHONE", "+82 10 1234 5678")),
        ("手机 13812345678", ("PHONE", "13812345678")),
        ("메일 hong.gildong@example.co.kr 로", ("EMAIL", "hong.gildong@example.co.kr")),
        ("카드 4111-1111-1111-1111 결제", ("CARD", "4111-1111-1111-1111")),
        ("신한은행 110-123-456789 (예금주 홍길동)", ("ACCOUNT", "110-123-456789")),
        ("여권번호 M123A4567", ("PASSPORT", "M123A4567")),
        ("운전면허 11-12-345678-90", ("DRIVER", "11-12-345678-90")),
        (
            "주소: 서울특별시 강남구 테헤란로 152 (역삼동)",
            ("ADDRESS", "서울특별시 강남구 테헤란로 152 (역삼동)"),
        ),
        ("경기도 양평군 양평읍 창대리 123-4번지", ("ADDRESS", "경기도 양평군 양평읍 창대리 123-4번지")),
        ("담당자 김민준 과장에게 보내 주세요", ("NAME", "김민준")),
        ("| 성명 | 남궁민수 |", ("NAME", "남궁민수")),
        ("계약자 성명: 김민준", ("NAME", "김민준")),  # a label before a label is not a name
        ("IBAN DE89 3704 0044 0532 0130 00", ("IBAN", "DE89 3704 0044 0532 0130 00")),
    ],
)
def test_each_kind_is_found_with_its_span(text: str, expected: tuple[str, str]) -> None:
    assert expected in _found(text)


def test_post_2020_resident_number_is_found_although_its_checksum_fails() -> None:
    number = "210315-3847261"
    assert check_rrn(number) is Verdict.UNVERIFIABLE
    [hit] = detect(f"아이 주민번호는 {number}")
    assert hit.type is PiiType.RRN and 0.5 <= hit.confidence < 0.95


def test_full_width_digits_map_back_to_the_original_span() -> None:
    text = "전화 ０１０－９８７６－５４３２ 로"
    [hit] = detect(text)
    assert hit.type is PiiType.PHONE
    assert hit.text_in(text) == "０１０－９８７６－５４３２"


def test_numbers_run_together_with_spaces_are_split_into_what_they_are() -> None:
    text = "주민번호 900101-1234568 2020 12 31"
    assert _found(text) == [("RRN", "900101-1234568")]


@pytest.mark.parametrize(
    "text",
    [
        "1950년 6월 25일 전쟁이 시작되었다. 인구는 1,234,567명이다.",
        "2019 2020 2021 2022 년도 통계",
        "카드 4111-1111-1111-1112 는 잘못된 번호",  # Luhn fails: only a card cue keeps it, at 0.5
        "고객 정보를 관리하는 고객님께 선생님이 안내했다",
        "이순신은 조선의 장군이다.",
        "버전 3.14.159 와 ISBN 978-89-01234-56-7",
    ],
)
def test_look_alikes_are_not_reported_above_the_default_threshold(text: str) -> None:
    found = [h for h in detect(text, min_confidence=0.51)]
    assert found == []


def test_bank_account_needs_a_bank_nearby() -> None:
    assert _found("번호 123456-01-234567") == []
    assert _found("농협 계좌 123456-01-234567") == [("ACCOUNT", "123456-01-234567")]


def test_types_filter_and_confidence_threshold() -> None:
    text = "홍길동 씨 010-1234-5678 hong@example.com"
    assert [h.type for h in detect(text, types={PiiType.EMAIL})] == [PiiType.EMAIL]
    assert detect(text, min_confidence=0.99) == []


def test_invalid_iban_and_brn_without_context_are_ignored() -> None:
    assert _found("DE89 3704 0044 0532 0130 01") == []
    assert _found("번호 2208162518") == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("어제 박지훈 씨가 신청 서류를 제출했다.", ["박지훈"]),  # a record: the role title counts
        ("최수빈 변호사에게 상담을 요청했습니다.", ["최수빈"]),
        ("당시 측근이던 정도윤 변호사는 이를 부인했다.", []),  # a news sentence: a public figure
        ("민주당의 한서준 씨는 1998년 의원에 당선되었다.", []),
        ("김하은님, 주문하신 상품이 발송되었습니다.", ["김하은"]),  # addressed titles count everywhere
        ("예금주 홍길동", ["홍길동"]),
        ("임대·임차인 사이라는 것이 밝혀졌다.", []),  # a label, a space, then a word going on
    ],
)
def test_role_titles_count_only_in_records_and_addressed_titles_always(text: str, names: list[str]) -> None:
    assert [value for kind, value in _found(text) if kind == "NAME"] == names


def test_an_address_without_a_province_needs_a_cue() -> None:
    assert _found("이 건물은 종로구 종로3가 175-4번지에 있다.") == []
    assert _found("자택 주소는 송파구 신천동 7-28 입니다") == [("ADDRESS", "송파구 신천동 7-28")]
    assert _found("서울 중구 중림동 149번지") == [("ADDRESS", "서울 중구 중림동 149번지")]
