"""Parzen estimators over groups of encoded columns, for the TPE strategy.

A :class:`ParzenEstimator` is a weighted mixture with one component per
observation plus a prior component. Each component is a product of one kernel
per column: a normal truncated to the unit interval for ordered columns
(integrated over the level's cell for discrete ones, so integers and ordered
choices are discretised numeric kernels) and smoothed category weights for
unordered choices. Everything is vectorised over candidates and components:
arrays are ``(n_candidates, n_components, n_columns)``.

The bandwidth rules are Optuna's (Watanabe, "Tree-structured Parzen estimator:
understanding its algorithm components and their roles for better empirical
performance", 2023). A kernel over one column is as wide as the larger distance
from its observation to the neighbouring ones; a joint kernel over ``d``
columns has Scott's width ``0.2 * n ** (-1 / (d + 4))`` in every column, as
wide for every observation. Neighbour distances are the wrong measure in a
joint density: observations that agree in one column (an integer at the same
level, a fraction clipped to a bound) while they differ in others would get
needle-thin kernels in that column, and the density would stop exploring
there. Both are clipped below by ``1 / min(100, n + 2)`` ("magic clip").
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.special import log_ndtr, logsumexp, ndtr, ndtri

from ..space import Kind, SearchSpace

__all__ = ["ColumnKinds", "ParzenEstimator"]

_SQRT2PI_LOG = 0.5 * np.log(2 * np.pi)
_PRIOR_SIGMA = 1.0  # the prior spans the whole unit interval


class ColumnKinds(NamedTuple):
    """How a group of columns is modelled: cells of ordered discrete columns, sizes of choices.

    Attributes
    ----------
    columns : ndarray of int
        Indices of the columns in the encoded matrix.
    cells : list of Dimension or None
        The dimension of ordered discrete columns (whose ``cell`` gives each
        value's cell), None otherwise.
    n_choices : list of int or None
        Number of choices of unordered columns, None otherwise.
    """

    columns: np.ndarray
    cells: list
    n_choices: list

    @classmethod
    def of(cls, space: SearchSpace, columns: list[int]) -> ColumnKinds:
        cells, n_choices = [], []
        for j in columns:
            dim = space.columns[j].dimension
            cells.append(dim if dim.kind is Kind.ORDERED_DISCRETE else None)
            n_choices.append(dim.n_levels if dim.kind is Kind.CATEGORICAL else None)
        return cls(np.asarray(columns, dtype=np.int64), cells, n_choices)


class ParzenEstimator:
    """A mixture density over the columns of ``kinds``, fitted to observations.

    Parameters
    ----------
    observations : ndarray of shape (n, len(kinds.columns))
        Canonical unit values of the group's columns.
    weights : ndarray of shape (n,)
        Weights of the observations' components.
    kinds : ColumnKinds
    prior_weight : float
        Weight of the prior component (uniform-ish over the space).
    joint : bool, default=False
        Whether the columns are modelled jointly (Scott's bandwidth) rather
        than one column alone (neighbour distances); see the module docstring.
    """

    def __init__(
        self,
        observations: np.ndarray,
        weights: np.ndarray,
        kinds: ColumnKinds,
        prior_weight: float,
        joint: bool = False,
    ) -> None:
        self.kinds = kinds
        self.joint = joint
        n, d = observations.shape
        self.mus = np.vstack([observations, np.full((1, d), 0.5)])  # last component: prior
        w = np.append(np.asarray(weights, dtype=float), prior_weight)
        self.log_weights = np.log(w / w.sum())
        self.sigmas = self._bandwidths(observations)  # (n + 1, d)
        # Category probabilities per component: the observed category gets most of
        # the mass, the rest is spread evenly (the prior component: evenly).
        self.category_probs = []
        for c, k in enumerate(kinds.n_choices):
            if k is None:
                self.category_probs.append(None)
                continue
            probs = np.full((n + 1, k), prior_weight / (n + 1))
            levels = np.floor(observations[:, c] * k).clip(0, k - 1).astype(np.int64)
            probs[np.arange(n), levels] += 1.0
            self.category_probs.append(probs / probs.sum(1, keepdims=True))

    def _bandwidths(self, observations: np.ndarray) -> np.ndarray:
        n, d = observations.shape
        # Magic clip: no kernel narrower than 1 / (number of kernels + 1), at most 1/100.
        min_sigma = 1.0 / min(100.0, n + 2.0)
        if self.joint:
            scott = 0.2 * max(n, 1) ** (-1.0 / (d + 4))
            sigmas = np.full((n, d), min(max(scott, min_sigma), 1.0))
        else:
            sigmas = np.column_stack(
                [_neighbour_bandwidths(observations[:, c], min_sigma) for c in range(d)]
            ).reshape(n, d)
        return np.vstack([sigmas, np.full((1, d), _PRIOR_SIGMA)])

    # -- density ----------------------------------------------------------------------------
    def log_pdf(self, X: np.ndarray) -> np.ndarray:
        """Log density of rows ``X``, shape ``(m, n_columns_of_group)`` -> ``(m,)``."""
        m = len(X)
        log_kernel = np.zeros((m, len(self.mus)))
        for c in range(len(self.kinds.columns)):
            x = X[:, c][:, None]  # (m, 1) against components (1, n + 1)
            mu, sigma = self.mus[:, c][None, :], self.sigmas[:, c][None, :]
            k = self.kinds.n_choices[c]
            if k is not None:
                level = np.floor(X[:, c] * k).clip(0, k - 1).astype(np.int64)
                log_kernel += np.log(self.category_probs[c][:, level].T)
                continue
            log_mass = _log_mass(-mu / sigma, (1.0 - mu) / sigma)  # truncation to [0, 1]
            dim = self.kinds.cells[c]
            if dim is None:
                z = (x - mu) / sigma
                log_kernel += -0.5 * z**2 - _SQRT2PI_LOG - np.log(sigma) - log_mass
            else:  # the kernel's mass over the value's cell (never a table of every level)
                low, high = dim.cell(X[:, c])
                low, high = low[:, None], high[:, None]
                log_kernel += _log_mass((low - mu) / sigma, (high - mu) / sigma) - log_mass
        return logsumexp(log_kernel + self.log_weights[None, :], axis=1)

    # -- sampling ---------------------------------------------------------------------------
    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` rows drawn from the mixture, shape ``(n, n_columns_of_group)``."""
        component = rng.choice(len(self.mus), size=n, p=np.exp(self.log_weights))
        out = np.empty((n, len(self.kinds.columns)))
        for c in range(len(self.kinds.columns)):
            k = self.kinds.n_choices[c]
            if k is not None:
                cumulative = self.category_probs[c][component].cumsum(1)
                level = (rng.random((n, 1)) > cumulative).sum(1).clip(0, k - 1)
                out[:, c] = (level + 0.5) / k
            else:
                mu, sigma = self.mus[component, c], self.sigmas[component, c]
                out[:, c] = _truncated_normal(mu, sigma, rng)
        return out


def _neighbour_bandwidths(mus: np.ndarray, min_sigma: float) -> np.ndarray:
    """Per observation, the larger gap to its neighbours (the bounds count as neighbours,
    except for the outermost observations, which use their inner gap)."""
    if not len(mus):
        return np.empty(0)
    order = np.argsort(mus)
    with_bounds = np.concatenate([[0.0], mus[order], [1.0]])
    gaps = np.diff(with_bounds)
    sigma_sorted = np.maximum(gaps[:-1], gaps[1:])
    if len(mus) >= 2:
        sigma_sorted[0], sigma_sorted[-1] = gaps[1], gaps[-2]
    sigmas = np.empty_like(mus)
    sigmas[order] = sigma_sorted
    return np.clip(sigmas, min_sigma, 1.0)


def _log_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log(Phi(b) - Phi(a))`` for ``a <= b``, accurate in both tails."""
    a, b = np.broadcast_arrays(a, b)
    # In the upper tail both Phi are near 1: use the mirrored interval.
    flip = a > 0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    log_hi, log_lo = log_ndtr(hi), log_ndtr(lo)
    with np.errstate(divide="ignore"):
        return log_hi + np.log1p(-np.exp(np.minimum(log_lo - log_hi, 0.0)) + 1e-300)


def _truncated_normal(mu: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draws from normals truncated to [0, 1], by inverting the CDF (``mu`` is inside)."""
    lo, hi = ndtr(-mu / sigma), ndtr((1.0 - mu) / sigma)
    q = lo + rng.random(len(mu)) * (hi - lo)
    x = mu + sigma * ndtri(np.clip(q, 1e-300, 1 - 1e-16))
    return np.clip(x, 0.0, 1.0)
