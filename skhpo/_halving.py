"""Successive halving with the search's strategy proposing each rung's new candidates.

A halving search (``resource`` set) evaluates candidates on rungs of growing
resource (see :mod:`skhpo._resources`). Every candidate enters at the lowest
rung (at the top once the guard finds cheap rungs that mislead), except for a
hedge at the top; the best ``1 / factor`` of a rung go up to the next one. The
parts:

* :class:`Rungs`: the rows of each rung, who is promoted next, and the rung new
  candidates enter at. A candidate is at most once on each rung and goes up one
  rung at a time, from the rung it entered at; the hedge (Hyperband's most
  conservative bracket) enters one new candidate per batch at the top while
  those hold less than :data:`HEDGE_SHARE` of the resource spent. The entry
  rung goes to the top when the guard finds a rung whose ranking does not agree
  with the next one's, or a hedged candidate beating every promoted one. All
  follow from the rows recorded before, in order, so the rung of a row is
  derived from the rows: nothing else needs storing (checkpoints replay as they
  are).
* :class:`RungStrategies`: one strategy per rung, each told only its rung's
  scores (scores of different resources are never mixed); new candidates come
  from the highest rung with enough observations (BOHB's rule), the hedge's from
  the top rung's.
* :class:`HalvingEvaluator`: evaluates a batch whose rows are on several rungs
  (the resource set in each candidate's parameters, or one call per rung with
  subsampled training sets for ``"n_samples"``); rows carry ``iter`` and
  ``n_resources`` as in scikit-learn's halving searches.
* :class:`HalvingRun`: the loop of :class:`~skhpo._loop.SearchRun`, with batches
  planned as in ASHA: the hedged candidate, promotions, then new lowest-rung
  candidates fill the rest.
"""

from __future__ import annotations

import sys
import warnings
from math import ceil, floor
from typing import Any

import numpy as np
from scipy.stats import spearmanr
from sklearn.exceptions import FitFailedWarning

from ._compat import is_all_fits_failed_error
from ._continuation import ContinuationStore, continuation_parameter
from ._evaluation import BatchOutcome, CrossValidationEvaluator
from ._inputs import entropy, metric_names, optimised_metric
from ._loop import SearchRun
from ._resources import ResourceLadder, SubsampledSplits, resource_ladder
from ._seam import BATCH_KEY, ITER_KEY, RESOURCES_KEY
from .strategies import fitness

__all__ = ["HalvingRun", "RungStrategies", "Rungs", "rung_agreement"]

#: The guard judges a rung once this many candidates are scored on it and on the next.
MIN_PAIRS = 6
#: A rung is trusted while its ranking agrees with the next rung's at this one-sided
#: significance (Spearman's rank correlation of the candidates scored on both).
TRUST_LEVEL = 0.2
#: The hedge: once a promoted candidate reached the top, a batch's first new candidate
#: enters at the top (proposed by the top rung's model) while such candidates hold less
#: than this share of the resource spent (every row, in full-resource units). On the
#: equal-compute benchmark's MLP, 0.5 did no better than 0.3 (with a variant hedging
#: from the second batch on).
HEDGE_SHARE = 0.3


def rung_agreement(low: np.ndarray, high: np.ndarray) -> float:
    """One-sided p-value that the ranking by ``low`` agrees with the ranking by ``high``.

    Spearman's rank correlation of the scores of the same candidates on two
    rungs, against the alternative that it is positive; NaN with fewer than
    :data:`MIN_PAIRS` finite pairs or when a side is constant (nothing to judge).
    The candidates on the higher rung are the best of the lower one, so the
    correlation is that of a truncated sample: a trusted rung need only agree
    more than chance, not closely.
    """
    finite = np.isfinite(low) & np.isfinite(high)
    low, high = low[finite], high[finite]
    if len(low) < MIN_PAIRS or np.ptp(low) == 0 or np.ptp(high) == 0:
        return float("nan")
    return float(spearmanr(low, high, alternative="greater").pvalue)


