"""The chunker: defaults, one test per atomic pattern, table splitting, and the stream properties."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docreader.chunking import ATOMIC_PATTERNS, Chunker, ChunkingConfig, PageIndex, chunk_text, split_units
from docreader.models import TextChunk
from jisik.errors import InvalidInput

TABLE = "| 이름 | 값 |\n|---|---|\n" + "".join(f"| 행{i} | {i * 7} |\n" for i in range(40))


def rejoin(stream: str, chunks: list[TextChunk]) -> str:
    """Stream text recovered from the chunks' offsets, dropping each chunk's overlap with the previous."""
    out, covered = [], 0
    for chunk in chunks:
        assert chunk.start <= covered or not stream[covered : chunk.start].strip()
        out.append(stream[covered : chunk.start] if chunk.start > covered else "")
        out.append(stream[max(chunk.start, covered) : chunk.end])
        covered = max(covered, chunk.end)
    out.append(stream[covered:])
    return "".join(out)


def check_chunks(stream: str, chunks: list[TextChunk]) -> None:
    assert [c.seq for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.content == chunk.prefix + stream[chunk.start : chunk.end]
    assert rejoin(stream, chunks) == stream
    covered: set[int] = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    assert all(stream[i].isspace() for i in range(len(stream)) if i not in covered)


class TestConfig:
    def test_zero_fields_get_weknora_defaults(self) -> None:
        config = ChunkingConfig.from_request(0, 0, [])
        assert (config.chunk_size, config.chunk_overlap, config.separators) == (512, 50, ("\n\n", "\n", "。"))
        assert config.size_unit == "chars"

    def test_small_size_with_default_overlap_stays_valid(self) -> None:
        assert ChunkingConfig.from_request(40, 0, []).chunk_overlap == 4

    @pytest.mark.parametrize(("size", "overlap", "seps"), [(-1, 0, []), (10, 10, []), (10, 2, [""])])
    def test_invalid_values_raise(self, size: int, overlap: int, seps: list[str]) -> None:
        with pytest.raises(InvalidInput):
            ChunkingConfig.from_request(size, overlap, seps)


class TestAtomicPatterns:
    @pytest.mark.parametrize(
        ("kind", "sample"),
        [
            ("table", "| a | b |\n|---|---|\n| 1 | 2 |\n"),
            ("table", "| a | b |\n\n| :-- | --: |\n| 1 | 2 |"),
            ("code", "```python\nx = 1\n\ny = 2\n```"),
            ("math", "$$\n\\sum_i x_i\n\n= 1\n$$"),
            ("image", "![그림 1](images/abc.png)"),
            ("image", '<img src="a.png" alt="x">'),
            ("link", "[위키](https://ko.wikipedia.org/wiki/지식)"),
        ],
    )
    def test_pattern_matches_whole_unit(self, kind: str, sample: str) -> None:
        match = ATOMIC_PATTERNS[kind].search(f"before\n{sample}\nafter")
        assert match is not None
        assert match.group(0).strip() == sample.strip()

    def test_link_pattern_does_not_take_images(self) -> None:
        assert ATOMIC_PATTERNS["link"].search("![x](y.png)") is None

    @pytest.mark.parametrize("kind", ["table", "code", "math", "image", "link"])
    def test_unit_never_split_by_separators(self, kind: str) -> None:
        samples = {
            "table": "| a\u3002 | b |\n|---|---|\n| 1 | 2 |\n",
            "code": "```\nline one\n\nline two。\n```",
            "math": "$$\na\n\nb。\n$$",
            "image": "![a。b](images/x.png)",
            "link": "[a。b](https://example.com/x)",
        }
        text = f"head。\n{samples[kind]}\ntail"
        units = split_units(text, ChunkingConfig(chunk_size=500, chunk_overlap=0))
        assert any(u.text == samples[kind] and u.kind == kind for u in units)


class TestPacking:
    def test_units_packed_in_order_with_whole_unit_overlap(self) -> None:
        text = "\n".join(f"문장 {i} 입니다." for i in range(30))
        config = ChunkingConfig(chunk_size=60, chunk_overlap=20)
        chunks = chunk_text(text, config)
        check_chunks(text, chunks)
        for before, after in zip(chunks, chunks[1:], strict=False):
            overlap = before.end - after.start
            assert 0 <= overlap <= 20
            if overlap:
                assert after.content.startswith(text[after.start : before.end])
                assert not after.content.startswith("\n")

    def test_big_table_split_between_rows_with_header(self) -> None:
        text = "표 앞 문단.\n\n" + TABLE + "\n표 뒤 문단."
        chunks = chunk_text(text, ChunkingConfig(chunk_size=120, chunk_overlap=10))
        check_chunks(text, chunks)
        table_chunks = [c for c in chunks if "|---|---|" in c.content]
        assert len(table_chunks) > 2
        for chunk in table_chunks:
            table = chunk.content[chunk.content.index("| 이름") :]
            lines = [line for line in table.splitlines() if line.startswith("|")]
            assert lines[0] == "| 이름 | 값 |" and lines[1] == "|---|---|"
            assert all(re.fullmatch(r"\| 행\d+ \| \d+ \|", line) for line in lines[2:])
        rows = [line for c in table_chunks for line in c.content.splitlines() if line.startswith("| 행")]
        assert rows == [f"| 행{i} | {i * 7} |" for i in range(40)]

    def test_long_text_without_separators_is_split_not_dropped(self) -> None:
        text = "word " * 500
        chunks = chunk_text(text, ChunkingConfig(chunk_size=100, chunk_overlap=0))
        check_chunks(text, chunks)
        assert max(len(c.content) for c in chunks) <= 100

    def test_token_unit_counts_cjk_characters(self) -> None:
        text = "가나다라마바사아자차카타파하" * 20
        chunks = chunk_text(text, ChunkingConfig(chunk_size=50, chunk_overlap=0, size_unit="tokens"))
        check_chunks(text, chunks)
        assert all(len(c.content) <= 50 for c in chunks)

    def test_incremental_feed_matches_offsets(self) -> None:
        chunker = Chunker(ChunkingConfig(chunk_size=50, chunk_overlap=10))
        pages = ["첫 페이지 내용입니다.\n" * 5, "第二页的内容。" * 10, "Third page.\n" * 6]
        stream = "\n\n--- Page Break ---\n\n".join(pages)
        chunks: list[TextChunk] = []
        for i, page in enumerate(pages):
            chunks += chunker.feed(page if i == 0 else "\n\n--- Page Break ---\n\n" + page)
        chunks += chunker.finish()
        check_chunks(stream, chunks)


class TestPageIndex:
    def test_pages_for_ranges(self) -> None:
        index = PageIndex()
        index.add(0, 10)
        index.add(32, 50)
        index.add(72, 80)
        assert index.pages(0, 5) == (1,)
        assert index.pages(5, 40) == (1, 2)
        assert index.pages(12, 30) == ()
        assert index.pages(40, 80) == (2, 3)


_pieces = st.sampled_from(
    [
        "한국어 문장입니다. ",
        "中文句子。",
        "English words here ",
        "\n",
        "\n\n",
        "。",
        "![사진](images/p.png)",
        "[링크](https://example.com/a)",
        "\n```\ncode 줄\n\nmore\n```\n",
        "\n$$\nx^2\n\n$$\n",
        "\n| h1 | h2 |\n|---|---|\n| 가 | 1 |\n| 나 | 2 |\n| 다 | 3 |\n",
        "x" * 70,
    ]
)


class TestProperties:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        parts=st.lists(_pieces, min_size=1, max_size=40),
        size=st.integers(min_value=20, max_value=300),
        overlap_ratio=st.floats(min_value=0, max_value=0.5),
        unit=st.sampled_from(["chars", "tokens"]),
    )
    def test_rejoin_gives_stream_and_atomic_units_intact(
        self, parts: list[str], size: int, overlap_ratio: float, unit: str
    ) -> None:
        text = "".join(parts)
        config = ChunkingConfig(chunk_size=size, chunk_overlap=int(size * overlap_ratio), size_unit=unit)  # type: ignore[arg-type]  # unit is a drawn str; ChunkingConfig takes its Literal
        chunks = chunk_text(text, config)
        check_chunks(text, chunks)
        for kind in ("code", "math", "image", "link"):
            for match in ATOMIC_PATTERNS[kind].finditer(text):
                assert any(c.start <= match.start() and match.end() <= c.end for c in chunks), kind
        for match in ATOMIC_PATTERNS["table"].finditer(text):
            rows = match.group(0).splitlines()
            for row in rows:
                assert any(row in c.content.splitlines() for c in chunks)
