"""What mattered in a finished search: parameter importance and partial dependence.

Both come from one surrogate model: a random forest fitted to the mean CV score
of every candidate of ``cv_results_``, each candidate encoded as its unit-cube
row of :class:`~skhpo.space.SearchSpace` (so a log-scale parameter is seen on
its log scale). In that encoding:

* a parameter a candidate does not have (conditional spaces, i.e. a list of
  dicts) is given the value ``-1``, outside the unit interval;
* a failed candidate (score ``NaN`` or infinite) is given the worst score of the
  search, since its parameters are at least as bad as any that worked;
* the choice of sub-space has no feature of its own: which parameters a
  candidate has already tells its sub-space apart, so its effect shows through
  the parameters that differ between sub-spaces.

The space is parsed from the search's ``param_distributions`` (skhpo's searches,
:class:`~sklearn.model_selection.RandomizedSearchCV`) or ``param_grid``
(:class:`~sklearn.model_selection.GridSearchCV`); for any other fitted
``BaseSearchCV``, or when those do not describe the candidates, it is inferred
from ``cv_results_["params"]``. Nothing here needs matplotlib; :mod:`skhpo.plot`
draws these numbers.
"""

from __future__ import annotations

import numbers
from typing import Any, NamedTuple

import numpy as np
from sklearn.ensemble import RandomForestRegressor
from sklearn.utils import check_random_state

from ._results import Parameter, SearchResults, read_results
from .space import Distribution

__all__ = [
    "PartialDependence",
    "parameter_importance",
    "parameter_importance_interval",
    "partial_dependence",
]

# Feature value of a parameter that a candidate does not have.
_INACTIVE = -1.0
# The surrogate forest.
_N_TREES = 100
_MIN_SAMPLES_LEAF = 2
# Permutations per parameter in the permutation importance.
_N_REPEATS = 10
# Bootstrap resamples of the candidates behind an importance interval, and the trees
# of the forest fitted to each (fewer than _N_TREES: a little more spread, much faster).
_N_RESAMPLES = 30
_RESAMPLE_TREES = 30
# Partial dependence averages over at most this many finished candidates.
_MAX_BACKGROUND = 200


# -- the surrogate -------------------------------------------------------------------------


class _Surrogate(NamedTuple):
    """A random forest of the scores of a search's candidates.

    Attributes
    ----------
    results : SearchResults
    features : ndarray of shape (n, n_features)
        The candidates' rows without the sub-space column, ``-1`` where inactive.
    feature_columns : ndarray of shape (n_features,)
        Column of the encoded matrix of each feature.
    target : ndarray of shape (n,)
        Scores, failed candidates given the worst score.
    model : RandomForestRegressor
    """

    results: SearchResults
    features: np.ndarray
    feature_columns: np.ndarray
    target: np.ndarray
    model: RandomForestRegressor

    def groups(self) -> dict[str, np.ndarray]:
        """Feature indices of each parameter."""
        names = np.array([self.results.space.columns[j].name for j in self.feature_columns])
        return {name: np.flatnonzero(names == name) for name in self.results.parameters}

    def feature(self, parameter: Parameter) -> int:
        """The one feature of a parameter held in a single column."""
        return int(np.flatnonzero(self.feature_columns == parameter.columns[0])[0])


def _fit_surrogate(results: SearchResults, rng: np.random.RandomState) -> _Surrogate:
    """Fit the forest to ``results``; ``ValueError`` if there is nothing to learn from."""
    finite = np.isfinite(results.scores)
    if not finite.any():
        raise ValueError("every candidate of the search failed: there is nothing to learn from")
    columns = np.array([j for j, c in enumerate(results.space.columns) if c.name is not None])
    if not len(columns):
        raise ValueError("the search has no parameters")
    rows = results.X[:, columns]
    features = np.where(np.isnan(rows), _INACTIVE, rows)
    target = np.where(finite, results.scores, results.scores[finite].min())
    return _Surrogate(results, features, columns, target, _forest(features, target, _N_TREES, rng))


