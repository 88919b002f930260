"""skhpo: smarter hyperparameter search as drop-in replacements for GridSearchCV."""

from ._searches import (
    BayesSearchCV,
    CMAESSearchCV,
    CoordinateSearchCV,
    EvolutionarySearchCV,
    TPESearchCV,
)
from .defaults import default_space, portfolio
from .space import Categorical, Integer, Real

__all__ = [
    "BayesSearchCV",
    "CMAESSearchCV",
    "Categorical",
    "CoordinateSearchCV",
    "EvolutionarySearchCV",
    "Integer",
    "Real",
    "TPESearchCV",
    "default_space",
    "portfolio",
]
__version__ = "0.1.0.dev0"
