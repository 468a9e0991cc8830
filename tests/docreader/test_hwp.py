"""HWP 5 and HWPX: ordered text with tables as tables, through detection, the upload check and the
docreader service; bad files fail with typed errors."""

from __future__ import annotations

import struct

import pytest

from docreader.parsers.base import ParseOptions
from docreader.parsers.registry import declared_format, detect_format, parse_document
from ingest.formats import detect_file_type
from jisik.errors import ParseFailed, TooLarge, UnsupportedFormat
from jisik.proto import docreader_pb2 as pb
from jisik.proto import docreader_pb2_grpc as pb_grpc

from . import hwp_fixtures as hx
from .test_server import channel, server, settings, stub  # noqa: F401 - the gRPC server fixtures

CELLS = [
    ("구분", 0, 0, 1, 1),
    ("2023", 0, 1, 1, 1),
    ("2024", 0, 2, 1, 1),
    ("매출", 1, 0, 1, 1),
    ("68.8", 1, 1, 1, 1),
    ("-83.9", 1, 2, 1, 1),
    ("합계는\n다음 해에", 2, 0, 1, 3),
]
TABLE = [
    "| 구분 | 2023 | 2024 |",
    "|---|---|---|",
    "| 매출 | 68.8 | -83.9 |",
    "| 합계는<br>다음 해에 |  |  |",
]


def hwp(compressed: bool = True, flags: int = 0) -> bytes:
    first = (
        hx.paragraph("한글 문서의 첫 문단입니다.")
        + hx.table_paragraph("[표 1] 실적", CELLS, rows=3, cols=3)
        + hx.paragraph("표 다음\t문단.")
    )
    return hx.hwp_document([first, hx.paragraph("둘째 구역의 문단.")], compressed=compressed, flags=flags)


def hwpx() -> bytes:
    first = (
        hx.hwpx_paragraph("한글 문서의 첫 문단입니다.")
        + hx.hwpx_table(CELLS, rows=3, cols=3, before="[표 1] 실적")
        + hx.hwpx_paragraph("표 다음 문단.")
    )
    return hx.hwpx_document([first, hx.hwpx_paragraph("둘째 구역의 문단.")])


def parse(data: bytes, name: str, **options: object) -> str:
    fmt = detect_format(data, name)
    return parse_document(data, fmt, ParseOptions(name=name, **options)).text  # type: ignore[arg-type]  # **options forwards the ParseOptions fields each test picks


def assert_ordered_with_table(text: str) -> None:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[0] == "한글 문서의 첫 문단입니다."
    assert lines[1] == "[표 1] 실적"
    assert lines[2:6] == TABLE
    assert lines[6].replace("\t", " ") == "표 다음 문단."
    assert lines[7] == "둘째 구역의 문단."


class TestHwp:
    @pytest.mark.parametrize("compressed", [True, False], ids=["compressed", "stored"])
    def test_paragraphs_in_order_and_tables_as_tables(self, compressed: bool) -> None:
        assert_ordered_with_table(parse(hwp(compressed), "보고서.hwp"))

    def test_captions_footnotes_and_text_boxes_are_kept_headers_left_out(self) -> None:
        section = (
            hx.note_paragraph("", b"head", ["쪽마다 반복되는 머리말"])
            + hx.note_paragraph("본문 문장", b"fn  ", ["각주: 출처는 한국은행이다."], after="이 이어진다.")
            + hx.table_paragraph("", CELLS, rows=3, cols=3, caption="[표 2] 부문별 실적")
            + hx.note_paragraph("", b"gso ", ["글상자 안의 문장"])
        )
        lines = [line for line in parse(hx.hwp_document([section]), "notes.hwp").splitlines() if line.strip()]
        assert lines[0] == "본문 문장이 이어진다."
        assert lines[1] == "각주: 출처는 한국은행이다."
        assert lines[2] == "[표 2] 부문별 실적"
        assert lines[3:7] == TABLE
        assert lines[7] == "글상자 안의 문장"
        assert not any("머리말" in line for line in lines)

    def test_detected_by_content_whatever_the_name(self) -> None:
        assert detect_format(hwp(), "renamed.bin") == "hwp"
        assert declared_format("", "application/x-hwp") == "hwp"

    @pytest.mark.parametrize(
        ("flags", "message"), [(0x2, "password"), (0x4, "distribution")], ids=["password", "distribution"]
    )
    def test_protected_documents_fail_clearly(self, flags: int, message: str) -> None:
        with pytest.raises(ParseFailed, match=message):
            parse(hwp(flags=flags), "locked.hwp")

    def test_damaged_section_fails_clearly(self) -> None:
        data = hx.compound_file(
            {
                "FileHeader": struct.pack("<32sII", b"HWP Document File", 0x05000300, 1).ljust(256, b"\0"),
                "BodyText/Section0": b"\xff\xfe not deflate data",
            }
        )
        with pytest.raises(ParseFailed, match="damaged"):
            parse(data, "broken.hwp")

    def test_decompression_is_bounded(self) -> None:
        big = hx.hwp_document([hx.paragraph("가" * 20_000)])
        with pytest.raises(TooLarge):
            parse(big, "bomb.hwp", max_unzipped_bytes=4096)


class TestHwpx:
    def test_paragraphs_in_order_and_tables_as_tables(self) -> None:
        assert_ordered_with_table(parse(hwpx(), "보고서.hwpx"))

    def test_detected_by_content(self) -> None:
        assert detect_format(hwpx(), "renamed.zip") == "hwpx"
        assert declared_format("", "application/hwp+zip") == "hwpx"

    def test_element_count_is_bounded_before_the_section_is_loaded(self) -> None:
        data = hx.hwpx_document([hx.hwpx_paragraph("가") * 2000])
        with pytest.raises(TooLarge):
            parse(data, "many.hwpx", max_xml_elements=1000)

    def test_damaged_section_fails_clearly(self) -> None:
        data = hx.hwpx_document(["<hp:p><hp:run><hp:t>unclosed"])
        with pytest.raises(ParseFailed, match="broken.hwpx"):
            parse(data, "broken.hwpx")


class TestUploadCheck:
    def test_hwp_and_hwpx_uploads_are_accepted_by_content(self) -> None:
        assert detect_file_type("보고서.hwp", hwp()) == "hwp"
        assert detect_file_type("보고서.hwpx", hwpx()) == "hwpx"
        with pytest.raises(UnsupportedFormat):
            detect_file_type("fake.hwp", b"plain text pretending")


class TestService:
    async def test_hwp_is_read_into_chunks_through_grpc(self, stub: pb_grpc.DocReaderStub) -> None:  # noqa: F811
        response = await stub.ReadFromFile(
            pb.ReadFromFileRequest(file_content=hwp(), file_name="보고서.hwp", file_type="hwp")
        )
        text = "\n".join(chunk.content for chunk in response.chunks)
        assert "| 매출 | 68.8 | -83.9 |" in text
        assert text.index("첫 문단") < text.index("| 매출") < text.index("둘째 구역")
