"""A small keep-alive HTTP/1.1 client for webhook delivery, on asyncio protocols.

Connections are pooled per origin (scheme, host, port) and carry one request at a time. Every new
connection passes the address guard (:mod:`jisik.netguard`): the host is resolved, refused if any of its
addresses is internal and not allow-listed, and the connection is made to the address that was
checked (TLS still verifies the host name). A connection is reused only while it is younger than
``max_age_s`` (so DNS changes are seen and checked again) and was idle for less than ``idle_s``.

A reused connection that the receiver had already closed fails before any answer byte; such a request
is sent once more on a fresh connection (receivers get a webhook at least once anyway, with the same
``webhook-id``).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from jisik.errors import InvalidInput
from jisik.netguard import AddressPolicy, Target

from .answer import Answer, AnswerParser, MalformedAnswer

__all__ = ["Answer", "ConnectionPools", "MalformedAnswer"]

_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"
_MAX_URLS_CACHED = 10_000


@dataclass(frozen=True, slots=True)
class _Route:
    """A checked URL: its origin and the start of every request to it (request line, Host header)."""

    target: Target
    prefix: bytes


class _Connection(asyncio.Protocol):
    """One HTTP/1.1 connection; :meth:`exchange` sends a request and waits for its answer."""

    def __init__(self) -> None:
        self._transport: asyncio.Transport | None = None
        self._parser: AnswerParser | None = None
        self._waiter: asyncio.Future[Answer] | None = None
        self.closed = False
        self.opened_at = self.used_at = time.monotonic()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        parser, waiter = self._parser, self._waiter
        if parser is None or waiter is None or waiter.done():
            self.close()  # bytes nobody asked for
            return
        try:
            answer = parser.feed(data)
        except MalformedAnswer as exc:
            waiter.set_exception(exc)
            self.close()
            return
        if answer is not None:
            waiter.set_result(answer)
            if not answer.reusable:
                self.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        waiter, parser = self._waiter, self._parser
        if waiter is None or waiter.done() or parser is None:
            return
        answer = parser.end_of_stream()
        if answer is not None:
            waiter.set_result(answer)
        else:
            error = ConnectionResetError("the receiver closed the connection before a complete answer")
            error.__cause__ = exc
            waiter.set_exception(error)

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.abort()

    @property
    def answered_anything(self) -> bool:
        return self._parser is not None and self._parser.started

    async def exchange(self, request: bytes, keep_bytes: int) -> Answer:
        assert self._transport is not None
        self._parser = AnswerParser(keep_bytes)
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        try:
            return await self._waiter
        finally:
            if not self._waiter.done():  # cancelled (deadline): the connection is mid-answer
                self.close()
            self.used_at = time.monotonic()


class ConnectionPools:
    """Keep-alive connections per origin, opened through ``policy``.

    :param ssl_context: for https URLs (default: the system's trust store, host names verified).
    :param idle_s: an idle connection older than this is closed instead of reused.
    :param max_age_s: a connection is not reused after this long, so the host is resolved and checked again.
    """

    def __init__(
        self,
        policy: AddressPolicy,
        *,
        user_agent: str,
        ssl_context: ssl.SSLContext | None = None,
        idle_s: float = 30.0,
        max_age_s: float = 300.0,
    ) -> None:
        self._policy = policy
        self._user_agent = user_agent
        self._ssl = ssl_context or ssl.create_default_context()
        self._idle_s = idle_s
        self._max_age_s = max_age_s
        self._idle: dict[tuple[str, str, int], list[_Connection]] = {}
        self._routes: dict[str, _Route] = {}
        self._swept_at = time.monotonic()

    def _route(self, url: str) -> _Route:
        """The checked route of ``url`` (cached).

        :raises InvalidInput: malformed URL. :raises Blocked: it names an internal address.
        """
        route = self._routes.get(url)
        if route is not None:
            return route
        target = self._policy.check_url(url)
        parts = urlsplit(url.strip())
        path = quote(parts.path or "/", safe=_SAFE_PATH)
        if parts.query:
            path += "?" + quote(parts.query, safe=_SAFE_QUERY)
        try:
            host = target.host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidInput("the URL's host name is not a valid international name", field="url") from exc
        if not all(33 <= ord(char) < 127 for char in host):
            raise InvalidInput("the URL's host name is malformed", field="url")
        if target.literal is not None and target.literal.version == 6:
            host = f"[{host}]"
        default_port = 443 if target.scheme == "https" else 80
        authority = host if target.port == default_port else f"{host}:{target.port}"
        prefix = (f"POST {path} HTTP/1.1\r\nhost: {authority}\r\nuser-agent: {self._user_agent}\r\n"
                  "content-type: application/json\r\n").encode("ascii")
        if len(self._routes) >= _MAX_URLS_CACHED:
            self._routes.clear()
        route = self._routes[url] = _Route(target, prefix)
        return route

    async def post(self, url: str, headers: dict[str, str], body: bytes, *, keep_bytes: int) -> Answer:
        """POST ``body`` with ``headers`` (beside Host, User-Agent, Content-Type and Content-Length).

        :raises InvalidInput | Blocked | Unavailable: the URL or its host is refused.
        :raises OSError: the connection failed. :raises MalformedAnswer: the answer is not HTTP/1.1.
        """
        route = self._route(url)
        lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = b"".join((route.prefix, lines.encode("ascii"), b"content-length: %d\r\n\r\n" % len(body), body))
        connection = self._reuse(route.target)
        if connection is not None:
            try:
                answer = await connection.exchange(request, keep_bytes)
            except ConnectionError:
                if connection.answered_anything:
                    raise
                # The receiver had closed the idle connection: send it on a fresh one below.
            else:
                self._release(route.target, connection)
                return answer
        connection = await self._open(route.target)
        answer = await connection.exchange(request, keep_bytes)
        self._release(route.target, connection)
        return answer

    def _reuse(self, target: Target) -> _Connection | None:
        now = time.monotonic()
        if now - self._swept_at > self._idle_s:
            self._sweep(now)
        idle = self._idle.get((target.scheme, target.host, target.port))
        while idle:
            connection = idle.pop()
            if not connection.closed and self._fresh(connection, now):
                return connection
            connection.close()
        return None

    def _fresh(self, connection: _Connection, now: float) -> bool:
        return now - connection.used_at < self._idle_s and now - connection.opened_at < self._max_age_s

    async def _open(self, target: Target) -> _Connection:
        address = await self._policy.resolve(target)
        loop = asyncio.get_running_loop()
        if target.scheme == "https":
            _, connection = await loop.create_connection(
                _Connection, str(address), target.port, ssl=self._ssl, server_hostname=target.host)
        else:
            _, connection = await loop.create_connection(_Connection, str(address), target.port)
        return connection

    def _release(self, target: Target, connection: _Connection) -> None:
        if not connection.closed:
            self._idle.setdefault((target.scheme, target.host, target.port), []).append(connection)

    def _sweep(self, now: float) -> None:
        """Close connections that went stale (endpoints no longer sent to keep none open)."""
        self._swept_at = now
        for key in list(self._idle):
            kept = [c for c in self._idle[key] if not c.closed and self._fresh(c, now)]
            for connection in self._idle[key]:
                if connection not in kept:
                    connection.close()
            if kept:
                self._idle[key] = kept
            else:
                del self._idle[key]

    def close(self) -> None:
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()