def _forest(
    features: np.ndarray, target: np.ndarray, n_trees: int, rng: np.random.RandomState
) -> RandomForestRegressor:
    return RandomForestRegressor(
        n_estimators=n_trees, min_samples_leaf=_MIN_SAMPLES_LEAF, random_state=rng
    ).fit(features, target)


# -- importance ------------------------------------------------------------------------------


def parameter_importance(search: Any, random_state: Any = 0) -> dict[str, float]:
    """Share of each parameter in explaining the scores of a fitted search.

    A random forest is fitted to the candidates' scores (see
    :mod:`skhpo.importance`); the importance of a parameter is the increase of
    the forest's mean squared error on the candidates when that parameter's
    values are shuffled among them (permutation importance, averaged over 10
    shuffles), normalised to sum to 1. A parameter held in several columns
    (different ranges in different sub-spaces) is shuffled as one.

    Parameters
    ----------
    search : fitted BaseSearchCV
        A skhpo search or any scikit-learn search (``GridSearchCV``,
        ``RandomizedSearchCV``...). The score is the optimised metric:
        ``mean_test_score``, or ``mean_test_<refit>`` with several metrics.
    random_state : int, RandomState instance or None, default=0
        Seeds the forest and the shuffles: the same seed gives the same numbers.

    Returns
    -------
    dict of str to float
        One entry per parameter name (in the order of the space), each in
        ``[0, 1]``, summing to 1. The choice of sub-space of a list-of-dicts
        space has no entry: its effect is shared among the parameters that
        differ between sub-spaces. When the forest finds no effect at all
        (e.g. every score is equal) every parameter gets the same share.

    Raises
    ------
    ValueError
        If every candidate failed, or the search's metric is ambiguous.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skhpo import TPESearchCV
    >>> from skhpo.importance import parameter_importance
    >>> X, y = load_diabetes(return_X_y=True)
    >>> space = {"alpha": loguniform(1e-3, 1e3), "tol": loguniform(1e-5, 1e-1)}
    >>> search = TPESearchCV(Ridge(), space, n_iter=20, cv=3, random_state=0).fit(X, y)
    >>> importance = parameter_importance(search)
    >>> max(importance, key=importance.get), round(sum(importance.values()), 6)
    ('alpha', 1.0)
    """
    results = read_results(search)
    if not results.parameters:
        return {}
    rng = check_random_state(random_state)
    surrogate = _fit_surrogate(results, rng)
    groups = surrogate.groups()
    shares = _shares(
        _permutation_losses(surrogate.model, surrogate.features, surrogate.target,
                            list(groups.values()), rng)
    )  # fmt: skip
    return {name: float(share) for name, share in zip(groups, shares)}


def parameter_importance_interval(
    search: Any, confidence: float = 0.9, random_state: Any = 0
) -> dict[str, tuple[float, float]]:
    """How sure :func:`parameter_importance` is: a bootstrap interval of each share.

    The search's candidates are resampled with replacement 30 times; each
    resample gets its own surrogate forest (of 30 trees) and permutation
    importance, and the interval of a parameter runs between the
    ``(1 - confidence) / 2`` and ``(1 + confidence) / 2`` quantiles of its 30
    shares (the percentile bootstrap). A wide interval says the candidates do
    not tell how much that parameter matters, typically because there are few
    of them or because two parameters explain the same part of the scores.

    Parameters
    ----------
    search : fitted BaseSearchCV
    confidence : float, default=0.9
        Probability in (0, 1) covered by the interval.
    random_state : int, RandomState instance or None, default=0
        Seeds the resamples, forests and shuffles.

    Returns
    -------
    dict of str to (float, float)
        ``(low, high)`` per parameter, in the order of :func:`parameter_importance`,
        within ``[0, 1]``.

    Raises
    ------
    ValueError
        If ``confidence`` is not in (0, 1), every candidate failed, or the
        search's metric is ambiguous.
    """
    if not isinstance(confidence, numbers.Real) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a float in (0, 1), got {confidence!r}")
    results = read_results(search)
    if not results.parameters:
        return {}
    rng = check_random_state(random_state)
    surrogate = _fit_surrogate(results, rng)  # only its features, target and groups
    groups = surrogate.groups()
    features, target = surrogate.features, surrogate.target
    shares = np.empty((_N_RESAMPLES, len(groups)))
    for b in range(_N_RESAMPLES):
        rows = rng.randint(len(target), size=len(target))
        model = _forest(features[rows], target[rows], _RESAMPLE_TREES, rng)
        losses = _permutation_losses(model, features[rows], target[rows],
                                     list(groups.values()), rng)  # fmt: skip
        shares[b] = _shares(losses)
    low, high = np.quantile(shares, [(1 - confidence) / 2, (1 + confidence) / 2], axis=0)
    return {name: (float(lo), float(hi)) for name, lo, hi in zip(groups, low, high)}


