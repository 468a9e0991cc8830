"""TryLedger: a document's own failure ends it at once, a crash gets one retry, an outage is waited out."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from ingest.failures import Fault, TryLedger, classify
from jisik.db.engine import create_engine
from jisik.errors import (
    Blocked,
    DeadlineExceeded,
    InvalidInput,
    NotFound,
    ParseFailed,
    ParserCrashed,
    QuotaExceeded,
    TooLarge,
    Unavailable,
)
from jisik.settings import IngestSettings


def ledger(**settings: Any) -> TryLedger:
    return TryLedger(IngestSettings(**{"retry_backoff_s": 1.0, "retry_backoff_max_s": 4.0, **settings}))


@pytest.mark.parametrize(
    ("error", "fault"),
    [
        (ParseFailed("cannot resolve host 'x.invalid'"), Fault.DOCUMENT),
        (Blocked("refused"), Fault.DOCUMENT),
        (InvalidInput("bad"), Fault.DOCUMENT),
        (TooLarge("too many chunks"), Fault.DOCUMENT),
        (NotFound("gone"), Fault.DOCUMENT),
        (QuotaExceeded("budget"), Fault.DOCUMENT),
        (ParserCrashed("the parser process crashed"), Fault.CRASH_OR_DEADLINE),
        (DeadlineExceeded("docreader did not answer in time"), Fault.CRASH_OR_DEADLINE),
        (Unavailable("docreader is unavailable"), Fault.OUTAGE),
        (OperationalError("SELECT 1", {}, OSError("server closed the connection unexpectedly")), Fault.OUTAGE),
        (RuntimeError("bug"), Fault.TRANSIENT),
    ],
)
def test_classify(error: Exception, fault: Fault) -> None:
    assert classify(error) is fault


async def test_a_database_that_refuses_connections_is_an_outage() -> None:
    """What the ingest stages meet while PostgreSQL restarts: waited out, not counted as tries."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    engine = create_engine(f"postgresql://jisik@127.0.0.1:{closed_port}/jisik")
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - whatever the driver raises is what ingest meets
        refused: BaseException = exc
    else:
        pytest.fail("a closed port accepted a database connection")
    finally:
        await engine.dispose()
    assert classify(refused) is Fault.OUTAGE
    tries = ledger(max_attempts=1)
    assert tries.failed(refused, "an internal error stopped the parse step", 0.0) is None and tries.attempts == 0


class TestTryLedger:
    def test_the_documents_own_failure_ends_it_at_the_first_try(self) -> None:
        tries = ledger(max_attempts=5)
        assert tries.failed(ParseFailed("x"), "cannot resolve host 'x.invalid'", 0.0) == (
            "cannot resolve host 'x.invalid'")
        assert tries.attempts == 1

    @pytest.mark.parametrize("error", [ParserCrashed("c"), DeadlineExceeded("d")])
    def test_a_crash_or_deadline_is_retried_once_then_fails_in_words(self, error: Exception) -> None:
        tries = ledger(max_attempts=5)
        assert tries.failed(error, "the parser process crashed", 0.0) is None
        assert tries.failed(error, "the parser process crashed", 1.0) == (
            "the parser process crashed (gave up after 2 tries)")

    def test_no_crash_retries_when_set_to_zero(self) -> None:
        assert ledger(crash_retries=0).failed(ParserCrashed("c"), "crashed", 0.0) is not None

    def test_an_outage_waits_its_budget_without_using_tries(self) -> None:
        tries = ledger(max_attempts=1, outage_budget_s=60)
        for now in (0.0, 10.0, 59.0):
            assert tries.failed(Unavailable("u"), "model service is unavailable", now) is None
        assert tries.attempts == 0
        assert tries.failed(Unavailable("u"), "model service is unavailable", 60.0) == (
            "model service is unavailable (still unavailable after 60 s)")

    def test_other_failures_get_max_attempts_with_growing_backoff(self) -> None:
        tries = ledger(max_attempts=3)
        delays = []
        for _ in range(2):
            assert tries.failed(RuntimeError("bug"), "an internal error stopped the parse step", 0.0) is None
            delays.append(tries.backoff_s())
        assert tries.failed(RuntimeError("bug"), "an internal error stopped the parse step", 0.0) == (
            "an internal error stopped the parse step (gave up after 3 tries)")
        assert delays == [1.0, 2.0] and tries.backoff_s() == 4.0

    def test_an_outage_is_tried_again_at_least_every_outage_retry_s(self) -> None:
        tries = ledger(retry_backoff_max_s=30.0, outage_retry_s=2.0, outage_budget_s=600)
        delays = []
        for now in range(6):
            assert tries.failed(Unavailable("u"), "docreader is unavailable", float(now)) is None
            delays.append(tries.backoff_s())
        assert delays == [1.0, 2.0, 2.0, 2.0, 2.0, 2.0]
        tries.failed(RuntimeError("bug"), "an internal error stopped the parse step", 6.0)
        assert tries.backoff_s() == 30.0  # the outage is over: the usual backoff again
