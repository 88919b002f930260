"""Reading a fitted search into arrays: candidates, scores, space and how to show each parameter.

Shared by :mod:`skhpo.importance` (the surrogate forest) and :mod:`skhpo.plot`. The
space is parsed from the search's ``param_distributions`` (skhpo's searches,
:class:`~sklearn.model_selection.RandomizedSearchCV`) or ``param_grid``
(:class:`~sklearn.model_selection.GridSearchCV`); for any other fitted
``BaseSearchCV``, or when those do not describe the candidates, it is inferred
from ``cv_results_["params"]``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .space import Categorical, Integer, Ordinal, Real, SearchSpace
from .space._dimensions import Choices, is_real_number, same_value

__all__ = ["Parameter", "SearchResults", "read_results"]


class Parameter(NamedTuple):
    """How one parameter of a search is laid out and shown.

    Attributes
    ----------
    name : str
    columns : tuple of int
        Columns of the encoded matrix holding it (several when sub-spaces give
        it different ranges).
    categorical : bool
        Unordered choices (shown by choice) rather than numbers.
    log : bool
        Numbers best shown on a log axis.
    choices : tuple
        The choices of a categorical parameter, in order; empty otherwise.
    """

    name: str
    columns: tuple[int, ...]
    categorical: bool
    log: bool
    choices: tuple


class SearchResults(NamedTuple):
    """A fitted search's candidates, scores and space.

    Attributes
    ----------
    params : list of dict, length n
        ``cv_results_["params"]``.
    scores : ndarray of shape (n,)
        Mean CV score of the optimised metric, ``NaN`` for failed candidates.
    metric : str
        Name of the optimised metric (``"score"`` for single-metric searches).
    space : SearchSpace
    X : ndarray of shape (n, space.n_columns)
        The candidates' unit-cube rows, ``NaN`` in inactive columns.
    parameters : dict of str to Parameter
        Every parameter, in order of first appearance.
    declared : bool
        Whether ``space`` is the search's own (else inferred from the values, and
        its ranges are only those of the candidates).
    """

    params: list
    scores: np.ndarray
    metric: str
    space: SearchSpace
    X: np.ndarray
    parameters: dict
    declared: bool = True

    def values(self, name: str) -> np.ndarray:
        """Numeric values of ``name``, shape ``(n,)``, ``NaN`` where a candidate lacks it."""
        return np.array([p.get(name, np.nan) for p in self.params], dtype=float)

    def positions(self, name: str) -> np.ndarray:
        """Index of each candidate's choice of ``name``, shape ``(n,)``, ``NaN`` if absent."""
        choices = self.parameters[name].choices
        return np.array(
            [_index(p[name], choices) if name in p else np.nan for p in self.params], dtype=float
        )

    def parameter(self, name: Any, role: str = "name") -> Parameter:
        """The parameter called ``name``, or a ``ValueError`` listing the known ones."""
        if name not in self.parameters:
            raise ValueError(
                f"{role}={name!r} is not a parameter of the search; "
                f"its parameters are {list(self.parameters)}"
            )
        return self.parameters[name]


def read_results(search: Any) -> SearchResults:
    """Gather what the plots and the surrogate need from a fitted search."""
    metric = _optimised_metric(search)
    scores = np.asarray(search.cv_results_[f"mean_test_{metric}"], dtype=float)
    scores = np.where(np.isfinite(scores), scores, np.nan)
    params = list(search.cv_results_["params"])
    space, X, declared = _encoded_space(search, params)
    parameters = {name: _describe(space, params, name) for name in space.names}
    return SearchResults(params, scores, metric, space, X, parameters, declared)


