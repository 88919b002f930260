"""The public searches: each is its options plus the strategy it builds."""

from __future__ import annotations

import os
from numbers import Integral, Real
from typing import Any

import numpy as np

from ._compat import Interval, StrOptions
from ._search import BaseStrategySearchCV
from .space import SearchSpace
from .strategies import BayesStrategy, EvolutionStrategy, Strategy, TPEStrategy

__all__ = ["BayesSearchCV", "CoordinateSearchCV", "EvolutionarySearchCV", "TPESearchCV"]

_COMMON_PARAMETERS = """
    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; cloned, never changed.
    param_distributions : dict or list of dicts
        The search space, as ``GridSearchCV`` and ``RandomizedSearchCV`` accept it:
        parameter names (``step__param`` in a pipeline) mapped to a list / tuple /
        1-D array of choices (numbers are ordered choices, anything else
        unordered), a scipy.stats distribution (``loguniform`` is a log-scale
        range), or a :class:`~skhpo.Real`, :class:`~skhpo.Integer` or
        :class:`~skhpo.Categorical`. A list of dicts is a choice among
        sub-spaces (e.g. one per kernel).
    n_iter : int, default=50
        Number of candidates evaluated (rows of ``cv_results_``); fewer only when
        a finite space is exhausted.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, ``refit`` names the one the search optimises. ``verbose >= 1``
        also prints progress after each batch.
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
    max_time : float or None, default=None
        Seconds after which no new batch starts.
    callbacks : callable, list of callables or None, default=None
        Called after each batch with a :class:`~skhpo.callbacks.SearchState`;
        one returning True stops the search (see :mod:`skhpo.callbacks`).
    checkpoint : str, path or None, default=None
        Not supported yet: a search given one raises ``NotImplementedError``.
{strategy_parameters}"""

_ATTRIBUTES = """
    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        As in ``GridSearchCV``, one row per candidate in the order evaluated,
        plus ``batch``: the index of the batch that evaluated each row.
    best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, \
refit_time_, multimetric_, classes_, n_features_in_, feature_names_in_
        As in ``GridSearchCV``.
"""


class _NotYetBuilt(BaseStrategySearchCV):
    """A public search whose strategy is still being built: ``fit`` says so."""

    _issue: str = ""

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        raise NotImplementedError(
            f"{type(self).__name__}'s strategy is not built yet ({self._issue}); "
            "no model was fitted."
        )


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
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict | list,
        *,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
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
        n_initial_points: int | None = None,
        acquisition: str = "ei",
        exploration: float | None = None,
    ) -> None:
        super().__init__(
            estimator, param_distributions, n_iter=n_iter, scoring=scoring, n_jobs=n_jobs,
            refit=refit, cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint,
        )  # fmt: skip
        self.n_initial_points = n_initial_points
        self.acquisition = acquisition
        self.exploration = exploration

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        return BayesStrategy(
            space, rng, n_initial_points=self.n_initial_points,
            acquisition=self.acquisition, exploration=self.exploration,
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
        param_distributions: dict | list,
        *,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
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
        n_initial_points: int = 10,
        gamma: float = 1.0,
        n_ei_candidates: int = 24,
        multivariate: bool = True,
        prior_weight: float = 1.0,
        weights: str = "uniform",
    ) -> None:
        super().__init__(
            estimator, param_distributions, n_iter=n_iter, scoring=scoring, n_jobs=n_jobs,
            refit=refit, cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint,
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
        "population_size": [Interval(Integral, 2, None, closed="left"), None],
        "crossover_probability": [Interval(Real, 0, 1, closed="both")],
        "mutation_probability": [Interval(Real, 0, 1, closed="right"), None],
        "tournament_size": [Interval(Integral, 1, None, closed="left")],
        "n_elites": [Interval(Integral, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict | list,
        *,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
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
        population_size: int | None = None,
        crossover_probability: float = 0.9,
        mutation_probability: float | None = None,
        tournament_size: int = 3,
        n_elites: int | None = None,
    ) -> None:
        super().__init__(
            estimator, param_distributions, n_iter=n_iter, scoring=scoring, n_jobs=n_jobs,
            refit=refit, cv=cv, verbose=verbose, pre_dispatch=pre_dispatch,
            random_state=random_state, error_score=error_score,
            return_train_score=return_train_score, batch_size=batch_size,
            initial_params=initial_params, max_time=max_time, callbacks=callbacks,
            checkpoint=checkpoint,
        )  # fmt: skip
        self.population_size = population_size
        self.crossover_probability = crossover_probability
        self.mutation_probability = mutation_probability
        self.tournament_size = tournament_size
        self.n_elites = n_elites

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        return EvolutionStrategy(
            space, rng, population_size=self.population_size,
            crossover_probability=self.crossover_probability,
            mutation_probability=self.mutation_probability,
            tournament_size=self.tournament_size, n_elites=self.n_elites,
        )  # fmt: skip


class CoordinateSearchCV(_NotYetBuilt):
    _issue = "coordinate search"


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
    """Hyperparameter search by a genetic algorithm.

    A population of candidates (the first one a Latin-hypercube design) evolves
    generation by generation; each generation is one batch, evaluated in one
    parallel round. Parents are picked by tournament among the best candidates
    ever seen (elites) and the best of the latest generation, recombined
    (blend crossover of continuous parameters, uniform crossover of the others,
    sub-space aware for lists of dicts) and mutated: Gaussian steps in each
    dimension's own scale (log scale where declared), at least one level for
    integers and ordered choices, a switch for unordered choices. The mutation
    step adapts by the 1/5 success rule. No candidate is evaluated twice;
    failed fits are the worst fitness.
""",
    "the population size",
    strategy_parameters="""    population_size : int or None, default=None
        Children per generation (and the default ``batch_size``). None:
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
        Best candidates ever seen that stay in the parent pool. None: a third of
        the population.
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
    "Hyperparameter search one parameter at a time, most important first.\n\n"
    "    Not built yet: ``fit`` raises ``NotImplementedError``.\n",
    "not decided yet",
)
