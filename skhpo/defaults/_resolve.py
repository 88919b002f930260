"""What a search reads for ``param_distributions="auto"`` and ``initial_params="portfolio"``.

The searches call :func:`resolve_space` and :func:`resolve_initial` where they
read these two options; everything else in a search is unchanged.
"""

from __future__ import annotations

import warnings
from typing import Any

from ..space import SearchSpace
from ._project import settings_in_space
from ._registry import default_order, default_space, portfolio

__all__ = ["given_space", "resolve_initial", "resolve_order", "resolve_space"]

AUTO = "auto"
PORTFOLIO = "portfolio"


def given_space(search: Any) -> Any:
    """The search space as given: ``param_distributions`` or its other name ``param_grid``."""
    given = [name for name in ("param_distributions", "param_grid")
             if getattr(search, name) is not None]  # fmt: skip
    if len(given) != 1:
        raise ValueError(
            "param_distributions and param_grid are two names for the search space: "
            f"give exactly one of them, got {'both' if given else 'neither'}"
        )
    return getattr(search, given[0])


def resolve_space(search: Any) -> Any:
    """The search's ``param_distributions``, or ``default_space(estimator)`` for "auto"."""
    given = given_space(search)
    if isinstance(given, str) and given == AUTO:
        try:
            return default_space(search.estimator)
        except ValueError as exc:
            raise ValueError(f"param_distributions='auto': {exc}") from None
    return given


def resolve_initial(search: Any, space: SearchSpace) -> list[dict] | None:
    """The candidates to evaluate first.

    ``initial_params`` as given; for "portfolio", or when it is None and the
    space is "auto", the portfolio's settings that lie in ``space``, at most
    ``n_iter`` of them (best first). A portfolio with none in the space warns
    and the search starts with its own strategy.
    """
    given = search.initial_params
    space_given = given_space(search)
    auto = isinstance(space_given, str) and space_given == AUTO
    if not (isinstance(given, str) and given == PORTFOLIO) and not (given is None and auto):
        return given
    try:
        settings = portfolio(search.estimator)
    except ValueError as exc:
        raise ValueError(f"initial_params='portfolio': {exc}") from None
    candidates = settings_in_space(settings, space, search.estimator)[: search.n_iter]
    if not candidates:
        warnings.warn(
            f"initial_params='portfolio': none of the {len(settings)} portfolio settings of "
            f"{type(search.estimator).__name__} lies in the search space; the search starts "
            "with its own proposals.",
            UserWarning,
        )
        return None
    return candidates


def resolve_order(search: Any, space: SearchSpace) -> list[str] | None:
    """CoordinateSearchCV's ``order``, or the estimator's default order when None."""
    if search.order is not None:
        return search.order
    return default_order(search.estimator, space.names)
