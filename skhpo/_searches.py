"""The public searches: each declares its strategy, its options and its docstring.

The base class (:class:`~skhpo._search.BaseStrategySearchCV`) derives from each
declaration the option constraints, how the strategy is built, the parameters
and attributes every search shares in the docstring and the search's entry in
:func:`skhpo.utils.all_searches` (see :mod:`skhpo._declare`). Each ``__init__``
stays explicit: scikit-learn's ``get_params`` reads its signature.
"""

from __future__ import annotations

import inspect
import os
import warnings
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
    RandomStrategy,
    Strategy,
    TPEStrategy,
)

__all__ = [
    "BayesSearchCV",
    "CMAESSearchCV",
    "CoordinateSearchCV",
    "EvolutionarySearchCV",
    "TPESearchCV",
]


class BayesSearchCV(BaseStrategySearchCV):
    """Bayesian optimisation of hyperparameters with a Gaussian-process surrogate.

    A Latin-hypercube design first; then each batch maximises an acquisition
    function (log expected improvement by default) of a Gaussian process fitted
    to the CV scores so far: Matern-5/2 kernel with one length scale per input,
    learned noise, power-warped outputs, integers and ordered choices rounded
    inside the model, unordered choices and sub-spaces one-hot. Batches are made
    diverse by a constant liar. Failed fits count as the worst score seen.

    Parameters
    ----------
    n_initial_points : int or None, default=None
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
    """

    _strategy_class = BayesStrategy
    _strategy_options: dict = {
        "n_initial_points": [Interval(Integral, 1, None, closed="left"), None],
        "acquisition": [StrOptions({"ei", "pi", "ucb"})],
        "exploration": [Interval(Real, 0, None, closed="left"), None],
        "max_model_points": [Interval(Integral, 2, None, closed="left"), None],
    }
    _default_batch_size = "4"

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
        resource: str | None = None,
        min_resources: int | str = "exhaust",
        max_resources: int | str = "auto",
        factor: float = 3,
        selection: str = "best",
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
            include_warm_start=include_warm_start,
            racing=racing,
            resource=resource, min_resources=min_resources, max_resources=max_resources,
            factor=factor, selection=selection,
        )  # fmt: skip
        self.n_initial_points = n_initial_points
        self.acquisition = acquisition
        self.exploration = exploration
        self.max_model_points = max_model_points


