"""What ``resource``, ``min_resources``, ``max_resources`` and ``factor`` mean for one fit.

:func:`resource_ladder` turns the options into the rungs of successive halving
(the resource each rung fits with), with scikit-learn's
``HalvingRandomSearchCV`` semantics, and refuses bad input before any fit;
:class:`SubsampledSplits` is the splitter of a rung when the resource is
``"n_samples"``.
"""

from __future__ import annotations

from difflib import get_close_matches
from math import floor, log
from typing import Any, NamedTuple

import numpy as np
from sklearn.base import is_classifier

__all__ = ["ResourceLadder", "SubsampledSplits", "check_resource_options", "resource_ladder"]

#: The defaults of the options that mean something only with ``resource``.
_DEFAULTS = {"min_resources": "exhaust", "max_resources": "auto", "factor": 3}


class ResourceLadder(NamedTuple):
    """The rungs of successive halving.

    Attributes
    ----------
    resource : str
        ``"n_samples"`` or the estimator parameter set to each rung's resource.
    n_resources : tuple of int
        The resource of each rung, increasing; the last is ``max_resources``.
    factor : float
        Rung ``k`` promotes its best ``1 / factor``.
    n_samples : int or None
        The samples of ``X`` (with ``"n_samples"``), else None.
    """

    resource: str
    n_resources: tuple[int, ...]
    factor: float
    n_samples: int | None

    @property
    def top(self) -> int:
        """The index of the rung at the full resource."""
        return len(self.n_resources) - 1


def check_resource_options(search: Any) -> None:
    """Refuse, before any fit, options that mean nothing or cannot go together."""
    if search.resource is None:
        for option, default in _DEFAULTS.items():
            value = getattr(search, option)
            if value != default or isinstance(value, bool):
                raise ValueError(
                    f"{option}={value!r} is used only with successive halving: set resource "
                    f"(e.g. resource='n_samples'), or leave {option} at its default {default!r}."
                )
        return
    for option in _DEFAULTS:
        value = getattr(search, option)
        if isinstance(value, (bool, np.bool_)):  # an Integral to scikit-learn's constraints
            raise ValueError(f"{option}={value!r}: give a number, not a boolean.")
    if getattr(search, "racing", False):
        raise ValueError(
            "racing and resource cannot be combined yet: racing stops candidates fold by "
            "fold, successive halving stops them rung by rung. Use one of them."
        )
    if search.warm_start_from is not None:
        raise ValueError(
            "warm_start_from cannot be combined with resource: the earlier search's scores "
            "were not obtained at the resources of this search's rungs."
        )


