"""The feature reranker: logistic regression over ``features.FEATURES`` (standardised), trained on
candidate lists where the question's own passage is the positive."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression

__all__ = ["FeatureReranker", "train_reranker"]


@dataclass(frozen=True, slots=True)
class FeatureReranker:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probability that each row's candidate holds the answer."""
        if not len(features):
            return np.zeros(0, dtype=np.float32)
        logits = ((features - self.mean) / self.scale) @ self.coef + self.intercept
        return (1 / (1 + np.exp(-logits))).astype(np.float32)


def train_reranker(features: np.ndarray, labels: np.ndarray, *, regularisation: float = 1.0) -> FeatureReranker:
    """Fit on rows ``features`` [n, f] with 0/1 ``labels``; positives are re-weighted to balance classes.

    :raises ValueError: the labels hold only one class.
    """
    if len(set(labels.tolist())) < 2:
        raise ValueError("the reranker needs both relevant and irrelevant candidates")
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=1000)
    model.fit((features - mean) / scale, labels)
    return FeatureReranker(mean.astype(np.float32), scale.astype(np.float32),
                           model.coef_[0].astype(np.float32), float(model.intercept_[0]))
