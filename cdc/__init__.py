"""Change data capture: the outbox relay (pgoutput logical replication -> Kafka), Debezium-format
change events on ``db.<table>``, and the processors that materialise ``index.meta`` and ``billing.usage``."""
