"""Kafka-carried ingest pipeline: upload -> parse -> validate -> embed + index."""
