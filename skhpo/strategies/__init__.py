"""Search strategies: ask/tell optimisers over a SearchSpace's encoded rows."""

from ._base import Strategy
from ._bayes import BayesStrategy
from ._cmaes import CMAESStrategy
from ._coordinate import CoordinateStrategy
from ._evolution import EvolutionStrategy
from ._random import RandomStrategy
from ._tpe import TPEStrategy

__all__ = [
    "BayesStrategy",
    "CMAESStrategy",
    "CoordinateStrategy",
    "EvolutionStrategy",
    "RandomStrategy",
    "Strategy",
    "TPEStrategy",
]
