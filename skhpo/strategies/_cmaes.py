"""CMA-ES over the numeric columns of the encoded space, with IPOP restarts.

The covariance matrix adaptation evolution strategy samples each generation
from a multivariate normal distribution ``N(m, sigma^2 C)`` and moves ``m``,
``sigma`` and ``C`` towards the best samples. The update rules and constants are
those of the (mu/mu_w, lambda)-CMA-ES with positive recombination weights in
N. Hansen, "The CMA Evolution Strategy: A Tutorial" (2016, arXiv:1604.00772),
Table 1 and Appendix A; equation numbers below refer to it.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

from ..space import Kind, SearchSpace
from ._base import Strategy, fitness

__all__ = ["CMAESStrategy"]

_INITIAL_SIGMA = 0.3
# Whole rows drawn again when a numeric value falls outside [0, 1]; then clipped.
_BOUND_RESAMPLES = 3
# Times duplicates of evaluated (or pending) candidates are drawn again.
_DISTINCT_RESAMPLES = 5
# Restart (IPOP) when ...
_TOL_X = 1e-3  # ... every continuous marginal std is below this (unit scale),
_TOL_FUN = 1e-12  # ... the scores of the last generations span less than this (relative),
_FLAT_GENERATIONS = 3  # ... for this many generations,
_MAX_CONDITION = 1e14  # ... or the condition number of C exceeds this.
_IPOP_FACTOR = 2
_MAX_STD = 1.0  # sigma is capped so that no marginal std exceeds the unit interval
_EPS = 1e-20


class CMAESStrategy(Strategy):
    """CMA-ES with margin for integers, categorical distributions and IPOP restarts.

    For spaces that are mostly continuous. The numeric columns of the encoded
    space (reals, integers, ordered choices and scipy distributions, each in its
    unit scale, so log ranges are searched on a log scale) are searched by the
    (mu/mu_w, lambda)-CMA-ES of Hansen's tutorial (2016): weighted
    recombination of the best half, cumulative step-size adaptation, rank-one
    and rank-mu covariance updates, eigendecomposition updated lazily.

    - **Start**: the centre of the unit cube, or the best candidate told before
      the first ``ask`` (user-given starting points, a warm start); step size
      ``initial_sigma``.
    - **Bounds**: a sample with a numeric value outside ``[0, 1]`` is drawn again
      (the whole row, up to 3 times), then clipped into the cube. The update
      uses the clipped value.
    - **Integers and ordered choices** are rounded by ``space.canonical``; the
      update uses the unrounded sample. So that the distribution does not
      collapse onto one level (CMA-ES with margin, Hamano et al., 2022,
      simplified), the marginal std ``sigma * sqrt(C[j, j])`` of a discrete
      column is kept at least ``w / (2 z)``, where ``w`` is the width of the
      cell of the level under the mean and ``z`` the ``1 - alpha / 2`` normal
      quantile with ``alpha = 1 / (d * lambda)``: a sample leaves the mean's
      level with probability at least ``alpha``. The floor is enforced by
      adding to the diagonal of ``C``.
    - **Unordered choices**: one categorical distribution per column, moved
      towards the recombination-weighted frequencies of the ``mu`` best of
      each generation with learning rate ``mu_eff / (mu_eff + k)`` for ``k``
      choices, with every probability kept at least ``min(alpha, 1 / (2 k))``.
    - **Rows it did not propose** (user-given points, the search loop's random
      fill-ins, a generation's rows proposed before an update) are injected
      solutions (Hansen, 2011, "Injecting external solutions into CMA-ES"):
      every step ``y = (x - m) / sigma`` is shortened to a Mahalanobis length
      of at most ``sqrt(n) + 2 n / (n + 2)``.
    - **Generations**: ``population_size`` rows. Told rows are buffered and the
      distribution is updated once per full generation, in the order the rows
      were told, however they were split into batches. Failed evaluations
      (NaN) are the worst fitness.
    - **Restarts** (IPOP, Auger and Hansen, 2005): when every continuous
      marginal std falls below 1e-3 (a thousandth of each range: closer
      candidates are not told apart by cross-validation), when all scores of the last 3
      generations are equal (relative tolerance 1e-12; all failed counts as
      equal), when ``C`` is ill-conditioned (1e14) or when more than half of a
      batch repeated evaluated candidates, the search starts again from a
      uniformly random mean with ``initial_sigma``, ``C = I``, uniform
      categorical distributions and twice the population.

    Parameters
    ----------
    space : SearchSpace
        A single sub-space (a dict) with at least one numeric parameter;
        ``ValueError`` otherwise.
    rng : numpy.random.Generator
    population_size : int or None, default=None
        ``lambda``, candidates per generation at the start (and the default batch
        size). None: ``4 + floor(3 ln n)`` for ``n`` numeric columns.
    initial_sigma : float, default=0.3
        Step size at the start and at every restart, in unit scale.

    Attributes
    ----------
    population_size : int
        Candidates per generation now (doubled at each restart).
    mean : ndarray of shape (n,)
        Mean of the numeric columns' distribution, in unit scale.
    sigma : float
        Step size.
    generation : int
        Updates since the start or the latest restart.
    n_restarts : int

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import SearchSpace, Real, Integer
    >>> from skhpo.strategies import CMAESStrategy
    >>> space = SearchSpace({"x": Real(-2.0, 2.0), "y": Real(1e-3, 1e3, log=True),
    ...                      "n": Integer(1, 50)})
    >>> strategy = CMAESStrategy(space, np.random.default_rng(0))
    >>> def score(p):
    ...     return -((p["x"] - 1) ** 2) - np.log10(p["y"]) ** 2 - (p["n"] - 30) ** 2 / 100
    >>> for _ in range(20):
    ...     X = strategy.ask(strategy.population_size)
    ...     strategy.tell(X, [score(p) for p in space.decode(X)])
    >>> bool(strategy.y.max() > -0.01)
    True
    """

    supports_subspaces = False

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        *,
        population_size: int | None = None,
        initial_sigma: float = _INITIAL_SIGMA,
    ) -> None:
        super().__init__(space, rng)
        if len(space.subspaces) > 1:
            raise ValueError(
                "CMAESStrategy needs a single sub-space (a dict), not a list of "
                f"{len(space.subspaces)} dicts"
            )
        self._numeric = space.columns_of(Kind.CONTINUOUS, Kind.ORDERED_DISCRETE)
        if not len(self._numeric):
            raise ValueError(
                "CMAESStrategy needs at least one numeric parameter (a range, numbers or "
                "a scipy distribution); the space has only unordered choices"
            )
        if not initial_sigma > 0:
            raise ValueError(f"initial_sigma must be > 0, got {initial_sigma!r}")
        self._categorical = space.columns_of(Kind.CATEGORICAL).tolist()
        self._sample_only = space.columns_of(Kind.SAMPLE_ONLY).tolist()
        self._discrete = np.isin(self._numeric, space.columns_of(Kind.ORDERED_DISCRETE))
        self.n_dim = len(self._numeric)
        if population_size is None:
            population_size = 4 + math.floor(3 * math.log(self.n_dim))
        if population_size < 2:
            raise ValueError(f"population_size must be >= 2, got {population_size!r}")
        self.initial_sigma = float(initial_sigma)
        self.default_batch_size = population_size
        self.n_restarts = 0
        self._started = False  # rows told before the first ask only choose the start
        self._buffer: list[int] = []  # rows of self.X told since the last update
        self._proposed: dict[bytes, np.ndarray] = {}  # key -> unrounded numeric values
        self._reset(population_size, np.full(self.n_dim, 0.5))

    # -- the distribution ------------------------------------------------------------------
    def _reset(self, population_size: int, mean: np.ndarray) -> None:
        """Set the constants for ``population_size`` and restart the distribution at ``mean``."""
        n, lam = self.n_dim, population_size
        mu = lam // 2
        weights = math.log((lam + 1) / 2) - np.log(np.arange(1, mu + 1))  # (49), positive part
        self._weights = weights / weights.sum()
        mu_eff = 1.0 / np.sum(self._weights**2)
        self._mu, self._mu_eff = mu, mu_eff
        self._c_sigma = (mu_eff + 2) / (n + mu_eff + 5)  # (55)
        self._d_sigma = 1 + 2 * max(0.0, math.sqrt((mu_eff - 1) / (n + 1)) - 1) + self._c_sigma
        self._c_c = (4 + mu_eff / n) / (n + 4 + 2 * mu_eff / n)  # (56)
        self._c_1 = 2 / ((n + 1.3) ** 2 + mu_eff)  # (57)
        self._c_mu = min(
            1 - self._c_1, 2 * (mu_eff - 2 + 1 / mu_eff) / ((n + 2) ** 2 + mu_eff)
        )  # (58)
        self._chi_n = math.sqrt(n) * (1 - 1 / (4 * n) + 1 / (21 * n**2))
        self._clip_length = math.sqrt(n) + 2 * n / (n + 2)  # Hansen (2011)
        # Eigendecomposition every lambda / ((c_1 + c_mu) n 10) evaluations (Appendix B.2).
        self._eig_every = max(1, math.floor(1 / ((self._c_1 + self._c_mu) * n * 10)))
        # Margin: a sample leaves the level under the mean with probability >= alpha.
        n_learned = n + len(self._categorical)
        self._alpha = 1.0 / (n_learned * lam)
        self._margin_z = float(norm.ppf(1 - self._alpha / 2))

        self.population_size = lam
        self.mean = np.clip(np.asarray(mean, dtype=float), 0.0, 1.0)
        self.sigma = self.initial_sigma
        self._C = np.eye(n)
        self._B, self._D = np.eye(n), np.ones(n)
        self._eig_generation = 0
        self._p_sigma = np.zeros(n)
        self._p_c = np.zeros(n)
        self.generation = 0
        self._probs = [np.full(self._levels(j), 1.0 / self._levels(j)) for j in self._categorical]
        self._history: list[tuple[float, float]] = []  # (best, worst) of each generation
        self._stuck = False
        self._buffer = []
        self._apply_margin()
        self._decompose(force=True)

    def _levels(self, j: int) -> int:
        return int(self.space.columns[j].dimension.n_levels)

    def _decompose(self, force: bool = False) -> None:
        """``C = B diag(D**2) B^T``, recomputed every ``_eig_every`` generations."""
        if not force and self.generation - self._eig_generation < self._eig_every:
            return
        C = (self._C + self._C.T) / 2
        eigenvalues, B = np.linalg.eigh(C)
        D = np.sqrt(np.maximum(eigenvalues, _EPS))
        self._C = (B * D**2) @ B.T
        self._B, self._D = B, D
        self._eig_generation = self.generation

    def _apply_margin(self) -> bool:
        """Raise the marginal std of discrete columns to their floor; whether C changed."""
        if not self._discrete.any():
            return False
        columns = self._numeric[self._discrete]
        widths = np.array([self.space.columns[j].dimension.cell_width(np.array([u]))[0]
                           for j, u in zip(columns, self.mean[self._discrete])])  # fmt: skip
        floor = widths / (2 * self._margin_z)
        index = np.flatnonzero(self._discrete)
        missing = np.maximum(0.0, (floor / self.sigma) ** 2 - self._C[index, index])
        if not missing.any():
            return False
        self._C[index, index] += missing  # a non-negative diagonal keeps C positive definite
        return True

    # -- ask -------------------------------------------------------------------------------
    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        if not self._started:
            self._start()
        taken = set(self.space.keys(self.avoid(pending)))
        raw = self._sample(n)
        fresh = np.zeros(n, dtype=bool)
        for attempt in range(_DISTINCT_RESAMPLES + 1):
            redo = np.flatnonzero(~fresh)
            if not len(redo):
                break
            if attempt:
                raw[redo] = self._sample(len(redo))
            for i, key in zip(redo, self.space.keys(self.space.canonical(raw[redo]))):
                if key not in taken:
                    taken.add(key)
                    fresh[i] = True
        X = self.space.canonical(raw)
        for key, values in zip(self.space.keys(X[fresh]), raw[fresh][:, self._numeric]):
            self._proposed[key] = values
        if not fresh.all():  # a crowded region: random rows instead, and a restart soon
            self._stuck = self._stuck or (~fresh).sum() > n / 2
            busy = np.vstack([self.avoid(pending), X[fresh]])
            X[~fresh] = self.fill(int((~fresh).sum()), avoid=busy)
        return X

    def _start(self) -> None:
        """Start at the best row told so far, if any (else the centre)."""
        self._started = True
        scores = fitness(self.y)
        if len(scores) and np.isfinite(scores).any():
            best = self.X[int(np.argmax(scores))]
            self._reset(self.population_size, best[self._numeric])

    def _sample(self, n: int) -> np.ndarray:
        """``n`` rows: numeric columns unrounded (inside the cube), the others drawn."""
        X = np.full((n, self.space.n_columns), np.nan)
        numeric = self._gaussian(n)
        outside = ((numeric < 0) | (numeric > 1)).any(axis=1)
        for _ in range(_BOUND_RESAMPLES):
            if not outside.any():
                break
            numeric[outside] = self._gaussian(int(outside.sum()))
            outside = ((numeric < 0) | (numeric > 1)).any(axis=1)
        X[:, self._numeric] = np.clip(numeric, 0.0, 1.0)
        for j, p in zip(self._categorical, self._probs):
            levels = (self.rng.random(n)[:, None] > np.cumsum(p)[None, :-1]).sum(axis=1)
            X[:, j] = self.space.columns[j].dimension.unit_of_level(levels)
        for j in self._sample_only:
            X[:, j] = self.rng.random(n)
        return X

    def _gaussian(self, n: int) -> np.ndarray:
        Z = self.rng.standard_normal((n, self.n_dim))
        return self.mean + self.sigma * (Z * self._D) @ self._B.T  # m + sigma B D z

    # -- tell ------------------------------------------------------------------------------
    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray | None = None) -> None:
        n_before = len(self.y)
        super().tell(X, y, y_std)
        if not self._started:
            return
        self._buffer.extend(range(n_before, len(self.y)))
        while len(self._buffer) >= self.population_size:
            rows = np.array(self._buffer[: self.population_size])
            self._buffer = self._buffer[self.population_size :]
            self._update(self.X[rows], self.y[rows])

    def _update(self, X: np.ndarray, y: np.ndarray) -> None:
        """One generation of (mu/mu_w, lambda)-CMA-ES from the rows ``X`` scored ``y``."""
        keys = self.space.keys(X)
        # The unrounded values of the rows it proposed; the canonical ones of the others.
        values = np.array([self._proposed.pop(key, x) for key, x in zip(keys, X[:, self._numeric])])
        scores = fitness(y)
        order = np.argsort(-scores, kind="stable")
        best = order[: self._mu]

        # Steps of every row, clipped to a Mahalanobis length (injected solutions).
        inv_sqrt_C = (self._B / self._D) @ self._B.T
        Y = (values - self.mean) / self.sigma
        length = np.linalg.norm(Y @ inv_sqrt_C, axis=1)
        Y *= np.minimum(1.0, self._clip_length / np.maximum(length, _EPS))[:, None]

        y_w = self._weights @ Y[best]  # (41)
        self.mean = np.clip(self.mean + self.sigma * y_w, 0.0, 1.0)  # (42), c_m = 1
        self.generation += 1
        c_s, c_c, c_1, c_mu = self._c_sigma, self._c_c, self._c_1, self._c_mu
        self._p_sigma = (1 - c_s) * self._p_sigma + math.sqrt(c_s * (2 - c_s) * self._mu_eff) * (
            inv_sqrt_C @ y_w
        )  # (43)
        norm_p_sigma = float(np.linalg.norm(self._p_sigma))
        h_sigma = (
            norm_p_sigma / math.sqrt(1 - (1 - c_s) ** (2 * self.generation))
            < (1.4 + 2 / (self.n_dim + 1)) * self._chi_n
        )
        self._p_c = (1 - c_c) * self._p_c + h_sigma * math.sqrt(
            c_c * (2 - c_c) * self._mu_eff
        ) * y_w  # (45)
        delta_h = (1 - h_sigma) * c_c * (2 - c_c)
        rank_mu = (Y[best].T * self._weights) @ Y[best]
        self._C = (
            (1 + c_1 * delta_h - c_1 - c_mu) * self._C
            + c_1 * np.outer(self._p_c, self._p_c)
            + c_mu * rank_mu
        )  # (47), positive weights summing to 1
        self.sigma *= math.exp(c_s / self._d_sigma * (norm_p_sigma / self._chi_n - 1))  # (44)
        self.sigma = min(self.sigma, _MAX_STD / math.sqrt(float(np.max(np.diag(self._C)))))

        self._update_categorical(X[best])
        changed = self._apply_margin()
        self._decompose(force=changed)
        if self._should_restart(scores):
            self.n_restarts += 1
            self._reset(self.population_size * _IPOP_FACTOR, self.rng.random(self.n_dim))

    def _update_categorical(self, best: np.ndarray) -> None:
        """Move each categorical distribution towards the weighted choices of the best."""
        for c, j in enumerate(self._categorical):
            dim = self.space.columns[j].dimension
            k = len(self._probs[c])
            frequency = np.bincount(dim.level_of(best[:, j]), weights=self._weights, minlength=k)
            rate = self._mu_eff / (self._mu_eff + k)
            self._probs[c] = _floored((1 - rate) * self._probs[c] + rate * frequency,
                                      min(self._alpha, 1 / (2 * k)))  # fmt: skip

    def _should_restart(self, fitness: np.ndarray) -> bool:
        self._history.append((float(fitness.max()), float(fitness.min())))
        recent = np.array(self._history[-_FLAT_GENERATIONS:])
        flat = False
        if len(self._history) >= _FLAT_GENERATIONS:
            if np.isneginf(recent).all():
                flat = True
            elif np.isfinite(recent).all():
                scale = max(1.0, float(np.abs(recent).max()))
                flat = float(recent.max() - recent.min()) <= _TOL_FUN * scale
        continuous = ~self._discrete
        collapsed = (
            continuous.any()
            and self.sigma * math.sqrt(float(np.max(np.diag(self._C)[continuous]))) < _TOL_X
        )
        ill = float(self._D.max() / self._D.min()) ** 2 > _MAX_CONDITION
        return bool(flat or collapsed or ill or self._stuck)


def _floored(p: np.ndarray, floor: float) -> np.ndarray:
    """Probabilities ``p`` with each at least ``floor``, still summing to 1."""
    p = np.maximum(p / p.sum(), floor)
    above = p - floor
    excess = p.sum() - 1.0
    if excess > 0 and above.sum() > 0:
        p = p - excess * above / above.sum()
    return p