class Rungs:
    """The rows of each rung so far, which candidates are promoted next, and where new
    candidates enter.

    New candidates enter at rung ``entry`` (0 at first), or at the top for the
    hedge (:meth:`place`). After each recorded batch the guard compares each
    trusted rung with the next one on the candidates scored on both
    (:func:`rung_agreement`); a rung whose ranking is not shown to agree
    misleads, and so do the rungs below the top once a hedged candidate beats
    every promoted one (:meth:`hedge_wins`): ``entry`` moves to the top rung: no
    candidate enters or is promoted below it any more, the incumbent goes to the
    top first if no one is there yet (:meth:`carried`), the candidates left below
    may be entered again at the top (:meth:`released`), and the search goes on as
    a plain search. ``entry`` only rises, and depends only on the rows recorded
    before, in order.

    Parameters
    ----------
    space : SearchSpace
    ladder : ResourceLadder
    """

    def __init__(self, space: Any, ladder: ResourceLadder) -> None:
        self.space = space
        self.ladder = ladder
        n = len(ladder.n_resources)
        self.keys: list[list[bytes]] = [[] for _ in range(n)]
        self.scores: list[list[float]] = [[] for _ in range(n)]
        self.next_rung: dict[bytes, int] = {}  # one above each candidate's highest row
        self.rows: dict[bytes, np.ndarray] = {}
        self.entry = 0
        # The hedge's account, in full-resource units: the resource of every row, and of
        # the rows of candidates that entered at the top from the start.
        self.spent = 0.0
        self.hedged = 0.0
        self.hedge_keys: set[bytes] = set()  # candidates entered at the top from the start

    def rungs_of(self, X: np.ndarray) -> np.ndarray:
        """The rung of each row of a batch not recorded yet."""
        return self.place(self.space.keys(X))[0]

    def place(self, keys: list) -> tuple[np.ndarray, np.ndarray, float, float]:
        """Rungs of a batch's rows (a key not seen yet, or None, is new).

        New candidates enter at the entry rung, except the batch's first new one,
        which enters at the top (hedged) if, with it, the candidates entered at
        the top from the start hold at most :data:`HEDGE_SHARE` of the resource
        spent. (One per batch, chosen before the batch, so that the planner can
        put it first: a batch's rows go down the rungs, the order in which
        ``"n_samples"`` fits them.) Returns the rungs, which rows are hedged,
        and the account after the batch.
        """
        top, n_resources = self.ladder.top, self.ladder.n_resources
        cost = np.asarray(n_resources, dtype=float) / n_resources[top]
        new = np.array([k is None or k not in self.next_rung for k in keys], dtype=bool)
        rungs = np.array(
            [max(self.next_rung.get(k, 0) if k is not None else 0, self.entry) for k in keys],
            dtype=int,
        )
        hedge = np.zeros(len(keys), dtype=bool)
        # Not before a promoted candidate reached the top: till then the best there
        # would be an unscreened one, worse than the best of the rungs below.
        if new.any() and self.entry < top and self.scores[top]:
            hedge[np.argmax(new)] = self.hedged < HEDGE_SHARE * self.spent
        rungs[hedge] = top
        return rungs, hedge, self.spent + cost[rungs].sum(), self.hedged + hedge.sum()

    def record(self, X: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Record a finished batch, then judge the rungs; the rung of each row."""
        keys = self.space.keys(X)
        rungs, hedge, self.spent, self.hedged = self.place(keys)
        self.hedge_keys.update(k for k, h in zip(keys, hedge) if h)
        for key, x, score, rung in zip(keys, X, y, rungs):
            self.keys[rung].append(key)
            self.scores[rung].append(float(score))
            self.next_rung[key] = rung + 1
            self.rows.setdefault(key, x)
        self._judge()
        return rungs

    @property
    def n_entered(self) -> int:
        """Distinct candidates evaluated at the entry rung (entered or promoted there),
        and, below the top, those that entered at the top from the start."""
        hedged = len(self.hedge_keys) if self.entry < self.ladder.top else 0
        return len(self.keys[self.entry]) + hedged

    def released(self) -> list[bytes]:
        """Candidates left on rungs below the entry rung: they may be entered again."""
        return [key for key, rung in self.next_rung.items() if rung <= self.entry]

    def promotions(self, final: bool, limit: int) -> list[bytes]:
        """Up to ``limit`` candidates to take one rung up, from the highest rung down.

        While new candidates come, a rung promotes its top ``floor(n / factor)``
        (ASHA's rule: safe whatever comes later); once none come, a rung whose
        lower rungs promote no one more promotes its top ``ceil(n / factor)``
        (scikit-learn's rule), so at least one candidate reaches the top. Rungs
        below the entry rung promote no one, but the incumbent goes to the top
        when halving ends with no one there (:meth:`carried`).
        """
        if self.entry == self.ladder.top:
            return self.carried()[:limit]
        waiting: list[list[bytes]] = []
        lower_pending = False
        for rung in range(self.entry, self.ladder.top):
            n = len(self.scores[rung])
            share = n / self.ladder.factor
            n_best = ceil(share) if final and not lower_pending else floor(share + 1e-9)
            best = self._ranked(rung)[:n_best]
            due = [k for k in best if self.next_rung[k] == rung + 1]
            waiting.append(due)
            lower_pending = lower_pending or bool(due)
        return [key for due in reversed(waiting) for key in due][:limit]

    def carried(self) -> list[bytes]:
        """Once halving has ended and no candidate is at the top yet: the incumbent.

        That is the best candidate of the highest rung reached, the one the search
        would return if stopped then. It goes to the top first, so that the best at
        the top, the search's choice from then on, starts from it and not from the
        top model's first unscreened design point (on the equal-compute
        benchmark's MLP such a point scored an R2 of 0.83 where the incumbent
        scored 0.94). Nothing is carried if that candidate's every fit failed.
        """
        if self.entry < self.ladder.top:
            return []
        best = self._best_below_top()
        return [best[0]] if best and np.isfinite(best[1]) else []

    def wrap_up(self) -> list[bytes]:
        """After an early stop: the best of the highest rung below the top, if the top is empty."""
        best = self._best_below_top()
        return [best[0]] if best else []

    def _best_below_top(self) -> tuple[bytes, float] | None:
        """While no one is at the top: the best candidate of the highest rung reached, and
        its score there."""
        if self.scores[self.ladder.top]:
            return None
        filled = [rung for rung in range(self.ladder.top) if self.scores[rung]]
        if not filled:
            return None
        scores = np.array(self.scores[filled[-1]], dtype=float)
        best = int(np.argmax(fitness(scores)))  # the first of ties, as _ranked's stable sort
        return self.keys[filled[-1]][best], float(scores[best])

    def top_reached(self) -> bool:
        return bool(self.scores[self.ladder.top])

    def agreement(self, rung: int) -> float:
        """:func:`rung_agreement` of ``rung`` with the next rung."""
        above = dict(zip(self.keys[rung + 1], self.scores[rung + 1]))
        pairs = [(s, above[k]) for k, s in zip(self.keys[rung], self.scores[rung]) if k in above]
        low, high = np.array(pairs, dtype=float).reshape(-1, 2).T
        return rung_agreement(low, high)

    def _judge(self) -> None:
        """Move the entry rung to the top once a trusted rung misleads.

        Not just above it: where one rung misleads, the ranking usually drifts with
        the resource all the way up (an MLP trained for fixed epochs on fewer
        samples takes fewer steps), and judging each higher rung in turn costs more
        than the cheap rungs saved (on the equal-compute benchmark's MLP, entering
        one rung higher per rung found to mislead spent samples worth 9 full fits
        of each fold before going plain, 19 % of a 50-candidate plain search,
        against 0.6 this way).
        """
        for rung in range(self.ladder.top - 1, self.entry - 1, -1):
            if self.agreement(rung) > TRUST_LEVEL:  # NaN (not judged yet) compares False
                self.entry = self.ladder.top
                return
        if self.entry < self.ladder.top and self.hedge_wins():
            self.entry = self.ladder.top

    def hedge_wins(self) -> bool:
        """Whether a candidate entered at the top beats every one promoted there.

        The candidates promoted to the top are the best of the cheap rungs'
        screening; when one that no cheap rung screened scores higher, the rungs
        below rank what matters at the full resource wrongly, however few
        candidates they share with the top to show it.
        """
        top = self.ladder.top
        hedged = np.array([k in self.hedge_keys for k in self.keys[top]], dtype=bool)
        if hedged.all() or not hedged.any():
            return False
        best = fitness(np.array(self.scores[top], dtype=float))
        return bool(best[hedged].max() > best[~hedged].max())

    def _ranked(self, rung: int) -> list[bytes]:
        order = np.argsort(-fitness(np.array(self.scores[rung], dtype=float)), kind="stable")
        return [self.keys[rung][i] for i in order]


class RungStrategies:
    """One strategy per rung behind the one ``ask``/``tell`` the proposer uses.

    ``tell`` gives each rung's strategy only that rung's rows; ``ask`` asks the
    strategy of the highest rung with at least ``n_min`` observations (BOHB's
    rule: the model of the largest resource it can be fitted on), else the
    entry rung's (the lowest, until the guard of :class:`Rungs` moves entry up).

    Parameters
    ----------
    strategies : list of Strategy
        One per rung, lowest first.
    rungs : Rungs
        Where the rows are recorded (and their rungs read).
    n_min : int
    """

    def __init__(self, strategies: list, rungs: Rungs, n_min: int) -> None:
        self.strategies = strategies
        self.rungs = rungs
        self.n_min = n_min
        self.default_batch_size = strategies[0].default_batch_size
        self.for_top = False  # set while asking for candidates to enter at the top

    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        # Rungs below the entry rung mislead: their models propose no more. The hedge's
        # candidates come from the top rung's model (its initial design at first), so
        # that it learns from candidates no cheap rung screened.
        entry = self.rungs.entry
        told = [len(scores) for scores in self.rungs.scores]
        rung = max([entry] + [r for r, count in enumerate(told) if count >= self.n_min])
        return self.strategies[self.rungs.ladder.top if self.for_top else rung].ask(n, pending)

    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray | None = None) -> None:
        rungs = self.rungs.record(X, y)
        y_std = np.full(len(y), np.nan) if y_std is None else np.asarray(y_std)
        for rung in np.unique(rungs):
            on = rungs == rung
            self.strategies[rung].tell(X[on], y[on], y_std[on])


class HalvingEvaluator(CrossValidationEvaluator):
    """Evaluates a batch whose candidates are on several rungs.

    ``batch_rungs`` (set by the run before each batch is evaluated or restored)
    holds the rung of each candidate of the batch: ``evaluate`` is given the
    batch's last candidates, ``restore`` its first ones.

    Parameters
    ----------
    ladder : ResourceLadder
    seed : int
        Of the subsampled training sets (``"n_samples"``).
    **kwargs
        As :class:`~skhpo._evaluation.CrossValidationEvaluator`.
    """

    def __init__(self, *args: Any, ladder: ResourceLadder, seed: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ladder = ladder
        self.seed = seed
        self.batch_rungs = np.empty(0, dtype=int)
        # Per candidate of the last evaluated batch: the error of a call whose every
        # fit failed, else None (a checkpoint stores them per candidate).
        self.failures: list[str | None] = []

    def with_resource(self, params: list[dict], rungs: np.ndarray) -> list[dict]:
        """The candidates' parameters with the resource of their rung, if it is one."""
        if self.ladder.resource == "n_samples":
            return [dict(p) for p in params]
        values = self.ladder.n_resources
        return [{**p, self.ladder.resource: values[r]} for p, r in zip(params, rungs)]

    def more_results(self, batch: int, rungs: np.ndarray) -> dict:
        return {
            BATCH_KEY: [batch] * len(rungs),
            ITER_KEY: [int(r) for r in rungs],
            RESOURCES_KEY: [self.ladder.n_resources[r] for r in rungs],
        }

    def cv_of(self, rung: int) -> Any:
        """The splitter of a rung: the fixed splits, subsampled for n_samples below all of X
        (the top rung too when ``max_resources`` is less than the samples of X)."""
        if (
            self.ladder.resource != "n_samples"
            or self.ladder.n_resources[rung] >= self.ladder.n_samples
        ):
            return self.cv
        fraction = self.ladder.n_resources[rung] / self.ladder.n_samples
        return SubsampledSplits(self.cv, fraction, self.seed)

    def evaluate(self, params: list[dict], *, batch: int, position: int, ctx: Any) -> BatchOutcome:
        rungs = self.batch_rungs[len(self.batch_rungs) - len(params) :]
        params = self.with_resource(params, rungs)
        n = len(params)
        y, y_std = np.full(n, np.nan), np.full(n, np.nan)
        self.failures = [None] * n
        evaluated: list[int] = []
        # One call per rung for n_samples (each its own splitter), highest first;
        # one call for all otherwise (the resource is in the parameters).
        groups = (
            [np.flatnonzero(rungs == r) for r in np.unique(rungs)[::-1]]
            if self.ladder.resource == "n_samples" else [np.arange(n)]
        )  # fmt: skip
        done = 0  # rows of this batch in cv_results_ before the call
        try:
            for g, rows in enumerate(groups):
                part = [params[i] for i in rows]
                more = self.more_results(batch, rungs[rows])
                # scikit-learn's callback contexts number a call's fits from 0: one
                # subtask per call when a batch takes several.
                call_ctx = ctx if len(groups) == 1 else ctx.begin_subtask(
                    "rung", len(part) * self.search.n_splits_, task_id=g,
                    sequential_subtasks=False,
                )  # fmt: skip
                try:
                    self.results = self.seam.evaluate(
                        part, cv=self.cv_of(int(rungs[rows[0]])), more_results=more,
                        **call_ctx.as_kwargs(),
                    )  # fmt: skip
                except ValueError as exc:
                    if not is_all_fits_failed_error(exc):
                        raise
                    self._failed_rows(part, exc, batch, position + done, more)
                    y[rows] = float(self.search.error_score)
                    for i in rows:
                        self.failures[i] = str(exc)
                else:
                    y[rows], y_std[rows] = self._call_scores(batch, len(rows))
                    evaluated.extend(rows.tolist())
                finally:
                    if call_ctx is not ctx:
                        call_ctx.end()
                done += len(rows)
        finally:
            self.on_fitted()
        splits: list | None = None
        if self.keep_splits and evaluated:
            splits = [None] * n
            for i, candidate in zip(evaluated, self.seam.batch_splits(batch)):
                splits[i] = candidate
        failures = self.failures if any(f is not None for f in self.failures) else None
        return BatchOutcome(y, y_std, splits, failures)

    def restore(
        self, params: list[dict], parts: list, *, batch: int, position: int, source: str,
        more_results: dict | None = None,
    ) -> BatchOutcome:  # fmt: skip
        rungs = self.batch_rungs[: len(params)]
        more = self.more_results(batch, rungs)
        del more[BATCH_KEY]
        return super().restore(
            self.with_resource(params, rungs), parts, batch=batch, position=position,
            source=source, more_results=more,
        )  # fmt: skip

    def evaluate_a_restored_batch_again(self) -> None:
        restored = self.seam.take_last_restored()
        if restored is None:
            return
        params, more = restored
        iters = np.asarray(more[ITER_KEY])
        for rung in np.unique(iters):
            rows = np.flatnonzero(iters == rung)
            self.results = self.seam.evaluate(
                [params[i] for i in rows], quiet_header=False, cv=self.cv_of(int(rung)),
                more_results={key: [values[i] for i in rows] for key, values in more.items()},
            )  # fmt: skip

    # -- helpers -----------------------------------------------------------------------------
    def _call_scores(self, batch: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Scores of the rows the last call added (the last ``n`` of ``batch``)."""
        if callable(self.search.scoring):
            metrics = metric_names(self.results)
            self.metric = optimised_metric(self.search, [] if metrics == ["score"] else metrics)
        rows = np.flatnonzero(np.asarray(self.results[BATCH_KEY]) == batch)
        # Within a batch the calls' rows follow in call order, failed calls excepted.
        rows = rows[len(rows) - n :]
        return (
            np.asarray(self.results[f"mean_test_{self.metric}"], dtype=float)[rows],
            np.asarray(self.results[f"std_test_{self.metric}"], dtype=float)[rows],
        )

    def _failed_rows(
        self, params: list[dict], exc: ValueError, batch: int, position: int, more: dict
    ) -> None:
        self.all_failed_error = exc
        extra = {k: v for k, v in more.items() if k != BATCH_KEY}
        self.seam.add_rows(position, params, batch, str(exc), more_results=extra)
        warnings.warn(str(exc), FitFailedWarning)


class HalvingRun(SearchRun):
    """A search run by successive halving (the search's ``resource`` is set).

    ``n_iter`` counts distinct candidates entered: each enters at the entry rung
    (the lowest rung, until the guard of :class:`Rungs` moves it up) or, hedged,
    at the top, so ``cv_results_`` holds more rows (one per candidate and rung).
    The run ends when ``n_iter`` candidates have entered and no rung promotes
    anyone more. When the entry rung rises, the candidates left below
    it may be proposed again, to enter at the new entry rung.
    """

    def __init__(self, search: Any, seam: Any, callback_ctx: Any) -> None:
        super().__init__(search, seam, callback_ctx)
        try:
            self._set_up(search, seam)
        except BaseException:
            self._release()
            raise

    def _set_up(self, search: Any, seam: Any) -> None:
        X, y, split_params = seam.data()
        cv = self.evaluator.cv
        splits = list(cv.split(X, y, **split_params)) if search.resource == "n_samples" else []
        min_train = min((len(train) for train, _ in splits), default=0)
        self.ladder = ladder = resource_ladder(
            search, self.space, X, y, search.n_splits_, min_train
        )
        if self.checkpoint is not None:
            self.checkpoint.check_rungs(ladder.n_resources, search.min_resources)
        search.n_resources_ = list(ladder.n_resources)
        self.progress.for_halving(ladder.n_resources, lambda: len(self.rungs.next_rung))
        search.min_resources_, search.max_resources_ = ladder.n_resources[0], ladder.n_resources[-1]
        # Seeds apart from the loop's (``seeds`` spawns children 0 and 1 of the same entropy).
        seed_sequence = np.random.SeedSequence(entropy(search.random_state), spawn_key=(2,))
        strategy_seeds = seed_sequence.spawn(len(ladder.n_resources))
        self.rungs = Rungs(self.space, ladder)
        first = self.proposer.strategy
        others = [
            search._make_strategy(self.space, np.random.default_rng(s)) for s in strategy_seeds[1:]
        ]
        # The start of the plain search: the user's candidates, then the first strategy's
        # design (all entered at the lowest rung, in this order).
        self.n_start = len(self.proposer.initial) + len(first.initial_design)
        n_min = max(self.space.n_columns + 2, getattr(first, "n_initial_points", 0) or 0)
        self.proposer.strategy = RungStrategies([first, *others], self.rungs, n_min)
        old = self.evaluator
        self.evaluator = HalvingEvaluator(
            search, seam, cv, on_fitted=old.on_fitted, keep_splits=old.keep_splits,
            ladder=ladder, seed=int(seed_sequence.generate_state(1)[0]),
        )  # fmt: skip
        self.params_of: dict[bytes, dict] = {}  # each candidate's parameters, as first given
        self.exhausted = False
        self.wrapping_up = False
        # The planner decides what a checkpoint's batches hold: every stored row is
        # restored (its rung follows from the rows of its candidate before it).
        self.replay.n_iter = sys.maxsize
        self._continue_training(search, seam, ladder)

    def _continue_training(self, search: Any, seam: Any, ladder: ResourceLadder) -> None:
        """Where warm starts give the same model, promoted candidates continue training."""
        self.continuation: ContinuationStore | None = None
        self._restore_estimator: Any = None
        if ladder.resource == "n_samples":
            return
        if continuation_parameter(search.estimator, ladder.resource) is None:
            return
        store = ContinuationStore(search.estimator, ladder.resource, ladder.n_resources[-1])
        self._restore_estimator = seam.fitting_with(store.estimator)
        if self._restore_estimator is None:
            store.close()
            return
        self.continuation = store

    # -- planning ------------------------------------------------------------------------
    def _ask_whole_batch(self) -> tuple[np.ndarray, list[dict]]:
        """The hedged candidate, promotions (highest rung first), then new lowest-rung
        candidates: the rows go down the rungs."""
        X_top = X_new = np.empty((0, self.space.n_columns))
        if self.wrapping_up:
            promoted = self.rungs.wrap_up()
        else:
            final = self.exhausted or self.rungs.n_entered >= self.n_iter
            promoted = self.rungs.promotions(final, self.batch_size)
            # A carried candidate was released when halving ended: not proposed as new too.
            self.proposer.evaluated_keys.update(promoted)
            if not final:
                room = min(self.batch_size - len(promoted), self.n_iter - self.rungs.n_entered)
                hedged = room > 0 and self.rungs.place([None])[1][0]
                X_top = self._new_candidates(int(hedged), for_top=True)
                X_new = self._new_candidates(room - len(X_top))
                if not promoted and not len(X_top) + len(X_new):  # the space is exhausted
                    return self._ask_whole_batch()
        X_old = np.array([self.rungs.rows[k] for k in promoted]).reshape(-1, self.space.n_columns)
        X = np.vstack([X_top, X_old, X_new])  # down the rungs
        return X, self._params(X)

    def _new_candidates(self, n: int, for_top: bool = False) -> np.ndarray:
        """Up to ``n`` new candidates (the user's first); fewer once the space is exhausted.

        ``for_top``: to enter at the top, asked of the top rung's model.
        """
        self.proposer.strategy.for_top = for_top
        try:
            return self._ask_new(n)
        finally:
            self.proposer.strategy.for_top = False

    def _ask_new(self, n: int) -> np.ndarray:
        parts = []
        while n > 0:
            X, params = self.proposer.next_batch(n)  # the user's candidates come apart
            if not len(X):
                self.exhausted = True
                break
            keys = self.space.keys(X)
            for key, p in zip(keys, params):
                self.params_of.setdefault(key, p)
            # Never proposed again, not even in this batch (the user's candidates and
            # the strategy's are asked apart).
            self.proposer.evaluated_keys.update(keys)
            parts.append(X)
            n -= len(X)
        return np.vstack(parts) if parts else np.empty((0, self.space.n_columns))

    def _ask(self) -> tuple[np.ndarray, list[dict]]:
        return self._ask_whole_batch()

    def _params(self, X: np.ndarray) -> list[dict]:
        """Each row's parameters (with its rung's resource when that is a parameter)."""
        keys = self.space.keys(X)
        decoded = self.space.decode(X) if len(X) else []
        params = [self.params_of.setdefault(k, p) for k, p in zip(keys, decoded)]
        return self.evaluator.with_resource(params, self.rungs.rungs_of(X))

    def _budget_left(self, pending: tuple | None) -> bool:
        max_time = self.search.max_time
        out_of_time = (
            max_time is not None
            and self.recorder.n_batches > 0
            and self.recorder.elapsed() >= max_time
        )
        return pending is not None or self.wrapping_up or not out_of_time or self._wrap_up()

    def _wrap_up(self) -> bool:
        """On an early stop: whether to go on taking the best candidate up to the top."""
        self.wrapping_up = self.recorder.n_batches > 0 and not self.rungs.top_reached()
        return self.wrapping_up

    # -- evaluate and record ---------------------------------------------------------------
    def _evaluate(self, X: np.ndarray, params: list[dict], stored_start: Any) -> tuple:
        self.evaluator.batch_rungs = self.rungs.rungs_of(X)
        outcome, stop = super()._evaluate(X, params, stored_start)
        return outcome, stop and not self._wrap_up()

    def _restore(self, X: np.ndarray, params: list[dict], batch: Any) -> bool:
        self.evaluator.batch_rungs = self.rungs.rungs_of(X)
        return super()._restore(X, self._params(X), batch)

    def _tell_and_record(self, X: np.ndarray, params: list[dict], outcome: BatchOutcome) -> bool:
        top = self.rungs.rungs_of(X) == self.ladder.top
        self.unrecorded = None
        self.recorder.add(params, outcome.y, eligible=top)
        entry = self.rungs.entry
        self.proposer.tell(X, outcome.y, outcome.y_std)
        if self.rungs.entry != entry:  # a rung misleads: its candidates may enter higher
            self.proposer.evaluated_keys.difference_update(self.rungs.released())
            self.exhausted = False
            self._start_as_the_plain_search()
        self.interrupts.release()
        stop = self.recorder.report(self.evaluator.results)
        return stop and not self._wrap_up()

    def _start_as_the_plain_search(self) -> None:
        """Once halving has ended: the top rung's design replays the plain search's start.

        The candidates a plain search would have evaluated first (the user's, then
        the design) were entered at the lowest rung, where they were misranked;
        the top rung's model hands them out first in place of its own design
        points not handed out yet, so that the search goes on as the plain search
        would have begun, the cost of the cheap rungs apart (on the equal-compute
        benchmark's MLP, fifteen seeds, this raised halving Bayes by 18 normalized
        points at a quarter of the budget over starting from the top model's own
        design). Candidates already at the top, or carried there, are skipped.
        """
        top = self.ladder.top
        carried = set(self.rungs.carried())
        start = [
            self.rungs.rows[key]
            for key in self.rungs.keys[0][: self.n_start]
            if self.rungs.next_rung[key] <= top and key not in carried
        ]
        if start:
            self.proposer.strategy.strategies[top].hand_out_first(np.array(start))

    def _release(self) -> None:
        super()._release()
        if getattr(self, "_restore_estimator", None) is not None:
            self._restore_estimator()  # before refit clones it
            self._restore_estimator = None
        if getattr(self, "continuation", None) is not None:
            self.continuation.close()
            self.continuation = None

    def _finish(self) -> None:
        if self.rungs.n_entered and not self.rungs.top_reached():  # only after a Ctrl-C
            reached = max(r for r, scores in enumerate(self.rungs.scores) if scores)
            warnings.warn(
                f"No candidate reached max_resources={self.ladder.n_resources[-1]}: the best "
                f"is chosen among those at n_resources={self.ladder.n_resources[reached]}.",
                UserWarning,
            )
        super()._finish()
        self.search.n_candidates_ = [len(scores) for scores in self.rungs.scores]
