"""The webhook HTTP/1.1 client against real local servers: keep-alive reuse, receivers that close idle
connections, unframed and chunked answers, TLS with host verification, and the address guard."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from jisik.errors import Blocked
from jisik.netguard import AddressPolicy
from jisik.webhooks.delivery import attempt
from jisik.webhooks.http1 import ConnectionPools

LOOPBACK = AddressPolicy(["127.0.0.1"])
NO_CONTENT = b"HTTP/1.1 204 No Content\r\n\r\n"

# Starts a server with a script (and TLS context); returns it and its port.
Start = Callable[..., Awaitable[tuple["Server", int]]]
# How the server answers the n-th request (from 1) on a connection: bytes to send, then close or not.
Script = Callable[[int], tuple[bytes | None, bool]]


@dataclass
class Server:
    """A local HTTP/1.1 server that counts connections and requests and answers by a script."""

    script: Script
    connections: int = 0
    requests: list[bytes] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        served = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                self.requests.append(head + await reader.readexactly(length))
                served += 1
                answer, close = self.script(served)
                if answer is not None:
                    writer.write(answer)
                    await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Start]:
    servers: list[asyncio.Server] = []

    async def start(script: Script, context: ssl.SSLContext | None = None) -> tuple[Server, int]:
        server = Server(script)
        listening = await asyncio.start_server(server.serve, "127.0.0.1", 0, ssl=context)
        servers.append(listening)
        return server, listening.sockets[0].getsockname()[1]

    yield start
    for listening in servers:
        listening.close()


async def post(pools: ConnectionPools, url: str, body: bytes = b"{}") -> int:
    answer = await pools.post(url, {"webhook-id": "msg_1"}, body, keep_bytes=64)
    return answer.status


async def test_requests_share_one_keep_alive_connection(serve: Start) -> None:
    server, port = await serve(lambda n: (NO_CONTENT, False))
    pools = ConnectionPools(LOOPBACK, user_agent="test")
    for number in range(20):
        assert await post(pools, f"http://127.0.0.1:{port}/hook?n={number}&x=a b") == 204
    pools.close()
    assert server.connections == 1 and len(server.requests) == 20
    first = server.requests[0]
    assert first.startswith(b"POST /hook?n=0&x=a%20b HTTP/1.1\r\n")
    assert f"host: 127.0.0.1:{port}\r\n".encode() in first and b"webhook-id: msg_1\r\n" in first
    assert first.endswith(b"content-length: 2\r\n\r\n{}")


async def test_a_request_on_a_connection_the_receiver_dropped_is_sent_again_on_a_new_one(
    serve: Start
) -> None:
    # The receiver answers the first request of each connection and drops the second unanswered (as a
    # server closing an idle keep-alive connection just as the next request arrives).
    server, port = await serve(lambda n: (NO_CONTENT, False) if n == 1 else (None, True))
    pools = ConnectionPools(LOOPBACK, user_agent="test")
    assert await post(pools, f"http://127.0.0.1:{port}/a") == 204
    assert await post(pools, f"http://127.0.0.1:{port}/b") == 204
    pools.close()
    assert server.connections == 2
    assert [request.split(b" ")[1] for request in server.requests] == [b"/a", b"/b", b"/b"]


async def test_a_reset_after_part_of_an_answer_is_not_retried(
    serve: Start
) -> None:
    server, port = await serve(lambda n: (NO_CONTENT, False) if n == 1 else (b"HTTP/1.1 200 OK\r\ncontent-le", True))
    pools = ConnectionPools(LOOPBACK, user_agent="test")
    assert await post(pools, f"http://127.0.0.1:{port}/") == 204
    with pytest.raises(ConnectionError):
        await post(pools, f"http://127.0.0.1:{port}/")
    assert len(server.requests) == 2


async def test_unframed_answers_close_and_chunked_ones_keep_the_connection(
    serve: Start
) -> None:
    unframed, port = await serve(lambda n: (b"HTTP/1.1 200 OK\r\n\r\nuntil the end", True))
    pools = ConnectionPools(LOOPBACK, user_agent="test")
    for _ in range(2):
        answer = await pools.post(f"http://127.0.0.1:{port}/", {}, b"{}", keep_bytes=64)
        assert answer.body_head == b"until the end" and not answer.reusable
    assert unframed.connections == 2
    chunked_answer = b"HTTP/1.1 503 Busy\r\ntransfer-encoding: chunked\r\n\r\n4\r\nbusy\r\n0\r\n\r\n"
    chunked, port = await serve(lambda n: (chunked_answer, False))
    for _ in range(3):
        answer = await pools.post(f"http://127.0.0.1:{port}/", {}, b"{}", keep_bytes=64)
        assert (answer.status, answer.body_head) == (503, b"busy")
    assert chunked.connections == 1
    pools.close()


def _certificate(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A self-signed certificate for 127.0.0.1: the server's context and a client context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "jisik test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return server, client


async def test_https_verifies_the_receivers_certificate(
    serve: Start, tmp_path: Path
) -> None:
    server_context, client_context = _certificate(tmp_path)
    server, port = await serve(lambda n: (NO_CONTENT, False), server_context)
    trusting = ConnectionPools(LOOPBACK, user_agent="test", ssl_context=client_context)
    assert await post(trusting, f"https://127.0.0.1:{port}/") == 204
    assert await post(trusting, f"https://127.0.0.1:{port}/") == 204
    trusting.close()
    assert server.connections == 1 and len(server.requests) == 2
    # With the system's trust store the self-signed certificate is refused: an error outcome, nothing sent.
    outcome = await attempt(ConnectionPools(LOOPBACK, user_agent="test"), url=f"https://127.0.0.1:{port}/",
                            event_id="msg_2", body=b"{}", secrets=[], timeout_s=5, read_bytes=10)
    assert outcome.result == "error" and "CERTIFICATE_VERIFY_FAILED" in outcome.error
    assert len(server.requests) == 2


async def test_internal_addresses_are_refused_before_connecting(
    serve: Start
) -> None:
    server, port = await serve(lambda n: (NO_CONTENT, False))
    pools = ConnectionPools(AddressPolicy(), user_agent="test")
    with pytest.raises(Blocked):
        await post(pools, f"http://127.0.0.1:{port}/")
    host = socket.gethostname()
    try:
        address = ipaddress.ip_address(socket.gethostbyname(host))
    except (OSError, ValueError):
        pytest.skip("this machine's host name does not resolve")
    if address.is_global:
        pytest.skip("this machine's host name resolves to a public address")
    # A name passes the shape check and is refused once resolved; nothing reaches the server.
    outcome = await attempt(pools, url=f"http://{host}:{port}/", event_id="msg_3", body=b"{}", secrets=[],
                            timeout_s=5, read_bytes=10)
    assert outcome.result == "error" and "not a public address" in outcome.error
    assert server.requests == []


async def test_a_malformed_answer_is_an_error_outcome(serve: Start) -> None:
    _, port = await serve(lambda n: (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", False))
    outcome = await attempt(ConnectionPools(LOOPBACK, user_agent="test"), url=f"http://127.0.0.1:{port}/",
                            event_id="msg_4", body=b"{}", secrets=[], timeout_s=5, read_bytes=10)
    assert outcome.result == "error" and "not HTTP/1.1" in outcome.error
