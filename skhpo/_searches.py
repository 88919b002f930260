"""The public searches: each is its options plus the strategy it builds."""

from __future__ import annotations

import os
from numbers import Integral, Real
from typing import Any

import numpy as np

from ._compat import Interval, StrOptions
from ._search import BaseStrategySearchCV
from .defaults._resolve import resolve_order
from .space import SearchSpace
from .strategies import (
    BayesStrategy,
    CMAESStrategy,
    CoordinateStrategy,
    GeneticStrategy,
    Strategy,
    TPEStrategy,
)

__all__ = ["BayesSearchCV", "CoordinateSearchCV", "EvolutionarySearchCV", "TPESearchCV"]

_COMMON_PARAMETERS = """
    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; cloned, never changed.
    param_distributions : dict, list of dicts or None, default=None
        The search space, as ``GridSearchCV`` and ``RandomizedSearchCV`` accept it:
        parameter names (``step__param`` in a pipeline) mapped to a list / tuple /
        1-D array of choices (numbers are ordered choices, anything else
        unordered), a scipy.stats distribution (``loguniform`` is a log-scale
        range), or a :class:`~skhpo.Real`, :class:`~skhpo.Integer` or
        :class:`~skhpo.Categorical`. A list of dicts is a choice among
        sub-spaces (e.g. one per kernel). Give it here or as ``param_grid``.
        ``"auto"``: :func:`~skhpo.default_space` of the estimator, searched from
        its :func:`~skhpo.portfolio` unless ``initial_params`` is given.
    param_grid : dict, list of dicts, "auto" or None, default=None
        Another name for ``param_distributions``, ``GridSearchCV``'s, so that
        ``GridSearchCV(estimator, param_grid=grid, ...)`` becomes a search by
        changing only the class name. ``fit`` raises a ``ValueError`` unless
        exactly one of the two is given.
    n_iter : int, default=50
        Number of candidates evaluated (rows of ``cv_results_``); fewer only when
        a finite space is exhausted.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, ``refit`` may be a metric name, a callable or False, as there;
        when it is a name, that metric is the one the search optimises.
        ``verbose >= 1`` also prints progress after each batch.
    objective : str or None, default=None
        With several metrics and ``refit`` a callable or False, the name of the
        metric whose mean CV score the search optimises; None: the first metric
        of ``scoring``. With ``refit`` a metric name, leave it None (or give the
        same name). A name that is not a metric of ``scoring``, or an objective
        with a single metric, is refused (``ValueError``) before any fit; for a
        callable ``scoring`` that returns a dict, after its first batch.
    random_state : int, RandomState instance or None, default=None
        Seed of the search: the same seed, data, space and options give the
        same candidates in the same order, whatever ``n_jobs`` or joblib backend.
    batch_size : int or None, default=None
        Candidates proposed together and evaluated in one parallel round
        (``batch_size x n_splits`` fits dispatched at once). None: the
        strategy's default, {default_batch_size}.
    initial_params : list of dict or None, default=None
        Candidates evaluated first (e.g. settings known to work), each a dict
        naming every parameter of one sub-space. Validated before any fit.
        ``"portfolio"``: the settings of :func:`~skhpo.portfolio` that lie in
        the space (see :doc:`/defaults`).
    max_time : float or None, default=None
        Seconds after which no new batch starts.
    callbacks : callable, list of callables or None, default=None
        Called after each batch with a :class:`~skhpo.callbacks.SearchState`;
        one returning True stops the search (see :mod:`skhpo.callbacks`).
    checkpoint : str, path or None, default=None
        A JSON-lines file where every finished candidate (parameters and
        per-fold results) is saved, atomically, after each batch. Fitting again
        with the same file resumes: finished candidates are not fitted again
        and a seeded search proposes what an uninterrupted one would have. A file
        written by another estimator, space, options, data or CV splits is
        refused (``ValueError``), naming what differs, and left untouched.
        ``n_iter``, ``n_jobs``, ``max_time``, ``callbacks`` and ``verbose`` may
        change between runs; with a smaller ``n_iter`` the first ``n_iter``
        stored candidates are restored and the file keeps the rest. A lock file
        (``<path>.lock``) keeps a second search from writing the same file at
        the same time. Without it, every ``fit`` starts afresh.
    warm_start_from : fitted search, dict or None, default=None
        Results of an earlier search (any fitted scikit-learn or skhpo search,
        or its ``cv_results_``) to learn from: its candidates that lie in this
        search's space are told to the strategy before it proposes anything and
        are never evaluated again. Their scores must be comparable (same data,
        CV and scoring).
    include_warm_start : bool, default=False
        Also put those candidates in ``cv_results_`` (as the first rows, in
        addition to the ``n_iter`` evaluated ones), so that the best of both
        searches is refit. Needs the same number of CV splits.
    racing : bool or float, default=False
        Fold racing (see :doc:`/racing`). False: every candidate is scored on
        every fold. True (a confidence of 0.95) or a float in (0, 1), the
        confidence: a candidate's folds are scored in stages (2, 4, 8, ... folds,
        then all), and after each stage a one-sided paired t-test against the
        best candidate scored on every fold so far stops it if it is worse at
        that confidence; its other folds are never fitted. Its
        ``cv_results_`` row keeps NaN for those folds, means and stds over the
        folds scored, ``True`` in a ``pruned`` column, and ranks after every
        candidate scored on all folds, so it is never ``best_index_``. Needs at
        least 3 CV splits: with fewer, ``fit`` refuses it (``ValueError``)
        before any fit.
{strategy_parameters}"""

