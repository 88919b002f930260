"""Uniform random search: the reference strategy and a baseline."""

from __future__ import annotations

import numpy as np

from ._base import Strategy

__all__ = ["RandomStrategy"]


class RandomStrategy(Strategy):
    """Candidates drawn independently and uniformly in each dimension's scale.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import SearchSpace, Real
    >>> from skhpo.strategies import RandomStrategy
    >>> space = SearchSpace({"x": Real(-1.0, 1.0)})
    >>> strategy = RandomStrategy(space, np.random.default_rng(0))
    >>> X = strategy.ask(4)
    >>> strategy.tell(X, -np.abs(np.array([p["x"] for p in space.decode(X)])))
    >>> strategy.y.shape
    (4,)
    """

    default_batch_size = 16

    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        return self.fill(n, avoid=self.avoid(pending))
