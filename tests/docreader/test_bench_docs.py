"""Integration over the real documents in ../shared/bench/docs (skipped when the folder is absent).

A sample of files, parsed in-process; the 238-page 10-K is covered by bench/docreader.py.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from docreader.chunking import ChunkingConfig, chunk_text
from docreader.parsers.base import ParseOptions
from docreader.parsers.registry import detect_format, parse_document

pytestmark = pytest.mark.integration


def parse(folder: Path, name: str, **options: object):
    data = (folder / name).read_bytes()
    fmt = detect_format(data, name)
    return fmt, parse_document(data, fmt, ParseOptions(name=name, extract_images=False, **options))  # type: ignore[arg-type]  # **options forwards the ParseOptions fields each test picks


def tables_intact(text: str, size: int = 512) -> None:
    """Every chunk's table lines are whole rows; table pieces always carry a header separator."""
    for chunk in chunk_text(text, ChunkingConfig(chunk_size=size, chunk_overlap=50)):
        lines = chunk.content.splitlines()
        for index, line in enumerate(lines):
            if (
                line.startswith("|")
                and index + 1 < len(lines)
                and re.match(r"^\|\s*:?-{2,}", lines[index + 1])
            ):
                assert line.rstrip().endswith("|")


class TestRealDocuments:
    def test_korean_two_column_paper(self, bench_docs: Path) -> None:
        fmt, doc = parse(bench_docs, "ko_korquad2_paper_2col.pdf")
        assert fmt == "pdf" and len(doc.pages) == 6
        assert "KorQuAD 2.0" in doc.pages[0] and "|---" in doc.text
        assert re.search(r"!\[image p\d+\]\(images/[0-9a-f]{64}\.\w+\)", doc.text)
        tables_intact(doc.text)

    def test_korean_report_bordered_table(self, bench_docs: Path) -> None:
        _, doc = parse(bench_docs, "ko_bok_cbdc_fed_views_table.pdf")
        table = [line for line in doc.pages[0].splitlines() if line.startswith("|")]
        assert table[0].replace(" ", "") == "|구분|주요내용|" and len(table) >= 4

    def test_docx_with_merged_tables(self, bench_docs: Path) -> None:
        _, doc = parse(bench_docs, "en_word_tables_merged_cells.docx")
        assert len(re.findall(r"^\|(?:---\|)+$", doc.text, re.MULTILINE)) == 7
        tables_intact(doc.text, size=200)

    def test_cp949_text(self, bench_docs: Path) -> None:
        fmt, doc = parse(bench_docs, "ko_keywords_cp949.txt")
        assert fmt == "txt" and "의미론적 검색" in doc.text

    def test_wikipedia_main_content(self, bench_docs: Path) -> None:
        fmt, doc = parse(bench_docs, "en_wikipedia_duck.html")
        assert fmt == "html" and doc.title.startswith("Duck")
        assert "## Etymology" in doc.text and "Jump to content" not in doc.text

    def test_spreadsheets_and_slides(self, bench_docs: Path) -> None:
        _, workbook = parse(bench_docs, "mineru_xlsx_multisheet_merged.xlsx")
        assert len(workbook.pages) == 4 and all(page.startswith("## ") for page in workbook.pages)
        _, slides = parse(bench_docs, "ko_langchain_slides.pptx")
        assert slides.pages[0].startswith("## 랭체인 한국어 튜토리얼")
        _, big = parse(bench_docs, "en_financial_sample_700rows.xlsx")
        chunks = chunk_text(big.text, ChunkingConfig())
        assert all(c.content.lstrip().startswith(("## Sheet1", "| Segment")) for c in chunks)
        assert sum(c.content.count("\n| Government") for c in chunks) == big.text.count("\n| Government")

    @pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
    def test_scanned_pdf_is_ocred(self, bench_docs: Path) -> None:
        _, doc = parse(bench_docs, "en_scanned_1p.pdf", ocr_languages="eng")
        assert "non-text-searchable" in doc.text.lower().replace("- ", "-")