def resource_ladder(
    search: Any, space: Any, X: Any, y: Any, n_splits: int, min_train: int
) -> ResourceLadder:
    """The rungs of a halving search, or a ``ValueError`` naming the option at fault.

    Parameters
    ----------
    search : BaseStrategySearchCV
        Its ``resource``, ``min_resources``, ``max_resources``, ``factor``,
        ``n_iter`` and ``estimator`` are read.
    space : SearchSpace
    X, y : the data passed to ``fit``.
    n_splits : int
    min_train : int
        The samples of the smallest training part of a CV split.
    """
    resource, factor = search.resource, float(search.factor)
    estimator = search.estimator
    if resource != "n_samples":
        valid = estimator.get_params(deep=True)
        if resource not in valid:
            close = get_close_matches(resource, list(valid), n=3)
            hint = f" Did you mean one of {close}?" if close else ""
            raise ValueError(
                f"resource={resource!r} is neither 'n_samples' nor a parameter of "
                f"{type(estimator).__name__}.{hint}"
            )
        for subspace in space.subspaces:
            if resource in subspace:
                raise ValueError(
                    f"resource={resource!r} is also searched in param_distributions: the "
                    "resource is set by the rungs; remove it from the space."
                )
    n_samples = _n_rows(X) if resource == "n_samples" else None
    n_classes = len(np.unique(y)) if is_classifier(estimator) and y is not None else 1

    max_resources = search.max_resources
    if max_resources == "auto":
        if n_samples is None:
            raise ValueError(
                f"max_resources='auto' works only with resource='n_samples'; give the "
                f"largest value of {resource!r} as max_resources."
            )
        max_resources = n_samples
    elif n_samples is not None and max_resources > n_samples:
        raise ValueError(
            f"max_resources={max_resources} is more than the {n_samples} samples of X."
        )
    min_resources = search.min_resources
    if min_resources in ("smallest", "exhaust"):
        # scikit-learn's choice: a few samples per class and fold, or one iteration.
        min_resources = 2 * n_splits * n_classes if n_samples is not None else 1
        if search.min_resources == "exhaust":
            # Start as high as lets the last rung that n_iter candidates need use it all.
            n_candidates = max(1, int(min(search.n_iter, space.size)))
            n_required = 1 + _floor_log(n_candidates, factor)
            min_resources = max(min_resources, int(max_resources // factor ** (n_required - 1)))
    if min_resources > max_resources:
        of_x = f" (the {n_samples} samples of X)" if search.max_resources == "auto" else ""
        raise ValueError(
            f"min_resources={min_resources} is greater than max_resources={max_resources}{of_x}."
        )
    if n_samples is not None:
        smallest = int(min_resources / n_samples * min_train)
        if smallest < max(2, n_classes):
            raise ValueError(
                f"resource='n_samples': X has {n_samples} samples, too few for min_resources="
                f"{min_resources} with {n_splits} CV splits: the first rung would fit on "
                f"{smallest} training samples per split (at least {max(2, n_classes)} "
                "needed). Raise min_resources, or use fewer splits or more data."
            )
    n_rungs = 1 + _floor_log(max_resources // min_resources, factor)
    # The last rung is always max_resources, so the best candidate is scored at it.
    rungs = sorted({int(min_resources * factor**k) for k in range(n_rungs - 1)} | {max_resources})
    return ResourceLadder(resource, tuple(rungs), factor, n_samples)


class SubsampledSplits:
    """Fixed CV splits whose training parts are subsampled to a fraction; tests stay whole.

    Like scikit-learn's ``_SubsampleMetaSplitter`` without subsampling the test
    folds, so that every rung is scored on the same samples. Each split's
    training samples are drawn in one seeded order and a rung takes the first
    ``fraction`` of them: a rung's training set holds those of the rungs below.

    Parameters
    ----------
    base : FixedSplits
    fraction : float in (0, 1]
    seed : int
    """

    def __init__(self, base: Any, fraction: float, seed: int) -> None:
        self.base = base
        self.fraction = fraction
        self.seed = seed

    def split(self, X: Any, y: Any = None, **params: Any):
        for i, (train, test) in enumerate(self.base.split(X, y, **params)):
            order = np.random.default_rng([self.seed, i]).permutation(len(train))
            yield np.sort(train[order[: int(self.fraction * len(train))]]), test

    def get_n_splits(self, X: Any = None, y: Any = None, **params: Any) -> int:
        return self.base.get_n_splits(X, y, **params)


def _floor_log(x: float, base: float) -> int:
    """``floor(log(x, base))`` for ``x >= 1``, exact at powers of ``base``.

    ``math.log(1000, 10)`` is 2.9999999999999996: the plain floor would drop a rung
    (min_resources=1, max_resources=1000, factor=10 gave rungs 1, 10, 1000).
    """
    k = floor(log(x, base))
    while base ** (k + 1) <= x * (1 + 1e-12):
        k += 1
    while k > 0 and base**k > x * (1 + 1e-12):
        k -= 1
    return k


def _n_rows(X: Any) -> int:
    shape = getattr(X, "shape", None)
    return int(shape[0]) if shape is not None and len(shape) else len(X)
