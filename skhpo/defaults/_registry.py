"""Which ready space and portfolio an estimator gets, found by its class.

An estimator is looked up by ``isinstance`` (so subclasses are found), after
walking down pipelines to their final step, whose parameters are then named
``step__param``. The first matching entry of :data:`_ENTRIES` wins, so a
subclass comes before its parent (``Lasso`` before ``ElasticNet``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import (
    ElasticNet,
    Lasso,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ..space import SearchSpace
from ._portfolios import PORTFOLIO_BUILDERS
from ._project import settings_in_space
from ._spaces import MLP_ORDER, SPACE_BUILDERS

__all__ = ["default_order", "default_space", "portfolio"]

#: (classes, key of the space and portfolio builders), most specific first.
_ENTRIES: tuple[tuple[tuple[type, ...], str], ...] = (
    ((SVC,), "svc"),
    ((SVR,), "svr"),
    ((LogisticRegression,), "logistic"),
    ((Ridge, RidgeClassifier), "ridge"),
    ((Lasso,), "lasso"),  # a subclass of ElasticNet
    ((ElasticNet,), "elastic_net"),
    ((SGDClassifier,), "sgd_classifier"),
    ((SGDRegressor,), "sgd_regressor"),
    ((KNeighborsClassifier, KNeighborsRegressor), "knn"),
    ((DecisionTreeClassifier, DecisionTreeRegressor), "tree"),
    (
        (RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier, ExtraTreesRegressor),
        "forest",
    ),
    ((GradientBoostingClassifier, GradientBoostingRegressor), "gradient_boosting"),
    ((HistGradientBoostingClassifier, HistGradientBoostingRegressor), "hist_gradient_boosting"),
    ((MLPClassifier, MLPRegressor), "mlp"),
)


class Found(NamedTuple):
    """The estimator a space is for, where it sits, and its builders' key."""

    estimator: Any  # the final estimator, inside any pipelines
    prefix: str  # "step__" per pipeline level, "" for a bare estimator
    key: str


def known_estimators() -> list[str]:
    """Names of the classes with a ready space, for messages and docs."""
    return [cls.__name__ for classes, _ in _ENTRIES for cls in classes]


def default_space(estimator: Any) -> dict | list[dict]:
    """A ready search space for a common scikit-learn estimator.

    Parameters
    ----------
    estimator : estimator object
        A scikit-learn estimator, or a :class:`~sklearn.pipeline.Pipeline` (also
        nested) whose final step is one; found by class, so subclasses are too.

    Returns
    -------
    dict or list of dict
        ``param_distributions`` for any skhpo search: log scales where they
        belong, one dict per sub-space where parameters only matter together
        (e.g. one per SVC kernel), names prefixed ``step__`` inside pipelines.

    Raises
    ------
    ValueError
        When no space is known for the estimator; the message names it.

    See Also
    --------
    portfolio : settings to evaluate first in this space.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn.svm import SVR
    >>> from skhpo import default_space
    >>> default_space(make_pipeline(StandardScaler(), SVR()))["svr__C"]
    Real(0.03125, 32768.0, log=True)
    """
    found = _find(estimator)
    return _prefixed(SPACE_BUILDERS[found.key](found.estimator), found.prefix)


def portfolio(estimator: Any) -> list[dict]:
    """Settings that worked well across many data sets, best single default first.

    Parameters
    ----------
    estimator : estimator object
        As for :func:`default_space`.

    Returns
    -------
    list of dict
        3 to 5 settings, each naming every parameter of one sub-space of
        ``default_space(estimator)`` and lying in it (``step__param`` names
        inside pipelines). Their sources are listed in :doc:`/defaults`.

    Raises
    ------
    ValueError
        When no portfolio is known for the estimator; the message names it.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from skhpo import portfolio
    >>> portfolio(KNeighborsClassifier())[0]
    {'n_neighbors': 30, 'weights': 'distance', 'p': 2}
    """
    found = _find(estimator)
    space = SearchSpace(_prefixed(SPACE_BUILDERS[found.key](found.estimator), found.prefix))
    settings = _prefixed(PORTFOLIO_BUILDERS[found.key](found.estimator), found.prefix)
    return settings_in_space(settings, space, estimator)


def default_order(estimator: Any, names: list[str]) -> list[str] | None:
    """The order in which to tune ``names`` for this estimator, or None when none is known.

    Only MLPs have one: the deep-learning ranking of :data:`._spaces.MLP_ORDER`
    (learning rate first), restricted to the parameters in ``names``.
    """
    try:
        found = _find(estimator)
    except ValueError:
        return None
    if found.key != "mlp":
        return None
    ranked = [found.prefix + name for name in MLP_ORDER]
    return [name for name in ranked if name in names] or None


def _find(estimator: Any, prefix: str = "") -> Found:
    """The final estimator inside any pipelines, with its prefix and builders' key."""
    if isinstance(estimator, Pipeline) and estimator.steps:
        name, last = estimator.steps[-1]
        return _find(last, f"{prefix}{name}__")
    for classes, key in _ENTRIES:
        if isinstance(estimator, classes):
            found = Found(estimator, prefix, key)
            if _names_are_parameters(found):
                return found
            break  # a subclass with other parameters: no ready space fits it
    raise ValueError(
        f"no default search space is known for {type(estimator).__name__}: pass "
        "param_distributions as a dict of its parameter names (step__param in a "
        "pipeline) to ranges or choices, e.g. {'alpha': skhpo.Real(1e-4, 1e2, log=True)}. "
        f"Ready spaces exist for {', '.join(known_estimators())} (and pipelines ending in one)."
    )


def _names_are_parameters(found: Found) -> bool:
    params = found.estimator.get_params(deep=False)
    space = SPACE_BUILDERS[found.key](found.estimator)
    subspaces = space if isinstance(space, list) else [space]
    return all(name in params for subspace in subspaces for name in subspace)


def _prefixed(space: Any, prefix: str) -> Any:
    """``space`` (a dict or a list of dicts) with every name prefixed."""
    if isinstance(space, list):
        return [_prefixed(d, prefix) for d in space]
    return {prefix + name: value for name, value in space.items()}
