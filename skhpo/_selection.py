"""Choosing the winner of a search, and how good it will be on unseen data.

A search's candidates are ranked by mean CV scores that hold noise: the more
candidates, the more the best mean owes to luck (Cawley & Talbot, "On
over-fitting in model selection and subsequent selection bias in performance
evaluation", JMLR 11, 2010). This module holds the ``selection`` rules that pick
``best_index_`` from ``cv_results_`` and the estimates behind
``best_score_corrected_``; both read only ``cv_results_`` (and, for
``"smoothed"``, the candidates' coordinates in the search space).

Rows that are not complete evaluations are never chosen: rows marked ``True`` in
a ``pruned`` column (racing), rows below the largest ``n_resources`` (successive
halving), rows without a finite score on every fold.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from ._bo.gp import GaussianProcess
from ._bo.inputs import GPInputs
from ._compat import sklearn_select_best_index
from ._seam import PRUNED_KEY, RESOURCES_KEY
from .defaults._resolve import resolve_space
from .space import SearchSpace

__all__ = [
    "SELECTIONS", "Winner", "choose_winner", "corrected_score", "eligible_rows",
    "fold_scores", "leave_one_fold_out_score", "select_index", "tibshirani_corrected_score",
]  # fmt: skip

#: Most candidates the ``"smoothed"`` surrogate is fitted to (the best by mean CV
#: score): the contenders; keeps its cost flat in long searches.
MAX_SMOOTHED = 300
#: Fewest complete candidates for which ``"smoothed"`` fits a surrogate.
MIN_SMOOTHED = 5


def eligible_rows(results: dict, metric: str) -> np.ndarray:
    """Which rows of ``cv_results_`` may be chosen, shape ``(n_rows,)`` of bool.

    A row may be chosen when it has a finite score on every fold, is not marked
    ``pruned`` (racing) and was evaluated with the largest ``n_resources``
    (successive halving); either column is read only when present.
    """
    ok = np.isfinite(fold_scores(results, metric)).all(axis=1)
    if PRUNED_KEY in results:
        ok &= ~np.asarray(results[PRUNED_KEY], dtype=bool)
    return ok & _at_largest_resource(results)


def _at_largest_resource(results: dict) -> np.ndarray:
    """Rows evaluated with the largest ``n_resources`` (every row without halving)."""
    if RESOURCES_KEY not in results:
        return np.ones(len(results["params"]), dtype=bool)
    n_resources = np.asarray(results[RESOURCES_KEY], dtype=float)
    return n_resources == np.nanmax(n_resources)


def fold_scores(results: dict, metric: str) -> np.ndarray:
    """Per-fold test scores of ``metric``, shape ``(n_rows, n_splits)``."""
    prefix, suffix = "split", f"_test_{metric}"
    keys = [k for k in results if k.startswith(prefix) and k.endswith(suffix)
            and k[len(prefix) : -len(suffix)].isdigit()]  # fmt: skip
    keys.sort(key=lambda k: int(k[len(prefix) : -len(suffix)]))
    return np.column_stack([np.asarray(results[k], dtype=float) for k in keys])


# -- the rules: each maps per-fold scores of the eligible rows to one of them ---------------
def _best(scores: np.ndarray, features: np.ndarray | None) -> int:
    """The highest mean (the first of ties, as ``argmin`` of scikit-learn's rank)."""
    return int(np.argmax(scores.mean(axis=1)))


def _lcb(scores: np.ndarray, features: np.ndarray | None) -> int:
    """The highest lower confidence bound: mean minus one standard error over the folds."""
    k = scores.shape[1]
    if k < 2:  # one fold (leave-one-fold-out of two): no standard error
        return _best(scores, features)
    bound = scores.mean(axis=1) - scores.std(axis=1, ddof=1) / np.sqrt(k)
    return int(np.argmax(bound))


def _smoothed(scores: np.ndarray, features: np.ndarray | None) -> int:
    """The highest posterior mean of a Gaussian process fitted to the mean CV scores.

    The surrogate (skhpo's GP: Matern-5/2, one length scale per input, learned
    noise) pools the evidence of neighbouring candidates and discounts a mean
    that stands out of its neighbourhood as noise; the final choice by the
    posterior mean rather than the best observation is what Picheny et al.
    ("A benchmark of kriging-based infill criteria for noisy optimization",
    Struct. Multidiscip. Optim. 48, 2013) recommend for noisy objectives.
    """
    means = scores.mean(axis=1)
    if features is None or features.shape[1] == 0 or len(means) < MIN_SMOOTHED:
        return _best(scores, features)
    contenders = np.argsort(-means, kind="stable")[:MAX_SMOOTHED]
    y = means[contenders]
    spread = y.std()
    if not spread > 0:
        return _best(scores, features)
    X = features[contenders]
    gp = GaussianProcess(n_restarts=1).fit(X, (y - y.mean()) / spread, np.random.default_rng(0))
    posterior, _ = gp.predict(X)
    return int(contenders[np.argmax(posterior)])


_RULES: dict[str, Callable[[np.ndarray, np.ndarray | None], int]] = {
    "best": _best,
    "lcb": _lcb,
    "smoothed": _smoothed,
}
#: The accepted values of the ``selection`` option.
SELECTIONS = tuple(_RULES)


class Winner(NamedTuple):
    """What ``fit`` keeps of the choice: ``best_index_`` and ``best_score_corrected_``
    (None when a callable ``refit`` chose)."""

    index: int
    corrected_score: float | None


def choose_winner(search: Any, refit: Any, refit_metric: str, results: dict) -> Winner:
    """The candidate a fitted search keeps, by its ``selection`` option.

    A callable ``refit`` wins: its index is kept, checked as scikit-learn checks
    it, and no corrected score is made (as scikit-learn sets no ``best_score_``).
    Otherwise (``refit`` True, a metric name, or False with a single metric) the
    ``selection`` rule chooses among the complete rows, by ``refit_metric``.
    """
    if callable(refit):
        return Winner(int(sklearn_select_best_index(refit, refit_metric, results)), None)
    features = candidate_features(search, results) if search.selection == "smoothed" else None
    index = select_index(results, refit_metric, search.selection, features)
    return Winner(index, corrected_score(results, refit_metric, search.selection, index, features))


def candidate_features(search: Any, results: dict) -> np.ndarray | None:
    """The candidates' unit-cube coordinates, as the Bayesian search's GP sees them,
    shape ``(n_rows, n_features)``; None if a row lies outside the space."""
    space = SearchSpace(resolve_space(search))
    # A halving resource set as a parameter is in every row's params, not in the space.
    resource = getattr(search, "resource", None)
    params = [{k: v for k, v in p.items() if k != resource} for p in results["params"]]
    try:
        rows = space.encode(params)
    except (TypeError, ValueError):
        return None  # e.g. rows of a warm start from another space: plain means decide
    return GPInputs(space)(rows)


def select_index(
    results: dict, metric: str, selection: str, features: np.ndarray | None = None
) -> int:
    """The row of ``results`` that ``selection`` chooses.

    Parameters
    ----------
    results : dict
        ``cv_results_`` (or a dict with its ``split<k>_test_<metric>`` columns and,
        for ``"best"``, ``rank_test_<metric>``).
    metric : str
        The metric to choose by (``"score"`` for a single metric).
    selection : {"best", "lcb", "smoothed"}
    features : ndarray of shape (n_rows, n_features) or None
        The candidates' coordinates for ``"smoothed"`` (unit-cube GP inputs).

    Returns
    -------
    int
        With ``"best"``, scikit-learn's choice (the lowest ``rank_test_<metric>``,
        the first of ties) among the rows that may be chosen.
    """
    ok = eligible_rows(results, metric)
    rows = np.flatnonzero(ok)
    if selection == "best" or not len(rows):
        rank = np.asarray(results[f"rank_test_{metric}"], dtype=float)
        if not len(rows):
            # Nothing complete: scikit-learn's choice as it would make it, among the
            # rows at the largest resource (as its halving searches choose), and said.
            pool = np.flatnonzero(_at_largest_resource(results))
            warnings.warn(
                "No candidate"
                + (" evaluated with the largest n_resources" if RESOURCES_KEY in results else "")
                + f" has a finite {metric!r} on every CV fold; the best is chosen by "
                "scikit-learn's rank among them, failed folds and all.",
                UserWarning,
                stacklevel=3,
            )
            return int(pool[np.argmin(rank[pool])])
        return int(rows[np.argmin(rank[rows])])
    local_features = None if features is None else features[rows]
    return int(rows[_RULES[selection](fold_scores(results, metric)[rows], local_features)])


def corrected_score(
    results: dict, metric: str, selection: str, index: int, features: np.ndarray | None = None
) -> float:
    """``best_score_corrected_``: the chosen row ``index``'s score on unseen data.

    For ``"best"`` (the argmax, for which it is derived), Tibshirani &
    Tibshirani's correction; for the other rules, leave-one-fold-out selection.
    On ``benchmarks/selection.py`` the two are equally close to the holdout for
    the argmax (mean absolute error 0.0565 and 0.0569 over 160 runs), and
    Tibshirani's is the closer on pure noise (0.052 and 0.057); for the other
    rules leave-one-fold-out is the closer (0.0556 and 0.0585 for ``"smoothed"``).
    """
    if selection == "best":
        return tibshirani_corrected_score(results, metric, index)
    return leave_one_fold_out_score(results, metric, selection, features)


def leave_one_fold_out_score(
    results: dict, metric: str, selection: str, features: np.ndarray | None = None
) -> float:
    """An estimate of the score on unseen data of the candidate ``selection`` chooses.

    Leave-one-fold-out selection: for each fold ``k``, the rule chooses among
    the candidates by their scores on the other folds, and the chosen
    candidate's score on fold ``k`` (which played no part in that choice) is
    kept; the estimate is the mean of these ``n_splits`` scores. It is the
    selection-then-test idea of nested CV and of BBC-CV (Tsamardinos et al.,
    "Bootstrapping the out-of-sample predictions for efficient and accurate
    cross-validation", Machine Learning 107, 2018), applied to whole folds, so
    it needs only the per-fold scores ``cv_results_`` holds. The rule chooses
    with one fold fewer than the search did, which errs on the pessimistic side;
    but an adaptive search chose *where to look* using every fold, which it
    cannot undo: on pure noise it removes about half of ``best_score_``'s
    optimism. NaN when fewer than two folds or no complete candidate.
    """
    ok = eligible_rows(results, metric)
    scores = fold_scores(results, metric)[ok]
    n_splits = scores.shape[1]
    if not len(scores) or n_splits < 2:
        return float("nan")
    local_features = None if features is None else features[ok]
    rule = _RULES[selection]
    held_out = np.empty(n_splits)
    for k in range(n_splits):  # a loop over folds (a handful), each rule vectorised
        others = np.delete(np.arange(n_splits), k)
        held_out[k] = scores[rule(scores[:, others], local_features), k]
    return float(held_out.mean())


def tibshirani_corrected_score(results: dict, metric: str, index: int) -> float:
    """Tibshirani & Tibshirani's bias-corrected CV score of row ``index``.

    "A bias correction for the minimum error rate in cross-validation", Ann.
    Appl. Stat. 3(2), 2009, written for scores (higher is better): the mean CV
    score less ``mean_k(max_j s_jk - s_index,k)``, where ``s_jk`` is candidate
    ``j``'s score on fold ``k``, over the rows that may be chosen. NaN when none
    may be or the chosen row lacks a fold score.
    """
    ok = eligible_rows(results, metric)
    scores = fold_scores(results, metric)
    chosen = scores[index]
    if not ok.any():
        return float("nan")
    bias = np.mean(scores[ok].max(axis=0) - chosen)
    return float(chosen.mean() - bias)
