"""Each tenant's own models, trained in minutes on CPU from its feedback and documents.

``pairs`` (training data and snapshots), ``tokens`` / ``features`` (what the reranker sees), ``adapter``
(query-side linear map over stored e5 vectors), ``reranker`` (logistic regression over features),
``bundle`` (the registered artifact), ``metrics`` / ``evaluate`` (held-out R@k, MRR@10, nDCG@10),
``trainer`` (one job end to end), ``worker`` (the supervised trainer process), ``registry`` (versions
and aliases), ``rollout`` (canary routing and automatic rollback), ``serving`` (what the chat pipeline
uses). The field tagger: ``field_labels`` (labelled, masked blocks from review corrections), ``tagger``
(CRF training, entity F1), ``tagger_job`` (one job end to end), ``tagger_registry`` (per knowledge base
aliases, promote, rollback); its run-time side is :mod:`fields.tagger`.
"""