def _shares(losses: np.ndarray) -> np.ndarray:
    """Losses normalised to sum to 1; equal shares when no parameter has any effect."""
    total = losses.sum()
    return losses / total if total > 0 else np.full(len(losses), 1.0 / len(losses))


def _permutation_losses(
    model: RandomForestRegressor,
    features: np.ndarray,
    target: np.ndarray,
    groups: list[np.ndarray],
    rng: np.random.RandomState,
) -> np.ndarray:
    """Increase of the model's squared error when each group of features is shuffled.

    Parameters
    ----------
    model : fitted regressor
    features : ndarray of shape (n, n_features)
    target : ndarray of shape (n,)
    groups : list of ndarray of int
        Feature indices shuffled together, one array per parameter.
    rng : RandomState

    Returns
    -------
    ndarray of shape (len(groups),)
        Mean increase over ``_N_REPEATS`` shuffles, clipped at 0.
    """
    n = len(features)
    baseline = np.mean((model.predict(features) - target) ** 2)
    # Row r * n + i of the stacked copies takes its shuffled values from row order[r, i].
    order = np.argsort(rng.random_sample((_N_REPEATS, n)), axis=1).ravel()
    stacked, targets = np.tile(features, (_N_REPEATS, 1)), np.tile(target, _N_REPEATS)
    losses = np.empty(len(groups))
    for g, columns in enumerate(groups):
        shuffled = stacked.copy()
        shuffled[:, columns] = features[order][:, columns]
        losses[g] = np.mean((model.predict(shuffled) - targets) ** 2) - baseline
    return np.maximum(losses, 0.0)


# -- partial dependence ----------------------------------------------------------------------


class PartialDependence(NamedTuple):
    """The surrogate's average score over a grid of two parameters.

    Attributes
    ----------
    x_values : ndarray of shape (n_x,)
        Grid values of the first parameter, increasing, in its own units.
    y_values : ndarray of shape (n_y,)
        Grid values of the second parameter.
    average : ndarray of shape (n_y, n_x)
        ``average[i, j]``: predicted score at ``y_values[i]``, ``x_values[j]``,
        averaged over the finished candidates' other parameters.
    """

    x_values: np.ndarray
    y_values: np.ndarray
    average: np.ndarray


def partial_dependence(
    search: Any, x: str, y: str, grid: int = 30, random_state: Any = 0
) -> PartialDependence:
    """Two-parameter partial dependence of the score, from the surrogate forest.

    The forest of :func:`parameter_importance` predicts the score of every
    finished candidate that has both parameters (at most 200 of them, drawn
    at random) with ``x`` and ``y`` set to each point of a grid, and averages.
    The grid is even in each parameter's unit scale, so log-scale parameters
    get log-spaced values: ``grid`` points spanning the range of a continuous
    parameter (the range of the evaluated candidates for a scipy distribution
    other than uniform / loguniform), every value of a discrete one with up to
    ``grid`` values.

    Parameters
    ----------
    search : fitted BaseSearchCV
    x, y : str
        Names of two different numeric parameters (not unordered choices).
    grid : int, default=30
        Points per parameter (at least 2).
    random_state : int, RandomState instance or None, default=0
        Seeds the forest and the choice of candidates averaged over.

    Returns
    -------
    PartialDependence
        Named tuple ``(x_values, y_values, average)`` of shapes ``(n_x,)``,
        ``(n_y,)`` and ``(n_y, n_x)``; ``n_x = grid`` for a continuous ``x``.

    Raises
    ------
    ValueError
        Naming the parameter, if ``x`` or ``y`` is unknown, categorical, has a
        single value or has different ranges in different sub-spaces; if no
        finished candidate has both.
    """
    return _partial_dependence(read_results(search), x, y, grid, random_state)


