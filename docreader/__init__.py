"""docreader: parse documents and URLs into ordered, atomic chunks over gRPC (WeKnora-compatible)."""
