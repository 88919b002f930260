"""Test functions with a known minimum, as zero-cost scikit-learn estimators.

Each function is an estimator whose constructor parameters are the function's
inputs: ``fit`` does nothing and ``score(X, y)`` returns ``-f(params)``, so
that a search maximising the score minimises ``f``, every cross-validation
fold gives the same value and the time a search takes is its own overhead.
``X`` and ``y`` are dummies (:func:`dummy_data`).

``score`` also ticks a clock (:func:`start_clock` / :func:`stop_clock`): the
scaling benchmark reads from it when each evaluation happened, whatever
library drives the search, since every search runs in-process (``n_jobs=1``).
"""

from __future__ import annotations

import math
import time

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin

__all__ = [
    "Branin",
    "Hartmann6",
    "LogRosenbrock",
    "MixedIntCat",
    "SyntheticObjective",
    "cpu_ticks",
    "dummy_data",
    "start_clock",
    "stop_clock",
]

_ticks: list[float] | None = None
_cpu_ticks: list[float] = []


def start_clock() -> None:
    """Start recording the time of every ``score`` call of a synthetic objective."""
    global _ticks
    _ticks = []
    _cpu_ticks.clear()


def stop_clock() -> np.ndarray:
    """Stop recording; the ``time.perf_counter()`` of each ``score`` call since the start."""
    global _ticks
    ticks, _ticks = np.asarray(_ticks or [], dtype=float), None
    return ticks


def cpu_ticks() -> np.ndarray:
    """The ``time.process_time()`` of each ``score`` call of the last clock run.

    This process's CPU time: on a machine shared with other work, the time
    between two calls counts only what this process did.
    """
    return np.asarray(_cpu_ticks, dtype=float)


def dummy_data(n_samples: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Inputs for a synthetic objective: one constant feature, a zero target."""
    return np.zeros((n_samples, 1)), np.zeros(n_samples)


class SyntheticObjective(RegressorMixin, BaseEstimator):
    """Base class: an estimator whose score is minus a function of its parameters.

    Subclasses define ``__init__`` (the inputs), :meth:`value` and ``minimum``.
    A regressor for libraries that insist on one (sklearn-genetic-opt), but its
    ``score`` is the function, not R2.
    """

    #: The known minimum of :meth:`value` over the benchmark's search space.
    minimum: float = 0.0

    def value(self) -> float:
        """The function at this estimator's parameters (lower is better)."""
        raise NotImplementedError

    def fit(self, X, y=None):
        """Do nothing (the objective has no data to learn)."""
        self.fitted_ = True
        return self

    def predict(self, X) -> np.ndarray:
        """Minus :meth:`value` for every row (a constant prediction)."""
        return np.full(len(X), -float(self.value()))

    def score(self, X, y=None) -> float:
        """Minus :meth:`value`, so that higher is better."""
        if _ticks is not None:
            _ticks.append(time.perf_counter())
            _cpu_ticks.append(time.process_time())
        return -float(self.value())


class Branin(SyntheticObjective):
    """Branin-Hoo on ``x1 in [-5, 10]``, ``x2 in [0, 15]``; three global minima."""

    minimum = 0.39788735772973816

    def __init__(self, x1: float = 0.0, x2: float = 0.0) -> None:
        self.x1 = x1
        self.x2 = x2

    def value(self) -> float:
        b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
        x1, x2 = float(self.x1), float(self.x2)
        return (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10


_HARTMANN_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_HARTMANN_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
_HARTMANN_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])


class Hartmann6(SyntheticObjective):
    """Hartmann 6-D on ``[0, 1]^6``; one global minimum, several local ones."""

    minimum = -3.3223680114155147

    def __init__(
        self,
        x1: float = 0.5,
        x2: float = 0.5,
        x3: float = 0.5,
        x4: float = 0.5,
        x5: float = 0.5,
        x6: float = 0.5,
    ) -> None:
        self.x1, self.x2, self.x3 = x1, x2, x3
        self.x4, self.x5, self.x6 = x4, x5, x6

    def value(self) -> float:
        x = np.array([self.x1, self.x2, self.x3, self.x4, self.x5, self.x6], dtype=float)
        inner = np.sum(_HARTMANN_A * (x - _HARTMANN_P) ** 2, axis=1)
        return float(-np.sum(_HARTMANN_ALPHA * np.exp(-inner)))


class LogRosenbrock(SyntheticObjective):
    """Rosenbrock's valley in 4-D over ``log10`` of parameters in ``[1e-2, 1e2]``.

    ``f = sum_i 100 (u[i+1] - u[i]^2)^2 + (1 - u[i])^2`` with ``u = log10(p)``;
    minimum 0 at ``p = 10`` everywhere: a curved valley on a log scale.
    """

    minimum = 0.0

    def __init__(self, p1: float = 1.0, p2: float = 1.0, p3: float = 1.0, p4: float = 1.0) -> None:
        self.p1, self.p2, self.p3, self.p4 = p1, p2, p3, p4

    def value(self) -> float:
        u = np.log10(np.array([self.p1, self.p2, self.p3, self.p4], dtype=float))
        return float(np.sum(100 * (u[1:] - u[:-1] ** 2) ** 2 + (1 - u[:-1]) ** 2))


# kind -> (offset, best log10(alpha), best depth)
_MIXED_KINDS = {
    "linear": (0.6, -3.5, 3),
    "poly": (0.3, -2.0, 12),
    "rbf": (0.0, -1.2, 7),
    "tree": (0.45, -0.3, 17),
}


class MixedIntCat(SyntheticObjective):
    """A mixed function: a real on a log scale, two integers and a categorical.

    Each ``kind`` has its own offset and its own best ``alpha`` and ``depth``
    (an interaction a model of each parameter alone misses); ``units`` is best
    at 64 on a log scale. Minimum 0 at ``kind="rbf"``, ``alpha=10**-1.2``,
    ``depth=7``, ``units=64``.
    """

    minimum = 0.0

    def __init__(
        self, alpha: float = 1e-2, depth: int = 5, units: int = 32, kind: str = "linear"
    ) -> None:
        self.alpha = alpha
        self.depth = depth
        self.units = units
        self.kind = kind

    def value(self) -> float:
        offset, best_log_alpha, best_depth = _MIXED_KINDS[self.kind]
        return (
            offset
            + (math.log10(self.alpha) - best_log_alpha) ** 2
            + ((self.depth - best_depth) / 4) ** 2
            + (math.log2(self.units) - 6) ** 2 / 4
        )
