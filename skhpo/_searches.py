"""The public searches: each is its options plus the strategy it builds."""

from __future__ import annotations

import numpy as np

from ._search import BaseStrategySearchCV
from .space import SearchSpace
from .strategies import Strategy

__all__ = ["BayesSearchCV", "CoordinateSearchCV", "EvolutionarySearchCV", "TPESearchCV"]

_COMMON_PARAMETERS = """
    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; cloned, never changed.
    param_distributions : dict or list of dicts
        The search space, as ``GridSearchCV`` and ``RandomizedSearchCV`` accept it:
        parameter names (``step__param`` in a pipeline) mapped to a list / tuple /
        1-D array of choices (numbers are ordered choices, anything else
        unordered), a scipy.stats distribution (``loguniform`` is a log-scale
        range), or a :class:`~skhpo.Real`, :class:`~skhpo.Integer` or
        :class:`~skhpo.Categorical`. A list of dicts is a choice among
        sub-spaces (e.g. one per kernel).
    n_iter : int, default=50
        Number of candidates evaluated (rows of ``cv_results_``); fewer only when
        a finite space is exhausted.
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, ``refit`` names the one the search optimises. ``verbose >= 1``
        also prints progress after each batch.
    random_state : int, RandomState instance or None, default=None
        Seed of the search: the same seed, data, space and options give the
        same candidates in the same order, whatever ``n_jobs`` or joblib backend.
    batch_size : int or None, default=None
        Candidates proposed together and evaluated in one parallel round
        (``batch_size x n_splits`` fits dispatched at once). None: the
        strategy's default, {default_batch_size}.
    initial_params : list of dict or None, default=None
        Candidates evaluated first (e.g. settings known to work), each a dict
        naming every parameter of one sub-space. Validated before any fit.
    max_time : float or None, default=None
        Seconds after which no new batch starts.
    callbacks : callable, list of callables or None, default=None
        Called after each batch with a :class:`~skhpo.callbacks.SearchState`;
        one returning True stops the search (see :mod:`skhpo.callbacks`).
    checkpoint : str, path or None, default=None
        Not supported yet: a search given one raises ``NotImplementedError``.
"""

_ATTRIBUTES = """
    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        As in ``GridSearchCV``, one row per candidate in the order evaluated,
        plus ``batch``: the index of the batch that evaluated each row.
    best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, \
refit_time_, multimetric_, classes_, n_features_in_, feature_names_in_
        As in ``GridSearchCV``.
"""


class _NotYetBuilt(BaseStrategySearchCV):
    """A public search whose strategy is still being built: ``fit`` says so."""

    _issue: str = ""

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        raise NotImplementedError(
            f"{type(self).__name__}'s strategy is not built yet ({self._issue}); "
            "no model was fitted."
        )


def _document(cls: type, summary: str, default_batch_size: str) -> type:
    cls.__doc__ = (
        summary + _COMMON_PARAMETERS.format(default_batch_size=default_batch_size) + _ATTRIBUTES
    )
    return cls


class BayesSearchCV(_NotYetBuilt):
    _issue = "Gaussian-process Bayesian optimisation"


class TPESearchCV(_NotYetBuilt):
    _issue = "Tree-structured Parzen Estimator"


class EvolutionarySearchCV(_NotYetBuilt):
    _issue = "evolutionary search"


class CoordinateSearchCV(_NotYetBuilt):
    _issue = "coordinate search"


_document(
    BayesSearchCV,
    "Bayesian optimisation of hyperparameters with a Gaussian-process surrogate.\n\n"
    "    Not built yet: ``fit`` raises ``NotImplementedError``.\n",
    "not decided yet",
)
_document(
    TPESearchCV,
    "Hyperparameter search with Tree-structured Parzen Estimators.\n\n"
    "    Not built yet: ``fit`` raises ``NotImplementedError``.\n",
    "not decided yet",
)
_document(
    EvolutionarySearchCV,
    "Hyperparameter search by an evolving population.\n\n"
    "    Not built yet: ``fit`` raises ``NotImplementedError``.\n",
    "not decided yet",
)
_document(
    CoordinateSearchCV,
    "Hyperparameter search one parameter at a time, most important first.\n\n"
    "    Not built yet: ``fit`` raises ``NotImplementedError``.\n",
    "not decided yet",
)