class TPESearchCV(BaseStrategySearchCV):
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

    Parameters
    ----------
    n_initial_points : int, default=10
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
    """

    _strategy_class = TPEStrategy
    _strategy_options: dict = {
        "n_initial_points": [Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "n_ei_candidates": [Interval(Integral, 1, None, closed="left")],
        "multivariate": ["boolean"],
        "prior_weight": [Interval(Real, 0, None, closed="neither")],
        "weights": [StrOptions({"uniform", "recent"})],
    }
    _default_batch_size = "4"

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
        resource: str | None = None,
        min_resources: int | str = "exhaust",
        max_resources: int | str = "auto",
        factor: float = 3,
        selection: str = "best",
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
            include_warm_start=include_warm_start,
            racing=racing,
            resource=resource, min_resources=min_resources, max_resources=max_resources,
            factor=factor, selection=selection,
        )  # fmt: skip
        self.n_initial_points = n_initial_points
        self.gamma = gamma
        self.n_ei_candidates = n_ei_candidates
        self.multivariate = multivariate
        self.prior_weight = prior_weight
        self.weights = weights


class EvolutionarySearchCV(BaseStrategySearchCV):
    """Hyperparameter search by a genetic algorithm.

    A population of candidates evolves generation by generation; each
    generation is one batch, evaluated in one parallel round. No candidate is
    evaluated twice; failed fits are the worst fitness. Works on any space,
    lists of dicts included (for mostly continuous spaces, see also
    :class:`~skhpo.CMAESSearchCV`).

    The first generation is a Latin-hypercube design. Parents are picked by
    tournament among the best candidates ever seen (elites) and the best of the
    latest generation, recombined (blend crossover of continuous parameters,
    uniform crossover of the others, sub-space aware for lists of dicts) and
    mutated: Gaussian steps in each dimension's own scale (log scale where
    declared), at least one level for integers and ordered choices, a switch
    for unordered choices. The mutation step adapts by the 1/5 success rule.
    See :class:`~skhpo.strategies.GeneticStrategy`.

    Parameters
    ----------
    population_size : int or None, default=None
        Candidates per generation (and the default ``batch_size``). None:
        ``8 + 2 * ceil(ln(d))`` for ``d`` encoded dimensions.
    crossover_probability : float, default=0.9
        Probability that a child is bred from two parents rather than copied
        from one (it is mutated either way).
    mutation_probability : float or None, default=None
        Probability that each parameter of a child mutates (at least one always
        does). None: ``1 / d``.
    tournament_size : int, default=3
        Candidates competing for each parent slot; larger is greedier.
    n_elites : int or None, default=None
        Best candidates ever seen that stay in the parent pool. None: a third
        of the population.
    algorithm : {"genetic"}, default="genetic"
        Deprecated: ``"cma-es"`` still runs CMA-ES with a ``FutureWarning``;
        use :class:`~skhpo.CMAESSearchCV` instead.

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
    """

    _strategy_class = GeneticStrategy
    _strategy_options: dict = {
        "population_size": [Interval(Integral, 2, None, closed="left"), None],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "mutation_probability": [Interval(Real, 0, 1, closed="right"), None],
        "tournament_size": [Interval(Integral, 1, None, closed="left")],
        "n_elites": [Interval(Integral, 0, None, closed="left"), None],
    }
    _search_options: dict = {
        "algorithm": [StrOptions({"genetic", "cma-es"}, deprecated={"cma-es"})],
    }
    _default_batch_size = "the population size"

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
        resource: str | None = None,
        min_resources: int | str = "exhaust",
        max_resources: int | str = "auto",
        factor: float = 3,
        selection: str = "best",
        population_size: int | None = None,
        crossover_probability: float = 0.9,
        mutation_probability: float | None = None,
        tournament_size: int = 3,
        n_elites: int | None = None,
        algorithm: str = "genetic",
    ) -> None:
        super().__init__(
            estimator, param_distributions, param_grid=param_grid, n_iter=n_iter,
            scoring=scoring, n_jobs=n_jobs, refit=refit, objective=objective, cv=cv,
            verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint, warm_start_from=warm_start_from,
            include_warm_start=include_warm_start,
            racing=racing,
            resource=resource, min_resources=min_resources, max_resources=max_resources,
            factor=factor, selection=selection,
        )  # fmt: skip
        self.population_size = population_size
        self.crossover_probability = crossover_probability
        self.mutation_probability = mutation_probability
        self.tournament_size = tournament_size
        self.n_elites = n_elites
        self.algorithm = algorithm

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        if self.algorithm != "cma-es":
            return super()._make_strategy(space, rng)
        # The deprecated spelling of CMAESSearchCV: its options must be CMA-ES's.
        warnings.warn(
            "EvolutionarySearchCV(algorithm='cma-es') is deprecated and will be removed; "
            "use CMAESSearchCV, which takes the same parameters but the genetic ones",
            FutureWarning,
        )
        changed = [name for name in _GENETIC_ONLY if getattr(self, name) != _default(self, name)]
        if changed:
            raise ValueError(
                f"{', '.join(changed)}: options of the genetic algorithm, unused by "
                "algorithm='cma-es'; leave them at their defaults or use CMAESSearchCV"
            )
        check_cma_es_space(space, type(self).__name__ + "(algorithm='cma-es')")
        return CMAESStrategy(space, rng, population_size=self.population_size)


#: EvolutionarySearchCV's options that CMA-ES does not take.
_GENETIC_ONLY = ("crossover_probability", "mutation_probability", "tournament_size", "n_elites")


def _default(search: Any, name: str) -> Any:
    """The default of the search's parameter ``name``."""
    return inspect.signature(type(search).__init__).parameters[name].default


class CMAESSearchCV(BaseStrategySearchCV):
    """Hyperparameter search by CMA-ES, for spaces that are mostly continuous.

    The covariance matrix adaptation evolution strategy samples each generation
    (one batch, evaluated in one parallel round) from a multivariate normal
    distribution over the numeric parameters (in their own scale, log where
    declared) and learns its mean, step size and covariance from the best half
    of each generation, so it follows correlated and badly scaled parameters.
    Integers and ordered choices are rounded, with a floor on their spread so
    that they keep moving; unordered choices get a categorical distribution
    learned from the best candidates. When the distribution has converged or
    the scores stop changing, it restarts from a random point with twice the
    population (IPOP). See :class:`~skhpo.strategies.CMAESStrategy`.

    The space must be a single dict with at least one numeric parameter (a
    range, a list of numbers or a scipy distribution); anything else is refused
    with a ``ValueError`` before any fit. For lists of dicts or spaces of
    unordered choices, use :class:`~skhpo.EvolutionarySearchCV` or
    :class:`~skhpo.TPESearchCV`.

    Parameters
    ----------
    population_size : int or None, default=None
        Candidates per generation (and the default ``batch_size``). None:
        ``4 + floor(3 ln(n))`` for ``n`` numeric parameters; restarts double
        it, and a larger generation then spans several batches.

    Examples
    --------
    >>> from scipy.stats import loguniform
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.svm import SVC
    >>> from skhpo import CMAESSearchCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = CMAESSearchCV(
    ...     SVC(), {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1e0)},
    ...     n_iter=18, random_state=0,
    ... ).fit(X, y)
    >>> bool(search.best_score_ > 0.95)
    True
    """

    _strategy_class = CMAESStrategy
    _strategy_options: dict = {
        "population_size": [Interval(Integral, 2, None, closed="left"), None],
    }
    _default_batch_size = "the population size"

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
        resource: str | None = None,
        min_resources: int | str = "exhaust",
        max_resources: int | str = "auto",
        factor: float = 3,
        selection: str = "best",
        population_size: int | None = None,
    ) -> None:
        super().__init__(
            estimator, param_distributions, param_grid=param_grid, n_iter=n_iter,
            scoring=scoring, n_jobs=n_jobs, refit=refit, objective=objective, cv=cv,
            verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint, warm_start_from=warm_start_from,
            include_warm_start=include_warm_start,
            racing=racing,
            resource=resource, min_resources=min_resources, max_resources=max_resources,
            factor=factor, selection=selection,
        )  # fmt: skip
        self.population_size = population_size

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        if not space.n_columns:  # an empty space: its one candidate, nothing to evolve
            return RandomStrategy(space, rng)
        check_cma_es_space(space, type(self).__name__)
        return super()._make_strategy(space, rng)


