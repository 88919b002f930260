"""Tools for testing skhpo and strategies built on it.

:class:`RandomStrategySearchCV` runs the shared search loop with uniform random
proposals: the reference that every other search is compared with, and the
search used by tests of the loop itself. :class:`QuadraticEstimator` is the
test estimator: a known optimum, a fit counter, slow and failing fits on demand.
``STRATEGY_CHECKS`` is the conformance suite every strategy passes.
"""

from __future__ import annotations

import time

import numpy as np
from sklearn.base import BaseEstimator

from ._search import BaseStrategySearchCV
from .space import SearchSpace
from .strategies import RandomStrategy, Strategy

__all__ = ["STRATEGY_CHECKS", "QuadraticEstimator", "RandomStrategySearchCV"]


class RandomStrategySearchCV(BaseStrategySearchCV):
    """Random search through skhpo's loop (batches, no repeats, callbacks...).

    Takes the parameters of every skhpo search; see
    :class:`~skhpo.BayesSearchCV`.
    """

    _strategy_class = RandomStrategy


# -- a conformance suite for strategies ----------------------------------------------------


class _DrawOnly:
    """An object with only ``rvs``: a dimension that can be drawn, never modelled."""

    def rvs(self, random_state=None):
        return int(np.random.default_rng(random_state).integers(0, 1000))

    def __repr__(self) -> str:
        return "_DrawOnly()"


def _mixed_space() -> SearchSpace:
    from .space import Categorical, Integer, Real

    return SearchSpace(
        {
            "lr": Real(1e-4, 1e-1, log=True),
            "depth": Integer(1, 12),
            "kind": Categorical(["a", "b", None, (1, 2)]),
            "units": [16, 32, 64, 128],
        }
    )


