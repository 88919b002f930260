"""The benchmark problems: real estimators on scikit-learn's bundled datasets, and
synthetic functions with a known optimum.

Each :class:`Problem` has an estimator factory, a neutral search space
(:mod:`benchmarks.spaces`), a fixed held-out test split that tuning never sees,
and per-seed cross-validation splits that every method shares.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from sklearn import datasets
from sklearn.ensemble import (
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from . import synthetic
from .spaces import Choice, FloatRange, IntRange

__all__ = ["PROBLEMS", "QUICK_PROBLEMS", "Problem", "get_problem"]

#: Seed of every held-out split: the test set is the same for every run.
TEST_SPLIT_SEED = 0
TEST_SIZE = 0.25
N_SPLITS = 3


@dataclass(frozen=True)
class Problem:
    """One tuning problem.

    Attributes
    ----------
    name : str
        Identifier used on the command line and in results.
    description : str
        One line for the report.
    make_estimator : callable
        Returns a new, unfitted estimator to tune.
    space : dict or list of dicts
        Neutral search space (:mod:`benchmarks.spaces`).
    load : callable
        Returns the whole dataset ``(X, y)``.
    classification : bool
        Stratified splits if True.
    scoring : str or None
        Scorer name; None: the estimator's ``score``.
    minimum : float or None
        Known minimum of a synthetic function (the best score is ``-minimum``).
    """

    name: str
    description: str
    make_estimator: Callable[[], Any]
    space: dict | list
    load: Callable[[], tuple[np.ndarray, np.ndarray]]
    classification: bool = True
    scoring: str | None = None
    minimum: float | None = None

    @property
    def synthetic(self) -> bool:
        """Whether the problem is a synthetic function with a known optimum."""
        return self.minimum is not None

    @property
    def conditional(self) -> bool:
        """Whether the space is a list of sub-spaces."""
        return isinstance(self.space, list)

    def split(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``X_train, X_test, y_train, y_test``: the same held-out split for every run."""
        X, y = self.load()
        return train_test_split(
            X,
            y,
            test_size=TEST_SIZE,
            random_state=TEST_SPLIT_SEED,
            stratify=y if self.classification else None,
        )

    def cv_splits(self, X: np.ndarray, y: np.ndarray, seed: int, n_splits: int = N_SPLITS) -> list:
        """The shuffled (stratified for classification) folds of ``seed``, as a list
        every method is given."""
        kind = StratifiedKFold if self.classification else KFold
        return list(kind(n_splits, shuffle=True, random_state=seed).split(X, y))


def _xy(loader: Callable) -> tuple[np.ndarray, np.ndarray]:
    return loader(return_X_y=True)


def _scaled(estimator: Any) -> Any:
    return make_pipeline(StandardScaler(), estimator)


_LOG_C = FloatRange(1e-2, 1e3, log=True)
_LOG_GAMMA = FloatRange(1e-5, 1.0, log=True)

