"""An incremental parser of one HTTP/1.1 answer, reading only what webhook delivery needs.

It keeps the status code, the Retry-After header and the first ``keep_bytes`` of the body (de-chunked,
not content-decoded), and says whether the connection can carry the next request: only when the whole
answer was read, it was framed (Content-Length or chunked), not longer than :data:`DRAIN_LIMIT`, and
neither side asked to close. A longer or unframed body ends the answer once ``keep_bytes`` are in, and
the caller closes the connection: a 1 GB body costs one short read.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DRAIN_LIMIT", "HEAD_LIMIT", "Answer", "AnswerParser", "MalformedAnswer"]

# Largest answer head (status line and headers) accepted.
HEAD_LIMIT = 64 * 1024
# Bodies up to this size are read to the end so the connection can be reused.
DRAIN_LIMIT = 64 * 1024
_CHUNK_LINE_LIMIT = 1024


class MalformedAnswer(Exception):  # noqa: N818 - reads as what happened
    """The receiver's bytes are not an HTTP/1.1 answer."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    retry_after: str | None
    body_head: bytes
    reusable: bool


class AnswerParser:
    """Feed the bytes of one answer; :meth:`feed` returns the :class:`Answer` once it is complete."""

    def __init__(self, keep_bytes: int) -> None:
        self._keep = keep_bytes
        self._buffer = bytearray()
        self._body = bytearray()
        self._state = "head"  # head, length, chunk-size, chunk-data, chunk-end, trailer, until-close
        self._remaining = 0
        self._drained = 0
        self._status = 0
        self._retry_after: str | None = None
        self._keep_alive = True
        self.started = False

    def feed(self, data: bytes) -> Answer | None:
        """:raises MalformedAnswer: the bytes break HTTP/1.1 framing."""
        self.started = True
        self._buffer += data
        return self._advance()

    def end_of_stream(self) -> Answer | None:
        """The answer if the connection's end completes it (a body delimited by closing), else None."""
        if self._state == "until-close":
            return self._done(reusable=False)
        return None

    def _done(self, *, reusable: bool) -> Answer:
        self._state = "done"
        # Bytes beyond the answer mean the receiver is out of step with us: do not reuse the connection.
        reusable = reusable and self._keep_alive and not self._buffer
        return Answer(self._status, self._retry_after, bytes(self._body[: self._keep]), reusable)

    def _take_body(self, size: int) -> None:
        piece = self._buffer[:size]
        del self._buffer[:size]
        self._drained += len(piece)
        room = self._keep - len(self._body)
        if room > 0:
            self._body += piece[:room]

    def _enough(self) -> bool:
        """The kept head is complete and the rest is too long to drain for reuse."""
        return len(self._body) >= self._keep and self._drained >= DRAIN_LIMIT

    def _advance(self) -> Answer | None:
        while True:
            state = self._state
            if state == "head":
                if not self._parse_head():
                    return None
                if self._state == "none":
                    return self._done(reusable=True)
            elif state == "length":
                size = min(self._remaining, len(self._buffer))
                self._take_body(size)
                self._remaining -= size
                if self._remaining == 0:
                    return self._done(reusable=True)
                return self._done(reusable=False) if self._enough() else None
            elif state == "until-close":
                self._take_body(len(self._buffer))
                return self._done(reusable=False) if len(self._body) >= self._keep else None
            elif state == "chunk-size":
                end = self._buffer.find(b"\r\n")
                if end < 0:
                    if len(self._buffer) > _CHUNK_LINE_LIMIT:
                        raise MalformedAnswer("a chunk size line is too long")
                    return None
                line = bytes(self._buffer[:end]).split(b";", 1)[0].strip()
                del self._buffer[: end + 2]
                try:
                    self._remaining = int(line, 16)
                except ValueError as exc:
                    raise MalformedAnswer("a chunk size is not a hexadecimal number") from exc
                if self._remaining < 0:
                    raise MalformedAnswer("a chunk size is negative")
                self._state = "trailer" if self._remaining == 0 else "chunk-data"
            elif state == "chunk-data":
                size = min(self._remaining, len(self._buffer))
                self._take_body(size)
                self._remaining -= size
                if self._remaining:
                    return self._done(reusable=False) if self._enough() else None
                self._state = "chunk-end"
            elif state == "chunk-end":
                if len(self._buffer) < 2:
                    return None
                if self._buffer[:2] != b"\r\n":
                    raise MalformedAnswer("a chunk does not end with CRLF")
                del self._buffer[:2]
                if self._enough():
                    return self._done(reusable=False)
                self._state = "chunk-size"
            elif state == "trailer":
                end = -2 if self._buffer[:2] == b"\r\n" else self._buffer.find(b"\r\n\r\n")
                if end == -1:
                    if len(self._buffer) > HEAD_LIMIT:
                        raise MalformedAnswer("the trailer is too long")
                    return None
                del self._buffer[: end + 4]
                return self._done(reusable=True)
            else:
                raise MalformedAnswer("bytes after the end of the answer")

    def _parse_head(self) -> bool:
        """Consume the head if it is complete (skipping 1xx interim answers); pick the body's framing."""
        end = self._buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buffer) > HEAD_LIMIT:
                raise MalformedAnswer("the answer's head is too long")
            return False
        status_line, *lines = bytes(self._buffer[:end]).decode("latin-1").split("\r\n")
        del self._buffer[: end + 4]
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if version not in ("HTTP/1.1", "HTTP/1.0") or len(code) != 3 or not code.isdigit() or rest[3:4] not in ("", " "):
            raise MalformedAnswer("the answer does not start with an HTTP/1.x status line")
        status = int(code)
        if 100 <= status < 200 and status != 101:
            return self._parse_head()
        self._status = status
        self._keep_alive = version == "HTTP/1.1"
        length: int | None = None
        chunked = framed_by_encoding = False
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon:
                raise MalformedAnswer("a header line has no colon")
            name = name.strip().lower()
            value = value.strip()
            if name == "content-length":
                if not value.isdigit() or (length is not None and int(value) != length):
                    raise MalformedAnswer("the Content-Length header is invalid")
                length = int(value)
            elif name == "transfer-encoding":
                framed_by_encoding = True
                chunked = value.lower().rsplit(",", 1)[-1].strip() == "chunked"
            elif name == "connection":
                if "close" in (token.strip().lower() for token in value.split(",")):
                    self._keep_alive = False
            elif name == "retry-after":
                self._retry_after = value
        if status in (204, 304) or status == 101:
            self._keep_alive = self._keep_alive and status != 101
            self._state = "none"
        elif framed_by_encoding:
            self._state = "chunk-size" if chunked else "until-close"
        elif length is not None:
            self._remaining = length
            self._state = "length" if length else "none"
        else:
            self._state = "until-close"
        return True
