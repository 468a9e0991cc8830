"""Checksum validators: generated valid numbers pass, any one-digit change fails, except post-2020 RRN/FRN
numbers, whose failed checksum is only ever ``unverifiable``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jisik.identifiers import Verdict, check_brn, check_card, check_corp_no, check_frn, check_rrn

pytestmark = pytest.mark.unit

digits = st.lists(st.integers(0, 9), min_size=1)


def _brn(body: list[int]) -> str:
    weights = (1, 3, 7, 1, 3, 7, 1, 3, 5)
    total = sum(d * w for d, w in zip(body, weights, strict=True)) + body[8] * 5 // 10
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def _corp(body: list[int]) -> str:
    total = sum(d * (1 if i % 2 == 0 else 2) for i, d in enumerate(body))
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def _resident(born: date, gender: int, serial: list[int], offset: int) -> str:
    head = born.strftime("%y%m%d") + str(gender) + "".join(map(str, serial))
    total = sum(int(c) * w for c, w in zip(head, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))
    return head + str(((11 - total % 11) % 10 + offset) % 10)


def _expected_resident(changed: str, offset: int) -> Verdict:
    """A changed serial digit fails the checksum unless the mod-11 residue folds onto the same check digit
    (residues 0 and 10 both give 1): then it is valid, else unverifiable, never invalid."""
    recomputed = changed[:12]
    total = sum(int(c) * w for c, w in zip(recomputed, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True))
    same = ((11 - total % 11) % 10 + offset) % 10 == int(changed[12])
    return Verdict.VALID if same else Verdict.UNVERIFIABLE


def _luhn(body: list[int]) -> str:
    total = 0
    for position, value in enumerate(reversed(body)):
        if position % 2 == 0:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return "".join(map(str, body)) + str((10 - total % 10) % 10)


def _change(number: str, position: int, delta: int) -> str:
    digit = (int(number[position]) + delta) % 10
    return number[:position] + str(digit) + number[position + 1:]


births = st.dates(date(1950, 1, 1), date(2019, 12, 31))
deltas = st.integers(1, 9)


@given(st.lists(st.integers(0, 9), min_size=9, max_size=9), st.integers(0, 9), deltas)
def test_brn_valid_and_every_single_digit_change_invalid(body: list[int], position: int, delta: int) -> None:
    number = _brn(body)
    assert check_brn(f"{number[:3]}-{number[3:5]}-{number[5:]}") is Verdict.VALID
    assert check_brn(_change(number, position, delta)) is Verdict.INVALID


@given(st.lists(st.integers(0, 9), min_size=12, max_size=12), st.integers(0, 12), deltas)
def test_corporate_number_valid_and_changed_invalid(body: list[int], position: int, delta: int) -> None:
    number = _corp(body)
    assert check_corp_no(f"{number[:6]}-{number[6:]}") is Verdict.VALID
    changed = check_corp_no(_change(number, position, delta))
    # Blind spot of the 1,2 weights: a digit with weight 2 changed by 5 keeps the sum mod 10.
    blind = position % 2 == 1 and position < 12 and delta == 5
    assert changed is (Verdict.VALID if blind else Verdict.INVALID)


@given(births, st.lists(st.integers(0, 9), min_size=5, max_size=5), st.integers(7, 12), deltas)
def test_rrn_valid_and_a_changed_serial_digit_only_unverifiable(
    born: date, serial: list[int], position: int, delta: int
) -> None:
    gender = 1 if born.year < 2000 else 3
    number = _resident(born, gender, serial, 0)
    assert check_rrn(f"{number[:6]}-{number[6:]}") is Verdict.VALID
    # Numbers issued since October 2020 have random last digits: a failed checksum is never "invalid".
    changed = _change(number, position, delta)
    assert check_rrn(changed) is _expected_resident(changed, 0)


@given(births, st.lists(st.integers(0, 9), min_size=5, max_size=5), st.integers(7, 12), deltas)
def test_frn_valid_and_changed_unverifiable(born: date, serial: list[int], position: int, delta: int) -> None:
    gender = 5 if born.year < 2000 else 7
    number = _resident(born, gender, serial, 2)
    assert check_frn(number) is Verdict.VALID
    changed = _change(number, position, delta)
    assert check_frn(changed) is _expected_resident(changed, 2)
    assert check_rrn(number) is Verdict.INVALID  # a foreigner's 7th digit is not a resident's


def test_rrn_with_impossible_birth_date_or_layout_is_invalid() -> None:
    assert check_rrn("991332-1234567") is Verdict.INVALID
    assert check_rrn("990101-123456") is Verdict.INVALID
    assert check_rrn("990101-5234567") is Verdict.INVALID  # 5 is a foreigner's digit
    assert check_rrn("abc") is Verdict.INVALID


@given(births.map(lambda d: d + timedelta(days=0)), st.lists(st.integers(0, 9), min_size=6, max_size=6))
def test_post_2020_random_serials_are_never_invalid(born: date, serial: list[int]) -> None:
    gender = 1 if born.year < 2000 else 3
    number = born.strftime("%y%m%d") + str(gender) + "".join(map(str, serial))
    assert check_rrn(number) in (Verdict.VALID, Verdict.UNVERIFIABLE)


@given(st.lists(st.integers(0, 9), min_size=11, max_size=18), st.data(), deltas)
def test_luhn_valid_and_changed_invalid(body: list[int], data: st.DataObject, delta: int) -> None:
    number = _luhn(body)
    assert check_card(number) is Verdict.VALID
    position = data.draw(st.integers(0, len(number) - 1))
    assert check_card(_change(number, position, delta)) is Verdict.INVALID


def test_known_numbers() -> None:
    assert check_brn("220-81-62517") is Verdict.VALID  # a published company number
    assert check_card("4111 1111 1111 1111") is Verdict.VALID
    assert check_card("4111 1111 1111 1112") is Verdict.INVALID
