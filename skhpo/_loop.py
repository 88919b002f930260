"""One run of a search: ask for a batch, evaluate it, tell the scores, record them.

:class:`SearchRun` is what ``_run_search`` drives. It assembles the parts one
``fit`` needs and runs the loop; each part has one job:

* :class:`~skhpo._proposals.Proposer`: what to evaluate next (the user's
  candidates, then the strategy's; never one twice);
* :class:`~skhpo._evaluation.CrossValidationEvaluator`: how a batch is
  evaluated (every candidate on every fold);
* :class:`~skhpo._recording.Recorder`: the scores so far, the checkpoint,
  progress and the user's callbacks;
* :class:`~skhpo._checkpoint.CheckpointReplay`: the candidates a checkpoint
  holds, restored without fitting;
* :class:`~skhpo._seam.FitSeam`: everything scikit-learn-private.
"""

from __future__ import annotations

import signal
import threading
import warnings
from typing import Any

import numpy as np
from sklearn.base import is_classifier

from ._checkpoint import (
    Checkpoint,
    CheckpointReplay,
    StoredBatch,
    describe,
    fingerprint,
    legacy_options_hash,
)
from ._evaluation import BatchOutcome, CrossValidationEvaluator, FixedSplits
from ._inputs import (
    callback_list,
    check_loop_options,
    check_param_names,
    encode_initial,
    optimised_metric,
    seeds,
    warn_about_n_iter,
)  # fmt: skip
from ._progress import Progress
from ._proposals import Proposer
from ._racing import RacingEvaluator, check_racing, racing_confidence
from ._recording import Recorder
from ._seam import FitSeam, TaskContext
from ._warm_start import read_warm_start
from .defaults._resolve import resolve_space
from .space import SearchSpace

__all__ = ["DeferredInterrupts", "SearchRun"]

#: The ``batch`` tag of the rows a warm start keeps in ``cv_results_``.
WARM_START_BATCH = -1