def _conditional_space() -> SearchSpace:
    from .space import Integer, Real

    return SearchSpace(
        [
            {"kernel": ["rbf"], "C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)},
            {"kernel": ["poly"], "C": Real(1e-2, 1e2, log=True), "degree": Integer(2, 5)},
            {"kernel": ["linear"], "C": Real(1e-2, 1e2, log=True)},
        ]
    )


def _scipy_continuous_space() -> SearchSpace:
    from scipy.stats import gamma, norm

    return SearchSpace({"mu": norm(0.0, 2.0), "scale": gamma(2.0)})


def _scipy_discrete_space() -> SearchSpace:
    from scipy.stats import geom, poisson

    # geom(1e-5) has too many values for levels (a quantile-space IntegerDistribution),
    # poisson(4) few (a DiscreteDistribution of ordered levels).
    return SearchSpace({"wait": geom(1e-5), "count": poisson(4.0), "kind": ["a", "b"]})


def _sample_only_space() -> SearchSpace:
    from .space import Integer

    return SearchSpace({"seed": _DrawOnly(), "n": Integer(1, 30)})


def _tiny_space() -> SearchSpace:
    """24 candidates and no ``Real``: repeats are likely unless avoided."""
    return SearchSpace({"a": [1, 2, 3, 4], "b": ["x", "y", "z"], "c": [True, False]})


def _single_spaces() -> tuple[SearchSpace, ...]:
    """Spaces of one sub-space, over every kind of dimension."""
    return (
        _mixed_space(),
        _scipy_continuous_space(),
        _scipy_discrete_space(),
        _sample_only_space(),
        _tiny_space(),
    )


def _spaces(factory) -> tuple[SearchSpace, ...]:
    """Every test space the strategy supports (read from its ``supports_subspaces``)."""
    supports_subspaces = factory(_mixed_space(), np.random.default_rng(0)).supports_subspaces
    return _single_spaces() + ((_conditional_space(),) if supports_subspaces else ())


def _score(space: SearchSpace, X: np.ndarray) -> np.ndarray:
    """A deterministic test objective on any space: closeness of the row to 0.3."""
    return -np.nansum((X - 0.3) ** 2, axis=1)


def _run(strategy: Strategy, n_batches: int, batch: int, nan_every: int = 0,
         constant: bool = False) -> None:  # fmt: skip
    for _ in range(n_batches):
        X = strategy.space.canonical(strategy.ask(batch), strategy.rng)
        y = np.zeros(len(X)) if constant else _score(strategy.space, X)
        if nan_every:
            y[::nan_every] = np.nan
        strategy.tell(X, y)


def check_ask_returns_valid_rows(factory) -> None:
    """``ask`` returns ``n`` rows that are (or canonicalise to) valid candidates."""
    for space in _spaces(factory):
        strategy = factory(space, np.random.default_rng(0))
        _run(strategy, 4, 3)
        for n in (1, 5):
            X = np.asarray(strategy.ask(n), dtype=float)
            assert X.shape == (n, space.n_columns), X.shape
            active = space.active(X)
            assert np.all((X[active] >= 0) & (X[active] <= 1)), X
            params = space.decode(space.canonical(X, np.random.default_rng(0)))
            assert all(set(p) == set(space.subspaces[s]) for p, s in
                       zip(params, space.subspace_index(X)))  # fmt: skip


def check_deterministic(factory) -> None:
    """The same seed and the same tells give the same proposals."""
    for space in _single_spaces():
        runs = []
        for _ in range(2):
            strategy = factory(space, np.random.default_rng(42))
            _run(strategy, 2, 2)
            runs.append(strategy.ask(2))
        np.testing.assert_array_equal(runs[0], runs[1])


def check_survives_nan_scores(factory) -> None:
    """Failed evaluations (NaN), even all of them, never break ``ask``."""
    for space in _single_spaces()[:4]:
        for nan_every in (1, 2):
            strategy = factory(space, np.random.default_rng(1))
            _run(strategy, 5, 3, nan_every=nan_every)
            X = strategy.ask(3)
            assert np.isfinite(X[strategy.space.active(X)]).all()


def check_survives_constant_scores(factory) -> None:
    """Equal scores everywhere (nothing to learn) still give distinct new candidates."""
    for space in (_mixed_space(), _scipy_discrete_space()):
        strategy = factory(space, np.random.default_rng(5))
        _run(strategy, 6, 3, constant=True)
        X = space.canonical(strategy.ask(3), strategy.rng)
        keys = space.keys(X)
        assert len(set(keys)) == len(keys), "batch holds repeated candidates"
        assert not set(keys) & set(space.keys(strategy.X)), "batch repeats told candidates"


def check_batch_is_distinct(factory) -> None:
    """A batch holds distinct candidates, unlike any told one, in large and tiny spaces.

    The initial design is told first: its rows are handed out once each, unchecked
    (in a tiny space a design repeats itself; the search loop drops such repeats).
    """
    for space, n_batches, batch, n in ((_mixed_space(), 4, 4, 6), (_tiny_space(), 4, 1, 2)):
        for seed in range(3):
            strategy = factory(space, np.random.default_rng(seed))
            if len(strategy.initial_design):
                _run(strategy, 1, len(strategy.initial_design))
            _run(strategy, n_batches, batch)
            X = space.canonical(strategy.ask(n), strategy.rng)
            keys = space.keys(X)
            assert len(set(keys)) == len(keys), "batch holds repeated candidates"
            assert not set(keys) & set(space.keys(strategy.X)), "batch repeats told candidates"


def check_avoids_pending(factory) -> None:
    """``ask`` proposes none of the ``pending`` rows (asked for, not yet told)."""
    from .space import Integer

    # A small space, where the strategy's own choice is likely to be pending. The
    # initial design is left out: its rows are handed out once each, never pending.
    space = SearchSpace({"depth": Integer(1, 8), "kind": ["a", "b", "c"], "n": [1, 2, 3]})
    for seed in range(5):
        strategy = factory(space, np.random.default_rng(seed))
        _run(strategy, 6, 2)
        for n_told in range(12, 20, 2):
            pending = space.canonical(strategy.ask(3), strategy.rng)  # in flight, unscored
            X = space.canonical(strategy.ask(2, pending), strategy.rng)
            assert not space.isin(X, pending).any(), f"proposed a pending candidate ({n_told} told)"
            _run(strategy, 1, 2)


def check_accepts_rows_it_did_not_propose(factory) -> None:
    """``tell`` records any canonical rows (user-given points, fill-ins)."""
    for space in (_spaces(factory)[-1], _mixed_space()):  # list-of-dicts if supported
        strategy = factory(space, np.random.default_rng(3))
        X = space.sample(7, np.random.default_rng(99))
        strategy.tell(X, _score(space, X))
        assert len(strategy.y) == 7
        assert strategy.ask(2).shape == (2, space.n_columns)


def check_subspace_support_is_declared(factory) -> None:
    """A strategy without ``supports_subspaces`` refuses a list-of-dicts space (ValueError)."""
    strategy = factory(_mixed_space(), np.random.default_rng(0))
    assert isinstance(strategy.supports_subspaces, bool)
    if strategy.supports_subspaces:
        factory(_conditional_space(), np.random.default_rng(0)).ask(2)
    else:
        try:
            factory(_conditional_space(), np.random.default_rng(0))
        except ValueError:
            return
        raise AssertionError("supports_subspaces is False but a list-of-dicts space was accepted")


STRATEGY_CHECKS = (
    check_ask_returns_valid_rows,
    check_deterministic,
    check_survives_nan_scores,
    check_survives_constant_scores,
    check_batch_is_distinct,
    check_avoids_pending,
    check_accepts_rows_it_did_not_propose,
    check_subspace_support_is_declared,
)
"""Checks every strategy passes; each takes ``factory(space, rng) -> Strategy``.

Each check reads the strategy's ``supports_subspaces`` flag: list-of-dicts spaces
are tested only with strategies that declare them supported.
"""


class QuadraticEstimator(BaseEstimator):
    """An estimator that learns nothing and scores a known function of its parameters.

    The one test estimator of skhpo's tests and documentation: searches over ``a``
    and ``b`` have a known optimum, fits can be counted, slowed down and made to
    fail.

    Parameters
    ----------
    a, b : float, default=0.5
        The tuned parameters. ``score`` is ``-(a - 0.3)**2 - (b - 0.7)**2``
        whatever the data, so the optimum is ``a=0.3, b=0.7``.
    delay : float, default=0.0
        Seconds each ``fit`` sleeps (a stand-in for a slow model).
    fail_above : float or None, default=None
        ``fit`` raises ``ValueError`` when ``a > fail_above`` (a failing fit).

    Attributes
    ----------
    n_fits : int
        Class attribute: calls of ``fit`` in this process, by any instance (fits in
        worker processes are not counted). Tests reset it to 0.
    n_features_in_ : int
        Number of columns of the ``X`` given to ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.testing import QuadraticEstimator
    >>> QuadraticEstimator.n_fits = 0
    >>> X = np.zeros((4, 2))
    >>> QuadraticEstimator(a=0.3, b=0.7).fit(X).score(X) == 0  # the best parameters
    True
    >>> QuadraticEstimator.n_fits
    1
    """

    n_fits = 0

    def __init__(
        self, a: float = 0.5, b: float = 0.5, delay: float = 0.0, fail_above: float | None = None
    ) -> None:
        self.a = a
        self.b = b
        self.delay = delay
        self.fail_above = fail_above

    def fit(self, X, y=None):
        """Count the call, sleep ``delay`` seconds, fail if ``a > fail_above``."""
        type(self).n_fits += 1
        if self.delay:
            time.sleep(self.delay)
        if self.fail_above is not None and self.a > self.fail_above:
            raise ValueError(f"a={self.a} is above fail_above={self.fail_above}")
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        """Zeros: the estimator learns nothing."""
        return np.zeros(len(X))

    def score(self, X, y=None):
        """``-(a - 0.3)**2 - (b - 0.7)**2``, whatever the data."""
        return -((self.a - 0.3) ** 2) - (self.b - 0.7) ** 2
