"""One run of a search: ask the strategy, evaluate a batch, tell it the scores.

:class:`SearchRun` is what ``_run_search`` drives.  It owns everything that
lives for one ``fit``: the parsed space, the strategy, the CV splits (made once
and replayed, so every batch is scored on the same folds), the keys of the
candidates already evaluated (no candidate is evaluated twice), the stopping
rules and sklearn's callback contexts.
"""

from __future__ import annotations

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

from ._checkpoint import Checkpoint, StoredBatch, fingerprint
from ._compat import is_all_fits_failed_error
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
                search.checkpoint, type(search).__name__, fingerprint(search, self.space)
            )
            self.stored = self.checkpoint.load(self.space.n_columns)
        on_split = None if self.checkpoint is None else self._check_data
        self.cv = FixedSplits(search.cv, is_classifier(search.estimator), on_split)
        self.callbacks = _as_list(search.callbacks)
        self.evaluated_keys: set[bytes] = set()
        self.scores: list[float] = []
        self.params: list[dict] = []
        self.results: dict = {}
        self.n_batches = 0
        self.all_failed_error: ValueError | None = None
        self.start = time.monotonic()
        self.search_ctx = None
        if callback_ctx is not None:
            # The number of batches is not known in advance (user-given starting
            # points, exhausted spaces, stopping rules).
            self.search_ctx = callback_ctx.subcontext(
                task_name="search", max_subtasks=None
            ).call_on_fit_task_begin(estimator=search)

    # -- the loop --------------------------------------------------------------------
    def run(self) -> None:
        """Evaluate batches until ``n_iter``, exhaustion, a stopping rule or Ctrl-C."""
        try:
            self._apply_warm_start()
            stop = self._replay()
            while not stop and len(self.scores) < self.n_iter and not self._out_of_time():
                X, params = self._next_batch(min(self.batch_size, self.n_iter - len(self.scores)))
                if not len(X):
                    break  # a finite space is exhausted
                stop = self._evaluate(X, params)
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

    def _replay(self) -> bool:
        """Restore the checkpoint's batches without fitting; return whether to stop.

        The strategy is asked for each batch exactly as in the run that wrote the
        file and told the stored scores, so a seeded search goes on proposing what
        an uninterrupted one would have.
        """
        for i, batch in enumerate(self.stored):
            if len(self.scores) + len(batch.rows) > self.n_iter:
                return True  # the file holds more than this search's n_iter
            X, params = self._next_batch(len(batch.rows))
            if self.space.keys(X) != self.space.keys(batch.rows):
                warnings.warn(
                    f"checkpoint {self.checkpoint.path!r}: this search proposes other "
                    "candidates than the one that wrote it (random_state not an int?); its "
                    "candidates are kept and told to the strategy, and the search goes on "
                    "from there.",
                    UserWarning,
                )
                for rest in self.stored[i:]:
                    self._restore(rest.rows, self.space.decode(rest.rows), rest)
                return False
            if self._restore(X, params, batch):
                return True
        return False

    def _restore(self, X: np.ndarray, params: list[dict], batch: StoredBatch) -> bool:
        more_results = {BATCH_KEY: [self.n_batches] * len(params)}
        row = (self.row_offset + len(self.scores), params, more_results,
               batch.splits or batch.failure)  # fmt: skip
        self.search._extra_rows.append(row)
        if batch.failure is not None:
            error_score = float(self.search.error_score)
            y, y_std = np.full(len(params), error_score), np.full(len(params), np.nan)
        else:
            y, y_std = mean_and_std(batch.splits, self.metric)
        return self._record(X, params, y, y_std)

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

    def _evaluate(self, X: np.ndarray, params: list[dict]) -> bool:
        """Evaluate one batch, tell the strategy; return whether to stop."""
        more_results = {BATCH_KEY: [self.n_batches] * len(params)}
        batch_ctx, ctx_kwargs = None, {}
        if self.search_ctx is not None:
            batch_ctx = self.search_ctx.subcontext(
                task_name="batch",
                max_subtasks=len(params) * self.search.n_splits_,
                sequential_subtasks=False,
            ).call_on_fit_task_begin(estimator=self.search)
            ctx_kwargs = {"callback_ctx": batch_ctx}
        failure = None
        try:
            self.results = self.evaluate_candidates(
                params, cv=self.cv, more_results=more_results, **ctx_kwargs
            )
            y, y_std = self._batch_scores(self.n_batches)
        except ValueError as exc:
            if not is_all_fits_failed_error(exc):
                raise
            y, y_std = self._record_failed_batch(params, more_results, exc)
            failure = str(exc)
        if self.checkpoint is not None:
            splits = None if failure else self._batch_splits(self.n_batches)
            self.checkpoint.add_batch(self.n_batches, X, params, splits, failure)
        stop = batch_ctx is not None and bool(batch_ctx.call_on_fit_task_end(estimator=self.search))
        return self._record(X, params, y, y_std, stop)

    def _record(
        self, X: np.ndarray, params: list[dict], y: np.ndarray, y_std: np.ndarray,
        stop: bool = False,
    ) -> bool:  # fmt: skip
        """Tell the strategy, report, call the callbacks; return whether to stop."""
        self.n_batches += 1
        self.evaluated_keys.update(self.space.keys(X))
        self.scores.extend(y.tolist())
        self.params.extend(params)
        self.strategy.tell(X, y, y_std)
        state = self._state()
        if self.search.verbose > 0:
            _report(state, self.n_batches)
        # Every callback sees every batch, even after one of them asked to stop.
        return bool([cb(state) for cb in self.callbacks].count(True)) or stop

    def _batch_splits(self, batch: int) -> list[list[dict]]:
        """scikit-learn's per-fold results of each candidate of ``batch`` (for checkpoints)."""
        _, n_splits, out, more_results = self.search._last_format_args
        tags = more_results[BATCH_KEY]
        return [out[i * n_splits : (i + 1) * n_splits] for i, b in enumerate(tags) if b == batch]

    def _batch_scores(self, batch: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean and std of the optimised metric for the rows of ``batch``."""
        if f"mean_test_{self.metric}" not in self.results:
            # A callable scoring that returned a dict: only now do we know it is multi-metric.
            raise ValueError(
                "scoring returned several metrics; set refit to the name of the one "
                f"to optimise (one of {_metric_names(self.results)}), "
                f"got refit={self.search.refit!r}"
            )
        rows = np.flatnonzero(np.asarray(self.results[BATCH_KEY]) == batch)
        return (
            np.asarray(self.results[f"mean_test_{self.metric}"], dtype=float)[rows],
            np.asarray(self.results[f"std_test_{self.metric}"], dtype=float)[rows],
        )

    def _record_failed_batch(
        self, params: list[dict], more_results: dict, exc: ValueError
    ) -> tuple[np.ndarray, np.ndarray]:
        """Keep a batch whose every fit failed: its rows, a warning, and its scores."""
        self.all_failed_error = exc
        position = self.row_offset + len(self.scores)
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
        final = self.search._format_results(*self.search._last_format_args)
        self.results.clear()
        self.results.update(final)


def mean_and_std(splits: list[list[dict]], metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std over folds of ``metric``'s test scores, per candidate."""
    scores = np.array(
        [[s["test_scores"][metric] if isinstance(s["test_scores"], dict) else s["test_scores"]
          for s in candidate] for candidate in splits],
        dtype=float,
    )  # fmt: skip
    return scores.mean(axis=1), scores.std(axis=1)


def optimised_metric(search: Any) -> str:
    """The name of the metric whose mean CV score the strategy maximises."""
    scoring = search.scoring
    if isinstance(scoring, (list, tuple, set, dict)):
        if not isinstance(search.refit, str):
            raise ValueError(
                "With several metrics in scoring, refit must be the name of the metric "
                f"to optimise (one of {sorted(scoring)}), got refit={search.refit!r}."
            )
        return search.refit
    if callable(scoring) and isinstance(search.refit, str):
        return search.refit  # a callable returning a dict of metrics
    return "score"


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
    return sorted(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))


def _report(state: SearchState, n_batches: int) -> None:
    done, total = state.n_candidates, state.n_iter
    left = state.elapsed / done * (total - done) if done else float("nan")
    print(
        f"[skhpo] batch {n_batches}: {done}/{total} candidates, best score "
        f"{state.best_score:.5g} with {state.best_params}, {state.elapsed:.1f}s elapsed, "
        f"~{left:.0f}s left",
        flush=True,
    )
