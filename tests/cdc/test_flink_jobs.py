"""The Flink SQL jobs: their contract with the Python processors, and their logic run in PyFlink.

PyFlink runs where ``pyflink`` is importable, or through the interpreter named by
JISIK_TEST_PYFLINK_PYTHON (apache-flink pins old dependencies, so it gets its own virtualenv:
``python -m venv /opt/flink && /opt/flink/bin/pip install apache-flink``; needs Java 11+).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from usage_fixture import python_totals, usage_fixture

from cdc.change_event import ChangeEvent
from cdc.flink import jobs as jobs_module
from cdc.flink import kafka_connectors, options, statements, write_rendered
from cdc.index_meta import KnowledgeMeta, meta_change
from jisik.db.models import BillingUsage

RUNNER = Path(__file__).with_name("flink_runner.py")
BLACKHOLE = options(connector="blackhole")


def _pyflink_python() -> str | None:
    if importlib.util.find_spec("pyflink") is not None:
        return sys.executable
    return os.environ.get("JISIK_TEST_PYFLINK_PYTHON") or None


def _columns(job: str, table: str) -> list[str]:
    ddl = next(s for s in statements(job, kafka_connectors("k:9092")) if s.startswith(f"CREATE TABLE {table} ("))
    body = ddl[ddl.index("(") + 1:ddl.rindex(") WITH")]
    return [m.group(1) for line in body.splitlines() if (m := re.match(r"\s*`?(\w+)`?\s+[A-Z]", line))
            and m.group(1) != "PRIMARY"]


@pytest.mark.unit
class TestJobContract:
    def test_sinks_carry_the_python_records_fields(self) -> None:
        assert set(_columns("index_meta", "index_meta")) == set(KnowledgeMeta.model_fields)
        assert _columns("billing_usage", "billing_usage") == list(BillingUsage.model_fields)

    def test_kafka_topics_and_formats(self) -> None:
        index_meta = " ".join(statements("index_meta", kafka_connectors("k:9092")))
        assert "'topic' = 'db.knowledges'" in index_meta and "'format' = 'debezium-json'" in index_meta
        assert "'connector' = 'upsert-kafka'" in index_meta and "'topic' = 'index.meta'" in index_meta
        billing = " ".join(statements("billing_usage", kafka_connectors("k:9092")))
        assert "'topic' = 'db.usage'" in billing and "'format' = 'json'" in billing
        assert "'connector' = 'jdbc'" in billing and "'table-name' = 'billing_usage'" in billing

    def test_compose_files_are_rendered_from_the_templates(self, tmp_path: Path) -> None:
        for path in write_rendered(tmp_path):
            shipped = Path(jobs_module.__file__).with_name(path.name)
            assert shipped.read_text() == path.read_text(), "run: .venv/bin/python -m cdc.flink"
            assert "${" not in shipped.read_text()

    def test_bad_jobs_and_missing_connectors(self) -> None:
        with pytest.raises(KeyError, match="unknown Flink job"):
            statements("nope", {})
        with pytest.raises(KeyError):
            statements("index_meta", {"knowledges_changes": BLACKHOLE})
        assert options(path="it's") == "'path' = 'it''s'"


def _envelope(op: str, table: str, lsn: int, ts: int, before: dict[str, Any] | None,
              after: dict[str, Any] | None) -> dict[str, Any]:
    return {"before": before, "after": after, "op": op, "ts_ms": ts,
            "source": {"db": "d", "schema": "public", "table": table, "lsn": lsn, "ts_ms": ts, "connector": "jisik"}}


def _knowledge(kid: str, tenant: str = "t1", **overrides: Any) -> dict[str, Any]:
    row = {"id": kid, "tenant_id": tenant, "knowledge_base_id": "kb1", "parse_status": "PENDING",
           "enable_status": "enabled", "acl_principals": [], "version": 1, "file_size": 100, "chunk_count": 0}
    return {**row, **overrides}


def _run_flink(python: str, job: str, connectors: dict[str, str], view: str,
               mode: str = "streaming") -> list[dict[str, Any]]:
    runnable = [s for s in statements(job, connectors) if not s.startswith("INSERT")]
    spec = json.dumps({"statements": runnable, "query": f"SELECT * FROM {view}", "mode": mode})
    done = subprocess.run([python, str(RUNNER)], input=spec, capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return list(json.loads(done.stdout))


def _write(path: Path, events: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return str(path)


@pytest.mark.integration
@pytest.mark.slow
class TestJobsInPyFlink:
    @pytest.fixture
    def python(self) -> str:
        found = _pyflink_python()
        if found is None:
            pytest.skip("pyflink is not importable and JISIK_TEST_PYFLINK_PYTHON is not set")
        return found

    def test_index_meta_matches_the_materializer(self, python: str, tmp_path: Path) -> None:
        k1, k2, k3 = _knowledge("k1"), _knowledge("k2", parse_status="COMPLETED"), _knowledge("k3")
        events = [
            _envelope("c", "knowledges", 1, 1000, None, k1),
            _envelope("r", "knowledges", 0, 1000, None, k2),
            _envelope("c", "knowledges", 2, 1000, None, k3),
            _envelope("u", "knowledges", 3, 1100, k1, {**k1, "acl_principals": ["group:hr"]}),
            _envelope("u", "knowledges", 4, 1200, {**k1, "acl_principals": ["group:hr"]},
                      {**k1, "acl_principals": ["group:hr"], "enable_status": "disabled", "version": 2}),
            _envelope("u", "knowledges", 5, 1300, k2, {**k2, "title": "renamed"}),
            _envelope("d", "knowledges", 6, 1400, k3, None),
        ]
        source = options(connector="filesystem", path=_write(tmp_path / "knowledges.json", events),
                         format="debezium-json")
        rows = _run_flink(python, "index_meta", {"knowledges_changes": source, "index_meta": BLACKHOLE},
                          "index_meta_view")
        expected: dict[str, KnowledgeMeta] = {}
        for event in events:
            meta = meta_change(ChangeEvent.model_validate(event))
            if meta is not None:
                expected[meta.knowledge_id] = meta
        assert expected.pop("k3").deleted, "the materializer marks it deleted; Flink retracts it (a tombstone)"
        assert {row["knowledge_id"]: KnowledgeMeta.model_validate(row) for row in rows} == expected
        assert expected["k1"].acl_principals == ["group:hr"] and not expected["k1"].enabled

    def _billing_rows(self, python: str, tmp_path: Path, events: list[dict[str, Any]],
                      mode: str) -> dict[tuple[str, str, str, str, int], tuple[int, int]]:
        connectors = {
            "usage_events": options(connector="filesystem", format="json",
                                    path=_write(tmp_path / "usage.json", events)),
            "billing_usage": BLACKHOLE,
        }
        rows = _run_flink(python, "billing_usage", connectors, "billing_usage_view", mode)
        return {(row["tenant_id"], row["metric"], row["subject"], row["granularity"], row["window_start_ms"]):
                (int(row["quantity"]), row["events"]) for row in rows}

    def test_billing_stream_matches_the_python_totals(self, python: str, tmp_path: Path) -> None:
        events = usage_fixture(3_000, duplicates=0.3)
        assert self._billing_rows(python, tmp_path, events, "streaming") == python_totals(events)

    @pytest.mark.timeout(900)
    def test_billing_matches_the_python_totals_on_100k_events(self, python: str, tmp_path: Path) -> None:
        """The same SQL over a bounded input (batch mode hands over final rows, not a 300k-row changelog)."""
        events = usage_fixture(100_000)
        assert len(events) >= 100_000
        flink = self._billing_rows(python, tmp_path, events, "batch")
        expected = python_totals(events)
        assert flink == expected
        huge = max(q for (tenant, _, _, granularity, _), (q, _) in expected.items()
                   if tenant == "t-huge" and granularity == "month")
        assert huge > 2**63, "a total of the fixture passes BIGINT's range"
        months = {key[4] for key in expected if key[3] == "month"}
        assert months == {1_793_491_200_000, 1_796_083_200_000}  # November and December 2026
