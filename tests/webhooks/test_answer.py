"""The HTTP/1.1 answer parser of webhook delivery: framing, reuse decisions, bounded reads, bad bytes."""

from __future__ import annotations

import pytest

from jisik.webhooks.answer import DRAIN_LIMIT, HEAD_LIMIT, Answer, AnswerParser, MalformedAnswer


def parse(raw: bytes, keep: int = 1024, *, step: int = 0, closed: bool = False) -> Answer | None:
    """Feed ``raw`` whole (step 0) or in pieces of ``step`` bytes; with ``closed``, then end the stream."""
    parser = AnswerParser(keep)
    pieces = [raw] if not step else [raw[i:i + step] for i in range(0, len(raw), step)]
    for piece in pieces:
        answer = parser.feed(piece)
        if answer is not None:
            return answer
    return parser.end_of_stream() if closed else None


FRAMED = [
    (b"HTTP/1.1 204 No Content\r\nserver: x\r\n\r\n", Answer(204, None, b"", True)),
    (b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello", Answer(200, None, b"hello", True)),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", Answer(200, None, b"", True)),
    (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;x=y\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n",
     Answer(200, None, b"hello", True)),
    (b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nx-trailer: 1\r\n\r\n",
     Answer(200, None, b"ok", True)),
    (b"HTTP/1.1 429 Too Many\r\nretry-after: 30\r\ncontent-length: 2\r\n\r\nno", Answer(429, "30", b"no", True)),
    (b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n", Answer(201, None, b"", True)),
    (b"HTTP/1.1 200 OK\r\nconnection: keep-alive, close\r\ncontent-length: 1\r\n\r\n!", Answer(200, None, b"!", False)),
    (b"HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\n!", Answer(200, None, b"!", False)),
    (b"HTTP/1.1 307 Temporary Redirect\r\nlocation: /x\r\ncontent-length: 0\r\n\r\n", Answer(307, None, b"", True)),
]


@pytest.mark.parametrize(("raw", "expected"), FRAMED)
def test_framed_answers_whole_and_byte_by_byte(raw: bytes, expected: Answer) -> None:
    assert parse(raw) == expected
    assert parse(raw, step=1) == expected
    assert parse(raw[:-1]) is None  # one byte short is not an answer yet


def test_only_the_first_bytes_are_kept_and_a_short_body_is_drained_for_reuse() -> None:
    body = b"x" * 5000
    answer = parse(b"HTTP/1.1 500 Oops\r\ncontent-length: 5000\r\n\r\n" + body, keep=100)
    assert answer == Answer(500, None, b"x" * 100, True)


def test_a_long_body_ends_the_answer_after_the_drain_limit_without_reuse() -> None:
    parser = AnswerParser(100)
    assert parser.feed(b"HTTP/1.1 200 OK\r\ncontent-length: 1073741824\r\n\r\n") is None
    answer = parser.feed(b"\0" * DRAIN_LIMIT)
    assert answer == Answer(200, None, b"\0" * 100, False)
    chunked = AnswerParser(10)
    assert chunked.feed(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n") is None
    answer = chunked.feed(b"%x\r\n" % (2 * DRAIN_LIMIT) + b"y" * DRAIN_LIMIT)
    assert answer == Answer(200, None, b"y" * 10, False)


def test_a_body_delimited_by_closing_ends_at_the_kept_bytes_or_the_close() -> None:
    assert parse(b"HTTP/1.1 200 OK\r\n\r\n" + b"z" * 50, keep=10) == Answer(200, None, b"z" * 10, False)
    assert parse(b"HTTP/1.1 200 OK\r\n\r\nab", keep=10) is None
    assert parse(b"HTTP/1.1 200 OK\r\n\r\nab", keep=10, closed=True) == Answer(200, None, b"ab", False)
    # An unknown transfer coding is read until the close as well.
    assert parse(b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nab", keep=2) == Answer(200, None, b"ab", False)
    # A connection closed mid-head or mid-length completes nothing.
    assert parse(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nab", closed=True) is None


def test_bytes_beyond_the_answer_forbid_reuse() -> None:
    answer = parse(b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
    assert answer is not None and answer.status == 204 and not answer.reusable


@pytest.mark.parametrize("raw", [
    b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    b"HTTP/1.1 2000 OK\r\n\r\n",
    b"HTTP/1.1 20 OK\r\n\r\n",
    b"HTTP/2 200\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    b"HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\n",
    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nokXX",
    b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n" + b"1" * 2000,
    b"HTTP/1.1 200 OK\r\nx: " + b"a" * (HEAD_LIMIT + 1),
])
def test_bytes_that_are_not_http_1_1_are_refused(raw: bytes) -> None:
    with pytest.raises(MalformedAnswer):
        parse(raw)
