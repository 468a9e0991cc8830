"""The model service: embeddings, reranking and streaming chat behind one gRPC API."""
