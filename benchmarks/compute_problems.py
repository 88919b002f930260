"""Problems of the equal-compute benchmark: fits that cost something, on finite grids.

Each fit costs about 0.05 to 2 CPU seconds on one core, 0.3 s on average (the
larger models of each grid cost the most, so a search that picks them pays for
it). Spaces are finite grids of ordered values (about 100 configurations): the memo
estimator (:mod:`benchmarks.memo`) then pays for each distinct fit once across
methods and seeds. Numbers are given as lists, which skhpo treats as ordered, as
it does a range; Optuna gets the index of the value as an integer
(:func:`benchmarks.compute_methods.optuna_suggest`), and scikit-learn's
searches draw from the lists.

The folds are the same for every seed (:data:`FOLD_SEED`): seeds vary the
searches, not the folds, so that every fit is shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from sklearn.datasets import make_classification, make_friedman1
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from . import memo
from .spaces import Choice

__all__ = ["COMPUTE_PROBLEMS", "FOLD_SEED", "N_SPLITS", "CostlyProblem", "get_compute_problem"]

N_SPLITS = 5
FOLD_SEED = 0


@dataclass(frozen=True)
class CostlyProblem:
    """One problem of the equal-compute benchmark.

    Attributes
    ----------
    name, description : str
    make_estimator : callable
        The real estimator (what the memo estimator stands for).
    space : dict
        Parameter name -> :class:`benchmarks.spaces.Choice` of ordered values.
    load : callable
        ``(X, y)``, the whole data the searches see.
    classification : bool
    scoring : str or None
    response : str
        The prediction the scorer uses, which the memo stores.
    """

    name: str
    description: str
    make_estimator: Callable[[], Any]
    space: dict
    load: Callable[[], tuple]
    classification: bool
    scoring: str | None
    response: str

    @property
    def grid_size(self) -> int:
        return int(np.prod([len(c.values) for c in self.space.values()]))

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """``(X, y)`` with each row's id prepended to X, as the searches see them;
        registers the problem with :mod:`benchmarks.memo`."""
        X, y = _load(self.name)
        folds = self.folds(X, y)
        memo.register(self.name, X, y, self.make_estimator, self.response, self.space, folds)
        return np.column_stack([np.arange(len(X), dtype=float), X]), y

    def memo_estimator(self) -> memo._Memo:
        """The memoising stand-in for the real estimator."""
        cls = memo.MemoClassifier if self.classification else memo.MemoRegressor
        return cls(self.name)

    def folds(self, X: np.ndarray, y: np.ndarray) -> list:
        kind = StratifiedKFold if self.classification else KFold
        return list(kind(N_SPLITS, shuffle=True, random_state=FOLD_SEED).split(X, y))


@cache
def _load(name: str) -> tuple[np.ndarray, np.ndarray]:
    return COMPUTE_PROBLEMS[name].load()


def _classification(n: int, seed: int) -> Callable[[], tuple]:
    def load():
        return make_classification(
            n, 20, n_informative=8, n_redundant=4, flip_y=0.08, class_sep=0.8, random_state=seed
        )

    return load


def _friedman(n: int, seed: int) -> Callable[[], tuple]:
    def load():
        X, y = make_friedman1(n, 10, noise=1.0, random_state=seed)
        return X, (y - y.mean()) / y.std()  # standardised: an MLP's loss is on its scale

    return load


def _geom(low: float, high: float, n: int) -> Choice:
    return Choice([float(f"{v:.3g}") for v in np.geomspace(low, high, n)])


_PROBLEMS = [
    CostlyProblem(
        "hgb-classif",
        "HistGradientBoosting on 10,000 generated rows (20 features), log loss: "
        "learning_rate, max_iter, max_leaf_nodes (96 configurations)",
        lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {
            "learning_rate": Choice([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]),
            "max_iter": Choice([25, 50, 100, 200]),
            "max_leaf_nodes": Choice([7, 15, 31, 63]),
        },
        _classification(10_000, 0),
        classification=True,
        scoring="neg_log_loss",
        response="predict_proba",
    ),
    CostlyProblem(
        "svc-classif",
        "RBF SVC (scaled) on 4,000 generated rows (20 features), ROC AUC: C, gamma "
        "(99 configurations)",
        lambda: make_pipeline(StandardScaler(), SVC()),
        {"svc__C": _geom(1e-2, 1e3, 11), "svc__gamma": _geom(1e-4, 1.0, 9)},
        _classification(4_000, 1),
        classification=True,
        scoring="roc_auc",
        response="decision_function",
    ),
    CostlyProblem(
        "rf-regress",
        "RandomForest on Friedman #1, 5,000 rows (10 features), R2: n_estimators, "
        "max_features, min_samples_leaf (120 configurations)",
        lambda: RandomForestRegressor(random_state=0),
        {
            "n_estimators": Choice([10, 20, 40, 80]),
            "max_features": Choice([0.2, 0.4, 0.6, 0.8, 1.0]),
            "min_samples_leaf": Choice([1, 2, 4, 8, 16, 32]),
        },
        _friedman(5_000, 0),
        classification=False,
        scoring="r2",
        response="predict",
    ),
    CostlyProblem(
        "mlp-regress",
        "MLP (30 epochs, scaled) on Friedman #1, 6,000 rows, R2: layer sizes (tuples), "
        "alpha, learning_rate_init (120 configurations)",
        lambda: make_pipeline(
            StandardScaler(), MLPRegressor(max_iter=30, early_stopping=False, random_state=0)
        ),
        {
            "mlpregressor__hidden_layer_sizes": Choice([(16,), (64,), (256,), (64, 64)]),
            "mlpregressor__alpha": _geom(1e-5, 1.0, 6),
            "mlpregressor__learning_rate_init": _geom(3e-4, 3e-2, 5),
        },
        _friedman(6_000, 1),
        classification=False,
        scoring="r2",
        response="predict",
    ),
]

#: Problems run on request (``--problems``), for fits of a second or more: the first
#: run pays for every fit of the grid (about 15 CPU minutes).
_LARGE = [
    CostlyProblem(
        "hgb-classif-large",
        "HistGradientBoosting on 40,000 generated rows (20 features), log loss: "
        "learning_rate, max_iter, max_leaf_nodes (96 configurations; fits of about "
        "1.5 CPU seconds on average, for the halving target on fits of a second or more)",
        lambda: HistGradientBoostingClassifier(early_stopping=False, random_state=0),
        {
            "learning_rate": Choice([0.01, 0.02, 0.05, 0.1, 0.2, 0.5]),
            "max_iter": Choice([50, 100, 200, 400]),
            "max_leaf_nodes": Choice([15, 31, 63, 127]),
        },
        _classification(40_000, 2),
        classification=True,
        scoring="neg_log_loss",
        response="predict_proba",
    ),
]

#: A problem of a few milliseconds per fit, for the harness's own test.
TINY = CostlyProblem(
    "tiny-logreg",
    "LogisticRegression on 300 generated rows, log loss: C (8 values), fit_intercept",
    lambda: LogisticRegression(),
    {"C": _geom(1e-3, 1e2, 8), "fit_intercept": Choice([True, False])},
    _classification(300, 2),
    classification=True,
    scoring="neg_log_loss",
    response="predict_proba",
)

#: Every problem of ``python -m benchmarks.compute``, by name.
COMPUTE_PROBLEMS: dict[str, CostlyProblem] = {p.name: p for p in [*_PROBLEMS, *_LARGE, TINY]}
#: The problems run by default.
DEFAULT_PROBLEMS = [p.name for p in _PROBLEMS]


def get_compute_problem(name: str) -> CostlyProblem:
    try:
        return COMPUTE_PROBLEMS[name]
    except KeyError:
        known = ", ".join(COMPUTE_PROBLEMS)
        raise KeyError(f"unknown problem {name!r}; known: {known}") from None