_REAL = [
    Problem(
        "svc-breast-cancer",
        "RBF SVC (scaled) on breast_cancer, ROC AUC: C, gamma",
        lambda: _scaled(SVC()),
        {"svc__C": _LOG_C, "svc__gamma": _LOG_GAMMA},
        partial(_xy, datasets.load_breast_cancer),
        scoring="roc_auc",
    ),
    Problem(
        "svc-kernels-digits",
        "SVC (scaled) on digits, accuracy, conditional: linear {C} | rbf {C, gamma} | "
        "poly {C, gamma, degree, coef0}",
        lambda: _scaled(SVC()),
        [
            {"svc__kernel": Choice(["linear"]), "svc__C": _LOG_C},
            {"svc__kernel": Choice(["rbf"]), "svc__C": _LOG_C, "svc__gamma": _LOG_GAMMA},
            {
                "svc__kernel": Choice(["poly"]),
                "svc__C": _LOG_C,
                "svc__gamma": _LOG_GAMMA,
                "svc__degree": IntRange(2, 4),
                "svc__coef0": FloatRange(0.0, 1.0),
            },
        ],
        partial(_xy, datasets.load_digits),
    ),
    Problem(
        "hgb-breast-cancer",
        "HistGradientBoosting (100 iterations) on breast_cancer, log loss: 6 parameters",
        lambda: HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0),
        {
            "learning_rate": FloatRange(1e-3, 1.0, log=True),
            "max_leaf_nodes": IntRange(4, 64, log=True),
            "max_depth": IntRange(2, 12),
            "min_samples_leaf": IntRange(2, 100, log=True),
            "l2_regularization": FloatRange(1e-4, 10.0, log=True),
            "max_features": FloatRange(0.2, 1.0),
        },
        partial(_xy, datasets.load_breast_cancer),
        scoring="neg_log_loss",
    ),
    Problem(
        "rf-wine",
        "RandomForest on wine, log loss: n_estimators, max_features, max_depth, min_samples_leaf, "
        "criterion",
        lambda: RandomForestClassifier(random_state=0),
        {
            "n_estimators": IntRange(10, 150, log=True),
            "max_features": FloatRange(0.1, 1.0),
            "max_depth": IntRange(2, 20),
            "min_samples_leaf": IntRange(1, 20, log=True),
            "criterion": Choice(["gini", "entropy", "log_loss"]),
        },
        partial(_xy, datasets.load_wine),
        scoring="neg_log_loss",
    ),
    Problem(
        "tree-wine",
        "DecisionTree on wine, accuracy: depth, split/leaf sizes, criterion, max_features",
        lambda: DecisionTreeClassifier(random_state=0),
        {
            "max_depth": IntRange(1, 20),
            "min_samples_split": IntRange(2, 40, log=True),
            "min_samples_leaf": IntRange(1, 20, log=True),
            "criterion": Choice(["gini", "entropy"]),
            "max_features": FloatRange(0.2, 1.0),
        },
        partial(_xy, datasets.load_wine),
    ),
    Problem(
        "knn-digits",
        "kNN on digits, accuracy: n_neighbors (log), weights, p",
        KNeighborsClassifier,
        {
            "n_neighbors": IntRange(1, 50, log=True),
            "weights": Choice(["uniform", "distance"]),
            "p": Choice([1, 2]),
        },
        partial(_xy, datasets.load_digits),
    ),
    Problem(
        "logreg-breast-cancer",
        "Elastic-net LogisticRegression (saga, 200 iterations, scaled) on breast_cancer, "
        "log loss: C, l1_ratio",
        lambda: _scaled(LogisticRegression(solver="saga", max_iter=200, random_state=0)),
        {
            "logisticregression__C": FloatRange(1e-4, 1e2, log=True),
            "logisticregression__l1_ratio": FloatRange(0.0, 1.0),
        },
        partial(_xy, datasets.load_breast_cancer),
        scoring="neg_log_loss",
    ),
    Problem(
        "mlp-digits",
        "MLP (30 epochs, scaled) on digits, accuracy: layer sizes (tuples), alpha, learning rate, "
        "activation",
        lambda: _scaled(MLPClassifier(max_iter=30, random_state=0)),
        {
            "mlpclassifier__hidden_layer_sizes": Choice(
                [(32,), (64,), (128,), (64, 32), (128, 64)]
            ),
            "mlpclassifier__alpha": FloatRange(1e-6, 1e-1, log=True),
            "mlpclassifier__learning_rate_init": FloatRange(1e-4, 1e-1, log=True),
            "mlpclassifier__activation": Choice(["relu", "tanh"]),
        },
        partial(_xy, datasets.load_digits),
    ),
    Problem(
        "gbr-diabetes",
        "GradientBoostingRegressor on diabetes (R2): 5 parameters",
        lambda: GradientBoostingRegressor(random_state=0),
        {
            "n_estimators": IntRange(20, 200, log=True),
            "learning_rate": FloatRange(1e-3, 1.0, log=True),
            "max_depth": IntRange(1, 6),
            "subsample": FloatRange(0.5, 1.0),
            "min_samples_leaf": IntRange(1, 50, log=True),
        },
        partial(_xy, datasets.load_diabetes),
        classification=False,
    ),
    Problem(
        "svr-diabetes",
        "RBF SVR (scaled inputs) on diabetes (R2): C, epsilon, gamma",
        lambda: _scaled(SVR()),
        {
            "svr__C": FloatRange(1e-1, 1e4, log=True),
            "svr__epsilon": FloatRange(1e-1, 1e2, log=True),
            "svr__gamma": FloatRange(1e-4, 1.0, log=True),
        },
        partial(_xy, datasets.load_diabetes),
        classification=False,
    ),
]

# Trees and forests over Bayesmark's fractional spaces (Turner et al., "Bayesian
# optimization is superior to random search for machine learning hyperparameter
# tuning", NeurIPS 2020 competition; its "DT" and "RF" spaces, logit scales made
# linear): most of such a space grows a stump or a near-constant tree, so scores
# sit on wide plateaus with many ties, and the good corner is small.
_TREE_FRACTIONS = {
    "max_depth": IntRange(1, 15),
    "min_samples_split": FloatRange(0.01, 0.99),
    "min_samples_leaf": FloatRange(0.01, 0.49),
    "min_weight_fraction_leaf": FloatRange(0.01, 0.49),
    "max_features": FloatRange(0.01, 0.99),
    "min_impurity_decrease": FloatRange(0.0, 0.5),
}


