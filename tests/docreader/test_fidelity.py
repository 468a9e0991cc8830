"""Golden tests for text fidelity: each defect class on a document the test generates."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from docreader.chunking import ChunkingConfig, chunk_text
from docreader.multimodal.ocr import TesseractOcr
from docreader.parsers import ko_spacing
from docreader.parsers.base import ParseOptions
from docreader.parsers.pdf_text import Line, reflow
from docreader.parsers.registry import parse_document

from . import fidelity_fixtures as fx

ROOT = Path(__file__).resolve().parents[2]


def pdf_text(data: bytes) -> str:
    return parse_document(data, "pdf", ParseOptions(name="t.pdf", ocr_engine="none")).text


def table_rows(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]


class TestTableCells:
    def test_decimals_signs_and_dates_stay_whole_in_reading_order(self) -> None:
        rows = table_rows(pdf_text(fx.decimal_table_pdf()))
        assert rows[0][:4] == ["모델", "EM", "F1", "기준일"]
        assert rows[2][:4] == ["Baseline", "30.8", "46.8", "2021.4.28일"]
        assert rows[3] == ["Human", "68.8", "-83.9", "2021.2.23.~2.24일", "Q3"]  # rotated text is kept


class TestParagraphReflow:
    @pytest.mark.parametrize("trailing_spaces", [True, False], ids=["line-end-spaces", "no-line-end-spaces"])
    def test_wrapped_korean_paragraph_is_one_line_with_split_words_joined(
        self, trailing_spaces: bool
    ) -> None:
        text = pdf_text(fx.wrapped_korean_pdf(trailing_spaces))
        assert fx.WRAPPED_TEXT in text.splitlines()
        assert "데이 터" not in text and "기 계가" not in text

    def test_line_end_spaces_decide_the_joins_without_the_spacing_model(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def no_model(tail: str, head: str) -> bool:
            raise AssertionError("the layout signal should have decided")

        monkeypatch.setattr(ko_spacing, "joins_as_one_word", no_model)
        assert fx.WRAPPED_TEXT in pdf_text(fx.wrapped_korean_pdf(trailing_spaces=True)).splitlines()

    def test_english_hyphenation_is_undone_and_list_items_stay_apart(self) -> None:
        lines = [
            Line(50, 100, 300, 110, "The parser keeps every charac-"),
            Line(50, 112, 300, 122, "ter of the table cells and the"),
            Line(50, 124, 120, 134, "paragraphs."),
            Line(50, 136, 300, 146, "• first item of the list that wraps onto"),
            Line(60, 148, 200, 158, "a second line"),
            Line(50, 160, 200, 170, "• second item"),
        ]
        assert reflow(lines, signal=False).splitlines() == [
            "The parser keeps every character of the table cells and the paragraphs.",
            "• first item of the list that wraps onto a second line",
            "• second item",
        ]

    def test_a_sentence_end_wrapped_onto_the_next_line_is_joined(self) -> None:
        lines = [
            Line(50, 100, 300, 110, "태스크의 목적과 방향성에 대해 인지할 수 있도록 하였"),
            Line(50, 112, 300, 122, "다. 추가적인 데이터 제작으로 기존 데이터를 보완하였"),
            Line(50, 124, 120, 134, "다."),
        ]
        assert reflow(lines, signal=True).splitlines() == [
            "태스크의 목적과 방향성에 대해 인지할 수 있도록 하였다. 추가적인 데이터 제작으로 기존 데이터를 보완하였다."
        ]

    def test_a_short_line_ends_its_paragraph(self) -> None:
        lines = [
            Line(50, 100, 300, 110, "A full line of text that reaches the right"),
            Line(50, 112, 140, 122, "margin ends."),
            Line(50, 124, 300, 134, "Next paragraph starts here and runs on to"),
        ]
        assert reflow(lines, signal=False).splitlines()[1] == "Next paragraph starts here and runs on to"


class TestLostSpaces:
    def test_visible_gaps_become_spaces(self) -> None:
        text = pdf_text(fx.spaceless_korean_pdf(gaps=True))
        assert " ".join(fx.SPACELESS_WORDS) in text

    def test_the_spacing_model_restores_spaces_without_losing_characters(self) -> None:
        text = pdf_text(fx.spaceless_korean_pdf(gaps=False)).strip()
        assert text.replace(" ", "") == "".join(fx.SPACELESS_WORDS)
        assert not ko_spacing.lost_spaces(text)
        assert "시장 예상치를" in text

    def test_normal_korean_text_is_not_respaced(self) -> None:
        assert not ko_spacing.lost_spaces(fx.WRAPPED_TEXT)
        assert ko_spacing.lost_spaces("비농업부문취업자수는전월대비23.5만명증가하여시장예상치를하회")


class TestOcrPreprocessing:
    def test_a_skewed_noisy_small_scan_of_korean_is_read(self) -> None:
        text = TesseractOcr("kor+eng").recognize(fx.skewed_noisy_scan())
        assert "평양" in text
        assert "서울특별시" in text


class TestUnderAMemoryLimit:
    def test_spacing_model_and_ocr_fit_in_a_parser_process_address_space(self, tmp_path: Path) -> None:
        """Parser processes run under RLIMIT_AS: Kiwi and OpenCV must not reserve it away."""
        (tmp_path / "spaceless.pdf").write_bytes(fx.spaceless_korean_pdf(gaps=False))
        (tmp_path / "scan.jpg").write_bytes(fx.skewed_noisy_scan())
        script = f"""
import resource
resource.setrlimit(resource.RLIMIT_AS, (1024 << 20, 1024 << 20))
from docreader.parsers.base import ParseOptions
from docreader.parsers.registry import parse_document, warm_up
warm_up()
text = parse_document(open({str(tmp_path / "spaceless.pdf")!r}, "rb").read(), "pdf", ParseOptions()).text
assert "시장 예상치를" in text, text
from docreader.multimodal.ocr import TesseractOcr
print(TesseractOcr("kor+eng").recognize(open({str(tmp_path / "scan.jpg")!r}, "rb").read()))
"""
        result = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", script],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            check=False,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        assert "서울특별시" in result.stdout


class TestOffsets:
    def test_chunks_of_reflowed_text_map_back_to_the_stream(self) -> None:
        stream = "\n\n".join(
            pdf_text(data)
            for data in (fx.decimal_table_pdf(), fx.wrapped_korean_pdf(), fx.spaceless_korean_pdf(gaps=True))
        )
        chunks = chunk_text(stream, ChunkingConfig(chunk_size=60, chunk_overlap=10))
        assert len(chunks) > 2
        for chunk in chunks:
            assert chunk.content == chunk.prefix + stream[chunk.start : chunk.end]
        assert any(re.search(r"\b68\.8\b", chunk.content) for chunk in chunks)
