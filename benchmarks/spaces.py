"""A neutral description of search spaces, translated to each library's format.

A space is a dict mapping parameter names to :class:`FloatRange`,
:class:`IntRange` or :class:`Choice`, or a list of such dicts: alternative
sub-spaces (a conditional space, e.g. one sub-space per SVC kernel).

Libraries without conditional spaces (Optuna, sklearn-genetic-opt) get the
*flattened* union of the sub-spaces (:func:`flatten`). That is exact only when
the estimator ignores the parameters that are inactive in the chosen
sub-space, as ``SVC`` ignores ``degree`` unless ``kernel="poly"``: the
benchmark's conditional problems are built that way. The flat space has extra
dimensions that do nothing for some candidates, a handicap that those libraries
impose on their users too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import count
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

__all__ = [
    "Choice",
    "FloatRange",
    "IntRange",
    "LogUniformInt",
    "flatten",
    "subspaces",
    "to_ga",
    "to_grid",
    "to_optuna",
    "to_skhpo",
    "to_sklearn",
    "to_skopt",
]


@dataclass(frozen=True)
class FloatRange:
    """Real values in ``[low, high]``, on a log scale when ``log``."""

    low: float
    high: float
    log: bool = False


@dataclass(frozen=True)
class IntRange:
    """Integers in ``[low, high]`` (both included), on a log scale when ``log``."""

    low: int
    high: int
    log: bool = False


@dataclass(frozen=True)
class Choice:
    """One of ``values`` (unordered)."""

    values: tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", tuple(self.values))


Param = FloatRange | IntRange | Choice


def subspaces(space: dict | list) -> list[dict]:
    """The sub-spaces of ``space``: itself in a list when it is a plain dict."""
    return list(space) if isinstance(space, list) else [space]


def _map(space: dict | list, translate) -> dict | list:
    """Translate every parameter, keeping the dict / list-of-dicts shape."""
    translated = [
        {name: translate(param) for name, param in sub.items()} for sub in subspaces(space)
    ]
    return translated if isinstance(space, list) else translated[0]


def flatten(space: dict | list) -> dict:
    """The union of the sub-spaces of ``space`` as one dict.

    A parameter shared by several sub-spaces must have the same range in each;
    the values of a shared :class:`Choice` are merged, in order of appearance.

    Raises
    ------
    ValueError
        If a shared parameter has different ranges in two sub-spaces.
    """
    flat: dict = {}
    for sub in subspaces(space):
        for name, param in sub.items():
            seen = flat.get(name)
            if seen is None or seen == param:
                flat[name] = param
            elif isinstance(seen, Choice) and isinstance(param, Choice):
                merged = seen.values + tuple(v for v in param.values if v not in seen.values)
                flat[name] = Choice(merged)
            else:
                raise ValueError(f"{name} has different ranges in two sub-spaces: {seen}, {param}")
    return flat


# -- skhpo ---------------------------------------------------------------------------------
def to_skhpo(space: dict | list) -> dict | list:
    """skhpo's dimensions; choices of numbers are ordered, as in skhpo's list shorthand."""
    import skhpo

    def translate(param: Param) -> Any:
        if isinstance(param, FloatRange):
            return skhpo.Real(param.low, param.high, log=param.log)
        if isinstance(param, IntRange):
            return skhpo.Integer(param.low, param.high, log=param.log)
        if all(_is_number(v) for v in param.values):
            return list(param.values)
        return skhpo.Categorical(list(param.values))

    return _map(space, translate)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, bool)


# -- scikit-learn (RandomizedSearchCV, HalvingRandomSearchCV) ----------------------------------
class LogUniformInt:
    """Integers in ``[low, high]`` drawn log-uniformly: scipy.stats has no such law.

    scikit-learn's ``ParameterSampler`` accepts any object with an ``rvs`` method.
    """

    def __init__(self, low: int, high: int) -> None:
        self.low = low
        self.high = high

    def rvs(self, random_state: Any = None) -> int:
        rng = check_random_state(random_state)
        draw = rng.uniform(math.log(self.low), math.log(self.high + 1))
        return int(min(self.high, math.floor(math.exp(draw))))

    def __repr__(self) -> str:
        return f"LogUniformInt({self.low}, {self.high})"


def to_sklearn(space: dict | list) -> dict | list:
    """scipy.stats distributions and lists, as ``RandomizedSearchCV`` takes them."""
    from scipy.stats import loguniform, randint, uniform

    def translate(param: Param) -> Any:
        if isinstance(param, FloatRange):
            if param.log:
                return loguniform(param.low, param.high)
            return uniform(param.low, param.high - param.low)
        if isinstance(param, IntRange):
            if param.log:
                return LogUniformInt(param.low, param.high)
            return randint(param.low, param.high + 1)  # randint's upper bound is exclusive
        return list(param.values)

    return _map(space, translate)


# -- scikit-learn's GridSearchCV ----------------------------------------------------------------
def _grid_values(param: Param, k: int) -> list:
    """``k`` evenly spaced values of a range (fewer for short integer ranges); all choices."""
    if isinstance(param, Choice):
        return list(param.values)
    spaced = np.geomspace if param.log else np.linspace
    values = spaced(param.low, param.high, k)
    if isinstance(param, IntRange):
        return sorted({round(float(v)) for v in values})
    return [float(v) for v in values]


def _grid(space: dict | list, k: int) -> list[dict]:
    return [{name: _grid_values(p, k) for name, p in sub.items()} for sub in subspaces(space)]


def _grid_size(grids: list[dict]) -> int:
    return sum(math.prod(len(v) for v in grid.values()) for grid in grids)


def to_grid(space: dict | list, budget: int, min_points: int = 3) -> dict | list | None:
    """The finest grid of at most ``budget`` points, or None if none fits.

    Every range gets the same number ``k >= min_points`` of evenly spaced values
    (log-spaced on a log scale, both ends included, as a user would write
    ``np.logspace``); every choice is kept.
    """
    best = None
    for k in count(min_points):
        grids = _grid(space, k)
        size = _grid_size(grids)
        if size > budget or (best is not None and size == _grid_size(best)):
            break
        best = grids
    if best is None:
        return None
    return best if isinstance(space, list) else best[0]


# -- scikit-optimize -------------------------------------------------------------------------
def split_budget(n_iter: int, n_parts: int) -> list[int]:
    """``n_iter`` split into ``n_parts`` near-equal integers."""
    return [n_iter // n_parts + (i < n_iter % n_parts) for i in range(n_parts)]


def to_skopt(space: dict | list, n_iter: int) -> dict | list:
    """``skopt.space`` dimensions.

    A conditional space becomes skopt's list of ``(sub-space, n_iter)`` pairs with
    the budget split evenly: skopt runs one optimiser per sub-space.
    """
    from skopt.space import Categorical, Integer, Real

    def translate(param: Param) -> Any:
        prior = "log-uniform" if getattr(param, "log", False) else "uniform"
        if isinstance(param, FloatRange):
            return Real(param.low, param.high, prior=prior)
        if isinstance(param, IntRange):
            return Integer(param.low, param.high, prior=prior)
        return Categorical(list(param.values))

    translated = _map(space, translate)
    if isinstance(translated, dict):
        return translated
    return list(zip(translated, split_budget(n_iter, len(translated))))


# -- Optuna ----------------------------------------------------------------------------------
def to_optuna(space: dict | list) -> dict:
    """``optuna.distributions`` of the flattened space (see :func:`flatten`)."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    def translate(param: Param) -> Any:
        if isinstance(param, FloatRange):
            return FloatDistribution(float(param.low), float(param.high), log=param.log)
        if isinstance(param, IntRange):
            return IntDistribution(int(param.low), int(param.high), log=param.log)
        return CategoricalDistribution(list(param.values))

    return _map(flatten(space), translate)


# -- sklearn-genetic-opt -----------------------------------------------------------------------
def to_ga(space: dict | list) -> dict:
    """``sklearn_genetic.space`` dimensions of the flattened space (see :func:`flatten`).

    Its ``Integer`` has no log scale: a log-scaled integer range is searched
    uniformly on the same bounds, as a user of the library would do.
    """
    from sklearn_genetic.space import Categorical, Continuous, Integer

    def translate(param: Param) -> Any:
        if isinstance(param, FloatRange):
            law = "log-uniform" if param.log else "uniform"
            return Continuous(param.low, param.high, distribution=law)
        if isinstance(param, IntRange):
            return Integer(param.low, param.high)
        return Categorical(list(param.values))

    return _map(flatten(space), translate)