def check_cma_es_space(space: SearchSpace, who: str) -> None:
    """Refuse, before any fit, a space CMA-ES cannot search (``who`` names the search)."""
    if space.has_subspace_column:
        raise ValueError(
            f"param_distributions: {who} needs a single sub-space (a dict), not a list of "
            f"{len(space.subspaces)} dicts; use EvolutionarySearchCV or TPESearchCV"
        )
    if not any(c.dimension.ordered and not c.dimension.sample_only for c in space.columns):
        raise ValueError(
            f"param_distributions: {who} needs at least one numeric parameter (a range, a "
            "list of numbers or a scipy distribution), the space has only unordered "
            "choices; use EvolutionarySearchCV or TPESearchCV"
        )


class CoordinateSearchCV(BaseStrategySearchCV):
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

    Parameters
    ----------
    order : list of str or None, default=None
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
    """

    _strategy_class = CoordinateStrategy
    _strategy_options: dict = {
        "order": [list, None],
        "points_per_coordinate": [Interval(Integral, 2, None, closed="left")],
        "initial_step": [Interval(Real, 0, 0.5, closed="right")],
        "noise_tolerance": [Interval(Real, 0, None, closed="left")],
    }
    _default_batch_size = "``points_per_coordinate``"

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
        resource: str | None = None,
        min_resources: int | str = "exhaust",
        max_resources: int | str = "auto",
        factor: float = 3,
        selection: str = "best",
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
            include_warm_start=include_warm_start,
            racing=racing,
            resource=resource, min_resources=min_resources, max_resources=max_resources,
            factor=factor, selection=selection,
        )  # fmt: skip
        self.order = order
        self.points_per_coordinate = points_per_coordinate
        self.initial_step = initial_step
        self.noise_tolerance = noise_tolerance

    def _initial_candidates(self, space: SearchSpace) -> list[dict] | None:
        # Without user-given starting points, start from the estimator's own settings,
        # passed exactly as they are. A start that leaves out parameters whose values
        # can only be drawn is not a candidate: the strategy proposes it, drawn.
        given = super()._initial_candidates(space)
        if given:
            return given
        start = estimator_start(space, self.estimator)
        return [start] if _complete(space, start) else None

    def _strategy_arguments(self, space: SearchSpace) -> dict[str, Any]:
        # The strategy takes the starting point and the order as encoded rows and
        # columns, and the number of folds for its noise tolerance.
        initial = self._initial_candidates(space)
        start = initial[0] if initial else estimator_start(space, self.estimator)
        return {
            **super()._strategy_arguments(space),
            "start": space.encode([start], draw_missing=True)[0],
            "order": _order_columns(space, resolve_order(self, space)),
            "n_splits": self.n_splits_,
        }


def estimator_start(space: SearchSpace, estimator: Any) -> dict[str, Any]:
    """The estimator's own parameter values, where the space has them.

    Parameters outside the space start at the middle of their range (the first
    choice for unordered ones); of several sub-spaces, the one that holds the
    most of the estimator's values is used. Parameters whose values can only be
    drawn (objects with ``rvs`` only) are left out: they cannot be given.
    """
    current = estimator.get_params(deep=True)
    best, best_matches = None, -1
    for subspace in space.subspaces:
        candidate, matches = {}, 0
        for name, dim in subspace.items():
            if dim.sample_only:
                continue
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


def _complete(space: SearchSpace, candidate: dict[str, Any]) -> bool:
    """Whether ``candidate`` names every parameter of one of the sub-spaces."""
    return any(set(subspace) == set(candidate) for subspace in space.subspaces)


def _order_columns(space: SearchSpace, order: list[str] | None) -> list[int] | None:
    """Column indices of the parameter names in ``order`` (ValueError for unknown names)."""
    if order is None:
        return None
    unknown = [name for name in order if name not in space.names]
    if unknown:
        raise ValueError(f"order: {unknown} are not parameters of the search space")
    return [j for name in order for j, c in enumerate(space.columns) if c.name == name]
