"""The labelled PII set for bench/pii.py: Korean sentences and form lines with seeded personal data of every
type, in varied formats (hyphens, spaces, none, full-width digits, table cells). Seeded and deterministic.

Each sample is ``(text, [(type, start, end), ...])``. Numbers are made with valid checksums where the real
ones have them (RRN before 2020, BRN, corporate numbers, cards, IBAN); a quarter of the RRNs are post-2020
style with random last digits."""

from __future__ import annotations

import random
from collections.abc import Callable

from jisik.identifiers import Verdict, check_brn, check_card, check_corp_no, check_frn, check_rrn

Sample = tuple[str, list[tuple[str, int, int]]]

_SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍고문양손배백허남심노하곽성차주우구민진"
_GIVEN = "민준서연지우하은도윤서준예준시우지호하준주원지민수아지아은서현우건우유진채원다은수빈"
_TWO_SURNAMES = ("남궁", "황보", "제갈", "선우")
_BANKS = (
    "국민은행",
    "신한은행",
    "우리은행",
    "하나은행",
    "농협",
    "IBK기업은행",
    "카카오뱅크",
    "토스뱅크",
    "우체국",
)
_CITIES = (
    ("서울특별시", ("강남구", "종로구", "마포구", "송파구")),
    ("부산광역시", ("해운대구", "수영구")),
    ("경기도", ("성남시 분당구", "수원시 영통구", "고양시 일산동구")),
    ("대전광역시", ("유성구",)),
    ("제주특별자치도", ("제주시",)),
)
_ROADS = ("테헤란로", "세종대로", "판교역로", "중앙로12번길", "해운대해변로", "대학로", "월드컵북로")
_DONGS = ("역삼동", "삼성동", "정자동", "우동", "봉명동", "연동")
_DOMAINS = ("example.com", "naver.com", "daum.net", "company.co.kr", "univ.ac.kr")


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _until(rng: random.Random, make: Callable[[], str], ok: Callable[[str], bool]) -> str:
    while True:
        value = make()
        if ok(value):
            return value


def _resident(rng: random.Random, foreign: bool) -> str:
    def make() -> str:
        year = rng.randint(0, 99)
        gender = rng.choice("5678" if foreign else "1234")
        if gender in "3478" and year > 24:
            year %= 25
        return f"{year:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{gender}{_digits(rng, 6)}"

    check = check_frn if foreign else check_rrn
    wanted = Verdict.UNVERIFIABLE if not foreign and rng.random() < 0.25 else Verdict.VALID
    return _until(rng, make, lambda v: check(v) is wanted)


def _brn(rng: random.Random) -> str:
    return _until(
        rng,
        lambda: f"{rng.randint(101, 899)}{rng.randint(1, 99):02d}{_digits(rng, 5)}",
        lambda v: check_brn(v) is Verdict.VALID,
    )


def _corp(rng: random.Random) -> str:
    office = rng.choice(("1101", "1201", "1311", "1344", "1601", "1801", "2301", "2801"))
    kind = rng.choice(("11", "12", "14", "21", "71"))
    return _until(rng, lambda: office + kind + _digits(rng, 7), lambda v: check_corp_no(v) is Verdict.VALID)


def _card(rng: random.Random) -> str:
    prefix = rng.choice(("4", "51", "53", "9410", "6011", "37"))
    length = 15 if prefix == "37" else 16
    return _until(
        rng, lambda: prefix + _digits(rng, length - len(prefix)), lambda v: check_card(v) is Verdict.VALID
    )


def _iban(rng: random.Random) -> str:
    bban = _digits(rng, 18)
    rotated = bban + "1314" + "00"  # DE -> 13 14
    check = 98 - int(rotated) % 97
    return f"DE{check:02d}{bban}"


def _name(rng: random.Random) -> str:
    surname = rng.choice(_TWO_SURNAMES) if rng.random() < 0.05 else rng.choice(_SURNAMES)
    start = rng.randrange(0, len(_GIVEN) - 1, 2)
    return surname + _GIVEN[start : start + 2]