def _partial_dependence(
    results: SearchResults, x: str, y: str, grid: int, random_state: Any
) -> PartialDependence:
    if not isinstance(grid, (int, np.integer)) or grid < 2:
        raise ValueError(f"grid must be an int >= 2, got {grid!r}")
    if x == y:
        raise ValueError(f"x and y must be different parameters, got {x!r} twice")
    px, py = _numeric(results, x, "x"), _numeric(results, y, "y")
    jx, jy = px.columns[0], py.columns[0]
    both = ~np.isnan(results.X[:, jx]) & ~np.isnan(results.X[:, jy])
    if not (both & np.isfinite(results.scores)).any():
        raise ValueError(f"no finished candidate has both {x!r} and {y!r}")
    rng = check_random_state(random_state)
    surrogate = _fit_surrogate(results, rng)
    background = surrogate.features[both & np.isfinite(results.scores)]
    if len(background) > _MAX_BACKGROUND:
        background = background[rng.choice(len(background), _MAX_BACKGROUND, replace=False)]
    ux = _unit_grid(results.space.columns[jx].dimension, results.X[both, jx], grid)
    uy = _unit_grid(results.space.columns[jy].dimension, results.X[both, jy], grid)
    average = _average_prediction(
        surrogate.model, background, surrogate.feature(px), ux, surrogate.feature(py), uy
    )
    dx, dy = results.space.columns[jx].dimension, results.space.columns[jy].dimension
    return PartialDependence(
        np.asarray(dx.from_unit(ux), dtype=float),
        np.asarray(dy.from_unit(uy), dtype=float),
        average,
    )


def _numeric(results: SearchResults, name: str, role: str) -> Parameter:
    """The numeric single-column parameter ``name``, or a ``ValueError`` saying why not."""
    parameter = results.parameter(name, role)
    if parameter.categorical:
        raise ValueError(
            f"{role}={name!r} is categorical: partial dependence needs numeric parameters"
        )
    if len(parameter.columns) > 1:
        raise ValueError(f"{role}={name!r} has different ranges in different sub-spaces")
    if results.space.columns[parameter.columns[0]].dimension.size < 2:
        raise ValueError(f"{role}={name!r} has a single value")
    return parameter


def _unit_grid(dimension: Any, seen: np.ndarray, n: int) -> np.ndarray:
    """Increasing, distinct unit values of a grid of at most ``n`` points.

    Parameters
    ----------
    dimension : Dimension
    seen : ndarray of shape (m,)
        Unit values of the evaluated candidates (only used by distributions,
        whose unit interval reaches far into the tails).
    n : int

    Returns
    -------
    ndarray of shape (k,), k <= n
    """
    centres = (np.arange(n) + 0.5) / n
    if isinstance(dimension, Distribution):
        centres = seen.min() + centres * (seen.max() - seen.min())
    return np.unique(dimension.snap(centres))


def _average_prediction(
    model: RandomForestRegressor,
    background: np.ndarray,
    fx: int,
    ux: np.ndarray,
    fy: int,
    uy: np.ndarray,
) -> np.ndarray:
    """Mean prediction over ``background`` rows with features ``fx, fy`` set to each grid point.

    Parameters
    ----------
    model : fitted regressor
    background : ndarray of shape (m, n_features)
    fx, fy : int
        The two features varied.
    ux : ndarray of shape (n_x,)
    uy : ndarray of shape (n_y,)

    Returns
    -------
    ndarray of shape (n_y, n_x)
    """
    m = len(background)
    gy, gx = np.meshgrid(uy, ux, indexing="ij")
    rows = np.tile(background, (gx.size, 1))
    rows[:, fx] = np.repeat(gx.ravel(), m)
    rows[:, fy] = np.repeat(gy.ravel(), m)
    return model.predict(rows).reshape(len(uy), len(ux), m).mean(axis=2)
