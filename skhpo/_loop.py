"""One run of a search: ask the strategy, evaluate a batch, tell it the scores.

:class:`SearchRun` is what ``_run_search`` drives.  It owns everything that
lives for one ``fit``: the parsed space, the strategy, the CV splits (made once
and replayed, so every batch is scored on the same folds), the keys of the
candidates already evaluated (no candidate is evaluated twice), the stopping
rules and sklearn's callback contexts.
"""

from __future__ import annotations

import signal
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import joblib
import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state

from ._bounds import warn_if_best_at_bound
from ._checkpoint import Checkpoint, StoredBatch, describe, fingerprint, legacy_options_hash
from ._compat import is_all_fits_failed_error
from ._progress import fitting_header, progress_line, sklearn_header_silenced
from ._warm_start import read_warm_start
from .callbacks import SearchState
from .defaults._resolve import resolve_space
from .space import SearchSpace
from .space._space import _ENUMERATION_LIMIT

__all__ = ["SearchRun"]

#: Name of the ``cv_results_`` column telling which batch evaluated each row.
BATCH_KEY = "batch"
# Times a strategy is asked again when its proposals repeat evaluated candidates.
_ASK_RETRIES = 3


class FixedSplits:
    """A CV splitter that splits once and then replays those same splits.

    ``evaluate_candidates`` calls ``cv.split`` on every call; a shuffling splitter
    without a ``random_state`` would give each batch other folds, making scores of
    different batches incomparable.

    Parameters
    ----------
    cv : int, splitter, iterable or None
        The search's ``cv`` parameter, resolved by ``check_cv`` as
        ``BaseSearchCV.fit`` resolves it.
    classifier : bool
        Whether the estimator is a classifier (stratified folds for an int ``cv``).
    on_split : callable or None
        Called as ``on_split(X, y, splits)`` once the splits are made.
    """

    def __init__(self, cv: Any, classifier: bool, on_split: Callable | None = None) -> None:
        self.cv = cv
        self.classifier = classifier
        self.on_split = on_split
        self.splits: list | None = None

    def split(self, X: Any, y: Any = None, **params: Any):
        if self.splits is None:
            cv = check_cv(self.cv, y, classifier=self.classifier)
            splits = list(cv.split(X, y, **params))
            if self.on_split is not None:  # before any fit: may refuse the data
                self.on_split(X, y, splits)
            self.splits = splits
        return iter(self.splits)

    def get_n_splits(self, X: Any = None, y: Any = None, **params: Any) -> int:
        return check_cv(self.cv, y, classifier=self.classifier).get_n_splits(X, y, **params)


class SearchRun:
    """The state of one search, from the first batch to the last.

    Parameters
    ----------
    search : BaseStrategySearchCV
        The search being fitted (its parameters are read, never changed).
    evaluate_candidates : callable
        From ``BaseSearchCV.fit``.
    callback_ctx : sklearn.callback.CallbackContext or None
        scikit-learn's callback context (scikit-learn >= 1.9), else None.
    """

    def __init__(self, search: Any, evaluate_candidates: Callable, callback_ctx: Any) -> None:
        check_loop_options(search)
        self.search = search
        self.evaluate_candidates = evaluate_candidates
        self.space = SearchSpace(resolve_space(search))
        check_param_names(search.estimator, self.space)
        self.initial, self.initial_params = _encode_initial(
            self.space, search._initial_candidates(self.space)
        )
        self.metric = optimised_metric(search)
        strategy_seed, fill_seed = np.random.SeedSequence(_entropy(search.random_state)).spawn(2)
        self.strategy = search._make_strategy(self.space, np.random.default_rng(strategy_seed))
        self.fill_rng = np.random.default_rng(fill_seed)
        self.batch_size = search.batch_size or self.strategy.default_batch_size
        self.n_iter = search.n_iter
        if self.space.size < self.n_iter:
            warnings.warn(
                f"The search space has only {self.space.size} candidates, fewer than "
                f"n_iter={self.n_iter}: the search evaluates each of them once.",
                UserWarning,
            )
        if len(self.initial) > self.n_iter:
            warnings.warn(
                f"initial_params holds {len(self.initial)} candidates, more than "
                f"n_iter={self.n_iter}: only the first {self.n_iter} are evaluated.",
                UserWarning,
            )
        self.warm_start = None
        if search.warm_start_from is not None:
            self.warm_start = read_warm_start(
                search.warm_start_from, self.space, self.metric, search.n_splits_,
                search.include_warm_start,
            )  # fmt: skip
        # Rows of cv_results_ before the candidates this search evaluates.
        self.row_offset = 0
        self.checkpoint, self.stored = None, []
        if search.checkpoint is not None:
            self.checkpoint = Checkpoint(
                search.checkpoint, type(search).__name__, fingerprint(search, self.space),
                describe(search), legacy_options_hash(search),
            )  # fmt: skip
        on_split = None if self.checkpoint is None else self._check_data
        self.cv = FixedSplits(search.cv, is_classifier(search.estimator), on_split)
        self.callbacks = _as_list(search.callbacks)
        self.evaluated_keys: set[bytes] = set()
        self.scores: list[float] = []
        self.params: list[dict] = []
        self.results: dict = {}
        self.n_batches = 0
        self.all_failed_error: ValueError | None = None
        # The batch whose results scikit-learn may hold but this run has not recorded.
        self.unrecorded: int | None = None
        self.interrupts = DeferredInterrupts()
        if self.checkpoint is not None:  # last: the lock is released by ``run``
            self.stored = self.checkpoint.open(self.space.n_columns)
        self.start = time.monotonic()
        # When the first batch started fitting, and the candidates fitted since.
        self.fit_start: float | None = None
        self.n_fitted = 0
        self.search_ctx = None
        if callback_ctx is not None:
            # The number of batches is not known in advance (user-given starting
            # points, exhausted spaces, stopping rules).
            try:
                self.search_ctx = callback_ctx.subcontext(
                    task_name="search", max_subtasks=None
                ).call_on_fit_task_begin(estimator=search)
            except BaseException:
                self._release()
                raise

    # -- the loop --------------------------------------------------------------------
    def run(self) -> None:
        """Evaluate batches until ``n_iter``, exhaustion, a stopping rule or Ctrl-C."""
        try:
            with self.interrupts:
                self._run()
        finally:
            self._release()

    def _release(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint.release()

    def _run(self) -> None:
        try:
            self._apply_warm_start()
            stop, pending = self._replay()
            self._warn_resumed(pending)
            while not stop and len(self.scores) < self.n_iter and (
                pending is not None or not self._out_of_time()
            ):  # fmt: skip
                prefix = None
                if pending is not None:  # complete the batch the file holds the start of
                    (X, params, prefix), pending = pending, None
                else:
                    # Always plan a whole batch, so that a smaller n_iter evaluates the
                    # start of the same batches and its checkpoint extends exactly.
                    X, params = self._next_batch(self.batch_size)
                    room = self.n_iter - len(self.scores)
                    X, params = X[:room], params[:room]
                if not len(X):
                    break  # a finite space is exhausted
                stop = self._evaluate(X, params, prefix)
        except KeyboardInterrupt:
            if not self.scores:
                raise
            warnings.warn(
                f"Search interrupted: keeping the {len(self.scores)} finished candidates and "
                "refitting the best of them (the batch running at the interrupt is lost). "
                "Press Ctrl-C again to abort.",
                UserWarning,
            )
        if self.search_ctx is not None:
            self.search_ctx.call_on_fit_task_end(estimator=self.search)
        self._finish()

    def _apply_warm_start(self) -> None:
        """Tell the strategy an earlier search's candidates; keep them as rows if asked."""
        warm = self.warm_start
        if warm is None or not len(warm.rows):
            return
        self.evaluated_keys.update(self.space.keys(warm.rows))
        self.strategy.tell(warm.rows, warm.y, warm.y_std)
        if warm.splits is not None:
            more_results = {BATCH_KEY: [-1] * len(warm.params)}  # batch -1: warm start
            self.search._extra_rows.append((0, warm.params, more_results, warm.splits))
            self.row_offset = len(warm.params)

    def _replay(self) -> tuple[bool, tuple | None]:
        """Restore the checkpoint's candidates without fitting.

        The strategy is asked for each batch exactly as in the run that wrote the
        file and told the stored scores, so a seeded search goes on proposing what
        an uninterrupted one would have. Of a file holding more than ``n_iter``
        candidates, the first ``n_iter`` are restored (what a search with that
        ``n_iter`` evaluates). Returns whether to stop, and the batch the file holds
        only the start of (its run reached its ``n_iter`` there) as ``(X, params,
        stored start)``, to be completed before the strategy is told.
        """
        for i, batch in enumerate(self.stored):
            room = self.n_iter - len(self.scores)
            if room <= 0:
                return True, None
            X, params = self._next_batch(self.batch_size)
            n = len(batch.rows)
            if n > len(X) or self.space.keys(X[:n]) != self.space.keys(batch.rows):
                warnings.warn(
                    f"checkpoint {self.checkpoint.path!r}: this search proposes other "
                    "candidates than the one that wrote it (random_state not an int?); its "
                    "candidates are kept and told to the strategy, and the search goes on "
                    "from there.",
                    UserWarning,
                )
                for rest in self.stored[i:]:
                    rest = rest.head(self.n_iter - len(self.scores))
                    if len(rest.rows):
                        self._restore(rest.rows, self.space.decode(rest.rows), rest)
                return False, None
            if n < min(len(X), room) and i == len(self.stored) - 1:
                return False, (X[:room], params[:room], batch)
            if self._restore(X[: min(n, room)], params[: min(n, room)], batch.head(room)):
                return True, None
        return False, None

    def _warn_resumed(self, pending: tuple | None) -> None:
        if not self.stored:
            return
        n = len(self.scores) + (0 if pending is None else len(pending[2].rows))
        held = sum(len(batch.rows) for batch in self.stored)
        more = f" (the first {n} of the {held} it holds: n_iter={self.n_iter})" if held > n else ""
        warnings.warn(
            f"Resumed {n} candidates from checkpoint {self.checkpoint.path!r}{more}: they "
            "are not fitted again.",
            UserWarning,
        )

    def _restore(self, X: np.ndarray, params: list[dict], batch: StoredBatch) -> bool:
        y, y_std = self._inject(params, batch)
        return self._record(X, params, y, y_std)

    def _inject(self, params: list[dict], batch: StoredBatch) -> tuple[np.ndarray, np.ndarray]:
        """Put a stored batch's rows in ``cv_results_``, in their place; their scores."""
        position = self.row_offset + len(self.scores)
        y, y_std = np.full(len(params), np.nan), np.full(len(params), np.nan)
        for start, stop, outcome in batch.parts():
            more_results = {BATCH_KEY: [self.n_batches] * (stop - start)}
            self.search._extra_rows.append(
                (position + start, params[start:stop], more_results, outcome)
            )
            if isinstance(outcome, str):  # every fit of that call failed
                y[start:stop] = float(self.search.error_score)
                self.all_failed_error = ValueError(outcome)
                continue
            try:
                y[start:stop], y_std[start:stop] = mean_and_std(outcome, self.metric)
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"checkpoint {self.checkpoint.path!r} is not a readable skhpo checkpoint "
                    f"(its test scores of {self.metric!r} cannot be read: {exc!r}); it was "
                    "left untouched: move it away or pass another path."
                ) from None
        return y, y_std

    def _check_data(self, X: Any, y: Any, splits: list) -> None:
        tests = [np.asarray(test) for _, test in splits]
        self.checkpoint.check_data(joblib.hash((X, y, tests)))

    def _next_batch(self, n: int) -> tuple[np.ndarray, list[dict]]:
        """Rows and parameter dicts of the next batch (user-given points first, as given)."""
        if len(self.initial_params):
            params, self.initial_params = self.initial_params[:n], self.initial_params[n:]
            X, self.initial = self.initial[:n], self.initial[n:]
            return X, [dict(p) for p in params]
        X = self._propose(n)
        return X, self.space.decode(X)

    def _out_of_time(self) -> bool:
        # The first batch always runs, so that a stopped search still has a best candidate.
        max_time = self.search.max_time
        elapsed = time.monotonic() - self.start
        return max_time is not None and self.n_batches > 0 and elapsed >= max_time

    def _propose(self, n: int) -> np.ndarray:
        """``n`` new candidates: the strategy's, then random ones for any it repeated."""
        n = int(min(n, self.space.size - len(self.evaluated_keys)))
        chosen: list[np.ndarray] = []
        chosen_keys: set[bytes] = set()

        def keep(X: np.ndarray) -> None:
            for x, key in zip(X, self.space.keys(X)):
                if len(chosen) < n and key not in self.evaluated_keys and key not in chosen_keys:
                    chosen.append(x)
                    chosen_keys.add(key)

        for _ in range(_ASK_RETRIES):
            if len(chosen) == n:
                break
            pending = np.array(chosen) if chosen else None
            keep(self.space.canonical(self.strategy.ask(n - len(chosen), pending), self.fill_rng))
        for _ in range(10):  # random fill-ins for what the strategy could not give
            if len(chosen) == n:
                break
            keep(self.space.sample(2 * (n - len(chosen)), self.fill_rng))
        if len(chosen) < n and self.space.size <= _ENUMERATION_LIMIT:
            keep(self.fill_rng.permutation(self.space.enumerate()))
        return np.array(chosen).reshape(len(chosen), self.space.n_columns)

    def _evaluate(
        self, X: np.ndarray, params: list[dict], prefix: StoredBatch | None = None
    ) -> bool:
        """Evaluate one batch, tell the strategy; return whether to stop.

        ``prefix`` is the start of the batch, restored from the checkpoint: only
        the rest is evaluated, and the strategy is told the whole batch at once,
        as in an uninterrupted search.
        """
        k = 0 if prefix is None else len(prefix.rows)
        new_X, new_params = X[k:], params[k:]
        more_results = {BATCH_KEY: [self.n_batches] * len(new_params)}
        batch_ctx, ctx_kwargs = None, {}
        if self.search_ctx is not None:
            batch_ctx = self.search_ctx.subcontext(
                task_name="batch",
                max_subtasks=len(new_params) * self.search.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self.search)
            ctx_kwargs = {"callback_ctx": batch_ctx}
        failure = None
        self.unrecorded = self.n_batches
        try:
            self.results = self._fit_batch(
                new_params, cv=self.cv, more_results=more_results, **ctx_kwargs
            )
            # From here until the batch is recorded and checkpointed, Ctrl-C waits.
            self.interrupts.holding = True
            y, y_std = self._batch_scores(self.n_batches)
        except ValueError as exc:
            self.interrupts.holding = True
            if not is_all_fits_failed_error(exc):
                raise
            y, y_std = self._record_failed_batch(new_params, more_results, exc, offset=k)
            failure = str(exc)
        if self.checkpoint is not None:
            splits = None if failure else self._batch_splits(self.n_batches)
            self.checkpoint.add_batch(self.n_batches, new_X, new_params, splits, failure)
        if prefix is not None:
            y0, y0_std = self._inject(params[:k], prefix)
            y, y_std = np.concatenate([y0, y]), np.concatenate([y0_std, y_std])
        stop = batch_ctx is not None and bool(batch_ctx.call_on_fit_task_end(estimator=self.search))
        return self._record(X, params, y, y_std, stop)

    def _record(
        self, X: np.ndarray, params: list[dict], y: np.ndarray, y_std: np.ndarray,
        stop: bool = False,
    ) -> bool:  # fmt: skip
        """Tell the strategy, report, call the callbacks; return whether to stop."""
        self.n_batches += 1
        self.unrecorded = None
        self.evaluated_keys.update(self.space.keys(X))
        self.scores.extend(y.tolist())
        self.params.extend(params)
        self.strategy.tell(X, y, y_std)
        self.interrupts.release()  # the batch is recorded: a held-back Ctrl-C stops here
        state = self._state()
        if self.search.verbose > 0:
            print(progress_line(state, self._seconds_left()), flush=True)
        # Every callback sees every batch, even after one of them asked to stop.
        return bool([cb(state) for cb in self.callbacks].count(True)) or stop

    def _fit_batch(self, params: list[dict], **kwargs: Any) -> dict:
        """``evaluate_candidates``, with one header per ``fit`` instead of one per batch."""
        if self.fit_start is None:
            self.fit_start = time.monotonic()
            if self.search.verbose > 0:
                n_left = min(self.n_iter, self.space.size) - len(self.scores)
                batch = min(self.batch_size, n_left)
                print(fitting_header(self.search.n_splits_, n_left, batch), flush=True)
        try:
            with sklearn_header_silenced(self.search):
                return self.evaluate_candidates(params, **kwargs)
        finally:
            self.n_fitted += len(params)

    def _seconds_left(self) -> float | None:
        """Time per candidate fitted so far times the candidates still to evaluate."""
        if not self.n_fitted:
            return None  # only restored candidates so far: no measure of time
        per_candidate = (time.monotonic() - self.fit_start) / self.n_fitted
        return per_candidate * max(min(self.n_iter, self.space.size) - len(self.scores), 0)

    def _batch_splits(self, batch: int) -> list[list[dict]]:
        """scikit-learn's per-fold results of each candidate of ``batch`` (for checkpoints)."""
        _, n_splits, out, more_results = self.search._last_format_args
        tags = more_results[BATCH_KEY]
        return [out[i * n_splits : (i + 1) * n_splits] for i, b in enumerate(tags) if b == batch]

    def _batch_scores(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std of the optimised metric for the rows of ``batch``."""
        if callable(self.search.scoring):
            # Only now is it known whether a callable scoring gives several metrics.
            metrics = _metric_names(self.results)
            self.metric = optimised_metric(self.search, [] if metrics == ["score"] else metrics)
        rows = np.flatnonzero(np.asarray(self.results[BATCH_KEY]) == batch)
        return (
            np.asarray(self.results[f"mean_test_{self.metric}"], dtype=float)[rows],
            np.asarray(self.results[f"std_test_{self.metric}"], dtype=float)[rows],
        )

    def _record_failed_batch(
        self, params: list[dict], more_results: dict, exc: ValueError, offset: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Keep a batch whose every fit failed: its rows, a warning, and its scores."""
        self.all_failed_error = exc
        position = self.row_offset + len(self.scores) + offset
        self.search._extra_rows.append((position, params, more_results, str(exc)))
        warnings.warn(str(exc), FitFailedWarning)
        error_score = float(self.search.error_score)
        return np.full(len(params), error_score), np.full(len(params), np.nan)

    def _state(self) -> SearchState:
        scores = np.array(self.scores, dtype=float)
        best = int(np.argmax(np.nan_to_num(scores, nan=-np.inf))) if len(scores) else None
        found = best is not None and not np.isnan(scores[best])
        return SearchState(
            n_candidates=len(scores),
            n_iter=self.n_iter,
            scores=scores,
            best_score=float(scores[best]) if found else float("nan"),
            best_params=self.params[best] if found else None,
            elapsed=time.monotonic() - self.start,
            cv_results=self.results,
        )

    def _evaluate_last_restored_batch(self) -> None:
        """Fit again the last restored batch that had results.

        scikit-learn needs at least one evaluation per ``fit``: when every
        candidate came from the checkpoint (a finished search run again), its
        last successful batch is evaluated again, in its place.
        """
        injected = self.search._extra_rows
        for i in range(len(injected) - 1, -1, -1):
            _, params, more_results, splits = injected[i]
            if not isinstance(splits, str):
                del injected[i]
                self.results = self.evaluate_candidates(
                    params, cv=self.cv, more_results=more_results
                )
                return

    def _finish(self) -> None:
        """Raise if nothing ever fitted; make the final results hold every row."""
        if not self.results and self.stored:
            self._evaluate_last_restored_batch()
        if not self.results:
            if self.all_failed_error is not None:
                raise self.all_failed_error
            raise ValueError("No candidates were evaluated (max_time too short?).")
        # BaseSearchCV.fit keeps the dict the last successful call returned: refresh
        # it in place, so that it holds rows of trailing failed batches and warns
        # (once) about non-finite scores.
        self.search._quiet_format = False
        args = self.search._last_format_args
        if self.unrecorded is not None:  # interrupted before its batch was recorded
            args = _without_batch(args, self.unrecorded)
        final = self.search._format_results(*args)
        self.results.clear()
        self.results.update(final)
        warn_if_best_at_bound(self.space, final, self.metric, self.search.estimator)


def _without_batch(format_args: tuple, batch: int) -> tuple:
    """``_format_results``'s arguments less the candidates of ``batch``."""
    candidate_params, n_splits, out, more_results = format_args
    keep = [i for i, b in enumerate(more_results[BATCH_KEY]) if b != batch]
    return (
        [candidate_params[i] for i in keep],
        n_splits,
        [o for i in keep for o in out[i * n_splits : (i + 1) * n_splits]],
        {key: [values[i] for i in keep] for key, values in more_results.items()},
    )


class DeferredInterrupts:
    """Ctrl-C, held back while ``holding`` (a finished batch being recorded).

    Installed only in the main thread over Python's default handler, so a
    user's own SIGINT handler is left alone. ``release`` raises the held-back
    ``KeyboardInterrupt``.
    """

    def __init__(self) -> None:
        self.holding = False
        self.pending = False
        self.previous: Any = None

    def __enter__(self) -> DeferredInterrupts:
        if (
            threading.current_thread() is threading.main_thread()
            and signal.getsignal(signal.SIGINT) is signal.default_int_handler
        ):
            self.previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)
            self.previous = None
        self.holding = self.pending = False

    def _handle(self, signum: int, frame: Any) -> None:
        if not self.holding:
            raise KeyboardInterrupt
        self.pending = True

    def release(self) -> None:
        self.holding = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


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


def mean_and_std(splits: list[list[dict]], metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std over folds of ``metric``'s test scores, per candidate."""
    scores = np.array(
        [[s["test_scores"][metric] if isinstance(s["test_scores"], dict) else s["test_scores"]
          for s in candidate] for candidate in splits],
        dtype=float,
    )  # fmt: skip
    return scores.mean(axis=1), scores.std(axis=1)


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


def _encode_initial(space: SearchSpace, initial_params: Any) -> tuple[np.ndarray, list[dict]]:
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


def _entropy(random_state: Any) -> int | None:
    """A seed for numpy's SeedSequence from sklearn's ``random_state`` conventions."""
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return None if random_state is None else int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _as_list(callbacks: Any) -> list:
    if callbacks is None:
        return []
    return list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks]


def _metric_names(results: dict) -> list[str]:
    """The metrics of ``cv_results_``, in the order scoring gave them."""
    return [k[len("mean_test_") :] for k in results if k.startswith("mean_test_")]