def _group(value: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(value[at : at + size])
        at += size
    return sep.join(parts)


_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def _styled(rng: random.Random, value: str, sizes: tuple[int, ...], seps: str = "-") -> str:
    style = rng.random()
    text = _group(value, sizes, rng.choice(seps)) if style < 0.85 else value
    return text.translate(_FULL_WIDTH) if rng.random() < 0.08 else text


def _value(rng: random.Random, kind: str) -> tuple[str, str]:
    """A written value of ``kind`` and the label a document would put before it."""
    if kind == "RRN":
        return _styled(rng, _resident(rng, False), (6, 7)), rng.choice(
            ("주민등록번호", "주민번호", "생년월일/주민번호")
        )
    if kind == "FRN":
        return _styled(rng, _resident(rng, True), (6, 7)), rng.choice(("외국인등록번호", "외국인번호"))
    if kind == "BRN":
        return _group(_brn(rng), (3, 2, 5), "-"), rng.choice(("사업자등록번호", "사업자번호", "등록번호"))
    if kind == "CORP":
        return _styled(rng, _corp(rng), (6, 7)), rng.choice(("법인등록번호", "법인번호"))
    if kind == "PHONE":
        roll = rng.random()
        if roll < 0.5:
            value = _styled(rng, "010" + _digits(rng, 8), (3, 4, 4), "- .")
        elif roll < 0.75:
            value = _styled(rng, "02" + str(rng.randint(2, 9)) + _digits(rng, 6), (2, 3, 4), "-")
        elif roll < 0.9:
            value = "+82 10-" + _digits(rng, 4) + "-" + _digits(rng, 4)
        else:
            value = "0" + rng.choice(("31", "51", "62", "64")) + "-" + _digits(rng, 3) + "-" + _digits(rng, 4)
        return value, rng.choice(("전화", "연락처", "휴대폰", "H.P", "TEL"))
    if kind == "EMAIL":
        user = rng.choice(("hong", "kim.minjun", "sy_park", "lee99", "contact+kr"))
        return f"{user}@{rng.choice(_DOMAINS)}", rng.choice(("이메일", "E-mail", "메일"))
    if kind == "CARD":
        card = _card(rng)
        sizes = (4, 6, 5) if len(card) == 15 else (4, 4, 4, 4)
        return _styled(rng, card, sizes, "- "), rng.choice(("카드번호", "결제카드", "신용카드"))
    if kind == "ACCOUNT":
        layout = rng.choice(((3, 3, 6), (6, 2, 6), (4, 3, 6), (3, 6, 5), (3, 4, 4, 2)))
        return _group(_digits(rng, sum(layout)), layout, "-"), rng.choice(_BANKS) + rng.choice(
            ("", " 계좌", " 계좌번호")
        )
    if kind == "PASSPORT":
        value = rng.choice(("M", "S")) + (
            _digits(rng, 8) if rng.random() < 0.5 else _digits(rng, 3) + "A" + _digits(rng, 4)
        )
        return value, rng.choice(("여권번호", "여권", "Passport No."))
    if kind == "DRIVER":
        value = f"{rng.randint(11, 28)}-{_digits(rng, 2)}-{_digits(rng, 6)}-{_digits(rng, 2)}"
        return value, rng.choice(("운전면허번호", "면허번호"))
    if kind == "ADDRESS":
        city, districts = rng.choice(_CITIES)
        district = rng.choice(districts)
        if rng.random() < 0.6:
            tail = f"{rng.choice(_ROADS)} {rng.randint(1, 400)}"
        else:
            tail = f"{rng.choice(_DONGS)} {rng.randint(1, 999)}-{rng.randint(1, 99)}"
        if rng.random() < 0.3:
            tail += f", {rng.randint(101, 120)}동 {rng.randint(101, 1504)}호"
        return f"{city} {district} {tail}", rng.choice(("주소", "거주지", "소재지"))
    if kind == "IBAN":
        iban = _iban(rng)
        return _group(iban, (4, 4, 4, 4, 4, 2), " "), "IBAN"
    raise ValueError(kind)


TYPES = (
    "RRN",
    "FRN",
    "BRN",
    "CORP",
    "PHONE",
    "EMAIL",
    "CARD",
    "ACCOUNT",
    "PASSPORT",
    "DRIVER",
    "ADDRESS",
    "NAME",
    "IBAN",
)

_SENTENCES = (
    "{label}: {value}",
    "신청인의 {label}는 {value} 입니다.",
    "| {label} | {value} |",
    "{label} {value}로 확인 부탁드립니다.",
    "위 사람의 {label}({value})을 기재하였습니다.",
    "본 계약서에 기재된 {label} {value} 은 변경될 수 있습니다.",
)
_NAME_SENTENCES = (
    "성명: {name}",
    "| 성명 | {name} | 직위 | 과장 |",
    "담당자 {name} 과장에게 연락 바랍니다.",
    "{name} 고객님의 요청으로 처리했습니다.",
    "예금주 {name}",
    "어제 {name} 씨가 서류를 제출했다.",
    "이름: {name} / 부서: 영업팀",
    "{name}님, 주문하신 상품이 발송되었습니다.",
)


def _one(rng: random.Random, kind: str) -> Sample:
    if kind == "NAME":
        name = _name(rng)
        template = rng.choice(_NAME_SENTENCES)
        text = template.format(name=name)
        start = text.index(name)
        return text, [("NAME", start, start + len(name))]
    value, label = _value(rng, kind)
    text = rng.choice(_SENTENCES).format(label=label, value=value)
    start = text.index(value)
    return text, [(kind, start, start + len(value))]


def generate(count: int, seed: int = 17) -> list[Sample]:
    """``count`` samples; every type equally often, a third of them two or three lines joined as a form."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    while len(samples) < count:
        parts = [_one(rng, TYPES[(len(samples) + i) % len(TYPES)]) for i in range(rng.choice((1, 1, 2, 3)))]
        text, labels = "", []
        for part_text, part_labels in parts:
            if text:
                text += "\n"
            labels += [(kind, start + len(text), end + len(text)) for kind, start, end in part_labels]
            text += part_text
        samples.append((text, labels))
    return samples
