"""The webhook bench's loopback receiver: a raw asyncio protocol that answers 204 and keeps what came in.

It does as little as it can while the worker is timed (no JSON, no signature checks, no file writes):
each request is kept as (arrival time, status, head, body). ``POST /control {"fail_ratio": R}`` makes
that share of answers 503; ``POST /dump`` answers with the requests kept since the last dump, one JSON
line each, which the bench checks with the standardwebhooks verifier outside the timed part.

Run: python bench/_webhook_receiver.py --port P
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time

_NO_CONTENT = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"
_FAILING = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n"
_WANTED = ("webhook-id", "webhook-timestamp", "webhook-signature")


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


class Store:
    def __init__(self) -> None:
        self.fail_ratio = 0.0
        self.kept: list[tuple[float, int, bytes, bytes]] = []
        self.rng = random.Random(7)

    def dump(self) -> bytes:
        kept, self.kept = self.kept, []
        lines = []
        for at, status, head, body in kept:
            headers = {}
            for line in head.decode("latin-1").split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() in _WANTED:
                    headers[name.strip().lower()] = value.strip()
            lines.append(json.dumps({"at": at, "status": status, "headers": headers, "body": body.decode()}))
        return "\n".join(lines).encode()


class Serve(asyncio.Protocol):
    def __init__(self, store: Store) -> None:
        self.store = store
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = _content_length(head)
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4:end + 4 + length]
            self.buffer = self.buffer[end + 4 + length:]
            self.answer(head, body)

    def answer(self, head: bytes, body: bytes) -> None:
        assert self.transport is not None
        store = self.store
        if head.startswith(b"POST /control"):
            store.fail_ratio = float(json.loads(body or b"{}").get("fail_ratio", 0))
            self.transport.write(_NO_CONTENT)
        elif head.startswith(b"POST /dump"):
            dumped = store.dump()
            self.transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(dumped) + dumped)
        else:
            failing = store.fail_ratio and store.rng.random() < store.fail_ratio
            store.kept.append((time.time(), 503 if failing else 204, head, body))
            self.transport.write(_FAILING if failing else _NO_CONTENT)


async def main(port: int) -> None:
    store = Store()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Serve(store), "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(main(parser.parse_args().port))
