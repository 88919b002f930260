"""The record of a running search: its scores, the state callbacks see, its checkpoint.

:class:`Recorder` keeps what every finished batch adds (scores, parameters),
writes finished batches to the checkpoint, and after each batch reports
progress and calls the user's callbacks.
"""

from __future__ import annotations

import time

import numpy as np

from ._checkpoint import Checkpoint
from ._evaluation import BatchOutcome
from ._progress import Progress
from .callbacks import SearchState

__all__ = ["Recorder"]


class Recorder:
    """Scores, parameters and batches recorded so far; what is told of them.

    Parameters
    ----------
    n_iter : int
        The search's budget (shown to callbacks).
    callbacks : list of callable
        Called with a :class:`~skhpo.callbacks.SearchState` after each batch.
    progress : Progress
        Prints progress after each batch.
    checkpoint : Checkpoint or None
        Where finished batches are written.
    """

    def __init__(
        self, n_iter: int, callbacks: list, progress: Progress,
        checkpoint: Checkpoint | None = None,
    ) -> None:  # fmt: skip
        self.n_iter = n_iter
        self.callbacks = callbacks
        self.progress = progress
        self.checkpoint = checkpoint
        self.start = time.monotonic()
        self.scores: list[float] = []
        self.params: list[dict] = []
        self.eligible: list[bool] = []
        self.n_batches = 0

    @property
    def n_candidates(self) -> int:
        """Candidates recorded so far."""
        return len(self.scores)

    def save(self, X: np.ndarray, params: list[dict], outcome: BatchOutcome) -> None:
        """Write the evaluated candidates of the current batch to the checkpoint, if any."""
        if self.checkpoint is not None:
            self.checkpoint.add_batch(self.n_batches, X, params, outcome.splits, outcome.failure)

    def add(self, params: list[dict], y: np.ndarray, eligible: np.ndarray | None = None) -> None:
        """Record a finished batch: its candidates and their scores.

        ``eligible`` tells which rows may be the best (with successive halving,
        those at the full resource); None: all.
        """
        self.n_batches += 1
        self.scores.extend(y.tolist())
        self.params.extend(params)
        self.eligible.extend([True] * len(y) if eligible is None else list(eligible))

    def report(self, cv_results: dict) -> bool:
        """Print progress and call every callback; whether one of them asked to stop."""
        state = self.state(cv_results)
        self.progress.report(state)
        # Every callback sees every batch, even after one of them asked to stop.
        return bool([cb(state) for cb in self.callbacks].count(True))

    def state(self, cv_results: dict) -> SearchState:
        """What a callback sees now."""
        scores = np.array(self.scores, dtype=float)
        candidates = np.where(self.eligible, np.nan_to_num(scores, nan=-np.inf), -np.inf)
        best = int(np.argmax(candidates)) if len(scores) else None
        found = best is not None and self.eligible[best] and not np.isnan(scores[best])
        return SearchState(
            n_candidates=len(scores),
            n_iter=self.n_iter,
            scores=scores,
            best_score=float(scores[best]) if found else float("nan"),
            best_params=self.params[best] if found else None,
            elapsed=time.monotonic() - self.start,
            cv_results=cv_results,
        )

    def elapsed(self) -> float:
        """Seconds since the search started."""
        return time.monotonic() - self.start
