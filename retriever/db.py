"""The retriever's asyncpg pool, with pgvector's binary format registered for ``vector`` columns."""

from __future__ import annotations

import struct

import asyncpg
import numpy as np

from jisik.db.engine import async_url

__all__ = ["create_pool"]

_HEADER = struct.Struct(">HH")


def _encode_vector(value: np.ndarray) -> bytes:
    array = np.asarray(value, dtype=">f4").ravel()
    return _HEADER.pack(array.size, 0) + array.tobytes()


def _decode_vector(data: bytes) -> np.ndarray:
    dimension, _ = _HEADER.unpack_from(data)
    return np.frombuffer(data, dtype=">f4", count=dimension, offset=_HEADER.size).astype(np.float32)


async def _init_connection(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec(
        "vector", schema="public", encoder=_encode_vector, decoder=_decode_vector, format="binary"
    )


def _dsn(url: str) -> str:
    return "postgresql://" + async_url(url)[len("postgresql+asyncpg://"):]


async def create_pool(url: str, *, size: int) -> asyncpg.Pool:
    """One pool per process; every connection speaks pgvector's binary format."""
    pool = await asyncpg.create_pool(_dsn(url), min_size=1, max_size=size, init=_init_connection)
    assert pool is not None
    return pool
