"""CDC relay metrics: records published, how long a commit waited to reach Kafka, and slot lag."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from jisik.metrics import LATENCY_BUCKETS

__all__ = ["COMMIT_TO_PUBLISH_SECONDS", "RECORDS_PUBLISHED", "SLOT_LAG_BYTES"]

RECORDS_PUBLISHED = Counter(
    "jisik_cdc_records_published",
    "Change and outbox records the relay published and saw acknowledged",
)
COMMIT_TO_PUBLISH_SECONDS = Histogram(
    "jisik_cdc_commit_to_publish_seconds",
    "Time from a transaction's commit in PostgreSQL to the acknowledgement of its records by Kafka",
    buckets=LATENCY_BUCKETS,
)
SLOT_LAG_BYTES = Gauge(
    "jisik_cdc_slot_lag_bytes",
    "WAL bytes written since the replication slot's confirmed position, as of the relay's last step",
)
