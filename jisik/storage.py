"""A small object-store abstraction: the local filesystem by default, S3 or MinIO through ``minio``.

Keys are ``/``-separated relative paths (``images/ab12.png``); they are validated so that no key can
escape the store's root. ``url_for`` returns a stable reference (``local://key``, ``s3://bucket/key``),
not a signed download URL.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, Protocol, TypeVar, runtime_checkable

from jisik.errors import InvalidInput, NotFound, Unavailable
from jisik.settings import StorageSettings

_P = ParamSpec("_P")
_T = TypeVar("_T")

__all__ = ["LocalStore", "ObjectStore", "S3Store", "open_store", "validate_key"]

_MAX_KEY_LENGTH = 1024
_BAD_KEY_CHARS = re.compile(r"[\x00-\x1f\\]")


@runtime_checkable
class ObjectStore(Protocol):
    """What every part of jisik needs from object storage."""

    async def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None: ...

    async def get(self, key: str) -> bytes:
        """:raises NotFound: when the key does not exist."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; no error when it is already gone."""
        ...

    async def delete_prefix(self, prefix: str) -> int:
        """Remove every object under ``prefix``; returns how many were removed."""
        ...

    async def exists(self, key: str) -> bool: ...

    def url_for(self, key: str) -> str: ...


def validate_key(key: str, *, prefix: bool = False) -> str:
    """Return ``key`` if it is a safe relative object key.

    :raises InvalidInput: for empty, absolute, ``..``-containing or control-character keys.
    """
    if not isinstance(key, str) or (not key and not prefix):
        raise InvalidInput("object key must be a non-empty string", field="key")
    if len(key) > _MAX_KEY_LENGTH:
        raise InvalidInput(f"object key is longer than {_MAX_KEY_LENGTH} characters", field="key")
    if key.startswith("/") or _BAD_KEY_CHARS.search(key) or re.match(r"^[A-Za-z]:", key):
        raise InvalidInput(f"object key {key!r} must be a relative path", field="key")
    parts = key.rstrip("/").split("/") if prefix else key.split("/")
    if any(part in ("..", ".", "") for part in parts if key):
        raise InvalidInput(f"object key {key!r} may not contain '.', '..' or empty segments", field="key")
    return key


class LocalStore:
    """Objects as files under one root folder; writes are atomic (temp file + rename)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self.root / validate_key(key)).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidInput(f"object key {key!r} escapes the store", field="key")
        return path

    async def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        await asyncio.to_thread(self._write, self._path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    async def get(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(f"object {key!r} does not exist") from exc

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await asyncio.to_thread(path.unlink, missing_ok=True)

    async def delete_prefix(self, prefix: str) -> int:
        validate_key(prefix, prefix=True)
        return await asyncio.to_thread(self._delete_prefix, prefix)

    def _delete_prefix(self, prefix: str) -> int:
        removed = 0
        for path in sorted(self.root.rglob("*")):
            if not path.is_file():
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix) and not path.name.startswith(".tmp-"):
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    async def exists(self, key: str) -> bool:
        path = self._path(key)
        return await asyncio.to_thread(path.is_file)

    def url_for(self, key: str) -> str:
        return f"local://{validate_key(key)}"


class S3Store:
    """Objects in one S3/MinIO bucket through the ``minio`` client (created on first use)."""

    def __init__(self, settings: StorageSettings) -> None:
        if not settings.s3_endpoint:
            raise InvalidInput("storage backend 's3' needs JISIK_STORAGE_S3_ENDPOINT", field="s3_endpoint")
        from minio import Minio

        self.bucket = settings.s3_bucket
        self._client = Minio(
            settings.s3_endpoint,
            access_key=settings.s3_access_key.get_secret_value() or None,
            secret_key=settings.s3_secret_key.get_secret_value() or None,
            region=settings.s3_region,
            secure=settings.s3_secure,
        )
        self._bucket_ready = False

    async def _call(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        from minio.error import MinioException
        from urllib3.exceptions import HTTPError

        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except (MinioException, HTTPError, OSError) as exc:
            raise Unavailable(
                f"object storage at bucket {self.bucket!r} failed: {type(exc).__name__}"
            ) from exc

    async def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        if not await self._call(self._client.bucket_exists, self.bucket):
            await self._call(self._client.make_bucket, self.bucket)
        self._bucket_ready = True

    async def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> None:
        validate_key(key)
        await self._ensure_bucket()
        await self._call(
            self._client.put_object, self.bucket, key, io.BytesIO(data), len(data), content_type=content_type
        )

    async def get(self, key: str) -> bytes:
        from minio.error import S3Error

        validate_key(key)

        def read() -> bytes:
            response = self._client.get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

        try:
            return await asyncio.to_thread(read)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket"):
                raise NotFound(f"object {key!r} does not exist") from exc
            raise Unavailable(f"object storage read of {key!r} failed: {exc.code}") from exc
        except OSError as exc:
            raise Unavailable(f"object storage read of {key!r} failed: {type(exc).__name__}") from exc

    async def delete(self, key: str) -> None:
        validate_key(key)
        await self._ensure_bucket()
        await self._call(self._client.remove_object, self.bucket, key)

    async def delete_prefix(self, prefix: str) -> int:
        validate_key(prefix, prefix=True)
        await self._ensure_bucket()

        def remove_all() -> int:
            removed = 0
            for item in self._client.list_objects(self.bucket, prefix=prefix, recursive=True):
                self._client.remove_object(self.bucket, item.object_name)
                removed += 1
            return removed

        return int(await self._call(remove_all))

    async def exists(self, key: str) -> bool:
        from minio.error import S3Error

        validate_key(key)
        try:
            await asyncio.to_thread(self._client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchBucket", "NoSuchObject"):
                return False
            raise Unavailable(f"object storage stat of {key!r} failed: {exc.code}") from exc
        return True

    def url_for(self, key: str) -> str:
        return f"s3://{self.bucket}/{validate_key(key)}"


def open_store(settings: StorageSettings) -> ObjectStore:
    """The configured store: :class:`LocalStore` under ``local_dir`` or :class:`S3Store`."""
    if settings.backend == "s3":
        return S3Store(settings)
    return LocalStore(Path(settings.local_dir))
