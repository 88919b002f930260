"""What an estimator declares of its own parameters, read for the search.

scikit-learn estimators list the values each parameter takes in
``_parameter_constraints`` (``Interval(Real, 0, None)``, ``StrOptions(...)``, ...).
Two questions of the search are answered from them: is a bound of a range also
the parameter's own limit (see :mod:`skhpo._bounds`), and do ``1`` and ``1.0``
mean the same to the parameter (``C``: yes; ``max_features``: no, one feature
against all of them), so that a setting written with one names a choice
written with the other.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from .space import SearchSpace
from .space._dimensions import is_real_number

__all__ = ["declared_constraints", "numeric_twin_in", "with_numeric_twins"]


def declared_constraints(estimator: Any, name: str, params: Mapping[str, Any]) -> list:
    """The constraints the estimator that ``name`` routes to declares for it.

    ``step__param`` names are routed through pipelines, to the searched step if
    ``params`` chose one. Empty when nothing is declared.
    """
    if estimator is None:
        return []
    owner, _, param = name.rpartition("__")
    if owner:
        estimator = params.get(owner, estimator.get_params(deep=True).get(owner))
    constraints = getattr(type(estimator), "_parameter_constraints", None)
    return list(constraints.get(param, [])) if isinstance(constraints, dict) else []


def numeric_twin_in(
    dimension: Any, value: Any, estimator: Any, name: str, params: Mapping[str, Any]
) -> tuple[bool, Any]:
    """``(True, choice)`` when ``dimension`` lacks ``value`` but holds its twin.

    The twin of ``1.0`` is ``1`` and the other way round. It stands for ``value``
    only where the estimator's declared constraints give both the same meaning:
    the same constraints accept both (``C``'s ``Interval(Real, ...)``), unlike
    ``max_features``, whose ``1`` is a count and ``1.0`` a fraction.
    """
    if not is_real_number(value) or dimension.contains(value):
        return False, None
    if isinstance(value, numbers.Integral):
        twin: Any = float(value)
    elif float(value).is_integer():
        twin = int(value)
    else:
        return False, None
    if not dimension.contains(twin) or not _same_meaning(
        declared_constraints(estimator, name, params), value, twin
    ):
        return False, None
    return True, twin


def with_numeric_twins(params: Mapping[str, Any], space: SearchSpace, estimator: Any) -> dict:
    """``params`` with each number the space lacks replaced by its twin the space holds
    (see :func:`numeric_twin_in`); other values are kept as they are."""
    out = dict(params)
    for subspace in space.subspaces:
        for name, dimension in subspace.items():
            if name in out:
                found, twin = numeric_twin_in(dimension, out[name], estimator, name, out)
                if found:
                    out[name] = twin
    return out


def _same_meaning(constraints: list, a: Any, b: Any) -> bool:
    # Imported here: private to scikit-learn, used only for estimators that declare.
    from sklearn.utils._param_validation import make_constraint

    if not constraints:
        return False
    try:
        checks = [make_constraint(c) for c in constraints]
        accepts_a = [c.is_satisfied_by(a) for c in checks]
        accepts_b = [c.is_satisfied_by(b) for c in checks]
    except Exception:  # noqa: BLE001 - an unreadable declaration says nothing
        return False
    return any(accepts_a) and accepts_a == accepts_b
