"""The retriever: hybrid (pgvector + BM25) search over chunks, per tenant, behind a gRPC service."""
