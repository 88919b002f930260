"""The base class of every skhpo search: one ``_run_search`` for all strategies.

A public search is a subclass that declares its strategy and options (see
:mod:`skhpo._declare`) and whose ``__init__`` only assigns them; cross-validation, scoring, refit,
``cv_results_`` and joblib parallelism all come from scikit-learn's
``BaseSearchCV``.
"""

from __future__ import annotations

import inspect
import os
from numbers import Integral, Real
from typing import Any

import numpy as np

from . import _declare
from ._bounds import warn_if_best_at_bound
from ._compat import BaseSearchCV, HasMethods, Interval, StrOptions
from ._docstrings import ATTRIBUTES, COMMON_PARAMETERS
from ._halving import HalvingRun
from ._inputs import metric_names, optimised_metric
from ._loop import SearchRun
from ._seam import SEAM_ATTRIBUTE, FitSeam
from ._selection import SELECTIONS, choose_winner
from .defaults._resolve import resolve_initial, resolve_space
from .space import SearchSpace
from .strategies import Strategy

__all__ = ["BaseStrategySearchCV"]


class _SkoptNameHints:
    """A base whose ``__new__`` refuses scikit-optimize's parameter names with a hint
    (the searches' own ``__init__`` stays the one signature sklearn inspects)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        for name, instead in _SKOPT_NAMES.items():
            if name in kwargs:
                raise TypeError(f"{cls.__name__}: {name} is scikit-optimize's name; use {instead}")
        return super().__new__(cls)


class BaseStrategySearchCV(_SkoptNameHints, BaseSearchCV):
    """Base class of searches driven by an ask/tell :class:`~skhpo.strategies.Strategy`.

    A subclass declares its strategy and options once (see :mod:`skhpo._declare`);
    the base derives from the declaration the option constraints, the strategy it
    builds, the complete class docstring and the subclass's entry in
    :func:`skhpo.utils.all_searches`. A subclass may instead override
    :meth:`_make_strategy` (or :meth:`_strategy_arguments`) where building the
    strategy needs more than the option values.
    """

    #: The strategy the search runs, built as ``_strategy_class(space, rng, **options)``.
    _strategy_class: type | None = None
    #: The strategy's options: ``{name: scikit-learn parameter constraints}``.
    _strategy_options: dict = {}
    #: Options of the search itself, not passed to the strategy: ``{name: constraints}``.
    _search_options: dict = {}
    #: How the docstring describes the default ``batch_size``.
    _default_batch_size: str = "the strategy's"

    _parameter_constraints: dict = {
        **BaseSearchCV._parameter_constraints,
        "param_distributions": [dict, list, StrOptions({"auto"}), None],
        "param_grid": [dict, list, StrOptions({"auto"}), None],
        "objective": [str, None],
        "n_iter": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "initial_params": [list, StrOptions({"portfolio"}), None],
        "max_time": [Interval(Real, 0, None, closed="neither"), None],
        "callbacks": [list, callable, None],
        "checkpoint": [str, os.PathLike, None],
        "warm_start_from": [dict, HasMethods(["fit"]), None],
        "include_warm_start": ["boolean"],
        "selection": [StrOptions(set(SELECTIONS))],
        "resource": [str, None],
        "min_resources": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"smallest", "exhaust"}),
        ],
        "max_resources": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "factor": [Interval(Real, 1, None, closed="neither")],
        "racing": ["boolean", Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(
        self,
        estimator: Any,
        param_distributions: dict | list | None = None,
        *,
        param_grid: dict | list | None = None,
        n_iter: int = 50,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool | str | Any = True,
        objective: str | None = None,
        cv: Any = None,
        verbose: int = 0,
        pre_dispatch: int | str = "2*n_jobs",
        random_state: Any = None,
        error_score: Any = np.nan,
        return_train_score: bool = False,
        batch_size: int | None = None,
        initial_params: list[dict] | None = None,
        max_time: float | None = None,
        callbacks: list | None = None,
        checkpoint: str | os.PathLike | None = None,
        warm_start_from: Any = None,
        include_warm_start: bool = False,
        selection: str = "best",
        resource: str | None = None,
        min_resources: int | str = "exhaust",
        max_resources: int | str = "auto",
        factor: float = 3,
        racing: bool | float = False,
    ) -> None:
        super().__init__(
            estimator=estimator,
            scoring=scoring,
            n_jobs=n_jobs,
            refit=refit,
            cv=cv,
            verbose=verbose,
            pre_dispatch=pre_dispatch,
            error_score=error_score,
            return_train_score=return_train_score,
        )
        self.param_distributions = param_distributions
        self.param_grid = param_grid
        self.objective = objective
        self.n_iter = n_iter
        self.random_state = random_state
        self.batch_size = batch_size
        self.initial_params = initial_params
        self.max_time = max_time
        self.callbacks = callbacks
        self.checkpoint = checkpoint
        self.warm_start_from = warm_start_from
        self.include_warm_start = include_warm_start
        self.selection = selection
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.factor = factor
        self.racing = racing

    def _check_refit_for_multimetric(self, scores: Any) -> None:
        # scikit-learn's check, with messages that name refit or objective and list
        # the metrics; also run, for a callable scoring, once its metrics are known.
        optimised_metric(self, list(scores))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = vars(cls)
        if "_strategy_class" not in own and "_strategy_options" not in own:
            return  # not a declaration: a subclass of a search (e.g. in a test)
        common = set(inspect.signature(BaseStrategySearchCV.__init__).parameters) - {"self"}
        _declare.check_declaration(cls, common)
        cls._parameter_constraints = _declare.declared_constraints(
            cls, BaseStrategySearchCV._parameter_constraints
        )
        _declare.complete_docstring(cls, COMMON_PARAMETERS, ATTRIBUTES)
        _declare.register(cls)

    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        """The strategy of this search, built from the parsed space and a generator."""
        if self._strategy_class is None:
            raise NotImplementedError(f"{type(self).__name__} declares no _strategy_class")
        return self._strategy_class(space, rng, **self._strategy_arguments(space))

    def _strategy_arguments(self, space: SearchSpace) -> dict[str, Any]:
        """The strategy's keyword arguments: the values of the declared options."""
        return _declare.strategy_arguments(self)

    def _initial_candidates(self, space: SearchSpace) -> list[dict] | None:
        """Parameter dicts evaluated before the strategy's own proposals."""
        return resolve_initial(self, space)

    def _run_search(self, evaluate_candidates: Any, callback_ctx: Any = None) -> None:
        """Ask the strategy for batches, evaluate them, tell it the scores."""
        # The seam is this fit's only writer of private state on the search; it
        # removes that state when the fit ends, however it ends.
        with FitSeam(self, evaluate_candidates) as seam:
            run = SearchRun if self.resource is None else HalvingRun
            run(self, seam, callback_ctx).run()

    def _select_best_index(self, refit: Any, refit_metric: str, results: dict) -> int:
        # scikit-learn's hook (see _compat), called once by ``fit`` after the search:
        # the ``selection`` rule's choice and the corrected estimate of its score. With
        # successive halving only rows at the highest rung reached may be chosen, as
        # scikit-learn's halving searches choose (see ``_selection.eligible_rows``).
        winner = choose_winner(self, refit, refit_metric, results)
        self.__dict__.pop("best_score_corrected_", None)  # none for a callable refit
        if winner.corrected_score is not None:
            self.best_score_corrected_ = winner.corrected_score
        # The warning is about the candidate chosen, whichever rule chose it.
        metric = (
            refit_metric if isinstance(refit_metric, str)  # "score" with one metric
            else optimised_metric(self, metric_names(results))  # a callable refit
        )  # fmt: skip
        if np.isfinite(results[f"mean_test_{metric}"][winner.index]):
            space = SearchSpace(resolve_space(self))
            warn_if_best_at_bound(space, results["params"][winner.index], self.estimator)
        return winner.index

    def __getstate__(self) -> dict:
        # scikit-learn >= 1.9 sends the search itself to every fit (``caller=self``,
        # for its callbacks): the per-fit bookkeeping, which grows with every batch,
        # stays behind, so what each worker receives does not grow as the search does.
        state = dict(super().__getstate__())  # may be the instance's own __dict__
        fitting = SEAM_ATTRIBUTE in state
        for transient in _TRANSIENT_STATE:
            state.pop(transient, None)
        if fitting:
            # The copies sent to the workers never run the callbacks (called between
            # batches, in the process that runs fit) nor read the earlier search: a
            # callback holding a lock or a client need not pickle. A search pickled
            # outside fit keeps both.
            for option in _MAIN_PROCESS_OPTIONS:
                if option in state:
                    state[option] = None
        return state

    def _format_results(
        self, candidate_params: list, n_splits: int, out: list, more_results: Any = None
    ) -> dict:
        # During a fit, the fit's seam adds the rows scikit-learn did not evaluate.
        seam = self.__dict__.get(SEAM_ATTRIBUTE)
        if seam is None:
            return super()._format_results(candidate_params, n_splits, out, more_results)
        return seam.format_results(
            super()._format_results, candidate_params, n_splits, out, more_results
        )


#: scikit-optimize's parameter names and what to write instead.
_SKOPT_NAMES = {"search_spaces": "param_distributions (or param_grid)", "n_points": "batch_size"}

#: Attributes that live only during ``fit``: skhpo's per-fit seam (see
#: ``_run_search``) and scikit-learn's callback context of the running fit, which
#: links the contexts of every batch so far (a fit receives its own context as an
#: argument; the copy of the search it receives only names the caller).
_TRANSIENT_STATE = (SEAM_ATTRIBUTE, "_callback_fit_ctx")
#: Options only the process that runs ``fit`` uses.
_MAIN_PROCESS_OPTIONS = ("callbacks", "warm_start_from")