class SearchRun:
    """The state of one search, from the first batch to the last.

    Parameters
    ----------
    search : BaseStrategySearchCV
        The search being fitted (its parameters are read, never changed).
    seam : FitSeam
        The fit's link to scikit-learn.
    callback_ctx : sklearn.callback.CallbackContext or None
        scikit-learn's callback context (scikit-learn >= 1.9), else None.
    """

    def __init__(self, search: Any, seam: FitSeam, callback_ctx: Any) -> None:
        check_loop_options(search)
        self.search = search
        self.space = space = SearchSpace(resolve_space(search))
        check_param_names(search.estimator, space)
        initial, initial_params = encode_initial(space, search._initial_candidates(space))
        metric = optimised_metric(search)
        strategy_seed, fill_seed = seeds(search.random_state)
        strategy = search._make_strategy(space, np.random.default_rng(strategy_seed))
        self.batch_size = search.batch_size or strategy.default_batch_size
        self.n_iter = search.n_iter
        warn_about_n_iter(self.n_iter, space.size, len(initial))
        self.proposer = Proposer(
            space, strategy, initial, initial_params, np.random.default_rng(fill_seed)
        )
        self.warm_start = None
        if search.warm_start_from is not None:
            self.warm_start = read_warm_start(
                search.warm_start_from, space, metric, search.n_splits_,
                search.include_warm_start, search.estimator,
            )  # fmt: skip
        checkpoint = None
        if search.checkpoint is not None:
            checkpoint = Checkpoint(
                search.checkpoint, type(search).__name__, fingerprint(search, space),
                describe(search), legacy_options_hash(search),
            )  # fmt: skip
        self.seam = seam
        self.interrupts = DeferredInterrupts()
        on_split = None if checkpoint is None else checkpoint.check_split
        cv = FixedSplits(seam.checked_cv(), is_classifier(search.estimator), on_split)
        check_racing(search, search.n_splits_)
        confidence = racing_confidence(search.racing)
        evaluator = CrossValidationEvaluator if confidence is None else RacingEvaluator
        self.evaluator = evaluator(
            search, seam, cv, on_fitted=self.interrupts.hold, keep_splits=checkpoint is not None,
            **({} if confidence is None else {"confidence": confidence}),
        )  # fmt: skip
        self.progress = Progress(
            search.verbose, search.n_splits_, min(self.n_iter, space.size), self.batch_size
        )
        self.recorder = Recorder(
            self.n_iter, callback_list(search.callbacks), self.progress, checkpoint
        )
        # Rows of cv_results_ before the candidates this search evaluates.
        self.row_offset = 0
        # The batch whose results scikit-learn may hold but this run has not recorded.
        self.unrecorded: int | None = None
        self.checkpoint = checkpoint
        stored = [] if checkpoint is None else checkpoint.open(space.n_columns)  # last but one:
        # the lock is released by ``run``, or here if the callback context fails.
        self.replay = CheckpointReplay(
            None if checkpoint is None else checkpoint.path, stored, space, self.n_iter
        )
        try:
            # The number of batches is not known in advance (user-given starting
            # points, exhausted spaces, stopping rules).
            self.search_ctx = TaskContext(callback_ctx, search).begin_subtask("search", None)
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

    def _run(self) -> None:
        try:
            self._apply_warm_start()
            stop, pending = self.replay.run(self._ask_whole_batch, self._restore)
            while not stop and self._budget_left(pending):
                if pending is not None:  # complete the batch the checkpoint holds the start of
                    (X, params, stored_start), pending = pending, None
                else:
                    (X, params), stored_start = self._ask(), None
                if not len(X):
                    break  # a finite space is exhausted
                outcome, stop = self._evaluate(X, params, stored_start)
                stop = self._tell_and_record(X, params, outcome) or stop
        except KeyboardInterrupt:
            if not self.recorder.n_candidates:
                raise
            warnings.warn(
                f"Search interrupted: keeping the {self.recorder.n_candidates} finished "
                "candidates and refitting the best of them (the batch running at the "
                "interrupt is lost). Press Ctrl-C again to abort.",
                UserWarning,
            )
        self.search_ctx.end()
        self._finish()

    def _budget_left(self, pending: tuple | None) -> bool:
        """Whether candidates and time are left (the first batch always runs, so that a
        stopped search still has a best candidate; a started batch is completed)."""
        if self.recorder.n_candidates >= self.n_iter:
            return False
        max_time = self.search.max_time
        out_of_time = (
            max_time is not None
            and self.recorder.n_batches > 0
            and self.recorder.elapsed() >= max_time
        )
        return pending is not None or not out_of_time

    # -- ask ---------------------------------------------------------------------------
    def _ask_whole_batch(self) -> tuple[np.ndarray, list[dict]]:
        """The next batch as planned (a checkpoint's batches are replayed whole)."""
        return self.proposer.next_batch(self.batch_size)

    def _ask(self) -> tuple[np.ndarray, list[dict]]:
        """The next batch, cut to the candidates left of ``n_iter``."""
        # Always plan a whole batch, so that a smaller n_iter evaluates the start of
        # the same batches and its checkpoint extends exactly.
        X, params = self._ask_whole_batch()
        room = self.n_iter - self.recorder.n_candidates
        return X[:room], params[:room]

    # -- evaluate ------------------------------------------------------------------------
    def _evaluate(
        self, X: np.ndarray, params: list[dict], stored_start: StoredBatch | None
    ) -> tuple[BatchOutcome, bool]:
        """Evaluate one batch and save it; its outcome and whether a callback context
        asked to stop.

        ``stored_start`` is the start of the batch, restored from the checkpoint:
        only the rest is evaluated, and the strategy is told the whole batch at
        once, as in an uninterrupted search.
        """
        k = 0 if stored_start is None else len(stored_start.rows)
        new_X, new_params = X[k:], params[k:]
        batch = self.recorder.n_batches
        batch_ctx = self.search_ctx.begin_subtask(
            "batch", len(new_params) * self.search.n_splits_, sequential_subtasks=False
        )
        self.unrecorded = batch
        with self.progress.fitting(len(new_params), self.recorder.n_candidates):
            outcome = self.evaluator.evaluate(
                new_params, batch=batch, position=self._position() + k, ctx=batch_ctx
            )
        self.recorder.save(new_X, new_params, outcome)
        if stored_start is not None:
            start = self._restore_rows(params[:k], stored_start)
            outcome = BatchOutcome(
                np.concatenate([start.y, outcome.y]), np.concatenate([start.y_std, outcome.y_std]),
                None, outcome.failure,
            )  # fmt: skip
        return outcome, batch_ctx.end()

    def _restore(self, X: np.ndarray, params: list[dict], batch: StoredBatch) -> bool:
        """Record a batch restored from the checkpoint; whether to stop."""
        return self._tell_and_record(X, params, self._restore_rows(params, batch))

    def _restore_rows(self, params: list[dict], batch: StoredBatch) -> BatchOutcome:
        """Put a stored batch's rows in ``cv_results_``, in their place; their scores."""
        return self.evaluator.restore(
            params, batch.parts(), batch=self.recorder.n_batches, position=self._position(),
            source=f"checkpoint {self.checkpoint.path!r}",
        )  # fmt: skip

    def _position(self) -> int:
        """The rows of ``cv_results_`` before the current batch."""
        return self.row_offset + self.recorder.n_candidates

    # -- tell and record -------------------------------------------------------------------
    def _tell_and_record(self, X: np.ndarray, params: list[dict], outcome: BatchOutcome) -> bool:
        """Tell the strategy, record, report, call the callbacks; whether to stop."""
        self.unrecorded = None
        self.recorder.add(params, outcome.y)
        self.proposer.tell(X, outcome.y, outcome.y_std)
        self.interrupts.release()  # the batch is recorded: a held-back Ctrl-C stops here
        return self.recorder.report(self.evaluator.results)

    def _apply_warm_start(self) -> None:
        """Tell the strategy an earlier search's candidates; keep them as rows if asked."""
        warm = self.warm_start
        if warm is None or not len(warm.rows):
            return
        self.proposer.tell(warm.rows, warm.y, warm.y_std)
        if warm.splits is not None:
            self.seam.add_rows(0, warm.params, WARM_START_BATCH, warm.splits)
            self.row_offset = len(warm.params)

    # -- the end ---------------------------------------------------------------------------
    def _finish(self) -> None:
        """Raise if nothing ever fitted; make the final results hold every row."""
        evaluator = self.evaluator
        if not evaluator.results and self.replay.stored:
            evaluator.evaluate_a_restored_batch_again()
        if not evaluator.results:
            if evaluator.all_failed_error is not None:
                raise evaluator.all_failed_error
            raise ValueError("No candidates were evaluated (max_time too short?).")
        self.seam.finish(evaluator.results, self.unrecorded)

    def _release(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint.release()


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

    def hold(self) -> None:
        """Hold back Ctrl-C until ``release``."""
        self.holding = True

    def release(self) -> None:
        self.holding = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt
