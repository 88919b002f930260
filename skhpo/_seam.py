"""The one seam between a running search and scikit-learn's private search machinery.

Everything skhpo relies on in ``BaseSearchCV`` beyond its public API goes
through the :class:`FitSeam` a ``fit`` holds, and nothing else writes private
per-fit state onto the search:

* ``evaluate_candidates`` (with its per-call "Fitting ..." line silenced), and
  ``n_splits_`` set before the search runs, as scikit-learn >= 1.9 sets it;
* ``_format_results``, which the search's override hands to the seam: it
  splices in rows scikit-learn did not evaluate (batches whose every fit
  failed, candidates restored from a checkpoint or a warm start), keeps the
  arguments of its last call (per-fold results, for checkpoints) and holds back
  the warning about non-finite scores until the final results; with racing, it
  hands the final results to ``BaseSearchCV.fit`` (``fit_locals``);
* the pre-release callback API (``sklearn.callback``), behind
  :class:`TaskContext`, which does nothing when there are no callbacks;
* the ``X``, ``y`` and splitter parameters ``evaluate_candidates`` closes over
  (``data``), which successive halving checks before any fit, and the estimator
  it clones for every fit (``fitting_with``), which halving on an iteration
  parameter replaces for the duration of the search so that promoted
  candidates continue training.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ._compat import fit_locals

__all__ = [
    "BATCH_KEY", "ITER_KEY", "PRUNED_KEY", "RESOURCES_KEY", "SEAM_ATTRIBUTE", "FitSeam",
    "TaskContext", "splice_rows", "without_batch",
]  # fmt: skip

#: Name of the ``cv_results_`` column telling which batch evaluated each row.
BATCH_KEY = "batch"
#: ``cv_results_`` columns of fold racing (rows stopped early) and successive halving
#: (the rung and its resource, named as scikit-learn's halving searches name them).
PRUNED_KEY = "pruned"
ITER_KEY, RESOURCES_KEY = "iter", "n_resources"
#: The one attribute a fit sets on the search: its :class:`FitSeam`.
SEAM_ATTRIBUTE = "_fit_seam"


class FitSeam:
    """scikit-learn's side of one ``fit``: the only writer of the search's per-fit state.

    Used as a context manager for the duration of ``_run_search``: on entry it
    is set on the search (where ``_format_results`` finds it), on exit removed,
    whatever happens, so that nothing of it outlives the fit or is pickled.

    Parameters
    ----------
    search : BaseStrategySearchCV
        The search being fitted.
    evaluate_candidates : callable
        From ``BaseSearchCV.fit``.
    """

    def __init__(self, search: Any, evaluate_candidates: Callable) -> None:
        self.search = search
        self.evaluate_candidates = evaluate_candidates
        # Rows cv_results_ must hold that scikit-learn did not evaluate in this fit,
        # as ``(position, params, more_results, outcome)`` (see ``splice_rows``).
        self.extra_rows: list[tuple[int, list, dict, Any]] = []
        # The arguments of the last ``_format_results`` call (all evaluated rows).
        self.last_format_args: tuple | None = None
        # Results are formatted after every batch: warn about non-finite scores
        # once, when the final results are formatted.
        self.quiet = True
        # Replaces scikit-learn's formatting when rows may be partly fitted (racing):
        # called as ``reformat(format_results, candidate_params, n_splits, out, more)``.
        self.reformat: Callable | None = None

    def __enter__(self) -> FitSeam:
        setattr(self.search, SEAM_ATTRIBUTE, self)
        n_splits = _closure_n_splits(self.evaluate_candidates)
        if n_splits is not None:
            # scikit-learn < 1.9 sets n_splits_ after the search, >= 1.9 before it, as
            # the loop needs it (warm starts, progress, strategies): set it as 1.9 does.
            self.search.n_splits_ = n_splits
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.search.__dict__.pop(SEAM_ATTRIBUTE, None)

    # -- evaluation -----------------------------------------------------------------
    def evaluate(self, params: list[dict], *, quiet_header: bool = True, **kwargs: Any) -> dict:
        """``evaluate_candidates(params, **kwargs)``; the results so far.

        With ``quiet_header``, scikit-learn's per-call "Fitting ..." line is not
        printed (skhpo prints one header per ``fit``).
        """
        if not quiet_header:
            return self.evaluate_candidates(params, **kwargs)
        with _header_silenced(self.search):
            return self.evaluate_candidates(params, **kwargs)

    def data(self) -> tuple[Any, Any, dict]:
        """The ``X``, ``y`` and splitter parameters (``groups``...) this fit was given,
        read from ``evaluate_candidates`` (to check them before any fit)."""
        names = self.evaluate_candidates.__code__.co_freevars
        cells = dict(zip(names, self.evaluate_candidates.__closure__))
        routed = cells["routed_params"].cell_contents
        return cells["X"].cell_contents, cells["y"].cell_contents, dict(routed.splitter.split)

    def checked_cv(self) -> Any:
        """The splitter ``fit`` made of ``cv`` (``check_cv``'s), or ``cv`` as given.

        An iterable of splits, such as a generator, can be read once: ``fit`` has
        already turned it into a splitter, which must be used rather than ``cv``.
        """
        checked = getattr(self.search, "_checked_cv_orig", None)  # scikit-learn >= 1.9
        if checked is not None:
            return checked
        names = getattr(getattr(self.evaluate_candidates, "__code__", None), "co_freevars", ())
        if "cv_orig" in names:  # scikit-learn < 1.9: a local of fit
            return self.evaluate_candidates.__closure__[names.index("cv_orig")].cell_contents
        return self.search.cv

    def fitting_with(self, estimator: Any) -> Callable[[], None] | None:
        """Make ``evaluate_candidates`` clone ``estimator`` for its fits, until the
        returned function is called (``refit`` must clone the user's estimator again);
        None, and nothing changed, where this scikit-learn's ``fit`` has no such local."""
        cells = self.fit_locals()
        if cells is None:
            return None
        cell = cells["base_estimator"]
        given = cell.cell_contents
        cell.cell_contents = estimator

        def restore() -> None:
            cell.cell_contents = given

        return restore

    def batch_splits(self, batch: int) -> list[list[dict]]:
        """scikit-learn's per-fold results of each candidate of ``batch`` (for checkpoints)."""
        _, n_splits, out, more_results = self.last_format_args
        tags = more_results[BATCH_KEY]
        return [out[i * n_splits : (i + 1) * n_splits] for i, b in enumerate(tags) if b == batch]

    def fit_locals(self) -> dict | None:
        """Cells of ``BaseSearchCV.fit``'s locals (see ``_compat.FIT_LOCALS``), or None."""
        return fit_locals(self.evaluate_candidates)

    # -- rows scikit-learn did not evaluate -------------------------------------------
    def add_rows(
        self, position: int, params: list[dict], batch: int, outcome: Any,
        more_results: dict | None = None,
    ) -> None:  # fmt: skip
        """Put rows in ``cv_results_`` at ``position`` (the candidates before them).

        ``outcome`` is the error message of a batch whose every fit failed, or the
        per-candidate lists of per-fold result dicts of restored candidates;
        ``more_results`` other columns of the rows (lists, one value per row).
        """
        more_results = {BATCH_KEY: [batch] * len(params), **(more_results or {})}
        self.extra_rows.append((position, params, more_results, outcome))

    def take_last_restored(self) -> tuple[list[dict], dict] | None:
        """Remove the last added rows that hold results; their params and more_results."""
        for i in range(len(self.extra_rows) - 1, -1, -1):
            _, params, more_results, outcome = self.extra_rows[i]
            if not isinstance(outcome, str):
                del self.extra_rows[i]
                return params, more_results
        return None

    # -- results --------------------------------------------------------------------
    def format_results(
        self, format_results: Callable, candidate_params: list, n_splits: int, out: list,
        more_results: Any,
    ) -> dict:  # fmt: skip
        """scikit-learn's ``_format_results`` with the added rows spliced in."""
        self.last_format_args = (candidate_params, n_splits, out, more_results)
        if self.extra_rows:
            candidate_params, out, more_results = splice_rows(
                self.extra_rows, candidate_params, n_splits, out, more_results,
                self.search.error_score,
            )  # fmt: skip
        with warnings.catch_warnings():
            if self.quiet:
                warnings.filterwarnings("ignore", "One or more of the .* scores are non-finite")
            if self.reformat is not None:
                return self.reformat(format_results, candidate_params, n_splits, out, more_results)
            return format_results(candidate_params, n_splits, out, more_results)

    def current_results(self) -> dict:
        """``cv_results_`` of every row so far, added ones included, without fitting."""
        return self.search._format_results(*self._format_args())

    def _format_args(self) -> tuple:
        if self.last_format_args is None:  # scikit-learn has evaluated nothing in this fit
            return [], self.search.n_splits_, [], {}
        return self.last_format_args

    def finish(self, results: dict, unrecorded: int | None = None) -> dict:
        """Refresh ``results`` in place to hold every row; warn about non-finite scores.

        ``BaseSearchCV.fit`` keeps the dict the last successful call returned:
        refreshing it in place makes it hold the rows of trailing failed
        batches. The rows of batch ``unrecorded`` (interrupted before it was
        recorded) are left out.
        """
        self.quiet = False
        args = self._format_args()
        if unrecorded is not None:
            args = without_batch(args, unrecorded)
            self.extra_rows = [r for r in self.extra_rows if r[2][BATCH_KEY][:1] != [unrecorded]]
        final = self.search._format_results(*args)
        results.clear()
        results.update(final)
        self._hand_over(results)
        return results

    def _hand_over(self, results: dict) -> None:
        """Make ``BaseSearchCV.fit`` keep ``results`` when rows were added after its last
        ``evaluate_candidates`` call, or without any (a raced search)."""
        cells = self.fit_locals()
        if cells is None:
            return
        cells["results"].cell_contents = results  # what fit keeps as cv_results_
        all_out = cells["all_out"].cell_contents
        if not all_out:  # fit reads its first fit's scores to tell one metric from several
            all_out.append(_first_out(self.extra_rows))


class TaskContext:
    """scikit-learn's callback context of one task, or none: then every call does nothing.

    scikit-learn >= 1.9 gives ``_run_search`` a ``callback_ctx`` (its callback
    API is pre-release); earlier versions give none.

    Parameters
    ----------
    ctx : sklearn.callback.CallbackContext or None
    estimator : estimator
        The estimator the task belongs to (passed to the callbacks).
    """

    def __init__(self, ctx: Any, estimator: Any) -> None:
        self.ctx = ctx
        self.estimator = estimator

    def begin_subtask(self, task_name: str, max_subtasks: int | None, **kwargs: Any) -> TaskContext:
        """Begin a subtask of this task; its context (none without one here)."""
        if self.ctx is None:
            return self
        sub = self.ctx.subcontext(task_name=task_name, max_subtasks=max_subtasks, **kwargs)
        return TaskContext(sub.call_on_fit_task_begin(estimator=self.estimator), self.estimator)

    def end(self) -> bool:
        """End this task; whether a callback asked to stop."""
        if self.ctx is None:
            return False
        return bool(self.ctx.call_on_fit_task_end(estimator=self.estimator))

    def as_kwargs(self) -> dict:
        """Keyword arguments passing this context to ``evaluate_candidates``."""
        return {} if self.ctx is None else {"callback_ctx": self.ctx}


def _closure_n_splits(evaluate_candidates: Callable) -> int | None:
    """The folds per candidate of scikit-learn < 1.9's ``evaluate_candidates`` (which
    reads them from ``fit``'s local ``n_splits``); None for later versions."""
    names = getattr(getattr(evaluate_candidates, "__code__", None), "co_freevars", ())
    if "n_splits" not in names:
        return None
    value = evaluate_candidates.__closure__[names.index("n_splits")].cell_contents
    return int(value)


@contextmanager
def _header_silenced(search: Any) -> Iterator[None]:
    """Hide scikit-learn's per-call "Fitting ..." line, keep its per-fit messages.

    ``evaluate_candidates`` reads ``search.verbose`` on each call only to print
    that line; the verbosity of each fit's own message (``verbose >= 2``) was
    fixed when ``fit`` started. So ``verbose`` is 0 during the call and restored
    after it, whatever happens.
    """
    verbose = search.verbose
    search.verbose = 0
    try:
        yield
    finally:
        search.verbose = verbose


def without_batch(format_args: tuple, batch: int) -> tuple:
    """``_format_results``'s arguments less the candidates of ``batch``."""
    candidate_params, n_splits, out, more_results = format_args
    keep = [i for i, b in enumerate(more_results[BATCH_KEY]) if b != batch]
    return (
        [candidate_params[i] for i in keep],
        n_splits,
        [o for i in keep for o in out[i * n_splits : (i + 1) * n_splits]],
        {key: [values[i] for i in keep] for key, values in more_results.items()},
    )


def splice_rows(
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
    template = out[0] if out else _first_out(extra)

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
    keys = dict.fromkeys([*more_results, *(k for batch in extra for k in batch[2])])
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
            for key in keys:
                more[key].extend(batch_more.get(key, [None] * len(params)))
        else:
            params_out.append(candidate_params[real])
            outs.extend(out[real * n_splits : (real + 1) * n_splits])
            for key in keys:
                more[key].append(more_results[key][real] if key in more_results else None)
            real += 1
    return params_out, outs, dict(more)


def _first_out(extra: list) -> dict:
    """The first per-fold result dict of added rows that hold results."""
    return next(o[0][0] for _, _, _, o in extra if not isinstance(o, str))
