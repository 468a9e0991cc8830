"""Korean addresses: road-name (도로명, ``…로 12``, ``…길 3-4``, ``…로12번길 34``) and lot-number (지번,
``…동 123-45``, ``…리 산 12번지``), anchored on a province or city name, or on a 구/군 right before the road (then only with a cue).
Trailing building detail (``101동 202호``, ``(역삼동)``) belongs to the address."""

from __future__ import annotations

import re

__all__ = ["ADDRESS_PATTERN", "ADDRESS_WORDS", "LOCAL_ADDRESS_PATTERN"]

_PROVINCE = (
    "(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충청북|충청남|충북|충남|전라북|전라남|전북|전남|"
    "경상북|경상남|경북|경남|제주)(?:특별시|광역시|특별자치시|특별자치도|도|시)?"
)
_DISTRICT = "\\s*[가-힣]{1,5}(?:시|군|구)(?![가-힣])"
# A number followed by a counter word (1조, 3명, 5년 …) is an amount, not a building number.
_NOT_A_COUNT = "(?![\\d.]|조|억|만|천|원|명|년|월|일|개|회|차|위|분|초|세|%)"
_ROAD = f"[가-힣0-9]{{1,12}}(?:로|길)\\s?\\d{{1,4}}(?:-\\d{{1,4}})?(?:번길\\s?\\d{{1,4}}(?:-\\d{{1,4}})?)?{_NOT_A_COUNT}"
_LOT = (
    "\\s*[가-힣0-9]{1,8}(?:동|리|가|읍|면)(?:\\s+[가-힣0-9]{1,6}(?:리|동))?\\s*(?:산\\s?)?\\d{1,5}"
    f"(?:-\\d{{1,5}})?(?:번지)?{_NOT_A_COUNT}"
)
_DETAIL = "(?:,?\\s*\\d{1,4}동)?(?:\\s*\\d{1,5}호)?(?:\\s*\\([가-힣0-9, ]{1,20}\\))?"

ADDRESS_PATTERN = f"{_PROVINCE}(?:{_DISTRICT}){{1,2}}(?:\\s*{_ROAD}|{_LOT}){_DETAIL}|{_PROVINCE}\\s+{_ROAD}{_DETAIL}"
# Without a province (``송파구 신천동 7-28``) an address is as often a landmark's in an encyclopedia as a
# person's: it counts only next to an address label or a record word.
LOCAL_ADDRESS_PATTERN = f"(?<![가-힣])[가-힣]{{1,4}}(?:구|군)\\s(?:{_ROAD}|{_LOT}){_DETAIL}"
ADDRESS_WORDS = re.compile("주소|거주|자택|배송지|소재지|사는 곳|살고")
