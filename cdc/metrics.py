"""CDC metrics: records published, how long a commit waited to reach Kafka, slot lag, and billing's delay."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from jisik.metrics import LATENCY_BUCKETS

__all__ = [
    "BILLING_LATE_RECORDS",
    "BILLING_RECORDS",
    "BILLING_THRESHOLDS_FIRED",
    "BILLING_WINDOW_DELAY_SECONDS",
    "COMMIT_TO_PUBLISH_SECONDS",
    "RECORDS_PUBLISHED",
    "SLOT_LAG_BYTES",
]

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
BILLING_WINDOW_DELAY_SECONDS = Histogram(
    "jisik_billing_window_delay_seconds",
    "Time from a usage record's transaction to its window totals being written to billing_usage",
    buckets=LATENCY_BUCKETS,
)
BILLING_RECORDS = Counter(
    "jisik_billing_usage_records",
    "Usage records counted into billing_usage (each record once)",
)
BILLING_LATE_RECORDS = Counter(
    "jisik_billing_late_records",
    "Usage records dropped because their billing period was already final",
)
BILLING_THRESHOLDS_FIRED = Counter(
    "jisik_billing_thresholds_fired",
    "Soft thresholds crossed (billing.threshold events), by level",
    ("level",),
)