#: Data sets of the plateau problems: loader, and whether it is a classification.
_PLATEAU_DATA = {
    "breast-cancer": (datasets.load_breast_cancer, True),
    "wine": (datasets.load_wine, True),
    "digits": (datasets.load_digits, True),
    "diabetes": (datasets.load_diabetes, False),
    "iris": (datasets.load_iris, True),
}
#: The plateau models: a decision tree, and a random forest of 10 trees.
_PLATEAU_MODELS = {
    "dt": ("DecisionTree", DecisionTreeClassifier, DecisionTreeRegressor, {}),
    "rf": ("RandomForest (10 trees)", RandomForestClassifier, RandomForestRegressor,
           {"n_estimators": 10}),
}  # fmt: skip


def _plateau(model: str, data: str) -> Problem:
    """``<model>-frac-<data>``: the model over Bayesmark's fractional tree space."""
    label, classifier, regressor, options = _PLATEAU_MODELS[model]
    loader, classification = _PLATEAU_DATA[data]
    estimator = classifier if classification else regressor
    metric = "accuracy" if classification else "R2"
    return Problem(
        f"{model}-frac-{data}",
        f"{label} on {data.replace('-', '_')}, {metric}: Bayesmark's fractional tree space "
        "(plateaus)",
        partial(estimator, random_state=0, **options),
        dict(_TREE_FRACTIONS),
        partial(_xy, loader),
        classification=classification,
    )


def _l1_logistic(data: str) -> Problem:
    """``l1logreg-<data>``: Bayesmark's L1 logistic regression, scored by accuracy.

    Liblinear, one-vs-rest, over Bayesmark's ``C`` and ``intercept_scaling``: on
    a hundred-odd training samples the accuracy of a 3-fold CV takes a few dozen
    values, so most settings tie with others and the good region is a thin ridge.
    """
    loader, _ = _PLATEAU_DATA[data]
    log_range = FloatRange(1e-2, 1e2, log=True)
    return Problem(
        f"l1logreg-{data}",
        f"L1 LogisticRegression (liblinear, one-vs-rest, scaled) on {data}, accuracy: C, "
        "intercept_scaling (plateaus)",
        lambda: _scaled(OneVsRestClassifier(LogisticRegression(l1_ratio=1.0, solver="liblinear"))),
        {
            "onevsrestclassifier__estimator__C": log_range,
            "onevsrestclassifier__estimator__intercept_scaling": log_range,
        },
        partial(_xy, loader),
    )


_PLATEAU = [
    *(_plateau("dt", data) for data in ("breast-cancer", "wine", "digits", "diabetes")),
    *(_plateau("rf", data) for data in ("breast-cancer", "diabetes")),
    *(_l1_logistic(data) for data in ("iris", "wine")),
]

_UNIT = FloatRange(0.0, 1.0)
_LOG_P = FloatRange(1e-2, 1e2, log=True)

_SYNTHETIC = [
    Problem(
        "branin",
        "Branin (2-D, continuous)",
        synthetic.Branin,
        {"x1": FloatRange(-5.0, 10.0), "x2": FloatRange(0.0, 15.0)},
        synthetic.dummy_data,
        classification=False,
        minimum=synthetic.Branin.minimum,
    ),
    Problem(
        "hartmann6",
        "Hartmann (6-D, continuous, multimodal)",
        synthetic.Hartmann6,
        {f"x{i}": _UNIT for i in range(1, 7)},
        synthetic.dummy_data,
        classification=False,
        minimum=synthetic.Hartmann6.minimum,
    ),
    Problem(
        "log-rosenbrock",
        "Rosenbrock (4-D) over log10 of parameters in [1e-2, 1e2]",
        synthetic.LogRosenbrock,
        {f"p{i}": _LOG_P for i in range(1, 5)},
        synthetic.dummy_data,
        classification=False,
        minimum=synthetic.LogRosenbrock.minimum,
    ),
    Problem(
        "mixed-int-cat",
        "Mixed: log-real alpha, integer depth, log-integer units, categorical kind",
        synthetic.MixedIntCat,
        {
            "alpha": FloatRange(1e-4, 1.0, log=True),
            "depth": IntRange(1, 20),
            "units": IntRange(4, 512, log=True),
            "kind": Choice(["linear", "poly", "rbf", "tree"]),
        },
        synthetic.dummy_data,
        classification=False,
        minimum=synthetic.MixedIntCat.minimum,
    ),
]

#: Every problem, by name, real ones first (the plateau-heavy trees among them).
PROBLEMS: dict[str, Problem] = {p.name: p for p in _REAL + _PLATEAU + _SYNTHETIC}
#: The problems of ``--mode quick``: two real (one conditional), two synthetic.
QUICK_PROBLEMS = ["svc-kernels-digits", "hgb-breast-cancer", "branin", "mixed-int-cat"]
#: The zero-cost problem of ``--mode scaling``.
SCALING_PROBLEM = "hartmann6"


def get_problem(name: str) -> Problem:
    """The problem called ``name``.

    Raises
    ------
    KeyError
        With the list of known names.
    """
    try:
        return PROBLEMS[name]
    except KeyError:
        raise KeyError(f"unknown problem {name!r}; known: {', '.join(PROBLEMS)}") from None
