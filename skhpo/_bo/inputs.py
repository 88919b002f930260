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

    def __call__(self, X: np.ndarray) -> np.ndarray:
        """GP inputs of canonical rows ``X``, shape ``(n, n_features)``."""
        X = np.asarray(X, dtype=float)
        blocks = [np.nan_to_num(X[:, self.numeric], nan=0.5)]
        for j, k in self.one_hot:
            column = X[:, j]
            active = ~np.isnan(column)
            level = np.floor(np.nan_to_num(column) * k).clip(0, k - 1).astype(np.int64)
            blocks.append((level[:, None] == np.arange(k)) & active[:, None])
        return np.hstack(blocks).astype(float) if blocks else np.empty((len(X), 0))
