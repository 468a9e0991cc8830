"""LocalStore on a temp folder and S3Store against moto's real S3 protocol server."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from jisik.errors import InvalidInput, NotFound
from jisik.settings import StorageSettings
from jisik.storage import LocalStore, ObjectStore, S3Store, open_store, validate_key
from tests.conftest import free_port


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["local", "s3"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStore]:
    if request.param == "local":
        yield open_store(StorageSettings(backend="local", local_dir=tmp_path / "objects"))
        return
    endpoint = request.getfixturevalue("moto_endpoint")
    settings = StorageSettings(
        backend="s3",
        s3_endpoint=endpoint,
        s3_bucket=f"b-{tmp_path.name[-12:].lower().replace('_', '-')}",
        s3_access_key="testing",
        s3_secret_key="testing",
    )
    yield open_store(settings)


class TestValidateKey:
    @pytest.mark.parametrize(
        "key", ["", "/etc/passwd", "../x", "a/../../b", "a//b", "a\\b", "C:/x", "a/./b", "a\x00b"]
    )
    def test_rejects_unsafe_keys(self, key: str) -> None:
        with pytest.raises(InvalidInput):
            validate_key(key)

    @pytest.mark.parametrize("key", ["images/ab.png", "t1/kb/문서.pdf", "a..b/c"])
    def test_accepts_relative_keys(self, key: str) -> None:
        assert validate_key(key) == key


class TestObjectStore:
    async def test_put_get_exists_delete(self, store: ObjectStore) -> None:
        await store.put("docs/한글.txt", "안녕 hello".encode(), content_type="text/plain")
        assert await store.exists("docs/한글.txt")
        assert await store.get("docs/한글.txt") == "안녕 hello".encode()
        await store.put("docs/한글.txt", b"v2")
        assert await store.get("docs/한글.txt") == b"v2"
        await store.delete("docs/한글.txt")
        assert not await store.exists("docs/한글.txt")
        await store.delete("docs/한글.txt")  # idempotent

    async def test_get_missing_raises_not_found(self, store: ObjectStore) -> None:
        with pytest.raises(NotFound):
            await store.get("nope/missing.bin")
        assert not await store.exists("nope/missing.bin")

    async def test_delete_prefix_removes_only_that_prefix(self, store: ObjectStore) -> None:
        for key in ("t1/a", "t1/b/c", "t10/a", "t2/a"):
            await store.put(key, key.encode())
        assert await store.delete_prefix("t1/") == 2
        assert not await store.exists("t1/b/c")
        assert await store.get("t10/a") == b"t10/a"
        assert await store.get("t2/a") == b"t2/a"

    async def test_unsafe_key_rejected_before_io(self, store: ObjectStore) -> None:
        with pytest.raises(InvalidInput):
            await store.put("../escape", b"x")
        with pytest.raises(InvalidInput):
            await store.get("/abs")

    def test_url_for_is_stable_reference(self, store: ObjectStore) -> None:
        url = store.url_for("images/x.png")
        assert url in ("local://images/x.png",) or (url.startswith("s3://") and url.endswith("/images/x.png"))


class TestOpenStore:
    def test_default_is_local(self, tmp_path: Path) -> None:
        assert isinstance(open_store(StorageSettings(local_dir=tmp_path)), LocalStore)

    def test_s3_needs_endpoint(self) -> None:
        with pytest.raises(InvalidInput):
            open_store(StorageSettings(backend="s3"))

    def test_s3_selected(self, moto_endpoint: str) -> None:
        assert isinstance(open_store(StorageSettings(backend="s3", s3_endpoint=moto_endpoint)), S3Store)

    async def test_local_put_is_atomic_no_temp_left(self, tmp_path: Path) -> None:
        store = LocalStore(tmp_path)
        await store.put("a/b.bin", b"1" * 1000)
        assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b.bin"]
