"""What a search's options mean for one run, checked before any model is fitted.

The checks scikit-learn's parameter constraints cannot make, the metric the
strategy maximises, the user-given starting candidates, the seeds of the
strategy and of the fill-ins, and the callbacks as a list.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from ._resources import check_resource_options
from .space import SearchSpace

__all__ = [
    "callback_list", "check_loop_options", "check_param_names", "encode_initial", "entropy",
    "metric_names", "optimised_metric", "seeds", "warn_about_n_iter",
]  # fmt: skip


def check_loop_options(search: Any) -> None:
    """Refuse, before any fit, options scikit-learn's constraints let through."""
    name = type(search).__name__
    for option in ("n_iter", "batch_size"):
        if isinstance(getattr(search, option), (bool, np.bool_)):
            raise TypeError(
                f"The {option!r} parameter of {name} must be an int, got "
                f"{getattr(search, option)!r}."
            )
    callbacks = search.callbacks
    if isinstance(callbacks, (list, tuple)):
        for i, callback in enumerate(callbacks):
            if not callable(callback):
                raise TypeError(
                    f"The 'callbacks' parameter of {name} must be a callable or a list of "
                    f"callables; callbacks[{i}] is {callback!r} ({type(callback).__name__})."
                )
    check_resource_options(search)


def optimised_metric(search: Any, metrics: list[str] | None = None) -> str:
    """The name of the metric whose mean CV score the strategy maximises.

    With several metrics: ``refit`` when it names one, else ``objective``
    (default: the first metric); with one, ``"score"``. Raises a ``ValueError``
    naming ``refit`` or ``objective`` when either is not valid for the metrics.

    Parameters
    ----------
    search : BaseStrategySearchCV
        The search (its ``scoring``, ``refit`` and ``objective`` are read).
    metrics : list of str or None, default=None
        For a callable ``scoring``, the names of the metrics it returned (``[]``
        for a single score); None while that is not known yet (before its first
        batch), when the metric is guessed from ``refit`` and ``objective``.
        Taken from ``scoring`` itself when it lists the metrics.
    """
    scoring, refit, objective = search.scoring, search.refit, search.objective
    if isinstance(scoring, (list, tuple, dict)):
        metrics = list(scoring)
    elif not callable(scoring):
        metrics = []
    elif metrics is None:
        return refit if isinstance(refit, str) else objective or "score"
    if not metrics:
        if objective is not None:
            raise ValueError(
                f"objective={objective!r} chooses among several metrics, but scoring="
                f"{scoring!r} gives a single score; leave objective=None"
            )
        return "score"
    if isinstance(refit, str):
        if refit not in metrics:
            raise ValueError(
                f"refit={refit!r} is not a metric of scoring: with several metrics, refit "
                f"must be one of {metrics}, a callable or False"
            )
        if objective not in (None, refit):
            raise ValueError(
                f"objective={objective!r} and refit={refit!r} disagree: a search optimises "
                "the metric refit names; leave objective=None, or set refit to a callable "
                "or False"
            )
        return refit
    if refit is not False and not callable(refit):
        raise ValueError(
            f"refit={refit!r}: with several metrics, refit must be the metric to refit on "
            f"(one of {metrics}), a callable or False"
        )
    if objective is None:
        return metrics[0]
    if objective not in metrics:
        raise ValueError(
            f"objective={objective!r} is not a metric of scoring: objective must be one "
            f"of {metrics}"
        )
    return objective


def check_param_names(estimator: Any, space: SearchSpace) -> None:
    """Raise a ``ValueError`` naming any parameter the estimator does not have.

    ``step__param`` is valid when ``step`` is itself searched over estimators
    that all have ``param`` (e.g. a pipeline step chosen among classifiers).
    """
    valid = set(estimator.get_params(deep=True))
    for s, subspace in enumerate(space.subspaces):
        for name in subspace:
            if name in valid or _nested_in_choices(name, subspace):
                continue
            where = "param_distributions" + (f"[{s}]" if len(space.subspaces) > 1 else "")
            close = sorted(v for v in valid if v.split("__")[-1] == name.split("__")[-1])
            hint = f" Did you mean one of {close}?" if close else ""
            raise ValueError(
                f"{where}: {name!r} is not a parameter of {type(estimator).__name__}.{hint} "
                "Check the list of available parameters with `estimator.get_params().keys()`."
            )


def _nested_in_choices(name: str, subspace: Any) -> bool:
    prefix, _, rest = name.rpartition("__")
    choices = getattr(subspace.get(prefix), "choices", None)
    return bool(prefix and choices) and all(
        hasattr(c, "get_params") and rest in c.get_params(deep=True) for c in choices
    )


def encode_initial(space: SearchSpace, initial_params: Any) -> tuple[np.ndarray, list[dict]]:
    """Canonical rows and the dicts themselves of the distinct user-given candidates."""
    if initial_params is None:
        return np.empty((0, space.n_columns)), []
    try:
        X = space.encode(initial_params)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"initial_params: {exc}") from None
    keys = space.keys(X)
    unique = sorted({key: i for i, key in reversed(list(enumerate(keys)))}.values())
    if len(unique) < len(X):
        warnings.warn(
            f"initial_params holds {len(X) - len(unique)} repeated candidates; each is "
            "evaluated once.",
            UserWarning,
        )
    return X[unique], [initial_params[i] for i in unique]


def entropy(random_state: Any) -> int | None:
    """A seed for numpy's SeedSequence from sklearn's ``random_state`` conventions."""
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return None if random_state is None else int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def callback_list(callbacks: Any) -> list:
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def metric_names(results: dict) -> list[str]:
    """The metrics of ``cv_results_``, in the order scoring gave them."""
    return [k[len("mean_test_") :] for k in results if k.startswith("mean_test_")]


def seeds(random_state: Any) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """Independent seeds of the strategy and of the loop's random fill-ins."""
    strategy_seed, fill_seed = np.random.SeedSequence(entropy(random_state)).spawn(2)
    return strategy_seed, fill_seed


def warn_about_n_iter(n_iter: int, space_size: float, n_initial: int) -> None:
    """Warn when the space or ``initial_params`` hold fewer or more candidates than ``n_iter``."""
    if space_size < n_iter:
        warnings.warn(
            f"The search space has only {space_size} candidates, fewer than "
            f"n_iter={n_iter}: the search evaluates each of them once.",
            UserWarning,
        )
    if n_initial > n_iter:
        warnings.warn(
            f"initial_params holds {n_initial} candidates, more than "
            f"n_iter={n_iter}: only the first {n_iter} are evaluated.",
            UserWarning,
        )
