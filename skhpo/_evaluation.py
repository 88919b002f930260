"""How a batch of candidates is evaluated: today, full k-fold cross-validation.

An evaluator turns a batch of candidates into a :class:`BatchOutcome` (their
scores, and what a checkpoint stores of them); the loop does not know how.
:class:`CrossValidationEvaluator` fits every candidate on every fold through
scikit-learn's ``evaluate_candidates``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import check_cv

from ._compat import is_all_fits_failed_error
from ._inputs import metric_names, optimised_metric
from ._seam import BATCH_KEY, FitSeam, TaskContext

__all__ = [
    "BatchOutcome", "CrossValidationEvaluator", "FixedSplits", "fold_score", "mean_and_std",
]  # fmt: skip


class BatchOutcome(NamedTuple):
    """The evaluation of one batch.

    Attributes
    ----------
    y, y_std : ndarray of shape (n_candidates,)
        Mean and std over folds of the optimised metric (``error_score`` and NaN
        for candidates whose every fit failed).
    splits : list of list of dict or None
        scikit-learn's per-fold results of each candidate; None when every fit
        failed or when they are not kept.
    failure : str or None
        The error message when every fit of the batch failed.
    """

    y: np.ndarray
    y_std: np.ndarray
    splits: list | None
    failure: str | None


class FixedSplits:
    """A CV splitter that splits once and then replays those same splits.

    ``evaluate_candidates`` calls ``cv.split`` on every call; a shuffling splitter
    without a ``random_state`` would give each batch other folds, making scores of
    different batches incomparable.

    Parameters
    ----------
    cv : int, splitter, iterable or None
        The search's ``cv`` parameter, resolved by ``check_cv`` as
        ``BaseSearchCV.fit`` resolves it.
    classifier : bool
        Whether the estimator is a classifier (stratified folds for an int ``cv``).
    on_split : callable or None
        Called as ``on_split(X, y, splits)`` once the splits are made.
    """

    def __init__(self, cv: Any, classifier: bool, on_split: Callable | None = None) -> None:
        self.cv = cv
        self.classifier = classifier
        self.on_split = on_split
        self.splits: list | None = None

    def split(self, X: Any, y: Any = None, **params: Any):
        if self.splits is None:
            cv = check_cv(self.cv, y, classifier=self.classifier)
            splits = list(cv.split(X, y, **params))
            if self.on_split is not None:  # before any fit: may refuse the data
                self.on_split(X, y, splits)
            self.splits = splits
        return iter(self.splits)

    def get_n_splits(self, X: Any = None, y: Any = None, **params: Any) -> int:
        return check_cv(self.cv, y, classifier=self.classifier).get_n_splits(X, y, **params)


class CrossValidationEvaluator:
    """Scores each candidate of a batch by its mean over every CV fold.

    Parameters
    ----------
    search : BaseStrategySearchCV
        The search (``scoring``, ``refit``, ``objective``, ``error_score``,
        ``n_splits_`` are read).
    seam : FitSeam
        The link to scikit-learn's ``evaluate_candidates``.
    cv : FixedSplits
        The folds every batch is scored on.
    on_fitted : callable
        Called once a batch's fits are done, before its scores are read (from
        there until the batch is recorded, Ctrl-C waits).
    keep_splits : bool, default=False
        Whether outcomes carry the per-fold results (for a checkpoint).
    """

    def __init__(
        self, search: Any, seam: FitSeam, cv: FixedSplits, on_fitted: Callable[[], None],
        keep_splits: bool = False,
    ) -> None:  # fmt: skip
        self.search = search
        self.seam = seam
        self.cv = cv
        self.on_fitted = on_fitted
        self.keep_splits = keep_splits
        self.metric = optimised_metric(search)
        # What the last successful ``evaluate_candidates`` returned (BaseSearchCV.fit's
        # cv_results_ to be), and the error of the last batch whose every fit failed.
        self.results: dict = {}
        self.all_failed_error: ValueError | None = None

    def evaluate(
        self, params: list[dict], *, batch: int, position: int, ctx: TaskContext
    ) -> BatchOutcome:
        """Fit every candidate on every fold; their scores.

        ``batch`` tags the rows in ``cv_results_``; ``position`` is the number of
        rows before them (where a batch whose every fit failed is put).
        """
        more_results = {BATCH_KEY: [batch] * len(params)}
        try:
            self.results = self.seam.evaluate(
                params, cv=self.cv, more_results=more_results, **ctx.as_kwargs()
            )
            self.on_fitted()
            y, y_std = self._batch_scores(batch)
        except ValueError as exc:
            self.on_fitted()
            if not is_all_fits_failed_error(exc):
                raise
            return self._failed(params, exc, batch, position)
        splits = self.seam.batch_splits(batch) if self.keep_splits else None
        return BatchOutcome(y, y_std, splits, None)

    def restore(
        self, params: list[dict], parts: list[tuple[int, int, Any]], *, batch: int,
        position: int, source: str, more_results: dict | None = None,
    ) -> BatchOutcome:  # fmt: skip
        """Put stored candidates in ``cv_results_`` without fitting; their scores.

        ``parts`` are ``(start, stop, outcome)`` slices of the candidates, each
        outcome the per-fold results of an ``evaluate_candidates`` call or its
        error message; ``source`` names where they were stored (for errors);
        ``more_results`` other columns of the candidates' rows.
        """
        y, y_std = np.full(len(params), np.nan), np.full(len(params), np.nan)
        for start, stop, outcome in parts:
            more = {k: v[start:stop] for k, v in (more_results or {}).items()}
            self.seam.add_rows(position + start, params[start:stop], batch, outcome, more)
            if isinstance(outcome, str):  # every fit of that call failed
                y[start:stop] = float(self.search.error_score)
                self.all_failed_error = ValueError(outcome)
                continue
            try:
                y[start:stop], y_std[start:stop] = mean_and_std(outcome, self.metric)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"{source} is not a readable skhpo checkpoint (its test scores of "
                    f"{self.metric!r} cannot be read: {exc!r}); it was left untouched: move "
                    "it away or pass another path."
                ) from None
        return BatchOutcome(y, y_std, None, None)

    def evaluate_a_restored_batch_again(self) -> None:
        """Fit again the last restored batch that had results, in its place.

        scikit-learn needs at least one evaluation per ``fit``: this is it when
        every candidate came from a checkpoint (a finished search run again).
        """
        restored = self.seam.take_last_restored()
        if restored is not None:
            params, more_results = restored
            self.results = self.seam.evaluate(
                params, quiet_header=False, cv=self.cv, more_results=more_results
            )

    def _batch_scores(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std of the optimised metric for the rows of ``batch``."""
        if callable(self.search.scoring):
            # Only now is it known whether a callable scoring gives several metrics.
            metrics = metric_names(self.results)
            self.metric = optimised_metric(self.search, [] if metrics == ["score"] else metrics)
        rows = np.flatnonzero(np.asarray(self.results[BATCH_KEY]) == batch)
        return (
            np.asarray(self.results[f"mean_test_{self.metric}"], dtype=float)[rows],
            np.asarray(self.results[f"std_test_{self.metric}"], dtype=float)[rows],
        )

    def _failed(
        self, params: list[dict], exc: ValueError, batch: int, position: int
    ) -> BatchOutcome:
        """Keep a batch whose every fit failed: its rows, a warning, and its scores."""
        self.all_failed_error = exc
        self.seam.add_rows(position, params, batch, str(exc))
        warnings.warn(str(exc), FitFailedWarning)
        error_score = float(self.search.error_score)
        y, y_std = np.full(len(params), error_score), np.full(len(params), np.nan)
        return BatchOutcome(y, y_std, None, str(exc))


def mean_and_std(splits: list[list[dict]], metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std over folds of ``metric``'s test scores, per candidate."""
    scores = np.array(
        [[fold_score(s["test_scores"], metric) for s in candidate] for candidate in splits],
        dtype=float,
    )
    return scores.mean(axis=1), scores.std(axis=1)


def fold_score(test_scores: Any, metric: str) -> float:
    """``metric``'s score in one fold's ``test_scores`` (a dict with several metrics)."""
    return float(test_scores[metric] if isinstance(test_scores, dict) else test_scores)
