"""Model backends; each module implements one or more of the Protocols in :mod:`ml.serving.types`."""
