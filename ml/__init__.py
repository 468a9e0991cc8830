"""jisik machine-learning components: the model service lives in :mod:`ml.serving`."""
