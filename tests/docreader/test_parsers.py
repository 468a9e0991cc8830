"""Golden-structure tests of every parser on generated fixtures, plus sniffing and limits."""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest

from docreader.parsers.base import ParseOptions, markdown_table
from docreader.parsers.registry import detect_format, parse_document
from docreader.parsers.text import decode_text
from jisik.errors import ParseFailed, TooLarge, UnsupportedFormat

from . import fixtures as fx

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
OPTIONS = ParseOptions(name="fixture")


def parse(data: bytes, name: str, **options: object) -> tuple[str, list[str]]:
    fmt = detect_format(data, name)
    doc = parse_document(data, fmt, ParseOptions(name=name, **options))  # type: ignore[arg-type]  # **options forwards the ParseOptions fields each test picks
    return fmt, doc.pages


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|") and not re.match(r"^\|\s*:?-{2,}", line)
    ]


class TestPdf:
    def test_text_table_image_and_order(self) -> None:
        fmt, pages = parse(fx.pdf_document(), "report.pdf")
        assert fmt == "pdf" and len(pages) == 2
        first = pages[0]
        assert fx.KO in first and "Quarterly revenue" in first
        rows = table_rows(first)
        assert (
            ["구분", "2023", "2024"] in rows
            and ["매출", "120", "150"] in rows
            and ["이익", "30", "45"] in rows
        )
        image = re.search(r"!\[[^\]]*\]\((images/[0-9a-f]{64}\.png)\)", first)
        assert image is not None
        assert first.index("구분") < image.start() < first.index("After the picture")

    def test_two_columns_read_left_then_right(self) -> None:
        _, pages = parse(fx.pdf_document(), "report.pdf")
        second = pages[1]
        positions = [second.index(f"L{i:02d}") for i in range(12)] + [
            second.index(f"R{i:02d}") for i in range(12)
        ]
        assert positions == sorted(positions)
        assert fx.ZH in second

    def test_aligned_numeric_table_becomes_markdown(self) -> None:
        _, pages = parse(fx.pdf_document(), "report.pdf")
        rows = table_rows(pages[1])
        assert ["Item", "Q1", "Q2", "Q3"] in rows and ["Rides", "1,200", "1,350", "1,410"] in rows

    def test_encrypted_pdf_fails_clearly(self) -> None:
        with pytest.raises(ParseFailed, match="locked.pdf.*password"):
            parse(fx.encrypted_pdf(), "locked.pdf")

    def test_page_limit(self) -> None:
        with pytest.raises(TooLarge, match="2 pages"):
            parse(fx.pdf_document(), "report.pdf", max_pages=1)

    def test_truncated_pdf_fails_with_name(self) -> None:
        data = fx.pdf_document()[:200]
        with pytest.raises(ParseFailed, match="broken.pdf"):
            parse(data, "broken.pdf")

    @needs_tesseract
    def test_scanned_page_is_ocred(self) -> None:
        _, pages = parse(fx.scanned_pdf(), "scan.pdf", ocr_languages="eng")
        assert "Invoice" in pages[0] and "4711" in pages[0]

    def test_scanned_page_without_ocr_is_reported(self) -> None:
        doc = parse_document(fx.scanned_pdf(), "pdf", ParseOptions(name="scan.pdf", ocr_engine="none"))
        assert doc.pages == [""] and any("OCR is disabled" in w for w in doc.warnings)


class TestDocx:
    def test_headings_lists_tables_images_in_order(self) -> None:
        fmt, pages = parse(fx.docx_document(), "note.docx")
        text = pages[0]
        assert fmt == "docx"
        assert text.startswith("# 개요 Overview")
        assert "- 첫째 항목\n- 둘째 항목" in text
        assert "## 表格" in text
        rows = table_rows(text)
        assert rows[0] == ["지역", "상반기", "하반기"] and rows[1] == ["서울", "10", "12"]
        assert rows[2][:2] == ["부산", "합계 16"]
        image = re.search(r"!\[image\]\(images/[0-9a-f]{64}\.png\)", text)
        assert image is not None and text.index(fx.ZH) < image.start() < text.index("그림 뒤")


class TestSpreadsheets:
    def test_xlsx_sheets_are_pages_with_tables(self) -> None:
        fmt, pages = parse(fx.xlsx_document(), "sales.xlsx")
        assert fmt == "xlsx" and len(pages) == 2
        assert pages[0].startswith("## 매출")
        rows = table_rows(pages[0])
        assert rows == [
            ["지역", "분기", "금액"],
            ["서울", "Q1", "100"],
            ["서울", "Q2", "120"],
            ["北京", "Q1", "80"],
        ]
        assert table_rows(pages[1]) == [["Key", "Value"], ["owner", "Kim"]]

    def test_csv_in_cp949(self) -> None:
        data = "이름,점수\n김철수,90\n이영희,85\n".encode("cp949")
        fmt, pages = parse(data, "scores.csv")
        assert fmt == "csv"
        assert table_rows(pages[0]) == [["이름", "점수"], ["김철수", "90"], ["이영희", "85"]]

    def test_markdown_table_escapes_and_pads(self) -> None:
        table = markdown_table([["a", "b|c"], ["1"], ["x\ny", None]])
        assert table.splitlines() == ["| a | b\\|c |", "|---|---|", "| 1 |  |", "| x<br>y |  |"]


