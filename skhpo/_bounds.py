"""Is the best candidate at the edge of the space? Then the optimum may lie outside it.

A search cannot find what lies outside the ranges it was given: when the best
value of a numeric parameter is at a bound of its range, the range was probably
too narrow. :func:`warn_if_best_at_bound` says so at the end of ``fit``;
:mod:`skhpo.plot` marks that bound on the parameter's plot. A bound that is also
a limit of the estimator's own parameter (``min_samples_leaf=1``, ``l1_ratio=0``,
as its ``_parameter_constraints`` declare) is not one a range could go beyond.
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

from ._constraints import declared_constraints
from ._progress import format_value
from .exceptions import BestAtBoundWarning
from .space import Integer, Ordinal, Real, SearchSpace

__all__ = ["BestAtBound", "best_at_bounds", "warn_if_best_at_bound"]

# A continuous value this close to a bound, as a share of its (log-)range, is at it.
_TOLERANCE = 0.01
# Discrete ranges with fewer values say nothing by having their best at an end.
_MIN_VALUES = 3
# Ordered choices listed in full in the warning up to this many.
_MAX_LISTED = 6


class BestAtBound(NamedTuple):
    """A parameter whose best value is at a bound of its range.

    Attributes
    ----------
    value : object
        The best candidate's value.
    side : {"lower", "upper"}
    bound : float
        The bound (the end of the range, or the first / last listed value).
    range : str
        The range as the warning shows it, e.g. ``"[0.001, 1000]"``.
    """

    value: Any
    side: str
    bound: float
    range: str


def best_at_bounds(
    space: SearchSpace, params: dict, estimator: Any = None
) -> dict[str, BestAtBound]:
    """The numeric parameters of ``params`` that sit at a bound of their range.

    Only ranges where an end is telling count: ``Real`` (and ``uniform`` /
    ``loguniform``) within 1 % of an end on its own scale, ``Integer`` and lists
    of numbers with at least 3 values at their first or last value; and only
    bounds the range could be widened past.

    Parameters
    ----------
    space : SearchSpace
    params : dict
        One candidate of the space.
    estimator : estimator, optional
        The estimator searched; a bound equal to a limit of its parameter's
        declared interval is left out.

    Returns
    -------
    dict of str to BestAtBound
        In the order of the candidate's sub-space.
    """
    subspace = space.subspaces[int(space.subspace_index(space.encode([params]))[0])]
    hits = {}
    for name, dimension in subspace.items():
        hit = _at_bound(dimension, params[name])
        if hit is not None and not _estimator_limit(estimator, name, params, hit):
            hits[name] = hit
    return hits


def warn_if_best_at_bound(space: SearchSpace, params: dict, estimator: Any = None) -> None:
    """Warn for each numeric parameter of the chosen candidate that is at a bound.

    Parameters
    ----------
    space : SearchSpace
    params : dict
        The candidate the search chose (``best_params_``, whichever rule chose it).
    estimator : estimator, optional
        The estimator searched (see :func:`best_at_bounds`).
    """
    try:
        hits = best_at_bounds(space, params, estimator)
    except (TypeError, ValueError):  # a warm-start row outside this space: nothing to say
        return
    for name, hit in hits.items():
        warnings.warn(
            f"best {name}={format_value(hit.value)} lies at the {hit.side} bound of its "
            f"range {hit.range}; the optimum may lie outside: widen the range",
            BestAtBoundWarning,
            stacklevel=2,
        )


def _at_bound(dimension: Any, value: Any) -> BestAtBound | None:
    if isinstance(dimension, Real):
        u = float(dimension.to_unit([value])[0])
        ends = (dimension.low, dimension.high)
        side = "lower" if u <= _TOLERANCE else "upper" if u >= 1 - _TOLERANCE else None
        text = f"[{format_value(ends[0])}, {format_value(ends[1])}]"
    elif isinstance(dimension, (Integer, Ordinal)) and dimension.size >= _MIN_VALUES:
        values = (
            list(dimension.choices)
            if isinstance(dimension, Ordinal)
            else [dimension.low, dimension.high]
        )
        ends = (values[0], values[-1])
        side = "lower" if value == ends[0] else "upper" if value == ends[-1] else None
        if len(values) > _MAX_LISTED:
            values = [values[0], "...", values[-1]]
        text = "[" + ", ".join(map(format_value, values)) + "]"
    else:
        return None
    if side is None:
        return None
    return BestAtBound(value, side, float(ends[side == "upper"]), text)


def _estimator_limit(estimator: Any, name: str, params: dict, hit: BestAtBound) -> bool:
    """Whether ``hit.bound`` is where the estimator's own parameter ends.

    Reads the ``Interval`` constraints the estimator that ``name`` routes to
    declares (duck-typed: anything with ``left`` and ``right``).
    """
    end = "left" if hit.side == "lower" else "right"
    limits = [
        getattr(c, end, None) for c in declared_constraints(estimator, name, params)
        if hasattr(c, "left")
    ]  # fmt: skip
    return any(limit is not None and float(limit) == hit.bound for limit in limits)
