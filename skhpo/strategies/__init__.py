"""Search strategies: ask/tell optimisers over a SearchSpace's encoded rows."""

from ._base import Strategy, fitness
from ._bayes import BayesStrategy
from ._cmaes import CMAESStrategy
from ._coordinate import CoordinateStrategy
from ._genetic import GeneticStrategy
from ._random import RandomStrategy
from ._tpe import TPEStrategy

__all__ = [
    "BayesStrategy",
    "CMAESStrategy",
    "CoordinateStrategy",
    "GeneticStrategy",
    "RandomStrategy",
    "Strategy",
    "TPEStrategy",
    "fitness",
]
