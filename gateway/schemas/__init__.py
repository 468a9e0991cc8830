"""Request and response models of the REST API (WeKnora's field names)."""
