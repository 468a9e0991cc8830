"""Rendering the Flink SQL jobs kept next to this module.

Each ``<job>.sql`` names its connectors as ``${table}`` placeholders, so the same query runs over
Kafka in production (:func:`kafka_connectors`) and over files in tests. ``${window_ms}`` is the
billing window. Submit with ``sql-client.sh -f`` on the rendered text, or with PyFlink's
``TableEnvironment.execute_sql`` statement by statement.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from jisik.events import Topic, cdc_topic

__all__ = ["FLINK_JOBS", "kafka_connectors", "options", "statements"]

_HERE = Path(__file__).parent
FLINK_JOBS = ("index_meta", "billing_usage")


def options(**values: str) -> str:
    """A WITH clause body: ``'key' = 'value', ...`` (single quotes escaped)."""
    return ", ".join(f"'{key}' = '{value.replace(chr(39), chr(39) * 2)}'" for key, value in values.items())


def _source(topic: str, bootstrap_servers: str, group: str, value_format: str) -> str:
    return options(**{
        "connector": "kafka", "topic": topic, "properties.bootstrap.servers": bootstrap_servers,
        "properties.group.id": group, "scan.startup.mode": "group-offsets",
        "properties.auto.offset.reset": "earliest", "format": value_format,
        f"{value_format}.ignore-parse-errors": "true",
    })


def _upsert_sink(topic: str, bootstrap_servers: str) -> str:
    return options(**{
        "connector": "upsert-kafka", "topic": topic, "properties.bootstrap.servers": bootstrap_servers,
        "key.format": "raw", "value.format": "json", "value.fields-include": "ALL",
    })


def kafka_connectors(bootstrap_servers: str, group_prefix: str = "jisik.flink") -> dict[str, str]:
    """Connector options of every table the jobs declare, over Kafka."""
    return {
        "knowledges_changes": _source(cdc_topic("knowledges"), bootstrap_servers, f"{group_prefix}.index-meta",
                                      "debezium-json"),
        "index_meta": _upsert_sink(Topic.INDEX_META.value, bootstrap_servers),
        "knowledge_events": _source(cdc_topic("knowledges"), bootstrap_servers, f"{group_prefix}.billing", "json"),
        "message_events": _source(cdc_topic("messages"), bootstrap_servers, f"{group_prefix}.billing", "json"),
        "billing_usage": _upsert_sink(Topic.BILLING_USAGE.value, bootstrap_servers),
    }


def statements(job: str, connectors: dict[str, str], *, window_s: int = 60) -> list[str]:
    """The job's SQL statements with connectors and the billing window (``cdc.billing_window_s``) filled in.

    :raises KeyError: for an unknown job or a connector the job needs but ``connectors`` lacks.
    """
    if job not in FLINK_JOBS:
        raise KeyError(f"unknown Flink job {job!r}; known: {', '.join(FLINK_JOBS)}")
    text = Template((_HERE / f"{job}.sql").read_text()).substitute(connectors, window_ms=str(window_s * 1000))
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in body.split(";") if statement.strip()]
