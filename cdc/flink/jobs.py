"""The Flink SQL jobs: templates in ``templates/``, rendered for Kafka next to this module.

Each template names its connectors as ``${table}`` placeholders, so the same query runs over Kafka
(:func:`kafka_connectors`) and over files in tests. ``cdc/flink/<job>.sql`` are the templates rendered
for docker compose (broker ``kafka:9092``, 60 s windows), which runs them with ``sql-client.sh -f``;
regenerate them with ``python -m cdc.flink`` after editing a template.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from jisik.events import Topic, cdc_topic

__all__ = ["COMPOSE_BOOTSTRAP", "FLINK_JOBS", "kafka_connectors", "options", "render", "statements", "write_rendered"]

_HERE = Path(__file__).parent
FLINK_JOBS = ("index_meta", "billing_usage")
COMPOSE_BOOTSTRAP = "kafka:9092"
_HEADER = "-- Generated from templates/{job}.sql by `python -m cdc.flink`; edit the template, not this file.\n"


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


def render(job: str, connectors: dict[str, str], *, window_s: int = 60, retention_windows: int = 10) -> str:
    """The job's SQL text with connectors, the billing window and the state retention filled in.

    :raises KeyError: for an unknown job or a connector the job needs but ``connectors`` lacks.
    """
    if job not in FLINK_JOBS:
        raise KeyError(f"unknown Flink job {job!r}; known: {', '.join(FLINK_JOBS)}")
    window_ms = window_s * 1000
    return Template((_HERE / "templates" / f"{job}.sql").read_text()).substitute(
        connectors, window_ms=str(window_ms), state_ttl_ms=str(window_ms * (retention_windows + 1))
    )


def statements(job: str, connectors: dict[str, str], *, window_s: int = 60, retention_windows: int = 10) -> list[str]:
    """:func:`render`, split into statements without comments (for ``TableEnvironment.execute_sql``)."""
    text = render(job, connectors, window_s=window_s, retention_windows=retention_windows)
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in body.split(";") if statement.strip()]


def write_rendered(directory: Path = _HERE, bootstrap_servers: str = COMPOSE_BOOTSTRAP, *, window_s: int = 60) -> list[Path]:
    """Write ``<job>.sql`` over Kafka for the SQL client; returns the files written."""
    written = []
    for job in FLINK_JOBS:
        path = directory / f"{job}.sql"
        path.write_text(_HEADER.format(job=job) + render(job, kafka_connectors(bootstrap_servers), window_s=window_s))
        written.append(path)
    return written
