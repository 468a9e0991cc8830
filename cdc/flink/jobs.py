"""The Flink SQL jobs: templates in ``templates/``, rendered for Kafka next to this module.

Each template names its connectors as ``${table}`` placeholders, so the same query runs over Kafka and
PostgreSQL (:func:`kafka_connectors`) and over files in tests. ``cdc/flink/<job>.sql`` are the templates
rendered for docker compose (broker ``kafka:9092``, database ``postgres:5432``), which runs them with
``sql-client.sh -f``;
regenerate them with ``python -m cdc.flink`` after editing a template.
"""

from __future__ import annotations

from pathlib import Path
from string import Template

from jisik.events import Topic, cdc_topic

__all__ = ["COMPOSE_BOOTSTRAP", "COMPOSE_JDBC_URL", "FLINK_JOBS", "kafka_connectors", "options", "render", "statements", "write_rendered"]

_HERE = Path(__file__).parent
FLINK_JOBS = ("index_meta", "billing_usage")
COMPOSE_BOOTSTRAP = "kafka:9092"
COMPOSE_JDBC_URL = "jdbc:postgresql://postgres:5432/jisik"
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


def _jdbc_sink(table: str, jdbc_url: str) -> str:
    """An upsert into PostgreSQL by the sink's primary key (compose's default user; edit for production)."""
    return options(**{"connector": "jdbc", "url": jdbc_url, "table-name": table, "username": "jisik",
                      "password": "jisik"})


def kafka_connectors(
    bootstrap_servers: str, group_prefix: str = "jisik.flink", jdbc_url: str = COMPOSE_JDBC_URL
) -> dict[str, str]:
    """Connector options of every table the jobs declare: Kafka topics, and billing_usage in PostgreSQL."""
    return {
        "knowledges_changes": _source(cdc_topic("knowledges"), bootstrap_servers, f"{group_prefix}.index-meta",
                                      "debezium-json"),
        "index_meta": _upsert_sink(Topic.INDEX_META.value, bootstrap_servers),
        "usage_events": _source(cdc_topic("usage_records"), bootstrap_servers, f"{group_prefix}.billing", "json"),
        "billing_usage": _jdbc_sink("billing_usage", jdbc_url),
    }


def render(job: str, connectors: dict[str, str]) -> str:
    """The job's SQL text with its connectors filled in.

    :raises KeyError: for an unknown job or a connector the job needs but ``connectors`` lacks.
    """
    if job not in FLINK_JOBS:
        raise KeyError(f"unknown Flink job {job!r}; known: {', '.join(FLINK_JOBS)}")
    return Template((_HERE / "templates" / f"{job}.sql").read_text()).substitute(connectors)


def statements(job: str, connectors: dict[str, str]) -> list[str]:
    """:func:`render`, split into statements without comments (for ``TableEnvironment.execute_sql``)."""
    body = "\n".join(line for line in render(job, connectors).splitlines() if not line.lstrip().startswith("--"))
    return [statement.strip() for statement in body.split(";") if statement.strip()]


def write_rendered(directory: Path = _HERE, bootstrap_servers: str = COMPOSE_BOOTSTRAP) -> list[Path]:
    """Write ``<job>.sql`` over Kafka and PostgreSQL for the SQL client; returns the files written."""
    written = []
    for job in FLINK_JOBS:
        path = directory / f"{job}.sql"
        path.write_text(_HEADER.format(job=job) + render(job, kafka_connectors(bootstrap_servers)))
        written.append(path)
    return written
