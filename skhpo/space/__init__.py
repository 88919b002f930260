"""The search space: dimensions and the translator between dicts and arrays."""

from ._convert import as_dimension
from ._dimensions import (
    Categorical,
    Dimension,
    DiscreteDistribution,
    Distribution,
    Integer,
    Ordinal,
    Real,
)
from ._space import ENUMERATION_LIMIT, Column, SearchSpace

__all__ = [
    "ENUMERATION_LIMIT",
    "Categorical",
    "Column",
    "Dimension",
    "DiscreteDistribution",
    "Distribution",
    "Integer",
    "Ordinal",
    "Real",
    "SearchSpace",
    "as_dimension",
]
