from __future__ import annotations

import pytest

from ingest.formats import detect_file_type
from ingest.keys import chunk_id, safe_file_name
from jisik.errors import UnsupportedFormat


class TestDetectFileType:
    def test_known_types_by_extension_and_magic(self) -> None:
        assert detect_file_type("Report.PDF", b"%PDF-1.7\n...") == "pdf"
        assert detect_file_type("a.docx", b"PK\x03\x04rest") == "docx"
        assert detect_file_type("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...") == "docx"
        assert detect_file_type("notes.md", "# 제목\n본문".encode()) == "md"

    @pytest.mark.parametrize("name", ["virus.exe", "archive.tar.gz", "noext"])
    def test_unknown_extension(self, name: str) -> None:
        with pytest.raises(UnsupportedFormat, match="not supported"):
            detect_file_type(name, b"anything")

    def test_content_that_does_not_match_the_extension(self) -> None:
        with pytest.raises(UnsupportedFormat, match="not that format"):
            detect_file_type("fake.pdf", b"MZ\x90\x00 an executable")
        with pytest.raises(UnsupportedFormat, match="binary"):
            detect_file_type("fake.txt", b"abc\x00\x01\x02")


class TestKeys:
    def test_chunk_ids_are_deterministic_and_versioned(self) -> None:
        assert chunk_id("k", 1, 0) == chunk_id("k", 1, 0)
        assert len({chunk_id("k", 1, 0), chunk_id("k", 2, 0), chunk_id("k", 1, 1), chunk_id("j", 1, 0)}) == 4

    def test_safe_file_name_drops_paths(self) -> None:
        assert safe_file_name("../../etc/passwd") == "passwd"
        assert safe_file_name("C:\\Users\\me\\보고서 1.pdf") == "보고서_1.pdf"
        assert safe_file_name("...") == "file"