class TestPageLimits:
    def test_slides_and_sheets_count_as_pages(self) -> None:
        with pytest.raises(TooLarge, match="deck.pptx: 2 pages"):
            parse(fx.pptx_document(), "deck.pptx", max_pages=1)
        with pytest.raises(TooLarge, match="sales.xlsx: 2 pages"):
            parse(fx.xlsx_document(), "sales.xlsx", max_pages=1)


class TestPptx:
    def test_slides_in_order_with_table_and_picture(self) -> None:
        fmt, pages = parse(fx.pptx_document(), "deck.pptx")
        assert fmt == "pptx" and len(pages) == 2
        assert pages[0].startswith("## 첫 슬라이드") and fx.KO in pages[0]
        assert ["항목", "값"] in table_rows(pages[1]) and ["문서", "350"] in table_rows(pages[1])
        assert re.search(r"!\[[^\]]*\]\(images/[0-9a-f]{64}\.png\)", pages[1])


class TestHtml:
    def test_main_content_as_markdown_without_boilerplate(self) -> None:
        fmt, pages = parse(fx.HTML.encode(), "page.html")
        text = pages[0]
        assert fmt == "html"
        assert "# 지식 안내 Knowledge guide" in text and "## 목록" in text
        assert "- 첫째 " + fx.ZH in text
        assert [["이름", "값"], ["가", "1"], ["나", "2"]] == table_rows(text)
        assert "[docs link](https://example.com/docs)" in text
        for junk in ("Home", "Login menu", "Site banner", "cookies", "Copyright", "tracking", "color: red"):
            assert junk not in text


class TestText:
    @pytest.mark.parametrize("encoding", ["utf-8", "cp949", "euc-kr", "gb18030", "big5", "utf-16"])
    def test_encodings_detected(self, encoding: str) -> None:
        sample = {
            "big5": "繁體中文的知識庫文件，內容很多。",
            "gb18030": "知识库文件的内容很多，中文测试。",
        }.get(encoding, "한국어 문서입니다. 지식 그래프와 검색을 설명합니다.")
        assert decode_text(sample.encode(encoding)) == sample

    def test_markdown_keeps_structure(self) -> None:
        fmt, pages = parse("# 제목\n\n| a | b |\n|---|---|\n| 1 | 2 |\n".encode(), "doc.md")
        assert fmt == "md" and pages[0].startswith("# 제목")


class TestImages:
    @needs_tesseract
    @pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "TIFF", "BMP", "GIF"])
    def test_image_ocr_text_follows_placeholder(self, fmt: str) -> None:
        data = fx.text_image(["Hello OCR 2024"], fmt=fmt)
        kind, pages = parse(data, f"scan.{fmt.lower()}", ocr_languages="eng")
        assert kind == "image"
        assert re.match(r"!\[[^\]]*\]\(images/[0-9a-f]{64}\.\w+\)", pages[0])
        assert "OCR" in pages[0] and "2024" in pages[0]

    def test_corrupt_image_fails_clearly(self) -> None:
        with pytest.raises(ParseFailed, match="bad.png"):
            parse(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "bad.png")


class TestSniffing:
    def test_content_wins_over_extension(self) -> None:
        assert detect_format(fx.docx_document(), "renamed.pdf") == "docx"
        assert detect_format(fx.pdf_document(), "renamed.docx") == "pdf"
        assert detect_format(fx.HTML.encode(), "page.txt") == "html"

    def test_legacy_doc_renamed_docx_fails_clearly(self) -> None:
        fake_doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + "WordDocument".encode("utf-16-le")
        with pytest.raises(UnsupportedFormat, match="old.docx.*legacy Word"):
            detect_format(fake_doc, "old.docx")

    def test_text_declared_as_pdf_fails_clearly(self) -> None:
        with pytest.raises(ParseFailed, match="fake.pdf.*not a valid pdf"):
            detect_format(b"just some text", "fake.pdf")

    def test_unknown_binary_is_unsupported(self) -> None:
        with pytest.raises(UnsupportedFormat):
            detect_format(b"\x00\x01\x02binary" * 100, "blob.bin")

    def test_zip_that_is_not_office(self) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("hello.txt", "hi")
        with pytest.raises(UnsupportedFormat, match="not a DOCX"):
            detect_format(out.getvalue(), "archive.docx")

    def test_zip_bomb_refused(self) -> None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("word/document.xml", b"<w/>")
            archive.writestr("word/media/huge.bin", b"\x00" * (8 << 20))
        with pytest.raises(TooLarge, match="bomb.docx.*decompresses"):
            parse(out.getvalue(), "bomb.docx", max_unzipped_bytes=1 << 20)

    def test_damaged_docx_fails_with_name(self) -> None:
        data = fx.docx_document()
        broken = data[:2000] + b"\x00" * 100
        with pytest.raises(ParseFailed, match="broken.docx"):
            parse(broken, "broken.docx")
