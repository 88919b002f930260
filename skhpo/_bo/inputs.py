"""What the Gaussian process sees of a candidate.

Ordered dimensions (reals, integers, ordered choices, quantiles of
distributions) enter as their canonical unit value, so integers are already
rounded: the surrogate cannot tell apart two points that decode to the same
candidate (Garrido-Merchan & Hernandez-Lobato, Neurocomputing 2020). Unordered
choices (and the choice of sub-space) enter one-hot. A parameter that a
candidate's sub-space does not have is set to the middle of its range (one-hot:
all zeros); the sub-space's own one-hot code keeps sub-spaces apart.
Sample-only dimensions carry no information and are left out.
"""

from __future__ import annotations

import numpy as np

from ..space import SearchSpace

__all__ = ["GPInputs"]


class GPInputs:
    """Turns canonical rows of ``space`` into GP inputs.

    Parameters
    ----------
    space : SearchSpace

    Attributes
    ----------
    n_features : int
        Width of the GP input.
    """

    def __init__(self, space: SearchSpace) -> None:
        self.numeric = [
            j for j, c in enumerate(space.columns)
            if c.dimension.ordered and not c.dimension.sample_only
            and (c.dimension.n_levels is None or c.dimension.n_levels > 1)
        ]  # fmt: skip
        self.one_hot = [
            (j, c.dimension.n_levels) for j, c in enumerate(space.columns)
            if not c.dimension.ordered and c.dimension.n_levels > 1
        ]  # fmt: skip
        self.n_features = len(self.numeric) + sum(k for _, k in self.one_hot)
        # Index arrays for one vectorised pass (called at every step of the polish).
        self._numeric = np.array(self.numeric, dtype=np.int64)
        self._hot_columns = np.array([j for j, _ in self.one_hot], dtype=np.int64)
        self._hot_levels = np.array([k for _, k in self.one_hot], dtype=np.int64)
        self._hot_offsets = len(self.numeric) + np.cumsum(self._hot_levels) - self._hot_levels

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """GP inputs of canonical rows ``X``, shape ``(n, n_features)``."""
        X = np.asarray(X, dtype=float)
        numeric = X[:, self._numeric]  # a copy
        numeric[np.isnan(numeric)] = 0.5  # (np.nan_to_num costs five times as much)
        if not len(self._hot_columns):
            return numeric
        out = np.zeros((len(X), self.n_features))
        out[:, : len(self._numeric)] = numeric
        codes = X[:, self._hot_columns]
        rows, hot = np.nonzero(~np.isnan(codes))  # inactive choices stay all zeros
        k = self._hot_levels[hot]
        level = np.floor(codes[rows, hot] * k).clip(0, k - 1).astype(np.int64)
        out[rows, self._hot_offsets[hot] + level] = 1.0
        return out
