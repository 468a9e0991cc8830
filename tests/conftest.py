"""Session-wide real infrastructure: one embedded PostgreSQL and one Tansu broker for every suite.

Suites get their own database (``fresh_database``) so they never see each other's rows.
Set JISIK_TEST_KEEP=1 to leave the data folder behind for inspection.
"""

from __future__ import annotations

import shutil
import socket
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from jisik.db.migrate import upgrade
from jisik.runtime.postgres import EmbeddedPostgres
from jisik.runtime.tansu import EmbeddedTansu
from tests.stack import embedded_stack  # noqa: F401

SHARED = Path(__file__).resolve().parents[2] / "shared"
BENCH_DOCS = SHARED / "bench" / "docs"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def postgres() -> Iterator[EmbeddedPostgres]:
    """A real PostgreSQL 18 with pgvector and wal_level=logical, for the whole test session."""
    root = Path(tempfile.mkdtemp(prefix="jisik-pg-"))
    server = EmbeddedPostgres(root / "data", free_port())
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def kafka() -> Iterator[EmbeddedTansu]:
    """A real Tansu Kafka-protocol broker (memory storage), for the whole test session."""
    broker = EmbeddedTansu(free_port())
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def fresh_database(postgres: EmbeddedPostgres) -> str:
    """A new, migrated database; returns its postgresql:// URL."""
    url = postgres.create_database(f"t_{uuid.uuid4().hex[:12]}")
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def module_database(postgres: EmbeddedPostgres) -> str:
    """A migrated database shared by the tests of one module."""
    url = postgres.create_database(f"m_{uuid.uuid4().hex[:12]}")
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def bench_docs() -> Path:
    """../shared/bench/docs; tests that need it skip when it is absent."""
    if not BENCH_DOCS.is_dir():
        pytest.skip("../shared/bench/docs is not present")
    return BENCH_DOCS
