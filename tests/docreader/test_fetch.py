"""URL import through the shared address policy: policy decisions and real fetches against a local server (no internet)."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Iterator

import pytest

from docreader.fetch import UrlFetcher
from jisik.errors import Blocked, InvalidInput, ParseFailed, TooLarge
from jisik.netguard import AddressPolicy
from tests.conftest import free_port

from .local_http import PAGE, local_http_server


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with local_http_server() as url:
        yield url


@pytest.fixture
async def open_fetcher() -> AsyncIterator[list[UrlFetcher]]:
    made: list[UrlFetcher] = []
    yield made
    for fetcher in made:
        await fetcher.aclose()


def fetcher(made: list[UrlFetcher], allow: list[str], **kwargs: object) -> UrlFetcher:
    instance = UrlFetcher(AddressPolicy(allow), timeout_s=5, **kwargs)  # type: ignore[arg-type]  # **kwargs forwards the UrlFetcher options each test picks
    made.append(instance)
    return instance


class TestAddressPolicy:
    @pytest.mark.parametrize(
        "address",
        [
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fc00::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "fd00:ec2::254",
        ],
    )
    def test_internal_addresses_refused(self, address: str) -> None:
        assert not AddressPolicy([]).address_allowed(ipaddress.ip_address(address))

    @pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
    def test_public_addresses_allowed(self, address: str) -> None:
        assert AddressPolicy([]).address_allowed(ipaddress.ip_address(address))

    def test_allow_list_by_cidr_and_host(self) -> None:
        policy = AddressPolicy(["10.0.0.0/8", "Intranet.Example."])
        assert policy.address_allowed(ipaddress.ip_address("10.20.30.40"))
        assert not policy.address_allowed(ipaddress.ip_address("192.168.0.1"))
        assert policy.host_allowed("intranet.example")


class TestFetch:
    async def test_loopback_refused_without_allow_list(
        self, base_url: str, open_fetcher: list[UrlFetcher]
    ) -> None:
        with pytest.raises(Blocked, match="internal address"):
            await fetcher(open_fetcher, []).fetch(f"{base_url}/page")

    async def test_name_resolving_to_loopback_refused(
        self, base_url: str, open_fetcher: list[UrlFetcher]
    ) -> None:
        port = base_url.rsplit(":", 1)[1]
        with pytest.raises(Blocked):
            await fetcher(open_fetcher, []).fetch(f"http://localhost:{port}/page")

    async def test_allow_listed_address_fetched_with_original_host(
        self, base_url: str, open_fetcher: list[UrlFetcher]
    ) -> None:
        page = await fetcher(open_fetcher, ["127.0.0.1"]).fetch(f"{base_url}/page")
        assert page.content == PAGE and page.content_type.startswith("text/html")
        port = base_url.rsplit(":", 1)[1]
        host = await fetcher(open_fetcher, ["localhost"]).fetch(f"http://localhost:{port}/host")
        assert host.content.decode() == f"localhost:{port}"

    @pytest.mark.parametrize(
        "target",
        [
            "http://127.0.0.2:{port}/page",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            "http://[::1]:{port}/page",
        ],
    )
    async def test_redirect_to_internal_address_refused(
        self, base_url: str, open_fetcher: list[UrlFetcher], target: str
    ) -> None:
        port = base_url.rsplit(":", 1)[1]
        with pytest.raises(Blocked):
            await fetcher(open_fetcher, ["127.0.0.1"]).fetch(
                f"{base_url}/redirect?to={target.format(port=port)}"
            )

    async def test_redirect_within_allow_list_followed(
        self, base_url: str, open_fetcher: list[UrlFetcher]
    ) -> None:
        page = await fetcher(open_fetcher, ["127.0.0.1"]).fetch(f"{base_url}/redirect?to=/page")
        assert page.content == PAGE and page.url.endswith("/page")

    async def test_redirect_to_other_scheme_refused(
        self, base_url: str, open_fetcher: list[UrlFetcher]
    ) -> None:
        with pytest.raises(InvalidInput, match="only http and https"):
            await fetcher(open_fetcher, ["127.0.0.1"]).fetch(f"{base_url}/redirect?to=file:///etc/passwd")

    async def test_redirect_loop_stops(self, base_url: str, open_fetcher: list[UrlFetcher]) -> None:
        with pytest.raises(Blocked, match="redirects"):
            await fetcher(open_fetcher, ["127.0.0.1"], max_redirects=3).fetch(f"{base_url}/loop")

    async def test_size_cap(self, base_url: str, open_fetcher: list[UrlFetcher]) -> None:
        with pytest.raises(TooLarge):
            await fetcher(open_fetcher, ["127.0.0.1"], max_bytes=1024 * 1024).fetch(f"{base_url}/big")

    @pytest.mark.parametrize(
        "url", ["ftp://example.com/x", "http://user:pw@example.com/", "http:///nohost", "nonsense"]
    )
    async def test_malformed_urls(self, url: str, open_fetcher: list[UrlFetcher]) -> None:
        with pytest.raises(InvalidInput):
            await fetcher(open_fetcher, []).fetch(url)

    @pytest.mark.parametrize(
        ("where", "reason"),
        [
            ("http://jisik-missing.invalid/page", "cannot resolve host"),
            ("http://127.0.0.1:{closed}/page", "connection failed"),
            ("{base}/down", "HTTP 503"),
        ],
    )
    async def test_a_page_that_cannot_be_fetched_is_the_documents_failure(
        self, where: str, reason: str, base_url: str, open_fetcher: list[UrlFetcher]
    ) -> None:
        """Not Unavailable: ingest must fail such a document at once, not wait it out as an outage."""
        url = where.format(closed=free_port(), base=base_url)
        with pytest.raises(ParseFailed, match=reason):
            await fetcher(open_fetcher, ["127.0.0.1"]).fetch(url)
