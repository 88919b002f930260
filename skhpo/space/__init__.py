"""The search space: dimensions and the translator between dicts and arrays."""

from ._convert import as_dimension
from ._dimensions import (
    Categorical,
    Choices,
    ContinuousDistribution,
    Dimension,
    DiscreteDimension,
    DiscreteDistribution,
    Distribution,
    Integer,
    IntegerDistribution,
    Kind,
    Ordinal,
    Real,
    SampleOnlyDistribution,
    is_real_number,
)
from ._space import ENUMERATION_LIMIT, Column, SearchSpace

__all__ = [
    "ENUMERATION_LIMIT",
    "Categorical",
    "Choices",
    "Column",
    "ContinuousDistribution",
    "Dimension",
    "DiscreteDimension",
    "DiscreteDistribution",
    "Distribution",
    "Integer",
    "IntegerDistribution",
    "Kind",
    "Ordinal",
    "Real",
    "SampleOnlyDistribution",
    "SearchSpace",
    "as_dimension",
    "is_real_number",
]
