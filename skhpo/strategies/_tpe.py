"""Tree-structured Parzen Estimators (Bergstra et al., NeurIPS 2011)."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from ..space import Kind, SearchSpace
from ._base import Strategy
from ._parzen import ColumnKinds, ParzenEstimator

__all__ = ["TPEStrategy"]

_MAX_GOOD = 25  # observations in the "good" group, at most


class _Group(NamedTuple):
    """Columns modelled jointly, and which rows inform them (by sub-space)."""

    kinds: ColumnKinds
    subspaces: np.ndarray  # bool (n_subspaces,): rows of these sub-spaces use the group


class TPEStrategy(Strategy):
    """Tree-structured Parzen Estimator search.

    The observations are split into a good group (the best ``ceil(gamma *
    sqrt(n))``, at most 25) and the rest. A Parzen estimator is fitted to each,
    ``l`` to the good and ``g`` to the others; candidates are drawn from ``l`` and
    the one maximising ``log l(x) - log g(x)`` (proportional to expected
    improvement) is proposed. Failed evaluations (NaN) are always in the bad
    group; so are the candidates of the batch being built (constant liar), which
    keeps a batch diverse.

    A list-of-dicts space is modelled natively: the choice of sub-space has its
    own categorical estimator, and each parameter's density uses only the
    observations where that parameter exists. With ``multivariate=True`` the
    parameters of a sub-space are modelled jointly from that sub-space's
    observations; otherwise each parameter on its own, from every observation
    that has it.

    Parameters
    ----------
    space : SearchSpace
    rng : numpy.random.Generator
    n_initial_points : int, default=10
        Candidates of the initial Latin-hypercube design.
    gamma : float, default=1.0
        The good group holds the best ``ceil(gamma * sqrt(n))`` observations (at
        most 25): a share that shrinks as the search goes on.
    n_ei_candidates : int, default=24
        Candidates drawn from ``l`` per proposal.
    multivariate : bool, default=True
        Joint kernels over each sub-space's parameters, or independent ones.
    prior_weight : float, default=1.0
        Weight of the prior component (relative to one observation).
    weights : {"uniform", "recent"}, default="uniform"
        Observation weights; ``"recent"`` ramps up from old to recent ones when
        there are more than 25 (as Optuna does).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import SearchSpace, Real
    >>> from skhpo.strategies import TPEStrategy
    >>> space = SearchSpace({"x": Real(-2.0, 2.0)})
    >>> strategy = TPEStrategy(space, np.random.default_rng(0))
    >>> for _ in range(10):
    ...     X = strategy.ask(4)
    ...     strategy.tell(X, [-(p["x"] - 1) ** 2 for p in space.decode(X)])
    >>> bool(strategy.y.max() > -0.01)
    True
    """

    default_batch_size = 4

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        *,
        n_initial_points: int = 10,
        gamma: float = 1.0,
        n_ei_candidates: int = 24,
        multivariate: bool = True,
        prior_weight: float = 1.0,
        weights: str = "uniform",
    ) -> None:
        super().__init__(space, rng)
        self.n_initial_points = n_initial_points
        self.gamma = gamma
        self.n_ei_candidates = n_ei_candidates
        self.multivariate = multivariate
        self.prior_weight = prior_weight
        self.weights = weights
        self.make_initial_design(n_initial_points)
        self._groups = _groups(space, multivariate)
        self._subspace = (
            ColumnKinds.of(space, [0]) if space.has_subspace_column else None
        )  # fmt: skip

    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        chosen = self.initial_design_rows(n)
        if not np.isfinite(self.y).any():  # nothing good to model yet
            return np.vstack([*chosen, self.fill(n - len(chosen))])
        busy = [] if pending is None else list(pending)
        excluded = self.avoid(pending)
        while len(chosen) < n:
            rows = np.array(busy + chosen).reshape(len(busy) + len(chosen), self.space.n_columns)
            x = self._propose(rows, excluded)
            excluded = np.vstack([excluded, x])
            chosen.append(x)
        return np.array(chosen)

    # -- one proposal -------------------------------------------------------------------------
    def _propose(self, busy: np.ndarray, excluded: np.ndarray) -> np.ndarray:
        """Draw candidates from l, score them by log l - log g, return the best allowed."""
        X_all = np.vstack([self.X, busy])
        good, bad = self._split(busy)
        weight = self._observation_weights(len(X_all))
        subspace_of = self.space.subspace_index(X_all)

        def densities(kinds: ColumnKinds, informs: np.ndarray) -> tuple:
            return tuple(
                ParzenEstimator(
                    X_all[mask & informs][:, kinds.columns],
                    weight[mask & informs],
                    kinds,
                    self.prior_weight,
                    joint=len(kinds.columns) > 1,
                )
                for mask in (good, bad)
            )

        m = self.n_ei_candidates
        candidates = np.full((m, self.space.n_columns), np.nan)
        score = np.zeros(m)
        if self._subspace is not None:  # the choice of sub-space, from every observation
            good_density, bad_density = densities(self._subspace, np.ones(len(X_all), dtype=bool))
            drawn = good_density.sample(m, self.rng)
            candidates[:, 0] = drawn[:, 0]
            score += good_density.log_pdf(drawn) - bad_density.log_pdf(drawn)
        candidate_subspace = self.space.subspace_index(np.nan_to_num(candidates, nan=0.5))
        for group in self._groups:
            rows = group.subspaces[candidate_subspace]
            if rows.any():
                good_density, bad_density = densities(group.kinds, group.subspaces[subspace_of])
                drawn = good_density.sample(int(rows.sum()), self.rng)
                candidates[np.ix_(rows, group.kinds.columns)] = drawn
                score[rows] += good_density.log_pdf(drawn) - bad_density.log_pdf(drawn)
        candidates = self.space.canonical(candidates, self.rng)  # fills unmodelled columns
        allowed = ~self.space.isin(candidates, excluded)
        if not allowed.any():
            return self.fill(1, avoid=excluded)[0]
        return candidates[np.flatnonzero(allowed)[np.argmax(score[allowed])]]

    def _split(self, busy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Masks over observations + busy rows: the good group and the bad one.

        Scores tied at the edge of the good group all go to the bad one (unless
        the whole good group is one tie): on a plateau, which of many equal
        scores counted as good would be arbitrary, and ``l`` would then model
        the plateau as if it were a good region.
        """
        n_told, n = len(self.y), len(self.y) + len(busy)
        y = np.where(np.isfinite(self.y), self.y, -np.inf)
        n_good = min(
            math.ceil(self.gamma * math.sqrt(n_told)), _MAX_GOOD, int(np.isfinite(y).sum())
        )
        order = np.argsort(-y, kind="stable")
        good = np.zeros(n, dtype=bool)
        good[order[:n_good]] = True
        if 0 < n_good < n_told and y[order[n_good]] == y[order[n_good - 1]]:
            edge = y[order[n_good - 1]]
            if y[order[0]] > edge:
                good[:n_told] &= y > edge
        return good, ~good  # busy rows (constant liar) and failures are bad

    def _observation_weights(self, n: int) -> np.ndarray:
        if self.weights == "recent" and n > _MAX_GOOD:
            return np.concatenate([np.linspace(1.0 / n, 1.0, n - _MAX_GOOD), np.ones(_MAX_GOOD)])
        return np.ones(n)


def _groups(space: SearchSpace, multivariate: bool) -> list[_Group]:
    """Jointly modelled columns: one group per sub-space, or one per column."""
    first = 1 if space.has_subspace_column else 0
    informative = [
        j for j in range(first, space.n_columns)
        if space.columns[j].dimension.kind is not Kind.SAMPLE_ONLY
        and space.columns[j].dimension.size > 1
    ]  # fmt: skip
    n_sub = len(space.subspaces)
    groups = []
    if multivariate:
        for s in range(n_sub):
            columns = [j for j in informative if s in space.columns[j].subspaces]
            if columns:
                groups.append(_Group(ColumnKinds.of(space, columns), np.arange(n_sub) == s))
    else:
        for j in informative:
            groups.append(
                _Group(
                    ColumnKinds.of(space, [j]),
                    np.isin(np.arange(n_sub), space.columns[j].subspaces),
                )
            )
    return groups
