"""The retriever: hybrid (pgvector + BM25) search over chunks, per tenant, behind a gRPC service.

Layout: ``analysis/`` (tokens per script run), ``bm25.py`` (Okapi maths), ``index.py`` (writes),
``blocks.py`` (packed postings), ``keyword.py`` and ``vector.py`` (the two channels, with the
filters of ``filters.py``),
``fusion.py`` (RRF and weighted), ``validation.py``,
``service.py`` (the behaviour) and ``server.py`` (protobuf mapping, ``create_server``, ``run``).

Decisions worth knowing:

- A chunk's BM25 document is its title's tokens plus its content's; the content is analysed sentence
  by sentence and the sentences' tokens are kept with the row.
- The keyword channel re-ranks BM25's best ``fusion_depth`` candidates by
  ``(1 - w) * bm25 + w * best sentence`` (``sentence_weight`` w, 0.5 by default; ``sentences.py``):
  a chunk where the query's terms meet in one sentence beats one where they are scattered. Hits carry
  ``bm25_score`` and ``sentence_score``; ``keyword_score`` is the blend, plain BM25 when w is 0.
- BM25 scores are Okapi BM25 over the tenant's whole corpus (all its knowledge bases), equal to
  ``rank_bm25.BM25Okapi`` on the analyzer's tokens (k1 0.6, b 0.75, epsilon 0.25 by default). As in
  rank_bm25, a term in exactly half of the documents has idf 0 and one in more than half gets the
  epsilon floor, so very small corpora (one or two chunks) score few or no keyword hits.
- Keyword search reads each query term's whole postings list as packed blocks (``blocks.py``: a few
  rows of fixed-width records per term, written with the per-chunk postings in the same transaction)
  and sums the scores with numpy, so it is exact with no pruning; the best candidates are then checked
  against the filters a window at a time. Cost grows with the query terms' postings (document
  frequencies), about 5 MB read for a 20-term Korean question at 100k chunks.
- ``vector_threshold`` applies to cosine similarity, ``keyword_threshold`` to the raw BM25 score;
  a hit must reach the threshold (``>=``), so the default 0 drops negative scores.
- A knowledge base id in a search filter must be known to the tenant (it owns the knowledge base in
  the ops database, or has chunks indexed in it); otherwise the search fails with NotFound. Another
  tenant's knowledge base is "not found" too, so nothing leaks. Unknown knowledge ids just match nothing.
- Ties rank by chunk id; where the candidate cut-off falls inside a tie, insertion order decides.
- ``SetKnowledgeAccess`` is remembered per knowledge and wins over the ACL sent with later chunks.
"""
