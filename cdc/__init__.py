"""Change data capture: the outbox relay (pgoutput logical replication -> Kafka), Debezium-format
change events on ``db.<table>``, the processors that materialise ``index.meta`` and the ``billing_usage`` totals, and
the applier that makes the retriever follow ``index.meta`` (access changes, deleted documents)."""
