"""Callbacks for the ``callbacks`` option: watch a search and stop it early.

A callback is any callable taking a :class:`SearchState`; it is called after
each batch and returning ``True`` stops the search. A stopped search is a
normal fitted search: ``cv_results_`` holds every finished candidate and the
best one is refit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Deadline", "NoImprovement", "SearchState", "TargetScore"]


@dataclass(frozen=True)
class SearchState:
    """What a callback sees after each batch.

    Attributes
    ----------
    n_candidates : int
        Candidates evaluated so far: rows of ``cv_results``. With successive
        halving a candidate has a row at each rung it reached, so this may
        exceed ``n_iter``.
    n_iter : int
        The search's budget of candidates.
    scores : ndarray of shape (n_candidates,)
        Mean CV score of the optimised metric of each row, in the order they
        were evaluated (``NaN`` for failed fits).
    best_score : float
        Best of ``scores`` among the rows that may be chosen (with successive
        halving, those at ``max_resources``: ``NaN`` until one is there); ``NaN``
        while every fit failed.
    best_params : dict or None
        Parameters of the best candidate.
    elapsed : float
        Seconds since the search started.
    cv_results : dict
        ``cv_results_`` of the candidates evaluated so far.
    """

    n_candidates: int
    n_iter: int
    scores: np.ndarray
    best_score: float
    best_params: dict[str, Any] | None
    elapsed: float
    cv_results: dict[str, Any]


class NoImprovement:
    """Stop when the best score has not improved over the last ``patience`` candidates.

    Parameters
    ----------
    patience : int
        Number of candidates without improvement that ends the search.
    tol : float, default=0.0
        An improvement counts only if it exceeds ``tol``.
    """

    def __init__(self, patience: int, tol: float = 0.0) -> None:
        if not isinstance(patience, int) or patience < 1:
            raise ValueError(f"NoImprovement: patience must be an int >= 1, got {patience!r}")
        if tol < 0:
            raise ValueError(f"NoImprovement: tol must be >= 0, got {tol!r}")
        self.patience = patience
        self.tol = tol

    def __call__(self, state: SearchState) -> bool:
        scores = np.where(np.isnan(state.scores), -np.inf, state.scores)
        if len(scores) <= self.patience:
            return False
        before = scores[: -self.patience].max()
        return bool(scores[-self.patience :].max() <= before + self.tol)

    def __repr__(self) -> str:
        return f"NoImprovement(patience={self.patience}, tol={self.tol})"


class TargetScore:
    """Stop once a candidate reaches ``score``.

    Parameters
    ----------
    score : float
        Mean CV score (of the optimised metric) that is good enough.
    """

    def __init__(self, score: float) -> None:
        self.score = score

    def __call__(self, state: SearchState) -> bool:
        return bool(np.nan_to_num(state.best_score, nan=-np.inf) >= self.score)

    def __repr__(self) -> str:
        return f"TargetScore({self.score!r})"


class Deadline:
    """Stop once ``seconds`` have passed since the search started.

    The batch running at the deadline finishes; use ``max_time`` for the same
    rule applied before each batch starts.

    Parameters
    ----------
    seconds : float
    """

    def __init__(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError(f"Deadline: seconds must be > 0, got {seconds!r}")
        self.seconds = seconds

    def __call__(self, state: SearchState) -> bool:
        return state.elapsed >= self.seconds

    def __repr__(self) -> str:
        return f"Deadline({self.seconds!r})"
