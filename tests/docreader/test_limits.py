"""Content limits: a small file that expands (cells, rows, merged ranges, elements, text) is refused
while it is read, with a TooLarge error naming the limit; files that only declare a huge size are read
by what they hold."""

from __future__ import annotations

import pytest

from docreader.parsers.base import ParseOptions
from docreader.parsers.registry import detect_format, parse_document
from jisik.errors import TooLarge
from jisik.settings import DocreaderSettings
from tests import hostile_files as hostile

from . import fixtures as fx


def parse(data: bytes, name: str, **limits: int) -> list[str]:
    return parse_document(data, detect_format(data, name), ParseOptions(name=name, **limits)).pages  # type: ignore[arg-type]  # **limits forwards the ParseOptions limit fields each case sets


class TestDeclaredSizeIsNotRead:
    def test_a_merged_range_over_the_whole_sheet_is_one_value(self) -> None:
        data = hostile.sheet_wide_merge_xlsx()
        assert len(data) < 2000
        assert parse(data, "merge.xlsx") == ["## Sheet1\n\nmerged over everything"]

    def test_cells_at_both_ends_of_the_grid_are_two_values(self) -> None:
        data = hostile.far_apart_cells_xlsx()
        assert len(data) < 2000
        assert parse(data, "corners.xlsx") == ["## Sheet1\n\ntop left\n\nbottom right"]

    def test_merged_values_fill_only_rows_and_columns_with_cells(self) -> None:
        # fx.xlsx_document merges A2:A3 ("서울"): the value repeats in A3, as in a dense reading
        pages = parse(fx.xlsx_document(), "sales.xlsx")
        assert "| 서울 | Q2 | 120 |" in pages[0]


class TestLimitsWhileReading:
    @pytest.mark.parametrize(
        ("data", "name", "limits", "message"),
        [
            (lambda: hostile.many_cells_xlsx(200), "cells.xlsx", {"max_cells": 1000}, "1,000 spreadsheet cells"),
            (lambda: hostile.many_cells_xlsx(200), "rows.xlsx", {"max_rows": 100}, "100 spreadsheet rows"),
            (
                lambda: hostile.many_merged_ranges_xlsx(50),
                "merges.xlsx",
                {"max_merged_ranges": 10},
                "10 merged cell ranges",
            ),
            (
                lambda: hostile.docx_paragraph_flood(megabytes=6),
                "flood.docx",
                {"max_xml_elements": 100_000},
                "100,000 XML elements",
            ),
            (lambda: hostile.html_element_flood(5000), "flood.html", {"max_html_elements": 1000}, "1,000 HTML"),
            (lambda: fx.docx_document(), "text.docx", {"max_text_chars": 20}, "20 characters of text"),
            (lambda: b"a,b\n" * 500, "rows.csv", {"max_rows": 100}, "100 spreadsheet rows"),
        ],
        ids=["cells", "rows", "merged-ranges", "xml-elements", "html-elements", "text", "csv-rows"],
    )
    def test_over_a_limit_is_too_large_naming_it(
        self, data: object, name: str, limits: dict[str, int], message: str
    ) -> None:
        setting = "JISIK_DOCREADER_" + next(iter(limits)).upper()
        with pytest.raises(TooLarge, match=rf"{name}: too large to read: more than {message}.*{setting}"):
            parse(data(), name, **limits)  # type: ignore[operator]  # data is a parametrized factory, typed object by the test signature

    def test_a_dense_table_from_few_cells_counts_its_blanks(self) -> None:
        # 300 cells on a diagonal render as a 300 x 300 table: 90,000 cells, over a 10,000 limit
        diagonal = b"".join(
            b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (n, _column(n).encode(), n) for n in range(1, 301)
        )
        with pytest.raises(TooLarge, match="spreadsheet cells in tables"):
            parse(hostile.xlsx(diagonal), "diagonal.xlsx", max_cells=10_000)


def _column(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def test_settings_defaults_match_the_parse_options() -> None:
    settings, options = DocreaderSettings(), ParseOptions()
    for limit in ("max_cells", "max_rows", "max_merged_ranges", "max_xml_elements", "max_html_elements"):
        assert getattr(settings, limit) == getattr(options, limit), limit
    assert settings.max_text_chars == options.max_text_chars
