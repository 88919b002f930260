"""Successive halving on an iteration parameter: promoted candidates continue training.

A candidate promoted from ``n_estimators=30`` to ``n_estimators=90`` need not
fit 90 trees from scratch: the estimators listed in :data:`CONTINUABLE`, fitted
with ``warm_start=True`` on the same data, add the 60 missing ones and give the
very model a fit from scratch gives (the same trees, the same boosting stages:
scikit-learn advances their random streams past the parts already fitted;
``tests/test_continuation.py`` checks it for each). So continuing changes no
score, only the time it takes, whatever ``n_jobs`` and with or without a
checkpoint (a fit that finds nothing to continue starts from scratch).

Estimators left out start over: ``MLPClassifier``/``MLPRegressor`` and the SGD
estimators reset their optimiser's state and learning-rate schedule at every
``fit``, and a linear model warm-started from a less converged solution ends
elsewhere than one started from zero, so their continued models differ from
the ones trained from scratch. Boosting that stops on a validation score
(``n_iter_no_change``, HistGradientBoosting's early stopping) starts over too:
continued, it may stop at another iteration.

How: during the search, the estimator each fit clones is an instance of a
subclass of the user's estimator's class (:func:`continuing_estimator`) whose
``fit`` looks for the same candidate (every parameter but the resource), fitted
on the same training data at a smaller resource, in a folder of fitted models;
it continues that model if there is one and stores what it fitted below the
top rung. The folder is a temporary one, deleted when the search ends; each
candidate keeps only its latest model per fold there.
"""

from __future__ import annotations

