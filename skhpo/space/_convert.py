"""Turn one value of ``param_distributions`` into a :class:`Dimension`.

Accepted, as sklearn's searches accept them: a list / tuple / 1-D array of
choices, a scipy.stats frozen distribution (or any object with ``rvs``), and
skhpo's own dimensions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._dimensions import (
    Categorical,
    Dimension,
    DiscreteDistribution,
    Distribution,
    Integer,
    Ordinal,
    Real,
    check_distribution,
    finite_values,
    is_real_number,
)

__all__ = ["as_dimension"]


def as_dimension(value: Any, where: str) -> Dimension:
    """The dimension described by ``value``.

    Parameters
    ----------
    value : object
        One value of a ``param_distributions`` dict.
    where : str
        How to name ``value`` in error messages, e.g. ``"param_distributions['C']"``.

    Returns
    -------
    Dimension
    """
    try:
        return _as_dimension(value)
    except (TypeError, ValueError) as exc:
        hint = ""
        if isinstance(value, tuple) and "distinct" in str(exc):
            hint = f"; to search the single value {value!r}, wrap it in a list: [{value!r}]"
        raise type(exc)(f"{where}: {exc}{hint}") from None


def _as_dimension(value: Any) -> Dimension:
    if isinstance(value, Dimension):
        return value
    if isinstance(value, range):  # as GridSearchCV takes it: {"n_neighbors": range(1, 31)}
        value = list(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        values = value.tolist() if isinstance(value, np.ndarray) and value.ndim == 1 else value
        if isinstance(value, np.ndarray) and value.ndim != 1:
            raise ValueError(
                f"an array of choices must be one-dimensional, got shape {value.shape}"
            )
        numbers = len(values) and all(is_real_number(v) and not np.isnan(v) for v in values)
        # [1, 0.5, 1.0] (max_features: one feature, half, all) cannot be ordered, as 1
        # and 1.0 are one number: distinct choices, as GridSearchCV takes them.
        if numbers and len({float(v) for v in values}) == len(values):
            return Ordinal(values)
        return Categorical(values)
    if hasattr(value, "rvs") and not isinstance(value, type):
        return _from_distribution(value)
    raise TypeError(
        "must be a list, tuple, range or 1-D array of choices, a scipy.stats distribution, "
        f"or a Real / Integer / Categorical dimension; got {type(value).__name__} {value!r}"
    )


def _from_distribution(dist: Any) -> Dimension:
    """Known scipy distributions become the equivalent plain dimension.

    Invalid arguments are refused; a discrete distribution with few values
    becomes that many ordered levels.
    """
    name = getattr(getattr(dist, "dist", None), "name", None)
    check_distribution(dist, quantiles=name != "randint")  # randint: Integer checks its bounds
    if name != "randint" and finite_values(dist) is not None:
        return DiscreteDistribution(dist)
    if name is None or not hasattr(dist, "support"):
        return Distribution(dist)
    low, high = (v.item() if isinstance(v, np.generic) else v for v in dist.support())
    if name in ("loguniform", "reciprocal"):
        # Only a log-uniform without a shift (loc=0) is log-uniform on its support.
        geometric_mean = np.sqrt(low * high)
        if abs(dist.ppf(0.5) - geometric_mean) <= 1e-9 * geometric_mean:
            return Real(low, high, log=True)
        return Distribution(dist)
    if name == "uniform":
        return Real(low, high)
    if name == "randint":
        return Integer(int(low), int(high)) if low < high else Ordinal([int(low)])
    return Distribution(dist)
