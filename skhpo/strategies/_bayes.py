"""Bayesian optimisation with a Gaussian-process surrogate."""

from __future__ import annotations

import numpy as np
from scipy.stats import yeojohnson

from .._bo.acquisition import ACQUISITIONS
from .._bo.gp import GaussianProcess
from .._bo.inputs import GPInputs
from .._bo.optimize import maximize_acquisition
from .._bo.seen import SeenRows
from .._bo.threads import one_blas_thread
from .._bo.warping import yeojohnson_exponent
from ..space import SearchSpace
from ._base import Strategy, fitness

__all__ = ["BayesStrategy"]

# Hyperparameters are re-optimised at every ask up to this many observations,
# then each time the data grew by _REFIT_GROWTH (keeping a search of n
# candidates at O(n^2) per candidate rather than O(n^3)).
_ALWAYS_REFIT_BELOW = 100
_REFIT_GROWTH = 1.15
# Below _ALWAYS_REFIT_BELOW, the refit starts from the previous hyperparameters
# only, and from random ones as well each time the data grew by _RESTART_GROWTH:
# a batch or two more rarely moves the optimum far.
_RESTART_GROWTH = 1.5


class BayesStrategy(Strategy):
    """Gaussian-process Bayesian optimisation.

    A space-filling design first; then each candidate maximises an acquisition
    function of a Matern-5/2 GP fitted to the (warped, standardised) scores.
    A batch is built with a constant liar: each chosen candidate is added to the
    GP as if it had scored as badly as the worst observation, which pushes the
    next choice elsewhere. Failed evaluations (NaN) count as the worst score.

    Parameters
    ----------
    space : SearchSpace
    rng : numpy.random.Generator
    n_initial_points : int or None, default=None
        Size of the initial Latin-hypercube design; None: the number of GP
        inputs plus one, between 5 and 12.
    acquisition : {"ei", "pi", "ucb"}, default="ei"
        Expected improvement (computed as log-EI, stable far from the best),
        probability of improvement, or upper confidence bound.
    exploration : float or None, default=None
        EI / PI: margin over the best score, in standard deviations of the
        scores (default 0 / 0.01). UCB: multiple of the posterior std (default 2).
    max_model_points : int or None, default=300
        Most observations the GP is fitted to. Beyond it the GP sees the best
        half of that many observations and a random sample of the others, and
        the output warping is estimated from that many order statistics of the
        scores, so the cost of a proposal stops growing (a GP costs O(n^2) per
        scored point and O(n^3) per fit). None: every observation.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import SearchSpace, Real
    >>> from skhpo.strategies import BayesStrategy
    >>> space = SearchSpace({"x": Real(-2.0, 2.0), "y": Real(-2.0, 2.0)})
    >>> strategy = BayesStrategy(space, np.random.default_rng(0))
    >>> for _ in range(6):
    ...     X = strategy.ask(4)
    ...     params = space.decode(X)
    ...     strategy.tell(X, [-(p["x"] - 1) ** 2 - (p["y"] + 0.5) ** 2 for p in params])
    >>> bool(strategy.y.max() > -0.05)
    True
    """

    default_batch_size = 4

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        *,
        n_initial_points: int | None = None,
        acquisition: str = "ei",
        exploration: float | None = None,
        max_model_points: int | None = 300,
    ) -> None:
        super().__init__(space, rng)
        if max_model_points is not None and max_model_points < 2:
            raise ValueError(f"max_model_points must be at least 2, got {max_model_points}.")
        self.max_model_points = max_model_points
        self.inputs = GPInputs(space)
        if n_initial_points is None:
            n_initial_points = int(np.clip(self.inputs.n_features + 1, 5, 12))
        self.n_initial_points = n_initial_points
        self.acquisition, default_exploration = ACQUISITIONS[acquisition]
        self.exploration = default_exploration if exploration is None else exploration
        self.make_initial_design(n_initial_points)
        self._gp = GaussianProcess()
        self._n_at_last_optimization = 0
        self._n_at_last_restart = 0
        # Evaluated candidates, to screen proposals at a cost that does not grow with them.
        self._seen = SeenRows(space)

    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray | None = None) -> None:
        n_before = len(self.X)
        super().tell(X, y, y_std)
        self._seen.add(self.X[n_before:])

    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        chosen = self.initial_design_rows(n)
        if len(chosen) == n:
            return np.array(chosen)
        if np.isfinite(self.y).sum() < 2:  # nothing to model yet
            return np.vstack([*chosen, self.fill(n - len(chosen))])
        with one_blas_thread():
            chosen += self._propose(n - len(chosen), pending, chosen)
        return np.array(chosen)

    def _propose(self, n: int, pending: np.ndarray | None, chosen: list) -> list:
        z = self._warped_scores()
        modelled = self._modelled_points(z)
        gp = self._fit(self.X[modelled], z[modelled], len(z))
        liar = z.min()
        busy = [np.empty((0, self.space.n_columns))] if pending is None else [pending]
        busy = np.vstack([*busy, *(np.array(chosen).reshape(len(chosen), self.space.n_columns),)])
        excluded = self._seen.extended(busy)
        if len(busy):
            gp = gp.condition_on(self.inputs(busy), np.full(len(busy), liar))
        incumbents = self.X[np.argsort(-fitness(self.y))[:3]]
        best = z.max()
        proposals = []
        for _ in range(n):
            model = gp

            def acquisition(X: np.ndarray, model: GaussianProcess = model) -> np.ndarray:
                mean, std = model.predict(self.inputs(X))
                return self.acquisition(mean, std, best, self.exploration)

            x = maximize_acquisition(
                acquisition, self.space, self.rng, incumbents, excluded.contains
            )
            if x is None:  # every candidate found is taken: one at random instead
                x = self.fill(1, avoid=np.vstack([self.avoid(busy), *proposals]))[0]
            proposals.append(x)
            excluded.add(x[None])
            gp = gp.condition_on(self.inputs(x[None]), np.array([liar]))
        return proposals

    def _warped_scores(self) -> np.ndarray:
        """Scores with failures set to the worst, power-transformed and standardised."""
        y = self.y.copy()
        finite = np.isfinite(y)
        y[~finite] = y[finite].min()
        y = _standardize(y)
        if len(y) >= 8 and np.ptp(y) > 0:
            # Scores are often skewed (most candidates near the best accuracy, a few
            # far below): a Yeo-Johnson transform makes them closer to Gaussian. Its
            # exponent is estimated (a scalar optimisation over the scores) from at
            # most max_model_points evenly spaced order statistics, at a bounded cost.
            y = _standardize(yeojohnson(y, yeojohnson_exponent(self._warp_sample(y))))
        return y

    def _warp_sample(self, y: np.ndarray) -> np.ndarray:
        """The scores the warping is estimated from: all of them up to the cap."""
        cap = self.max_model_points
        if cap is None or len(y) <= cap:
            return y
        return np.sort(y)[np.linspace(0, len(y) - 1, cap).round().astype(np.int64)]

    def _modelled_points(self, z: np.ndarray) -> np.ndarray:
        """Indices of the observations the GP is fitted to (all up to the cap).

        Past ``max_model_points``, the best half of the cap (where the
        acquisition looks hardest) and a random sample of the rest (so the GP
        keeps a coarse picture of the whole space).
        """
        cap = self.max_model_points
        if cap is None or len(z) <= cap:
            return np.arange(len(z))
        order = np.argsort(-z, kind="stable")
        n_best = cap // 2
        others = self.rng.choice(order[n_best:], size=cap - n_best, replace=False)
        return np.sort(np.concatenate([order[:n_best], others]))

    def _fit(self, X: np.ndarray, z: np.ndarray, n_observed: int) -> GaussianProcess:
        # The schedule follows the number of observations, not of modelled points,
        # so a capped GP is still re-optimised as the search goes on.
        n = n_observed
        optimize = n < _ALWAYS_REFIT_BELOW or n >= _REFIT_GROWTH * self._n_at_last_optimization
        if optimize:
            self._n_at_last_optimization = n
        restart = n < _ALWAYS_REFIT_BELOW and n >= _RESTART_GROWTH * self._n_at_last_restart
        if restart:
            self._n_at_last_restart = n
        self._gp.n_restarts = 2 if restart else 0
        return self._gp.fit(self.inputs(X), z, self.rng, optimize=optimize)


def _standardize(y: np.ndarray) -> np.ndarray:
    std = y.std()
    return (y - y.mean()) / std if std > 0 else np.zeros_like(y)