import inspect
import os
import shutil
import tempfile
from copy import deepcopy
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.ensemble import (
    BaggingClassifier,
    BaggingRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from ._resources import _n_rows

__all__ = ["CONTINUABLE", "ContinuationStore", "continuation_parameter"]

#: Estimator classes (exactly these, not subclasses) whose ``warm_start`` continuation
#: over the named iteration parameter gives the model a fit from scratch gives.
CONTINUABLE: dict[type, str] = {
    RandomForestClassifier: "n_estimators",
    RandomForestRegressor: "n_estimators",
    ExtraTreesClassifier: "n_estimators",
    ExtraTreesRegressor: "n_estimators",
    BaggingClassifier: "n_estimators",
    BaggingRegressor: "n_estimators",
    GradientBoostingClassifier: "n_estimators",
    GradientBoostingRegressor: "n_estimators",
    HistGradientBoostingClassifier: "max_iter",
    HistGradientBoostingRegressor: "max_iter",
}


def _stops_early(owner: Any, n_samples: int) -> bool:
    """Whether ``owner`` stops on a validation score: its continued fit may stop elsewhere
    (gradient boosting's ``n_iter_no_change``; HistGradientBoosting's early stopping,
    which ``"auto"`` turns on above 10,000 samples)."""
    if isinstance(owner, GradientBoostingClassifier | GradientBoostingRegressor):
        return owner.n_iter_no_change is not None
    if isinstance(owner, HistGradientBoostingClassifier | HistGradientBoostingRegressor):
        return owner.early_stopping is True or (
            owner.early_stopping == "auto" and n_samples > 10_000
        )
    return False


def continuation_parameter(estimator: Any, resource: str) -> str | None:
    """The ``warm_start`` parameter (``step__warm_start`` in a pipeline) that lets fits at
    a larger ``resource`` continue fits at a smaller one, or None."""
    *path, name = resource.split("__")
    owner = estimator.get_params(deep=True).get("__".join(path)) if path else estimator
    if owner is None or CONTINUABLE.get(type(owner)) != name:
        return None
    return "__".join([*path, "warm_start"])


class ContinuationStore:
    """The folder of one search's fitted models, and the estimator whose fits use it.

    Parameters
    ----------
    estimator : estimator object
        The search's estimator.
    resource : str
        The iteration parameter (``continuation_parameter`` gives a warm-start
        parameter for it).
    top : int
        ``max_resources``: fits there are never continued, so never stored.
    """

    def __init__(self, estimator: Any, resource: str, top: int) -> None:
        warm = continuation_parameter(estimator, resource)
        if warm is None:
            raise ValueError(f"{type(estimator).__name__} cannot continue over {resource!r}")
        self.folder = Path(tempfile.mkdtemp(prefix="skhpo-continue-"))
        self.estimator = continuing_estimator(estimator, (str(self.folder), resource, warm, top))

    def close(self) -> None:
        """Delete the folder and every model in it."""
        shutil.rmtree(self.folder, ignore_errors=True)


def continuing_estimator(estimator: Any, config: tuple) -> Any:
    """A copy of ``estimator`` whose class's ``fit`` continues earlier fits (see module)."""
    cls = type(estimator)

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _continuing_fit(self, *args, **kwargs)

    # Metadata routing reads which arguments ``fit`` takes from its signature.
    fit.__signature__ = inspect.signature(cls.fit)
    subclass = type(
        cls.__name__, (cls,), {"fit": fit, "_skhpo_continuation": config, "__module__": __name__}
    )
    copy = subclass(**estimator.get_params(deep=False))
    if hasattr(estimator, "_metadata_request"):  # set_fit_request's choices, as clone keeps them
        copy._metadata_request = deepcopy(estimator._metadata_request)
    return copy


def _continuing_fit(self: Any, X: Any, y: Any = None, **fit_params: Any) -> Any:
    folder, resource, warm, top = type(self)._skhpo_continuation
    parent = type(self).__mro__[1]
    params = self.get_params(deep=True)
    level, warm_given = params[resource], params[warm]
    owner_path = resource.rpartition("__")[0]
    owner = params[owner_path] if owner_path else self
    key = (
        None if _stops_early(owner, _n_rows(X))
        else _fit_key(params, (resource, warm), X, y, fit_params)
    )  # fmt: skip
    earlier = None if key is None else _latest(folder, key, below=level)
    if earlier is None:
        parent.fit(self, X, y, **fit_params)
    else:
        self.__dict__.update(earlier.__dict__)  # its fitted state, at a smaller resource
        self.set_params(**{resource: level, warm: True})
        try:
            parent.fit(self, X, y, **fit_params)
        finally:
            self.set_params(**{warm: warm_given})
    if key is not None and level < top:
        _store(folder, key, level, self, parent)
    return self


def _fit_key(params: dict, left_out: tuple, X: Any, y: Any, fit_params: dict) -> str | None:
    """A digest of the candidate (but its resource) and the training data; None when the
    model depends on a random state object, whose state a stored fit cannot match."""
    leaves = {}
    for name, value in params.items():
        if name in left_out or hasattr(value, "get_params") or _holds_estimators(value):
            continue  # an estimator's own parameters are among the leaves
        if isinstance(value, np.random.RandomState | np.random.Generator):
            return None
        leaves[name] = value
    try:
        return joblib.hash((sorted(leaves.items()), X, y, fit_params))
    except Exception:  # noqa: BLE001 - anything joblib cannot hash: fit from scratch
        return None


def _holds_estimators(value: Any) -> bool:
    """Pipeline ``steps``, ``transformers`` and the like."""
    if not isinstance(value, list | tuple):
        return False
    items = [w for v in value for w in (v if isinstance(v, tuple) else (v,))]
    return any(hasattr(w, "get_params") for w in items)


def _latest(folder: str, key: str, below: int) -> Any:
    """The stored fit of ``key`` at the largest resource below ``below``, or None."""
    levels = []
    for path in Path(folder).glob(f"{key}-*.joblib"):
        level = int(path.stem.rsplit("-", 1)[1])
        if level < below:
            levels.append((level, path))
    if not levels:
        return None
    try:
        return joblib.load(max(levels)[1])
    except Exception:  # noqa: BLE001 - an unreadable file: fit from scratch
        return None


def _store(folder: str, key: str, level: int, fitted: Any, parent: type) -> None:
    """Store ``fitted`` as an instance of ``parent`` (the user's class, which pickles by
    name) and remove the key's smaller fits; a folder this process cannot write (a remote
    worker's) stores nothing."""
    plain = parent.__new__(parent)
    plain.__dict__.update(fitted.__dict__)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
    except OSError:
        return
    os.close(handle)
    try:
        joblib.dump(plain, temporary)
        os.replace(temporary, Path(folder) / f"{key}-{level}.joblib")
    except Exception:  # noqa: BLE001 - a model that does not pickle, a full disk: not stored
        Path(temporary).unlink(missing_ok=True)
        return
    for path in Path(folder).glob(f"{key}-*.joblib"):
        if int(path.stem.rsplit("-", 1)[1]) < level:
            path.unlink(missing_ok=True)
