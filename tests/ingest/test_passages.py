"""The text a chunk is embedded as."""

from __future__ import annotations

from jisik.passages import passage_text


class TestPassageText:
    def test_title_comes_first_on_its_own_line(self) -> None:
        assert passage_text("뉘르부르크링", "총 길이는 28.3km였다.") == "뉘르부르크링\n총 길이는 28.3km였다."

    def test_title_whitespace_is_collapsed_and_an_empty_title_adds_nothing(self) -> None:
        assert passage_text("  Annual\n report ", "Revenue grew.") == "Annual report\nRevenue grew."
        assert passage_text(" \n", "Revenue grew.") == "Revenue grew."
