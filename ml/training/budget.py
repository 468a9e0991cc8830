"""Training loops with a time budget: shuffled batches for some epochs, and steps over them until they are
done or the budget is spent (at least one step runs either way)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

__all__ = ["BudgetedRun", "epoch_batches", "run_within_budget"]

Batch = TypeVar("Batch")


@dataclass(frozen=True, slots=True)
class BudgetedRun:
    steps: int
    seen: int  # examples the steps took
    stopped_by_budget: bool


def epoch_batches(count: int, batch_size: int, epochs: int, seed: int, *, smallest: int = 1) -> list[np.ndarray]:
    """Indexes of ``count`` examples in batches of ``batch_size``, shuffled anew each epoch; batches with
    fewer than ``smallest`` examples are left out."""
    generator = np.random.default_rng(seed)
    return [order[i : i + batch_size] for order in (generator.permutation(count) for _ in range(epochs))
            for i in range(0, count, batch_size) if len(order[i : i + batch_size]) >= smallest]


def run_within_budget(batches: Sequence[Batch], step: Callable[[Batch], int], *, started: float, budget_s: float,
                      progress: Callable[[float], None] | None = None) -> BudgetedRun:
    """Run ``step`` (it returns the examples it took) on each batch; after the first, stop once ``budget_s``
    since ``started`` (a ``time.perf_counter`` reading) is spent. ``progress`` gets the larger of the share
    of batches done and the share of the budget spent."""
    steps = seen = 0
    for number, batch in enumerate(batches, start=1):
        seen += step(batch)
        steps += 1
        elapsed = time.perf_counter() - started
        if progress is not None:
            progress(max(number / len(batches), elapsed / budget_s))
        if elapsed >= budget_s and number < len(batches):
            return BudgetedRun(steps, seen, True)
    return BudgetedRun(steps, seen, False)
