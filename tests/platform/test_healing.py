"""Self-healing of a real ``jisik up``: every process is killed with ``kill -9`` while documents flow.

Re-driving by staleness is pushed out of reach (``JISIK_INGEST_REDRIVE_STALE_S`` = 10 minutes), so
documents that finish here were resumed by the restart itself, not by the periodic re-driver.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.stack import JisikUp

pytestmark = [pytest.mark.integration, pytest.mark.slow]

API = "/api/v1"
NO_STALENESS_REDRIVE = {"JISIK_INGEST_REDRIVE_STALE_S": "600", "JISIK_INGEST_REDRIVE_INTERVAL_S": "600"}


def _wait_for(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, f"{what} within {timeout_s:.0f}s"
        time.sleep(0.5)


def _get(up: JisikUp, path: str) -> httpx.Response:
    return httpx.get(f"{up.gateway_url}{path}", headers=up.headers, timeout=30)


def _ok(up: JisikUp, path: str) -> bool:
    try:
        return _get(up, path).status_code == 200
    except httpx.HTTPError:
        return False


def _knowledge_base(up: JisikUp, name: str) -> str:
    created = httpx.post(f"{up.gateway_url}{API}/knowledge-bases", json={"name": name}, headers=up.headers,
                         timeout=30)
    assert created.status_code == 201, created.text
    return str(created.json()["data"]["id"])


def _upload(up: JisikUp, base_id: str, number: int) -> str:
    text = f"# Note {number}\n\nTeam {number} meets in room {number * 7}. Budget item {number * 13}.\n"
    response = httpx.post(f"{up.gateway_url}{API}/knowledge-bases/{base_id}/knowledge/file",
                          files={"file": (f"note-{number}.md", text.encode(), "text/markdown")},
                          headers=up.headers, timeout=60)
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def _statuses(up: JisikUp, ids: list[str]) -> dict[str, str]:
    statuses = {}
    for knowledge_id in ids:
        try:
            response = _get(up, f"{API}/knowledge/{knowledge_id}")
        except httpx.HTTPError:
            return {}
        if response.status_code != 200:
            return {}
        statuses[knowledge_id] = response.json()["data"]["parse_status"]
    return statuses


def _all_completed(up: JisikUp, ids: list[str], timeout_s: float = 120) -> None:
    _wait_for(lambda: set(_statuses(up, ids).values()) == {"completed"}, timeout_s,
              f"documents did not all complete: {_statuses(up, ids)}; jisik up said:\n{up.log_tail()}")


@pytest.fixture(scope="module")
def up() -> Iterator[JisikUp]:
    root = Path(tempfile.mkdtemp(prefix="jisik-healing-"))
    # A 3 s pause before restarts leaves time to observe PostgreSQL being down.
    running = JisikUp(root, JISIK_RESTART_BACKOFF_S="3", **NO_STALENESS_REDRIVE)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        shutil.rmtree(root, ignore_errors=True)


class TestServicesComeBack:
    @pytest.mark.parametrize("victim", ["ingest", "docreader", "model", "retriever", "cdc", "gateway"])
    def test_killed_service_comes_back_and_uploads_keep_working(self, up: JisikUp, victim: str) -> None:
        base_id = _knowledge_base(up, f"after-{victim}")
        before = [_upload(up, base_id, number) for number in range(3)]
        old_pid = up.kill(victim)
        _wait_for(lambda: up.pid(victim) not in (None, old_pid), 60, f"{victim} was not restarted")
        _wait_for(lambda: _ok(up, "/ready"), 120, f"the stack was not ready again after {victim} died")
        after = [_upload(up, base_id, number) for number in range(3, 6)]
        _all_completed(up, before + after)
        assert up.process is not None and up.process.poll() is None


class TestInfrastructureComesBack:
    def test_database_down_is_503_naming_it_then_it_comes_back(self, up: JisikUp) -> None:
        base_id = _knowledge_base(up, "database-outage")
        in_flight = [_upload(up, base_id, number) for number in range(10, 20)]
        ingest = up.pid("ingest")
        up.kill("postgres")
        listed = _get(up, f"{API}/knowledge-bases")
        assert listed.status_code == 503, listed.text
        assert listed.json()["error"]["code"] == "unavailable"
        assert listed.json()["error"]["dependency"] == "database"
        ready = httpx.get(f"{up.gateway_url}/ready", timeout=30)
        assert ready.status_code == 503 and "database" in ready.json()["down"]
        _wait_for(lambda: _ok(up, f"{API}/knowledge-bases"), 120, "the database did not come back")
        ids = [_upload(up, base_id, number) for number in range(3)]
        # No staleness re-drive and no ingest restart: the documents caught by the outage were waited
        # out by the running ingest and finished once PostgreSQL answered again.
        _all_completed(up, in_flight + ids)
        assert up.pid("ingest") == ingest

    def test_broker_killed_mid_ingest_loses_nothing(self, up: JisikUp) -> None:
        base_id = _knowledge_base(up, "broker-outage")
        ids = [_upload(up, base_id, number) for number in range(5)]
        old_pid = up.kill("broker")
        _wait_for(lambda: up.pid("broker") not in (None, old_pid), 60, "the broker was not restarted")
        ids += [_upload(up, base_id, number) for number in range(5, 8)]
        _all_completed(up, ids)


class TestSupervisorDeath:
    def test_kill_9_leaves_nothing_and_the_next_start_resumes_in_flight_documents(self) -> None:
        root = Path(tempfile.mkdtemp(prefix="jisik-healing-restart-"))
        first = JisikUp(root, **NO_STALENESS_REDRIVE)
        second = JisikUp(root, **NO_STALENESS_REDRIVE)
        second.settings, second.env = first.settings, first.env
        try:
            first.start()
            assert first.process is not None
            tree = psutil.Process(first.process.pid).children(recursive=True)
            base_id = _knowledge_base(first, "in-flight")
            ids = [_upload(first, base_id, number) for number in range(8)]
            first.kill_supervisor()
            _, alive = psutil.wait_procs(tree, timeout=30)
            assert [process.cmdline() for process in alive] == []
            second.start()
            ready = httpx.get(f"{second.gateway_url}/ready", timeout=30).json()
            assert isinstance(ready["pending_documents"], int) and isinstance(ready["stalled_documents"], int)
            _all_completed(second, ids, timeout_s=90)
            lag = _get(second, f"{API}/ingest/lag").json()["data"]
            assert lag["unfinished_documents"] == 0
        finally:
            first.stop()
            second.stop()
            shutil.rmtree(root, ignore_errors=True)
