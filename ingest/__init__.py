"""Kafka-carried ingest pipeline: upload -> parse -> validate -> embed + index.

``commands`` runs in the gateway's transaction (row + outbox event); the stage workers reach the
docreader, the model service and the retriever through ``jisik.clients``, opened once per process.
"""
