"""Korean person names: a surname from the list below plus one or two syllables, standing right after a
form label (성명, 담당자, 예금주 …) or right before a personal title (씨, 님, 과장 …).

A name with neither is left alone: without a cue, Kiwi's proper-noun tag cannot tell a customer from a
king in an encyclopedia paragraph, and tokenising every text costs more than the whole regex pass.
Titles of public figures (대통령, 감독, 선수, 교수 …) are not cues for the same reason.
"""

from __future__ import annotations

import re

__all__ = ["NAME_PATTERN", "NOT_NAMES", "RECORD_WORDS"]

# The 2015 census surnames with more than ~1,000 bearers, two-syllable ones first so they win.
_TWO_SYLLABLE = "남궁|황보|제갈|선우|독고|사공|서문|동방|망절"
_ONE_SYLLABLE = (
    "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원"
    "천방공현함변염여추도소석선설마길연위표명기반왕금옥육인맹제모탁국어은편용예경봉사부가복태목형"
    "피두감음빈동온호범좌갈라계견시낭당"
)
_SURNAME = f"(?:{_TWO_SYLLABLE}|[{_ONE_SYLLABLE}])"
_GIVEN = "[가-힣]{1,2}"

_LABELS = (
    "성명|성함|이름|담당자|고객명|환자명|신청인|대표자|예금주|보호자|작성자|수신인|발신인|"
    "수취인|받는\\s?분|보내는\\s?분|계약자|피보험자|임차인|임대인|채무자|채권자|세대주|가입자|name"
)
# Titles a name is addressed or filed by: always a cue.
_TITLES = "님|고객|과장|대리|주임|팀장|매니저|선생님|어르신"
# Titles news and encyclopedias put after public figures (씨 is also a clan, 氏): a cue only where the
# text around reads as a record or a service conversation (:data:`RECORD_WORDS`).
_ROLE_TITLES = "씨|부장|차장|실장|상무|전무|본부장|변호사|세무사|노무사|간호사"
RECORD_WORDS = re.compile(
    "고객|신청|접수|문의|상담|서류|제출|예약|주문|배송|결제|환불|청구|납부|민원|진료|입원|가입|회원|"
    "담당|연락|요청|처리|발송|수령|계약서|보험금|대출"
)

_PARTICLES = "(?:님|씨|이|가|은|는|을|를|의|에게|께서|께|와|과|도|에|입니다|이며|이고)(?![가-힣]{2})"

_AFTER = f"(?=[^가-힣]|$|{_PARTICLES})"

# Group ``name_l`` follows a label and a colon or bar; ``name_s`` follows a label and a space only, and
# then must end the word (``임차인 사이라는`` is no name); ``name_t`` precedes a title (``name_title``,
# ``name_role`` for the role titles). A name before a title has a two-syllable given name, which keeps
# out words like 홍보 부장 or 국방부장관.
NAME_PATTERN = (
    f"(?:{_LABELS})(?:\\s*[:：|]\\s*(?!{_LABELS})(?P<name_l>{_SURNAME}{_GIVEN}){_AFTER}"
    f"|\\s+(?!{_LABELS})(?P<name_s>{_SURNAME}{_GIVEN})(?=[^가-힣]|$))"
    f"|(?<![가-힣])(?P<name_t>{_SURNAME}[가-힣]{{2}})\\s?(?:(?P<name_title>{_TITLES})|(?P<name_role>{_ROLE_TITLES})){_AFTER}"
)

# Common words that look like surname + syllables in front of a title ("고객님", "선생님").
NOT_NAMES = frozenset(
    "고객 선생 사장 회장 부장 과장 차장 대리 교수 원장 팀장 이사 소장 실장 주임 반장 기사 손님 형님 누님 "
    "하느님 하나님 부처님 조상님 임금님 공주님 왕자님 부모님 사모님 어머님 아버님 고모 이모 이모님 고모님 "
    "선배 후배 전임 후임 담당 신규 기존 우수 일반 모든 여러 각 해당 본인 남편 아내 부인 동생 형 오빠 언니 "
    "누나 조카 사위 며느리 장인 장모 시어머니 시아버지 주인 임원 직원 구매 판매 상담 방문 정회원 회원 "
    "안내 문의 성명 이름 고객명 환자명 신청 대표 보호 작성 수신 발신 정보 정책 주소 지원 유형 이용 신용 "
    "변경 연락 전화 번호 확인 서명 날인 기재 사항 내용 미상 없음 미기재 명의 공란 이하 상기 동일 "
    "하느 하나 부처 조상 임금 공주 왕자 부모 사모 어머 아버 선생 "
    "위임 정정 본사 지점 지사 부서 소속 직위 직급 성별 주민 사업 법인".split()
)
