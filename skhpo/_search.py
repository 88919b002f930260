"""The base class of every skhpo search: one ``_run_search`` for all strategies.

A public search is a subclass whose ``__init__`` only assigns its options and
whose ``_make_strategy`` builds its strategy; cross-validation, scoring, refit,
``cv_results_`` and joblib parallelism all come from scikit-learn's
``BaseSearchCV``.
"""

from __future__ import annotations

import os
import warnings
from abc import abstractmethod
from collections import defaultdict
from numbers import Integral, Real
from typing import Any

import numpy as np

from ._compat import BaseSearchCV, HasMethods, Interval, StrOptions
from ._loop import SearchRun, optimised_metric
from .defaults._resolve import resolve_initial
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

    Subclasses implement :meth:`_make_strategy`. Parameters common to every
    search are documented on the public classes.
    """

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

    def _check_refit_for_multimetric(self, scores: Any) -> None:
        # scikit-learn's check, with messages that name refit or objective and list
        # the metrics; also run, for a callable scoring, once its metrics are known.
        optimised_metric(self, list(scores))

    @abstractmethod
    def _make_strategy(self, space: SearchSpace, rng: np.random.Generator) -> Strategy:
        """The strategy of this search, built from the parsed space and a generator."""

    def _initial_candidates(self, space: SearchSpace) -> list[dict] | None:
        """Parameter dicts evaluated before the strategy's own proposals."""
        return resolve_initial(self, space)

    def _run_search(self, evaluate_candidates: Any, callback_ctx: Any = None) -> None:
        """Ask the strategy for batches, evaluate them, tell it the scores."""
        # Rows cv_results_ must hold that scikit-learn did not evaluate in this fit:
        # batches whose every fit failed, batches restored from a checkpoint.
        self._extra_rows: list = []
        self._quiet_format = True
        try:
            SearchRun(self, evaluate_candidates, callback_ctx).run()
        finally:
            # Per-fit bookkeeping must not outlive the fit (nor be pickled with it).
            del self._extra_rows, self._quiet_format
            self.__dict__.pop("_last_format_args", None)

    def __getstate__(self) -> dict:
        # scikit-learn >= 1.9 sends the search itself to every fit (``caller=self``,
        # for its callbacks): the per-fit bookkeeping, which grows with every batch,
        # stays behind, so what each worker receives does not grow as the search does.
        state = dict(super().__getstate__())  # may be the instance's own __dict__
        for transient in _TRANSIENT_STATE:
            state.pop(transient, None)
        return state

    def _format_results(
        self, candidate_params: list, n_splits: int, out: list, more_results: Any = None
    ) -> dict:
        # Rows of batches whose every fit failed (scikit-learn raises instead of
        # keeping them) and rows restored from a checkpoint: splice them in.
        self._last_format_args = (candidate_params, n_splits, out, more_results)
        failed = getattr(self, "_extra_rows", None)
        if failed:
            candidate_params, out, more_results = _splice_rows(
                failed, candidate_params, n_splits, out, more_results, self.error_score
            )
        with warnings.catch_warnings():
            if getattr(self, "_quiet_format", False):
                # Results are formatted after every batch; warn about non-finite
                # scores once, when the final results are formatted.
                warnings.filterwarnings("ignore", "One or more of the .* scores are non-finite")
            return super()._format_results(candidate_params, n_splits, out, more_results)


#: scikit-optimize's parameter names and what to write instead.
_SKOPT_NAMES = {"search_spaces": "param_distributions (or param_grid)", "n_points": "batch_size"}

#: Attributes that live only during ``fit``: skhpo's per-fit bookkeeping (see
#: ``_run_search``) and scikit-learn's callback context of the running fit, which
#: links the contexts of every batch so far (a fit receives its own context as an
#: argument; the copy of the search it receives only names the caller).
_TRANSIENT_STATE = ("_extra_rows", "_quiet_format", "_last_format_args", "_callback_fit_ctx")


def _splice_rows(
    extra: list,
    candidate_params: list,
    n_splits: int,
    out: list,
    more_results: Any,
    error_score: float,
) -> tuple[list, list, dict]:
    """Interleave rows scikit-learn did not evaluate with the evaluated ones, by position.

    ``extra`` holds ``(position, params, more_results, outcome)`` per batch, where
    ``position`` is the number of candidates before that batch and ``outcome``
    either the error message of a batch whose every fit failed or, for a batch
    restored from a checkpoint, its per-candidate lists of per-fold result dicts.
    """
    template = out[0]

    def failed_out(message: str) -> dict:
        row = dict(template, fit_error=message, fit_time=np.nan, score_time=np.nan)
        for key in ("test_scores", "train_scores"):
            if key in template:
                scores = template[key]
                row[key] = (
                    {name: error_score for name in scores}
                    if isinstance(scores, dict)
                    else error_score
                )
        return row

    def batch_outs(outcome: Any, n_candidates: int) -> list[dict]:
        if isinstance(outcome, str):
            return [failed_out(outcome)] * (n_candidates * n_splits)
        # Restored results, with the keys this version of scikit-learn produces.
        return [{k: split.get(k, np.nan) for k in template} for c in outcome for split in c]

    more_results = more_results or {}
    params_out: list = []
    outs: list = []
    more: dict = defaultdict(list)
    pending = sorted(extra, key=lambda batch: batch[0])
    real = 0
    while real < len(candidate_params) or pending:
        if pending and pending[0][0] <= len(params_out):
            _, params, batch_more, outcome = pending.pop(0)
            params_out.extend(params)
            outs.extend(batch_outs(outcome, len(params)))
            for key in more_results:
                more[key].extend(batch_more.get(key, [None] * len(params)))
        else:
            params_out.append(candidate_params[real])
            outs.extend(out[real * n_splits : (real + 1) * n_splits])
            for key, values in more_results.items():
                more[key].append(values[real])
            real += 1
    return params_out, outs, dict(more)
