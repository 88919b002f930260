"""Utilities for code that works with every skhpo search."""

from __future__ import annotations

__all__ = ["all_searches"]


def all_searches() -> list[tuple[str, type]]:
    """The public searches of skhpo, as scikit-learn's ``all_estimators`` lists estimators.

    Every search a module of skhpo declares (see :mod:`skhpo._declare`) is
    listed; tests, docs and benchmarks enumerate them from here rather than
    naming them.

    Returns
    -------
    list of (str, type)
        ``(class name, class)`` pairs, sorted by name.

    Examples
    --------
    >>> from skhpo.utils import all_searches
    >>> [name for name, _ in all_searches()]  # doctest: +NORMALIZE_WHITESPACE
    ['BayesSearchCV', 'CMAESSearchCV', 'CoordinateSearchCV', 'EvolutionarySearchCV',
     'TPESearchCV']
    """
    from . import _searches  # noqa: F401 - defining the searches registers them
    from ._declare import registered_searches

    return registered_searches()
