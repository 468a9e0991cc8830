"""Content limits: a small file that expands (cells, rows, merged ranges, elements, text) is refused
while it is read, with a TooLarge error naming the limit; files that only declare a huge size are read
by what they hold."""

from __future__ import annotations

import struct

import pytest

from docreader.parsers.base import ParseOptions
from docreader.parsers.registry import detect_format, parse_document
from jisik.errors import TooLarge
from jisik.settings import DocreaderSettings
from tests import hostile_files as hostile

from . import fixtures as fx
from . import xls_fixtures as xls


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

    def test_merged_ranges_stacked_over_the_same_cells_count_every_cell_they_cover(self) -> None:
        # 1,000 cells under 2,000 copies of one merged range: two million visits to repeat a value
        rows = b"".join(b'<row r="%d">' % row + b"".join(b'<c r="%s%d"><v>1</v></c>' % (_column(col).encode(), row)
                                                        for col in range(1, 11)) + b"</row>"
                        for row in range(1, 101))
        merges = b'<mergeCells count="2000">' + b'<mergeCell ref="A1:J100"/>' * 2000 + b"</mergeCells>"
        with pytest.raises(TooLarge, match="stacked.xlsx: .* 50,000 spreadsheet cells under merged ranges"):
            parse(hostile.xlsx(rows, tail=merges), "stacked.xlsx", max_cells=50_000)

    def test_a_dense_table_from_few_cells_counts_its_blanks(self) -> None:
        # 300 cells on a diagonal render as a 300 x 300 table: 90,000 cells, over a 10,000 limit
        diagonal = b"".join(
            b'<row r="%d"><c r="%s%d"><v>1</v></c></row>' % (n, _column(n).encode(), n) for n in range(1, 301)
        )
        with pytest.raises(TooLarge, match="spreadsheet cells in tables"):
            parse(hostile.xlsx(diagonal), "diagonal.xlsx", max_cells=10_000)


class TestOldExcel:
    """.xls (BIFF8) files: the same limits, counted from the record headers before xlrd loads anything."""

    def test_cells_are_read_with_their_text_and_numbers(self) -> None:
        data = xls.workbook([xls.Sheet("매출", [xls.label(0, 0, 0), xls.label(0, 1, 1), xls.number(1, 0, 3.5),
                                                xls.mulrk(1, 1, [120])])], ["지역", "금액"])
        assert parse(data, "sales.xls") == ["## 매출\n\n| 지역 | 금액 |\n|---|---|\n| 3.5 | 120 |"]

    def test_a_merged_value_repeats_in_the_covered_cells_of_rows_with_data(self) -> None:
        # 서울 merged over A2:A3, as in the XLSX fixture: row 3 reads on its own
        records = [xls.label(0, 0, 0), xls.label(0, 1, 1), xls.label(1, 0, 2), xls.label(1, 1, 3),
                   xls.label(2, 1, 4), *xls.merged([(1, 2, 0, 0)])]
        data = xls.workbook([xls.Sheet("S", records)], ["지역", "분기", "서울", "Q1", "Q2"])
        assert "| 서울 | Q2 |" in parse(data, "merged.xls")[0]

    def test_the_declared_grid_and_a_sheet_wide_merge_are_not_read(self) -> None:
        assert parse(xls.sheet_wide_merge_xls(), "merge.xls") == ["## Sheet1\n\nmerged over everything"]
        assert parse(xls.far_corner_cell_xls(), "corner.xls") == ["## Sheet1\n\ntop left\n\nbottom right"]

    def test_rows_up_to_a_far_cell_count_against_the_row_limit(self) -> None:
        # each sheet reaches row 65536: sixteen of them are over a million rows before any is loaded
        corner = [xls.label(0, 0, 0), xls.label(xls.LAST_ROW, xls.LAST_COLUMN, 0)]
        data = xls.workbook([xls.Sheet(f"S{n}", corner) for n in range(16)], ["x"])
        with pytest.raises(TooLarge, match="corners.xls: too large to read: more than 1,000,000 spreadsheet rows"):
            parse(data, "corners.xls")

    @pytest.mark.parametrize(
        ("data", "limits", "message"),
        [
            (lambda: xls.many_cells_xls(400, 256), {"max_cells": 100_000}, "100,000 spreadsheet cells"),
            (lambda: xls.many_cells_xls(2000, 1, sheets=3), {"max_rows": 5000}, "5,000 spreadsheet rows"),
            (lambda: xls.many_merged_ranges_xls(120_000), {}, "100,000 merged cell ranges"),
            (lambda: xls.many_shared_strings_xls(50_000), {"max_cells": 10_000}, "10,000 shared strings"),
            (lambda: xls.many_shared_strings_xls(5_000), {"max_text_chars": 20_000}, "20,000 characters of text"),
        ],
        ids=["cells", "rows", "merged-ranges", "shared-strings", "text"],
    )
    def test_over_a_limit_is_too_large_naming_it(self, data: object, limits: dict[str, int], message: str) -> None:
        setting = "JISIK_DOCREADER_" + (next(iter(limits)) if limits else "max_merged_ranges").upper()
        with pytest.raises(TooLarge, match=rf"hostile.xls: too large to read: more than {message}.*{setting}"):
            parse(data(), "hostile.xls", **limits)  # type: ignore[operator]  # data is a parametrized factory, typed object by the test signature

    def test_a_string_continued_across_records_counts_every_character(self) -> None:
        table = xls.continued_shared_strings("abcd", "가나다라마바")
        data = xls.workbook([xls.Sheet("S", [xls.label(0, 0, 0)])], shared_table=table)
        assert parse(data, "continued.xls") == ["## S\n\nabcd가나다라마바"]
        with pytest.raises(TooLarge, match="more than 9 characters"):
            parse(data, "continued.xls", max_text_chars=9)

    def test_rich_text_runs_between_shared_strings_are_stepped_over(self) -> None:
        # "abc" with two formatting runs (8 bytes after its characters), then "de"
        table = xls.record(0x00FC, struct.pack("<IIHBH", 2, 2, 3, 0x08, 2) + b"abc" + bytes(8)
                           + struct.pack("<HB", 2, 0) + b"de")
        data = xls.workbook([xls.Sheet("S", [xls.label(0, 0, 0), xls.label(0, 1, 1)])], shared_table=table)
        assert parse(data, "rich.xls") == ["## S\n\n| abc | de |\n|---|---|"]
        with pytest.raises(TooLarge, match="more than 4 characters"):
            parse(data, "rich.xls", max_text_chars=4)

    def test_a_workbook_whose_directory_lies_past_the_first_megabyte_is_found(self) -> None:
        rows = [xls.mulrk(row, 0, [row] * 200) for row in range(1200)]
        data = xls.workbook([xls.Sheet("S", rows)], directory_last=True)
        assert len(data) > 1 << 20 and detect_format(data, "big.xls") == "xls"


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
