"""Which of a list of settings lie in a search space, and as which candidates.

A setting (a dict of parameter values, such as a portfolio's) lies in a
sub-space when each parameter the sub-space searches gets a value its
dimension holds: the setting's value, or, for a parameter the setting does
not name, the estimator's own. Parameters the sub-space does not search are
dropped from the candidate: the search leaves them at the estimator's values.
A number names a choice written as its int or float twin (``C=1.0``, the choice
``1``) where the estimator's declared constraints give both the same meaning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._constraints import numeric_twin_in
from ..space import SearchSpace

__all__ = ["settings_in_space"]

_MISSING = object()


def settings_in_space(
    settings: Sequence[Mapping[str, Any]], space: SearchSpace, estimator: Any
) -> list[dict]:
    """The candidates of ``space`` that ``settings`` give, in order, each once.

    Parameters
    ----------
    settings : sequence of dict
        Parameter values, ``step__param`` names inside pipelines.
    space : SearchSpace
    estimator : estimator object
        Gives the values of parameters a setting does not name.

    Returns
    -------
    list of dict
        One candidate per setting that lies in the space (in the sub-space that
        uses most of its parameters, the first of equals); a setting giving the
        same candidate as an earlier one is left out.
    """
    current = estimator.get_params(deep=True)
    candidates, keys = [], set()
    for setting in settings:
        candidate = _candidate(setting, space, estimator, current)
        if candidate is None:
            continue
        key = space.keys(space.encode([candidate]))[0]
        if key not in keys:
            keys.add(key)
            candidates.append(candidate)
    return candidates


def _candidate(
    setting: Mapping[str, Any], space: SearchSpace, estimator: Any, current: dict
) -> dict | None:
    best, best_used = None, -1
    for subspace in space.subspaces:
        candidate = {}
        for name, dim in subspace.items():
            value = setting.get(name, current.get(name, _MISSING))
            if value is _MISSING:
                break
            if not dim.contains(value):
                # C=1.0 names the choice 1 of [0.1, 1, 10]; max_features=1.0 does not.
                found, value = numeric_twin_in(dim, value, estimator, name, setting)
                if not found:
                    break
            candidate[name] = value
        else:
            used = sum(name in setting for name in subspace)
            if used > best_used:
                best, best_used = candidate, used
    return best
