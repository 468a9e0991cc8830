"""The question set of bench/answers.py: documents the benchmark generates, and questions over them.

Documents come in the kinds users upload: text PDFs (lines wrapped by the PDF, Korean and Chinese
fonts), two-column PDFs, scans (a text page rasterised into an image-only PDF, read back by OCR),
DOCX tables and Markdown, in Korean, English and Chinese. Each question names the document that
answers it and the strings any of which counts as the fact; a question with no answer (``facts``
empty) must get a "the documents do not contain the answer" reply. ``SHARED`` has questions over
../shared/bench/docs (used when that folder exists).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import docx
import pymupdf

__all__ = ["DOCUMENTS", "QUESTIONS", "SHARED", "Document", "Question"]


@dataclass(frozen=True)
class Document:
    name: str  # file name; the extension picks the format
    kind: str  # "pdf", "pdf2col", "scan", "docx", "md"
    language: str
    title: str
    paragraphs: tuple[str, ...] = ()
    table: tuple[tuple[str, ...], ...] = ()  # first row is the header
    after: tuple[str, ...] = ()  # paragraphs after the table

    def render(self) -> bytes:
        return _RENDERERS[self.kind](self)


@dataclass(frozen=True)
class Question:
    question: str
    document: str  # the file that holds the answer (or that the question is about, when it has none)
    facts: tuple[str, ...] = field(default=())  # any of these in the answer counts; empty: no answer

    @property
    def answerable(self) -> bool:
        return bool(self.facts)


_FONTS = {"ko": "korea", "zh": "china-s", "en": "helv"}


def _markdown_table(rows: tuple[tuple[str, ...], ...]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _pdf_pages(document: Document, columns: int) -> pymupdf.Document:
    pdf = pymupdf.open()
    font = _FONTS[document.language]
    page = pdf.new_page()
    page.insert_textbox(pymupdf.Rect(60, 50, 540, 90), document.title, fontname=font, fontsize=16)
    width = (480 - 20 * (columns - 1)) / columns
    boxes = [pymupdf.Rect(60 + i * (width + 20), 100, 60 + i * (width + 20) + width, 780) for i in range(columns)]
    per_column = -(-len(document.paragraphs) // columns)
    for index, box in enumerate(boxes):
        text = "\n\n".join(document.paragraphs[index * per_column : (index + 1) * per_column])
        if page.insert_textbox(box, text, fontname=font, fontsize=10.5, lineheight=1.3) < 0:
            raise ValueError(f"{document.name}: column {index + 1} does not fit on the page")
    return pdf


def _pdf(document: Document) -> bytes:
    return bytes(_pdf_pages(document, 1).tobytes())


def _pdf_two_columns(document: Document) -> bytes:
    return bytes(_pdf_pages(document, 2).tobytes())


def _scan(document: Document) -> bytes:
    """The text PDF rasterised at 200 dpi into an image-only PDF (what a scanner gives)."""
    source = _pdf_pages(document, 1)
    scan = pymupdf.open()
    for page in source.pages():
        pixmap = page.get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)
        target = scan.new_page(width=page.rect.width, height=page.rect.height)
        target.insert_image(target.rect, stream=pixmap.tobytes("png"))
    return bytes(scan.tobytes())


def _docx(document: Document) -> bytes:
    out = docx.Document()
    out.add_heading(document.title, level=1)
    for paragraph in document.paragraphs:
        out.add_paragraph(paragraph)
    if document.table:
        table = out.add_table(rows=len(document.table), cols=len(document.table[0]))
        for r, row in enumerate(document.table):
            for c, value in enumerate(row):
                table.cell(r, c).text = value
    for paragraph in document.after:
        out.add_paragraph(paragraph)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _md(document: Document) -> bytes:
    parts = [f"# {document.title}", *document.paragraphs]
    if document.table:
        parts.append(_markdown_table(document.table))
    parts += list(document.after)
    return "\n\n".join(parts).encode()


_RENDERERS = {"pdf": _pdf, "pdf2col": _pdf_two_columns, "scan": _scan, "docx": _docx, "md": _md}

DOCUMENTS: tuple[Document, ...] = (
    Document(
        "hallim_annual_report.pdf", "pdf", "en", "Hallim Robotics Annual Report 2021",
        (
            "Hallim Robotics designs inspection robots for shipyards and power plants. The company was founded "
            "in 2009 by Park Soo-min and has its headquarters in Daejeon, South Korea.",
            "Human capital. As of December 31, 2021, we had 4,453 employees, most of them in engineering and field "
            "service. Employee turnover in 2021 was 6.2 percent, down from 7.9 percent in 2020.",
            "Products. Our crawler robot HR-7 carries a thermal camera that records at a resolution of 640 × 480 "
            "pixels, a format chosen for low-bandwidth links inside steel hulls. The HR-7 weighs 18.5 kg and "
            "climbs vertical walls with magnetic wheels.",
            "Results. Revenue for 2021 was 182.4 billion won, an increase of 14 percent over 2020. Net income was "
            "21.7 billion won. The largest customer, a shipbuilder in Geoje, accounted for 23 percent of revenue.",
        ),
    ),
    Document(
        "sejong_library_guide.pdf", "pdf", "ko", "세종 시립도서관 이용 안내",
        (
            "세종 시립도서관은 평일 오전 9시부터 오후 10시까지, 주말에는 오전 9시부터 오후 6시까지 문을 엽니다. "
            "정기 휴관일은 매월 둘째 주 월요일과 법정 공휴일입니다.",
            "도서 대출은 회원증을 가진 사람만 할 수 있으며, 한 사람당 최대 7권까지 14일 동안 빌릴 수 있습니다. "
            "대출 기간은 한 번에 한해 7일 연장할 수 있습니다.",
            "반납이 늦어지면 연체된 책 한 권마다 하루 100원의 연체료가 부과됩니다. 연체료를 내기 전에는 새로 "
            "빌릴 수 없습니다.",
            "도서관 3층에는 노트북 이용이 가능한 열람실 120석이 있으며, 4층 디지털 자료실에서는 전자책 단말기를 "
            "대여할 수 있습니다.",
        ),
    ),
    Document(
        "qingshan_reservoir.pdf", "pdf", "zh", "青山水库简介",
        (
            "青山水库位于浙江省杭州市临安区，是一座以防洪为主，兼顾灌溉和供水的大型水库。水库建成于1987年，"
            "总库容为2.3亿立方米。",
            "大坝为黏土心墙坝，最大坝高35米，坝顶长度为412米。水库集水面积为603平方公里。",
            "水库每年为下游约15万亩农田提供灌溉用水，并向临安城区供应生活用水。2015年水库完成了除险加固工程。",
        ),
    ),
    Document(
        "stereo_matching_note.pdf", "pdf2col", "en", "A Note on Fast Stereo Matching",
        (
            "We present CostNet, a stereo matching network for embedded boards. CostNet builds a cost volume at one "
            "quarter of the input resolution and refines it with three hourglass modules.",
            "Training used the SceneFlow dataset for 20 epochs with a batch size of 8, followed by fine-tuning on "
            "KITTI 2015 for 300 epochs.",
            "On the KITTI 2015 benchmark CostNet reaches an error rate of 2.41 percent of outlier pixels. A forward "
            "pass takes 38 milliseconds on a Jetson Xavier board.",
            "The model has 3.6 million parameters, about a tenth of the parameters of the baseline PSMNet. Our code "
            "is released under the Apache 2.0 license.",
        ),
    ),
    Document(
        "busan_port_report.pdf", "pdf2col", "ko", "부산항 물동량 분석 보고서",
        (
            "부산항의 2023년 컨테이너 처리량은 2,275만 TEU로 전년보다 3.2% 늘었다. 이 가운데 환적 화물은 "
            "1,226만 TEU로 전체의 53.9%를 차지했다.",
            "신항은 전체 물량의 71%를 처리했으며, 북항은 재개발에 따라 물량이 줄었다. 신항 7부두는 2026년 "
            "완전 자동화 부두로 문을 열 예정이다.",
            "항만공사는 2030년까지 처리 능력을 연간 3,000만 TEU로 늘리는 것을 목표로 하고 있다. 이를 위해 "
            "진해신항 1단계 사업에 약 6조 원을 투자한다.",
            "보고서는 해운동맹 재편과 미국 항만 파업이 2024년 물동량의 주요 변수가 될 것이라고 분석했다.",
        ),
    ),
    Document(
        "museum_notice_scan.pdf", "scan", "en", "Riverside Museum Notice",
        (
            "The Riverside Museum will close for renovation from 3 March 2025 to 30 June 2025. During the works the "
            "ceramics collection moves to the East Gallery on Harbour Road.",
            "Annual passes bought before the closure are extended by four months at no cost. Guided tours resume on "
            "1 July 2025 at 11:00 every Saturday.",
        ),
    ),
    Document(
        "apartment_notice_scan.pdf", "scan", "ko", "한빛아파트 관리사무소 공지",
        (
            "한빛아파트 관리사무소는 승강기 교체 공사를 위해 2025년 4월 7일부터 4월 18일까지 101동 승강기 "
            "운행을 중지합니다.",
            "공사 기간에는 102동 연결 통로를 이용해 주시기 바랍니다. 문의 전화는 관리사무소 031-555-0123입니다.",
        ),
    ),
    Document(
        "store_inventory.docx", "docx", "en", "Northwind Store Inventory, May 2024",
        ("The table lists the stock of the Incheon warehouse on 31 May 2024.",),
        (
            ("Product", "Unit price", "Stock", "Supplier"),
            ("Widget", "12.50 USD", "340", "Daehan Parts"),
            ("Gadget", "8.75 USD", "1,200", "Mirae Tech"),
            ("Sprocket", "3.10 USD", "5,800", "Daehan Parts"),
            ("Flange", "27.00 USD", "96", "Hanul Metal"),
        ),
        ("Orders above 1,000 USD ship free of charge within Korea.",),
    ),
    Document(
        "regional_sales.docx", "docx", "ko", "지역별 매출 현황",
        ("아래 표는 2022년과 2023년의 지역별 매출과 직원 수를 정리한 것이다.",),
        (
            ("지역", "2022년 매출", "2023년 매출", "직원 수"),
            ("서울", "1,250억 원", "1,410억 원", "820명"),
            ("부산", "430억 원", "512억 원", "214명"),
            ("대구", "310억 원", "298억 원", "167명"),
            ("광주", "205억 원", "233억 원", "98명"),
        ),
        ("대구 지역은 주요 거래처 이탈로 매출이 줄었다.",),
    ),
    Document(
        "city_statistics.docx", "docx", "zh", "城市统计资料",
        ("下表为2023年末部分城市的人口与面积。",),
        (
            ("城市", "常住人口", "面积", "地区生产总值"),
            ("成都", "2140万人", "14335平方公里", "2.2万亿元"),
            ("西安", "1307万人", "10108平方公里", "1.2万亿元"),
            ("苏州", "1296万人", "8657平方公里", "2.5万亿元"),
        ),
    ),
    Document(
        "jeju_ferry.md", "md", "en", "Jeju ferry timetable",
        ("Ferries to Jeju leave from Mokpo and Wando. Tickets can be bought online until one hour before departure.",),
        (
            ("Route", "Departure", "Crossing time", "Adult fare"),
            ("Mokpo to Jeju", "07:30", "4 hours 30 minutes", "38,000 won"),
            ("Wando to Jeju", "15:00", "2 hours 40 minutes", "31,500 won"),
        ),
        ("Bicycles travel free of charge. Cars must be at the pier 90 minutes before departure.",),
    ),
    Document(
        "tea_garden.md", "md", "zh", "龙井茶园介绍",
        (
            "龙井茶园位于杭州西湖区，种植面积约为800亩。茶园每年春季在清明节前采摘明前茶。",
            "茶园的年产量约为12吨，其中特级茶叶约占15%。游客可以在每年3月至5月参加采茶体验活动，费用为每人120元。",
        ),
    ),
    Document(
        "onboarding_guide.md", "md", "ko", "신입 사원 안내서",
        (
            "신입 사원은 입사 첫날 오전 9시 30분까지 본관 2층 인사팀으로 오시면 됩니다. 사원증은 인사팀에서 "
            "신분증을 확인한 뒤 발급합니다.",
            "노트북은 첫날 오후 IT 지원팀이 지급하며, 보안 교육을 마쳐야 사내망에 접속할 수 있습니다.",
            "점심은 지하 1층 구내식당에서 낮 12시부터 1시까지 제공되며, 식대는 회사가 전액 부담합니다.",
        ),
    ),
)

QUESTIONS: tuple[Question, ...] = (
    # hallim_annual_report.pdf (wrapped English text)
    Question("How many employees did Hallim Robotics have as of December 31, 2021?", "hallim_annual_report.pdf", ("4,453",)),
    Question("What resolution does the HR-7 thermal camera record at?", "hallim_annual_report.pdf", ("640 × 480",)),
    Question("Who founded Hallim Robotics?", "hallim_annual_report.pdf", ("Park Soo-min",)),
    Question("What was Hallim Robotics' revenue in 2021?", "hallim_annual_report.pdf", ("182.4 billion won",)),
    Question("How much does the HR-7 weigh?", "hallim_annual_report.pdf", ("18.5 kg",)),
    Question("What was employee turnover in 2021?", "hallim_annual_report.pdf", ("6.2 percent",)),
    Question("What is the dividend per share of Hallim Robotics?", "hallim_annual_report.pdf"),
    Question("Who is the chief financial officer of Hallim Robotics?", "hallim_annual_report.pdf"),
    # sejong_library_guide.pdf (Korean text PDF)
    Question("세종 시립도서관은 평일 몇 시까지 문을 여나요?", "sejong_library_guide.pdf", ("오후 10시",)),
    Question("도서관에서 한 사람이 최대 몇 권까지 빌릴 수 있나요?", "sejong_library_guide.pdf", ("7권",)),
    Question("연체료는 하루에 얼마인가요?", "sejong_library_guide.pdf", ("100원",)),
    Question("도서관의 정기 휴관일은 언제인가요?", "sejong_library_guide.pdf", ("둘째 주 월요일",)),
    Question("3층 열람실에는 몇 석이 있나요?", "sejong_library_guide.pdf", ("120석",)),
    Question("도서관 주차장은 몇 대를 댈 수 있나요?", "sejong_library_guide.pdf"),
    Question("도서관 카페의 운영 시간은 언제인가요?", "sejong_library_guide.pdf"),
    # qingshan_reservoir.pdf (Chinese text PDF)
    Question("青山水库是哪一年建成的？", "qingshan_reservoir.pdf", ("1987年",)),
    Question("青山水库的总库容是多少？", "qingshan_reservoir.pdf", ("2.3亿立方米",)),
    Question("青山水库大坝的最大坝高是多少？", "qingshan_reservoir.pdf", ("35米",)),
    Question("青山水库的集水面积有多大？", "qingshan_reservoir.pdf", ("603平方公里",)),
    Question("青山水库的发电装机容量是多少？", "qingshan_reservoir.pdf"),
    # stereo_matching_note.pdf (two columns, English)
    Question("What error rate does CostNet reach on KITTI 2015?", "stereo_matching_note.pdf", ("2.41 percent",)),
    Question("How long does a CostNet forward pass take on a Jetson Xavier?", "stereo_matching_note.pdf", ("38 milliseconds",)),
    Question("How many parameters does CostNet have?", "stereo_matching_note.pdf", ("3.6 million",)),
    Question("How many epochs was CostNet trained on SceneFlow?", "stereo_matching_note.pdf", ("20 epochs",)),
    Question("What GPU memory does CostNet need during training?", "stereo_matching_note.pdf"),
    # busan_port_report.pdf (two columns, Korean)
    Question("부산항의 2023년 컨테이너 처리량은 얼마인가요?", "busan_port_report.pdf", ("2,275만 TEU",)),
    Question("환적 화물은 전체의 몇 퍼센트를 차지했나요?", "busan_port_report.pdf", ("53.9%",)),
    Question("신항 7부두는 언제 문을 열 예정인가요?", "busan_port_report.pdf", ("2026년",)),
    Question("진해신항 1단계 사업에 얼마를 투자하나요?", "busan_port_report.pdf", ("6조 원",)),
    Question("부산항의 항만 이용료는 얼마인가요?", "busan_port_report.pdf"),
    # museum_notice_scan.pdf (scan, English)
    Question("When does the Riverside Museum close for renovation?", "museum_notice_scan.pdf", ("3 March 2025",)),
    Question("Where does the ceramics collection move during the works?", "museum_notice_scan.pdf", ("East Gallery",)),
    Question("By how long are annual passes extended?", "museum_notice_scan.pdf", ("four months",)),
    Question("How much does a museum annual pass cost?", "museum_notice_scan.pdf"),
    # apartment_notice_scan.pdf (scan, Korean)
    Question("101동 승강기 운행은 언제부터 중지되나요?", "apartment_notice_scan.pdf", ("4월 7일",)),
    Question("관리사무소 문의 전화번호는 무엇인가요?", "apartment_notice_scan.pdf", ("031-555-0123",)),
    Question("승강기 교체 공사 비용은 얼마인가요?", "apartment_notice_scan.pdf"),
    # store_inventory.docx (English table)
    Question("What is the unit price of a Gadget?", "store_inventory.docx", ("8.75 USD",)),
    Question("How many Sprockets are in stock?", "store_inventory.docx", ("5,800",)),
    Question("Who supplies the Flange?", "store_inventory.docx", ("Hanul Metal",)),
    Question("What is the stock of Widget?", "store_inventory.docx", ("340",)),
    Question("What is the weight of a Sprocket?", "store_inventory.docx"),
    # regional_sales.docx (Korean table)
    Question("부산의 2023년 매출은 얼마인가요?", "regional_sales.docx", ("512억 원",)),
    Question("서울 지역의 직원 수는 몇 명인가요?", "regional_sales.docx", ("820명",)),
    Question("대구의 2022년 매출은 얼마였나요?", "regional_sales.docx", ("310억 원",)),
    Question("광주의 2023년 매출은 얼마인가요?", "regional_sales.docx", ("233억 원",)),
    Question("울산의 2023년 매출은 얼마인가요?", "regional_sales.docx"),
    # city_statistics.docx (Chinese table)
    Question("成都的常住人口是多少？", "city_statistics.docx", ("2140万人",)),
    Question("西安的面积是多少？", "city_statistics.docx", ("10108平方公里",)),
    Question("苏州的地区生产总值是多少？", "city_statistics.docx", ("2.5万亿元",)),
    Question("杭州的常住人口是多少？", "city_statistics.docx"),
    # jeju_ferry.md (English Markdown table)
    Question("When does the ferry from Mokpo to Jeju depart?", "jeju_ferry.md", ("07:30",)),
    Question("What is the adult fare from Wando to Jeju?", "jeju_ferry.md", ("31,500 won",)),
    Question("How long is the crossing from Wando to Jeju?", "jeju_ferry.md", ("2 hours 40 minutes",)),
    Question("How early must cars be at the pier?", "jeju_ferry.md", ("90 minutes",)),
    Question("What is the child fare from Mokpo to Jeju?", "jeju_ferry.md"),
    # tea_garden.md (Chinese Markdown)
    Question("龙井茶园的种植面积是多少？", "tea_garden.md", ("800亩",)),
    Question("龙井茶园的年产量是多少？", "tea_garden.md", ("12吨",)),
    Question("采茶体验活动的费用是多少？", "tea_garden.md", ("120元",)),
    Question("龙井茶园的门票价格是多少？", "tea_garden.md"),
    # onboarding_guide.md (Korean Markdown)
    Question("신입 사원은 첫날 몇 시까지 인사팀으로 가야 하나요?", "onboarding_guide.md", ("9시 30분",)),
    Question("사원증은 어디에서 발급하나요?", "onboarding_guide.md", ("인사팀",)),
    Question("점심은 몇 시부터 제공되나요?", "onboarding_guide.md", ("12시",)),
    Question("신입 사원의 연봉은 얼마인가요?", "onboarding_guide.md"),
    Question("회사 주차 요금은 얼마인가요?", "onboarding_guide.md"),
)

#: Questions over ../shared/bench/docs (real documents; MANIFEST.md describes them).
SHARED: tuple[Question, ...] = (
    Question("How many calories per portion do berries have?", "en_word_sample_table_image.docx", ("150",)),
    Question("What is the caption of Figure 1?", "en_word_sample_table_image.docx", ("cute duckling",)),
    Question("What is a male duck called?", "en_wikipedia_duck.html", ("drake",)),
    Question("Which family do ducks belong to?", "en_wikipedia_duck.html", ("Anatidae",)),
    Question("Why can't the text of the non-text-searchable PDF be selected?", "en_scanned_1p.pdf", ("created from an image", "image rather than a text")),
    Question("임베딩은 무엇인가요?", "ko_langchain_glossary.docx", ("벡터로 변환",)),
    Question("토크나이저는 무엇을 하는 도구인가요?", "ko_langchain_glossary.docx", ("토큰으로 분할",)),
    Question("CSV는 무엇의 약자인가요?", "ko_langchain_glossary.docx", ("Comma-Separated Values",)),
    Question("SQL은 무엇의 약자인가요?", "ko_langchain_glossary.docx", ("Structured Query Language",)),
    Question("「이슈와 논점」 제1695호의 발행일은 언제인가요?", "ko_nars_issue1695_covid_insurance.pdf", ("2020년 4월 2일",)),
    Question("2020년 3월 30일 기준 코로나-19 국내 확진자는 몇 명인가요?", "ko_nars_issue1695_covid_insurance.pdf", ("9,661명",)),
    # The paper gives the human scores twice: 68.8 / 83.9 in [표 3], 69.8 / 85.7 in its text.
    Question("KorQuAD 2.0에서 사람의 F1 점수는 얼마인가요?", "ko_korquad2_paper_2col.pdf", ("83.9", "85.7")),
    Question("KorQuAD 2.0에서 사람의 EM 점수는 얼마인가요?", "ko_korquad2_paper_2col.pdf", ("68.8", "69.8")),
    Question("파월 의장이 FOMC 기자간담회에서 CBDC에 대해 말한 날짜는 언제인가요?", "ko_bok_cbdc_fed_views_table.pdf", ("2021.4.28", "2021년 4월 28일")),
    Question("What is the nesting period of a duck's eggs?", "en_wikipedia_duck.html"),
    Question("How many calories does a portion of fish have?", "en_word_sample_table_image.docx"),
    Question("임베딩 모델의 가격은 얼마인가요?", "ko_langchain_glossary.docx"),
    Question("「이슈와 논점」 제1695호의 쪽수는 몇 쪽인가요?", "ko_nars_issue1695_covid_insurance.pdf"),
    Question("KorQuAD 2.0 데이터셋의 라이선스 비용은 얼마인가요?", "ko_korquad2_paper_2col.pdf"),
    Question("파월 의장의 임기는 언제 끝나나요?", "ko_bok_cbdc_fed_views_table.pdf"),
)
