"""Tools for testing skhpo and strategies built on it.

:class:`RandomStrategySearchCV` runs the shared search loop with uniform random
proposals: the reference that every other search is compared with, and the
search used by tests of the loop itself.
"""

from __future__ import annotations

import numpy as np

from ._search import BaseStrategySearchCV
from .space import SearchSpace
from .strategies import RandomStrategy, Strategy

__all__ = ["RandomStrategySearchCV"]


class RandomStrategySearchCV(BaseStrategySearchCV):
    """Random search through skhpo's loop (batches, no repeats, callbacks...).

    Takes the parameters of every skhpo search; see
    :class:`~skhpo.BayesSearchCV`.
    """

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        return RandomStrategy(space, rng)
