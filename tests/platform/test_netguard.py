"""The shared address policy: every trick for reaching an internal address, against real local servers."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jisik.errors import Blocked, InvalidInput
from jisik.netguard import AddressPolicy, guarded_client


class _Handler(BaseHTTPRequestHandler):
    hits: list[str] = []

    def log_message(self, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        _Handler.hits.append(self.path)
        if self.path.startswith("/redirect/"):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/redirect/"))
            self.end_headers()
            return
        body = (self.headers.get("Host") or "").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://127.8.9.10/",
        "http://10.1.2.3/",
        "http://172.16.0.1/",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/",
        "http://100.100.100.200/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://255.255.255.255/",
        "http://[::1]/",
        "http://[::]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://[::127.0.0.1]/",
        "http://[64:ff9b::a9fe:a9fe]/",
        "http://[2002:7f00:1::]/",
        "http://[fd00:ec2::254]/",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://localhost.:8080/",
        "http://api.localhost/",
        "http://metadata.google.internal/",
        "http://127.0.0.1./",
    ],
)
def test_internal_targets_refused_before_any_lookup(url: str) -> None:
    with pytest.raises(Blocked):
        AddressPolicy().check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://127.0.1/",
        "http://017700000001/",
        "ftp://example.com/",
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_INFO",
        "http://user:pw@example.com/",
        "http://@example.com/",
        "http:///path",
        "http://exa..mple.com/",
        "http://example.com:99999/",
        "nonsense",
    ],
)
def test_numeric_encodings_and_malformed_urls_are_invalid(url: str) -> None:
    with pytest.raises(InvalidInput):
        AddressPolicy().check_url(url)


@pytest.mark.parametrize(
    "url", ["https://example.com/v1", "http://8.8.8.8:8080/", "http://[2606:4700::1111]/"]
)
def test_public_targets_pass_the_shape_check(url: str) -> None:
    AddressPolicy().check_url(url)


def test_allow_list_by_cidr_and_host() -> None:
    policy = AddressPolicy(["10.0.0.0/8", "Intranet.Example.", "::1"])
    assert policy.address_allowed(ipaddress.ip_address("10.20.30.40"))
    assert policy.address_allowed(ipaddress.ip_address("::ffff:10.1.1.1"))
    assert not policy.address_allowed(ipaddress.ip_address("192.168.0.1"))
    assert policy.check_url("http://intranet.example./x").host == "intranet.example"
    policy.check_url("http://[::1]:9/")
    assert AddressPolicy().with_hosts_of(["http://localhost:11434/v1"]).host_allowed("localhost")


def test_allow_list_entries_with_a_port_allow_only_that_port() -> None:
    policy = AddressPolicy(["127.0.0.1:11434", "[::1]:8000", "intranet.example:8443"])
    policy.check_url("http://127.0.0.1:11434/api")
    policy.check_url("http://[::1]:8000/")
    for url in ("http://127.0.0.1:5432/", "http://127.0.0.1/", "http://[::1]:8001/"):
        with pytest.raises(Blocked):
            policy.check_url(url)
    assert policy.host_allowed("intranet.example", 8443) and not policy.host_allowed("intranet.example", 443)


async def test_name_resolving_to_an_internal_address_refused_after_lookup(port: int) -> None:
    host = socket.gethostname()
    try:
        address = ipaddress.ip_address(socket.gethostbyname(host))
    except OSError:
        pytest.skip("this machine's host name does not resolve")
    if address.is_global:
        pytest.skip("this machine's host name resolves to a public address")
    policy = AddressPolicy()
    target = policy.check_url(f"http://{host}:{port}/")  # a plain name passes the shape check ...
    with pytest.raises(Blocked):
        await policy.resolve(target)  # ... and is refused once its address is known


async def test_guarded_client_refuses_loopback_and_sends_nothing(port: int) -> None:
    _Handler.hits.clear()
    async with guarded_client(AddressPolicy()) as client:
        for url in (
            f"http://127.0.0.1:{port}/a",
            f"http://localhost.:{port}/b",
            f"http://[::ffff:127.0.0.1]:{port}/c",
        ):
            with pytest.raises(Blocked):
                await client.get(url)
    assert _Handler.hits == []


async def test_guarded_client_reaches_allow_listed_address_with_original_host(port: int) -> None:
    async with guarded_client(AddressPolicy(["localhost"])) as client:
        response = await client.get(f"http://localhost:{port}/host")
    assert response.status_code == 200 and response.text == f"localhost:{port}"


async def test_every_redirect_hop_is_rechecked(port: int) -> None:
    _Handler.hits.clear()
    # 127.0.0.1 is allowed, the redirect to 127.0.0.2 (another loopback address) is not.
    async with guarded_client(AddressPolicy(["127.0.0.1"]), follow_redirects=True) as client:
        with pytest.raises(Blocked):
            await client.get(f"http://127.0.0.1:{port}/redirect/http://127.0.0.2:{port}/secret")
        with pytest.raises(Blocked):
            await client.get(f"http://127.0.0.1:{port}/redirect/http://169.254.169.254/latest/")
        with pytest.raises(InvalidInput):
            await client.get(f"http://127.0.0.1:{port}/redirect/http://2130706433:{port}/secret")
    assert not any(hit.endswith("/secret") for hit in _Handler.hits if not hit.startswith("/redirect"))


async def test_proxy_settings_from_the_environment_are_ignored(
    port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    async with guarded_client(AddressPolicy()) as client:
        with pytest.raises(Blocked):
            await client.get("http://10.0.0.1/")
