"""Flink SQL jobs for the distributed deployment: the same index.meta and billing.usage as the Python processors."""

from .jobs import FLINK_JOBS, kafka_connectors, options, render, statements, write_rendered

__all__ = ["FLINK_JOBS", "kafka_connectors", "options", "render", "statements", "write_rendered"]