_ATTRIBUTES = """
    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        As in ``GridSearchCV``, one row per candidate in the order evaluated,
        plus ``batch``: the index of the batch that evaluated each row (and,
        with ``racing``, ``pruned``: whether it was stopped early).
    best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, \
refit_time_, multimetric_, classes_, n_features_in_, feature_names_in_
        As in ``GridSearchCV``.
"""


def _document(
    cls: type, summary: str, default_batch_size: str, strategy_parameters: str = "",
    examples: str = "",
) -> type:  # fmt: skip
    cls.__doc__ = (
        summary
        + _COMMON_PARAMETERS.format(
            default_batch_size=default_batch_size, strategy_parameters=strategy_parameters
        )
        + _ATTRIBUTES
        + examples
    )
    return cls


class BayesSearchCV(BaseStrategySearchCV):
    _parameter_constraints: dict = {
        **BaseStrategySearchCV._parameter_constraints,
        "n_initial_points": [Interval(Integral, 1, None, closed="left"), None],
        "acquisition": [StrOptions({"ei", "pi", "ucb"})],
        "exploration": [Interval(Real, 0, None, closed="left"), None],
        "max_model_points": [Interval(Integral, 2, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict | list | None = None,
        *,
        param_grid: dict | list | None = None,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
        objective: str | None = None,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        batch_size: int | None = None,
        initial_params: list[dict] | None = None,
        max_time: float | None = None,
        callbacks: list | None = None,
        checkpoint: str | os.PathLike | None = None,
        warm_start_from: Any = None,
        include_warm_start: bool = False,
        racing: bool | float = False,
        n_initial_points: int | None = None,
        acquisition: str = "ei",
        exploration: float | None = None,
        max_model_points: int | None = 300,
    ) -> None:
        super().__init__(
            estimator, param_distributions, param_grid=param_grid, n_iter=n_iter,
            scoring=scoring, n_jobs=n_jobs, refit=refit, objective=objective, cv=cv,
            verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint, warm_start_from=warm_start_from,
            include_warm_start=include_warm_start, racing=racing,
        )  # fmt: skip
        self.n_initial_points = n_initial_points
        self.acquisition = acquisition
        self.exploration = exploration
        self.max_model_points = max_model_points

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        return BayesStrategy(
            space, rng, n_initial_points=self.n_initial_points,
            acquisition=self.acquisition, exploration=self.exploration,
            max_model_points=self.max_model_points,
        )  # fmt: skip


class TPESearchCV(BaseStrategySearchCV):
    _parameter_constraints: dict = {
        **BaseStrategySearchCV._parameter_constraints,
        "n_initial_points": [Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "n_ei_candidates": [Interval(Integral, 1, None, closed="left")],
        "multivariate": ["boolean"],
        "prior_weight": [Interval(Real, 0, None, closed="neither")],
        "weights": [StrOptions({"uniform", "recent"})],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict | list | None = None,
        *,
        param_grid: dict | list | None = None,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
        objective: str | None = None,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        batch_size: int | None = None,
        initial_params: list[dict] | None = None,
        max_time: float | None = None,
        callbacks: list | None = None,
        checkpoint: str | os.PathLike | None = None,
        warm_start_from: Any = None,
        include_warm_start: bool = False,
        racing: bool | float = False,
        n_initial_points: int = 10,
        gamma: float = 1.0,
        n_ei_candidates: int = 24,
        multivariate: bool = True,
        prior_weight: float = 1.0,
        weights: str = "uniform",
    ) -> None:
        super().__init__(
            estimator, param_distributions, param_grid=param_grid, n_iter=n_iter,
            scoring=scoring, n_jobs=n_jobs, refit=refit, objective=objective, cv=cv,
            verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint, warm_start_from=warm_start_from,
            include_warm_start=include_warm_start, racing=racing,
        )  # fmt: skip
        self.n_initial_points = n_initial_points
        self.gamma = gamma
        self.n_ei_candidates = n_ei_candidates
        self.multivariate = multivariate
        self.prior_weight = prior_weight
        self.weights = weights

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        return TPEStrategy(
            space, rng, n_initial_points=self.n_initial_points, gamma=self.gamma,
            n_ei_candidates=self.n_ei_candidates, multivariate=self.multivariate,
            prior_weight=self.prior_weight, weights=self.weights,
        )  # fmt: skip


class EvolutionarySearchCV(BaseStrategySearchCV):
    _parameter_constraints: dict = {
        **BaseStrategySearchCV._parameter_constraints,
        "algorithm": [StrOptions({"genetic", "cma-es"})],
        "population_size": [Interval(Integral, 2, None, closed="left"), None],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "mutation_probability": [Interval(Real, 0, 1, closed="right"), None],
        "tournament_size": [Interval(Integral, 1, None, closed="left")],
        "n_elites": [Interval(Integral, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict | list | None = None,
        *,
        param_grid: dict | list | None = None,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
        objective: str | None = None,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        batch_size: int | None = None,
        initial_params: list[dict] | None = None,
        max_time: float | None = None,
        callbacks: list | None = None,
        checkpoint: str | os.PathLike | None = None,
        warm_start_from: Any = None,
        include_warm_start: bool = False,
        racing: bool | float = False,
        algorithm: str = "genetic",
        population_size: int | None = None,
        crossover_probability: float = 0.9,
        mutation_probability: float | None = None,
        tournament_size: int = 3,
        n_elites: int | None = None,
    ) -> None:
        super().__init__(
            estimator, param_distributions, param_grid=param_grid, n_iter=n_iter,
            scoring=scoring, n_jobs=n_jobs, refit=refit, objective=objective, cv=cv,
            verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint, warm_start_from=warm_start_from,
            include_warm_start=include_warm_start, racing=racing,
        )  # fmt: skip
        self.algorithm = algorithm
        self.population_size = population_size
        self.crossover_probability = crossover_probability
        self.mutation_probability = mutation_probability
        self.tournament_size = tournament_size
        self.n_elites = n_elites

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        if self.algorithm == "cma-es":
            _check_cma_es(self, space)
            return CMAESStrategy(space, rng, population_size=self.population_size)
        return GeneticStrategy(
            space, rng, population_size=self.population_size,
            crossover_probability=self.crossover_probability,
            mutation_probability=self.mutation_probability,
            tournament_size=self.tournament_size, n_elites=self.n_elites,
        )  # fmt: skip


#: Options of EvolutionarySearchCV that only the genetic algorithm uses, with their defaults.
_GENETIC_ONLY = {
    "crossover_probability": 0.9,
    "mutation_probability": None,
    "tournament_size": 3,
    "n_elites": None,
}


def _check_cma_es(search: EvolutionarySearchCV, space: SearchSpace) -> None:
    """Refuse, before any fit, what ``algorithm="cma-es"`` cannot do."""
    changed = [name for name, default in _GENETIC_ONLY.items()
               if getattr(search, name) != default]  # fmt: skip
    if changed:
        raise ValueError(
            f"{', '.join(changed)}: options of algorithm='genetic', unused by "
            "algorithm='cma-es'; leave them at their defaults or use algorithm='genetic'"
        )
    if space.has_subspace_column:
        raise ValueError(
            "algorithm='cma-es' needs a single sub-space (a dict), not a list of "
            f"{len(space.subspaces)} dicts; use algorithm='genetic'"
        )
    if not any(c.dimension.ordered and not c.dimension.sample_only for c in space.columns):
        raise ValueError(
            "algorithm='cma-es' needs at least one numeric parameter (a range, a list of "
            "numbers or a scipy distribution), the space has only unordered choices; use "
            "algorithm='genetic'"
        )


class CoordinateSearchCV(BaseStrategySearchCV):
    _parameter_constraints: dict = {
        **BaseStrategySearchCV._parameter_constraints,
        "order": [list, None],
        "points_per_coordinate": [Interval(Integral, 2, None, closed="left")],
        "initial_step": [Interval(Real, 0, 0.5, closed="right")],
        "noise_tolerance": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict | list | None = None,
        *,
        param_grid: dict | list | None = None,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
        objective: str | None = None,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        batch_size: int | None = None,
        initial_params: list[dict] | None = None,
        max_time: float | None = None,
        callbacks: list | None = None,
        checkpoint: str | os.PathLike | None = None,
        warm_start_from: Any = None,
        include_warm_start: bool = False,
        racing: bool | float = False,
        order: list[str] | None = None,
        points_per_coordinate: int = 4,
        initial_step: float = 0.25,
        noise_tolerance: float = 0.5,
    ) -> None:
        super().__init__(
            estimator, param_distributions, param_grid=param_grid, n_iter=n_iter,
            scoring=scoring, n_jobs=n_jobs, refit=refit, objective=objective, cv=cv,
            verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint, warm_start_from=warm_start_from,
            include_warm_start=include_warm_start, racing=racing,
        )  # fmt: skip
        self.order = order
        self.points_per_coordinate = points_per_coordinate
        self.initial_step = initial_step
        self.noise_tolerance = noise_tolerance

    def _initial_candidates(self, space: SearchSpace) -> list[dict] | None:
        # Without user-given starting points, start from the estimator's own settings,
        # passed exactly as they are.
        return super()._initial_candidates(space) or [estimator_start(space, self.estimator)]

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        start = self._initial_candidates(space)[0]
        return CoordinateStrategy(
            space, rng, start=space.encode([start])[0],
            order=_order_columns(space, resolve_order(self, space)), n_splits=self.n_splits_,
            points_per_coordinate=self.points_per_coordinate,
            initial_step=self.initial_step, noise_tolerance=self.noise_tolerance,
        )  # fmt: skip


def estimator_start(space: SearchSpace, estimator: Any) -> dict[str, Any]:
    """The estimator's own parameter values, where the space has them.

    Parameters outside the space start at the middle of their range (the first
    choice for unordered ones); of several sub-spaces, the one that holds the
    most of the estimator's values is used.
    """
    current = estimator.get_params(deep=True)
    best, best_matches = None, -1
    for subspace in space.subspaces:
        candidate, matches = {}, 0
        for name, dim in subspace.items():
            value = current.get(name, _MISSING)
            if value is not _MISSING and dim.contains(value):
                candidate[name], matches = value, matches + 1
            else:
                unit = 0.5 if dim.ordered else dim.unit_of_level(np.array([0]))[0]
                candidate[name] = dim.from_unit(np.array([unit]))[0]
        if matches > best_matches:
            best, best_matches = candidate, matches
    return best


_MISSING = object()


def _order_columns(space: SearchSpace, order: list[str] | None) -> list[int] | None:
    """Column indices of the parameter names in ``order`` (ValueError for unknown names)."""
    if order is None:
        return None
    unknown = [name for name in order if name not in space.names]
    if unknown:
        raise ValueError(f"order: {unknown} are not parameters of the search space")
    return [j for name in order for j, c in enumerate(space.columns) if c.name == name]


_document(
    BayesSearchCV,
    """Bayesian optimisation of hyperparameters with a Gaussian-process surrogate.

    A Latin-hypercube design first; then each batch maximises an acquisition
    function (log expected improvement by default) of a Gaussian process fitted
    to the CV scores so far: Matern-5/2 kernel with one length scale per input,
    learned noise, power-warped outputs, integers and ordered choices rounded
    inside the model, unordered choices and sub-spaces one-hot. Batches are made
    diverse by a constant liar. Failed fits count as the worst score seen.
""",
    "4",
    strategy_parameters="""    n_initial_points : int or None, default=None
        Candidates of the initial space-filling design (after any
        ``initial_params``); None: the number of GP inputs plus one, from 5 to 12.
    acquisition : {"ei", "pi", "ucb"}, default="ei"
        ``"ei"``: expected improvement, computed as log-EI so that it stays
        informative far from the best; ``"pi"``: probability of improvement;
        ``"ucb"``: upper confidence bound.
    exploration : float or None, default=None
        For ``"ei"`` and ``"pi"``, the margin over the best score to improve on,
        in standard deviations of the scores (default 0 and 0.01); for
        ``"ucb"``, the multiple of the posterior standard deviation (default 2).
    max_model_points : int or None, default=300
        Most observations the Gaussian process is fitted to: beyond it, the
        best half of that many and a random sample of the others, which keeps
        the cost of each proposal flat in long searches. None: all of them.
""",
    examples="""
    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import BayesSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = BayesSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e0)},
    ...     n_iter=12, random_state=0,
    ... ).fit(X, y)
    >>> bool(search.best_score_ > 0.95)
    True
""",
)
_document(
    TPESearchCV,
    """Hyperparameter search with Tree-structured Parzen Estimators (TPE).

    The candidates seen so far are split into a good group (the best
    ``ceil(gamma * sqrt(n))``, at most 25) and the rest; a Parzen density is
    fitted to each, ``l`` to the good and ``g`` to the others, and the next
    candidate is the one, among ``n_ei_candidates`` drawn from ``l``, with the
    largest ``l(x) / g(x)``. Log-scale dimensions are modelled in log space,
    integers and ordered choices by discretised kernels, unordered choices by
    smoothed category weights. A list of dicts is modelled natively: the choice
    of sub-space has its own density and each parameter is modelled only from
    the candidates that have it. Batches stay diverse through a constant liar
    (candidates of the batch being built count as bad); failed fits count as bad.
""",
    "4",
    strategy_parameters="""    n_initial_points : int, default=10
        Candidates of the initial space-filling design (after any
        ``initial_params``).
    gamma : float, default=1.0
        The good group holds the best ``ceil(gamma * sqrt(n))`` of ``n``
        candidates, at most 25.
    n_ei_candidates : int, default=24
        Candidates drawn from the good density for each proposal; more is greedier.
    multivariate : bool, default=True
        Model the parameters of a sub-space jointly (captures interactions such
        as ``C`` with ``gamma``), or each on its own.
    prior_weight : float, default=1.0
        Weight of the prior (a wide kernel over the whole range) relative to one
        observation; keeps early searches exploring.
    weights : {"uniform", "recent"}, default="uniform"
        Weights of the observations; ``"recent"`` gives old ones less weight once
        there are more than 25.
""",
    examples="""
    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import TPESearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> space = [
    ...     {"kernel": ["rbf"], "C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e0)},
    ...     {"kernel": ["poly"], "C": loguniform(1e-2, 1e3), "degree": [2, 3, 4]},
    ... ]
    >>> search = TPESearchCV(SVC(), space, n_iter=20, random_state=0).fit(X, y)
    >>> bool(search.best_score_ > 0.95)
    True
""",
)
_document(
    EvolutionarySearchCV,
    """Hyperparameter search by evolution: a genetic algorithm or CMA-ES.

    A population of candidates evolves generation by generation; each
    generation is one batch, evaluated in one parallel round. No candidate is
    evaluated twice; failed fits are the worst fitness.

    ``algorithm="genetic"`` (the default, for any space): the first generation
    is a Latin-hypercube design. Parents are picked by tournament among the
    best candidates ever seen (elites) and the best of the latest generation,
    recombined (blend crossover of continuous parameters, uniform crossover of
    the others, sub-space aware for lists of dicts) and mutated: Gaussian steps
    in each dimension's own scale (log scale where declared), at least one
    level for integers and ordered choices, a switch for unordered choices.
    The mutation step adapts by the 1/5 success rule.

    ``algorithm="cma-es"`` (for spaces that are mostly continuous, a single
    dict): the covariance matrix adaptation evolution strategy samples each
    generation from a multivariate normal distribution over the numeric
    parameters (in their own scale, log where declared) and learns its mean,
    step size and covariance from the best half of each generation, so it
    follows correlated and badly scaled parameters. Integers and ordered
    choices are rounded, with a floor on their spread so that they keep
    moving; unordered choices get a categorical distribution learned from the
    best candidates. When the distribution has converged or the scores stop
    changing, it restarts from a random point with twice the population
    (IPOP). See :class:`~skhpo.strategies.CMAESStrategy`.
""",
    "the population size",
    strategy_parameters="""    algorithm : {"genetic", "cma-es"}, default="genetic"
        The evolution: a genetic algorithm, or CMA-ES for mostly continuous
        spaces. ``"cma-es"`` refuses, before any fit, a list of dicts and a
        space without numeric parameters (``ValueError``), and also the options
        marked *genetic only* below when they are not at their defaults: rather
        than ignoring them silently, ``fit`` raises a ``ValueError`` naming them.
    population_size : int or None, default=None
        Candidates per generation (and the default ``batch_size``). None:
        ``8 + 2 * ceil(ln(d))`` for ``d`` encoded dimensions (genetic),
        ``4 + floor(3 ln(n))`` for ``n`` numeric parameters (CMA-ES, whose
        restarts double it; a larger generation then spans several batches).
    crossover_probability : float, default=0.9
        Genetic only. Probability that a child is bred from two parents rather
        than copied from one (it is mutated either way).
    mutation_probability : float or None, default=None
        Genetic only. Probability that each parameter of a child mutates (at
        least one always does). None: ``1 / d``.
    tournament_size : int, default=3
        Genetic only. Candidates competing for each parent slot; larger is
        greedier.
    n_elites : int or None, default=None
        Genetic only. Best candidates ever seen that stay in the parent pool.
        None: a third of the population.
""",
    examples="""
    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import EvolutionarySearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = EvolutionarySearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e0)},
    ...     n_iter=20, population_size=5, random_state=0,
    ... ).fit(X, y)
    >>> search.cv_results_["batch"].tolist()
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3]
    >>> bool(search.best_score_ > 0.95)
    True
""",
)
_document(
    CoordinateSearchCV,
    """Hyperparameter search one parameter at a time, most important first.

    This is how careful practitioners tune by hand, made automatic. The search
    starts from the estimator's own settings (where they lie in the space; the
    middle of the range otherwise; ``initial_params`` to start elsewhere) and
    changes one parameter at a time: a line search along numeric parameters
    (``points_per_coordinate`` points around the current value, in the
    parameter's own scale, log where declared; the step doubles while the best
    point is at the end of the bracket and halves when nothing improves), every
    value of unordered and small ordered ones. A change is kept only if it
    beats the current best by more than the noise (``noise_tolerance``
    standard errors of its CV score). Parameters are visited in ``order`` or,
    by default, by estimated importance: the first sweep screens each one,
    later sweeps sort them by how much moving each changed the score. A sweep
    that changes nothing after the steps have shrunk restarts the search, with
    larger steps or from a random point. Conditional spaces: the choice of
    sub-space is itself a parameter.
""",
    "``points_per_coordinate``",
    strategy_parameters="""    order : list of str or None, default=None
        Parameter names to tune first, in this order (the others follow in the
        order the space lists them). None: by estimated importance.
    points_per_coordinate : int, default=4
        Points of one line search, evaluated as one batch (and the default
        ``batch_size``; a larger batch probes several parameters at once).
    initial_step : float, default=0.25
        First step of numeric parameters, as a fraction of their (log) range.
    noise_tolerance : float, default=0.5
        A change is accepted only if it improves the mean CV score by more than
        this many standard errors (CV std / sqrt(n_splits)) of the current best.
""",
    examples="""
    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.neural_network import MLPClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skhpo import CoordinateSearchCV, Real
    >>> X, y = load_iris(return_X_y=True)
    >>> search = CoordinateSearchCV(
    ...     make_pipeline(StandardScaler(), MLPClassifier(max_iter=200, random_state=0)),
    ...     {
    ...         "mlpclassifier__learning_rate_init": Real(1e-4, 1e-1, log=True),
    ...         "mlpclassifier__alpha": Real(1e-6, 1e-1, log=True),
    ...         "mlpclassifier__hidden_layer_sizes": [(16,), (64,), (32, 32)],
    ...     },
    ...     order=["mlpclassifier__learning_rate_init"],  # the learning rate first
    ...     n_iter=12, cv=3, random_state=0,
    ... )
    >>> import warnings; warnings.simplefilter("ignore")  # MLP convergence warnings
    >>> search.fit(X, y).cv_results_["params"][0]["mlpclassifier__learning_rate_init"]
    0.001
""",
)
