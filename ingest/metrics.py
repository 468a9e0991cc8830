"""Ingest stage metrics: records taken, time spent per record, and failed tries by whose fault."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from jisik.metrics import LATENCY_BUCKETS

__all__ = ["STAGE_FAILURES", "STAGE_RECORDS", "STAGE_SECONDS", "TRY_FAILURES"]

STAGE_RECORDS = Counter(
    "jisik_ingest_records",
    "Records an ingest stage finished, by stage and outcome (done, failed, error, dropped, shed)",
    ("stage", "outcome"),
)
STAGE_SECONDS = Histogram(
    "jisik_ingest_processing_duration_seconds",
    "Time an ingest stage spent on one record, retries included, by stage",
    ("stage",),
    buckets=LATENCY_BUCKETS,
)
TRY_FAILURES = Counter(
    "jisik_ingest_try_failures",
    "Failed tries of an ingest stage, by stage and reason class (see ingest.failures.Fault)",
    ("stage", "reason"),
)
STAGE_FAILURES = Counter(
    "jisik_ingest_documents_failed",
    "Documents an ingest stage gave up on (marked failed, dead-lettered), by stage and reason class",
    ("stage", "reason"),
)