def _optimised_metric(search: Any) -> str:
    """``"score"``, or the metric named by ``refit`` (or skhpo's ``objective``)."""
    check_is_fitted(search, "cv_results_")
    results = search.cv_results_
    if "mean_test_score" in results:
        return "score"
    refit = getattr(search, "refit", None)
    if isinstance(refit, str) and f"mean_test_{refit}" in results:
        return refit
    objective = getattr(search, "objective", False)  # skhpo's, with refit False or a callable
    names = [key[len("mean_test_") :] for key in results if key.startswith("mean_test_")]
    if objective is not False and names and (objective or names[0]) in names:
        return objective or names[0]
    metrics = sorted(key[len("mean_test_") :] for key in results if key.startswith("mean_test_"))
    raise ValueError(
        f"the search scored several metrics ({metrics}) and refit={refit!r} does not "
        "name the one it optimised"
    )


def _encoded_space(search: Any, params: list) -> tuple[SearchSpace, np.ndarray, bool]:
    """The search's space, its candidates' rows, and False if the space was inferred."""
    given = getattr(search, "param_distributions", None)
    if given is None:
        given = getattr(search, "param_grid", None)
    if given is not None:
        try:
            space = SearchSpace(given)
            return space, space.encode(params), True
        except (TypeError, ValueError):
            pass  # e.g. sample-only distributions: infer the space from the values
    space = _inferred_space(params)
    return space, space.encode(params), False


def _inferred_space(params: Sequence[Mapping[str, Any]]) -> SearchSpace:
    """A space holding ``params``: one sub-space per set of parameter names.

    Numbers become a :class:`Real` range over the values seen (on a log scale
    when they look logarithmic), anything else a :class:`Categorical`.
    """
    names = list(dict.fromkeys(name for p in params for name in p))
    dims = {name: _inferred_dimension([p[name] for p in params if name in p]) for name in names}
    keysets = dict.fromkeys(frozenset(p) for p in params)
    subspaces = [{name: dims[name] for name in names if name in keys} for keys in keysets]
    return SearchSpace(subspaces if len(subspaces) > 1 else subspaces[0])


def _inferred_dimension(values: list) -> Real | Ordinal | Categorical:
    if all(is_real_number(v) and np.isfinite(v) for v in values):
        array = np.asarray(values, dtype=float)
        low, high = float(array.min()), float(array.max())
        if low == high:
            return Ordinal([values[0]])
        return Real(low, high, log=_looks_logarithmic(array))
    return Categorical(_distinct(values))


def _describe(space: SearchSpace, params: list, name: str) -> Parameter:
    columns = tuple(j for j, c in enumerate(space.columns) if c.name == name)
    dims = [space.columns[j].dimension for j in columns]
    seen = [p[name] for p in params if name in p]
    if any(isinstance(d, Categorical) for d in dims):
        declared = [c for d in dims if isinstance(d, Choices) for c in d.choices]
        return Parameter(name, columns, True, False, tuple(_distinct(declared + seen)))
    ranges = [d for d in dims if isinstance(d, (Real, Integer))]
    if ranges:
        log = all(d.log for d in ranges)
    else:  # ordered choices, distributions: judge by the numbers
        listed = [c for d in dims if isinstance(d, Ordinal) for c in d.choices]
        log = _looks_logarithmic(np.asarray(listed + seen, dtype=float))
    return Parameter(name, columns, False, log, ())


def _looks_logarithmic(values: np.ndarray) -> bool:
    """Positive, spanning two decades or more, and more evenly spread in log than linearly."""
    values = np.unique(values[np.isfinite(values)])
    if len(values) < 2 or values[0] <= 0 or values[-1] / values[0] < 100:
        return False
    return bool(_spread(np.log(values)) <= _spread(values))


def _spread(sorted_values: np.ndarray) -> float:
    """Coefficient of variation of the gaps between sorted values (0: evenly spaced)."""
    gaps = np.diff(sorted_values)
    return float(gaps.std() / gaps.mean())


def _distinct(values: list) -> list:
    out: list = []
    for value in values:
        if not any(same_value(value, seen) for seen in out):
            out.append(value)
    return out


def _index(value: Any, choices: tuple) -> int:
    return next(i for i, choice in enumerate(choices) if same_value(value, choice))
