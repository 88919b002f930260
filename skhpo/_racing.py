"""Fold racing: a candidate's folds are scored in stages, and one shown worse is stopped.

After each stage, a one-sided paired t-test of the candidate's fold scores
against those of the best candidate scored on every fold (the *reference*,
fixed when the batch starts), on the same folds, stops the candidate when it is
worse at the option's confidence; its other folds are never fitted.

:class:`RacingEvaluator` is a second implementation of the evaluator
interface of :class:`~skhpo._evaluation.CrossValidationEvaluator`. A batch
with no reference yet (the first) goes through scikit-learn's
``evaluate_candidates`` whole; later batches are fitted here, stage by stage,
with scikit-learn's ``_fit_and_score`` on the ``Parallel`` its ``fit`` opened
(the stage-``s`` folds of every candidate of a batch in one parallel call), and
their rows are added to ``cv_results_`` through :meth:`FitSeam.add_rows`.

A fold never fitted is a per-fold result with ``fit_time`` NaN and no
``fit_error``; :func:`format_raced` turns such rows into ``cv_results_`` rows
whose means and stds are over the folds scored and which rank after every
candidate scored on all folds.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import stats
from scipy.stats import rankdata
from sklearn.base import clone
from sklearn.utils.parallel import delayed

from ._compat import (
    fit_and_score,
    insert_error_scores,
    is_all_fits_failed_error,
    warn_or_raise_about_fit_failures,
)  # fmt: skip
from ._evaluation import BatchOutcome, CrossValidationEvaluator, fold_score
from ._inputs import optimised_metric
from ._seam import PRUNED_KEY, TaskContext

__all__ = [
    "RacingEvaluator", "check_racing", "format_raced", "racing_confidence",
    "stage_ends", "worse_than_reference",
]  # fmt: skip

#: The confidence ``racing=True`` means (API.md).
DEFAULT_CONFIDENCE = 0.95
_NON_FINITE = "One or more of the .* scores are non-finite"


def racing_confidence(racing: Any) -> float | None:
    """The test's confidence of the ``racing`` option; None when racing is off."""
    if isinstance(racing, (bool, np.bool_)):
        return DEFAULT_CONFIDENCE if racing else None
    return float(racing)


def check_racing(search: Any, n_splits: int) -> None:
    """Refuse racing where it cannot stop anything, before any fit."""
    if racing_confidence(search.racing) is not None and n_splits < 3:
        raise ValueError(
            f"racing={search.racing!r} needs at least 3 CV splits (a paired test over the "
            f"first 2 folds, and folds left to skip), but cv gives {n_splits}: use more "
            "splits or racing=False."
        )


def stage_ends(n_splits: int) -> list[int]:
    """The number of folds scored after each stage: 2, 4, 8, ..., then all.

    Two folds are the fewest a paired test can use. Each later stage at most
    doubles the folds scored, so a stopped candidate never cost more than twice
    the fits of the evidence that stopped it, and a batch needs only about
    ``log2(n_splits)`` parallel rounds (5 folds: 2, 4, 5; 10 folds: 2, 4, 8, 10).
    """
    ends, n = [], 2
    while n < n_splits:
        ends.append(n)
        n *= 2
    return [*ends, n_splits]


def worse_than_reference(
    scores: np.ndarray, reference: np.ndarray, confidence: float
) -> np.ndarray:
    """Whether each candidate is worse than the reference, by a one-sided paired t-test.

    Parameters
    ----------
    scores : ndarray of shape (n_candidates, n_folds)
        The candidates' scores on the folds scored so far (higher is better).
    reference : ndarray of shape (n_folds,)
        The reference's scores on the same folds.
    confidence : float
        The test's confidence: stop when the p-value is below ``1 - confidence``.

    Returns
    -------
    ndarray of bool of shape (n_candidates,)
        True for a candidate shown worse, and for one with a NaN score (a
        failed fit with ``error_score=nan``: its mean is NaN whatever the other
        folds give, so it can never be the best).
    """
    d = reference[None, :] - scores  # positive: the candidate is worse on that fold
    n = d.shape[1]
    mean, sd = d.mean(axis=1), d.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = mean / (sd / np.sqrt(n))
    # Equal differences on every fold (sd = 0, e.g. a score that does not depend on
    # the fold) are a certain sign: t is +-inf; no difference at all is no evidence.
    t = np.where(sd > 0, t, np.where(mean > 0, np.inf, np.where(mean < 0, -np.inf, 0.0)))
    p = stats.t.sf(t, df=n - 1)
    return np.isnan(d).any(axis=1) | (p < 1 - confidence)


class RacingEvaluator(CrossValidationEvaluator):
    """Scores each candidate of a batch in stages of folds, stopping those shown worse.

    Parameters are those of :class:`~skhpo._evaluation.CrossValidationEvaluator`,
    plus ``confidence`` (the test's, in (0, 1)).
    """

    def __init__(self, *args: Any, confidence: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.confidence = confidence
        # The fold scores of every candidate scored on all folds, and their batches:
        # the reference of batch b is the best of those of batches before b.
        self.full_scores: list[np.ndarray] = []
        self.full_batches: list[int] = []
        self.seam.reformat = format_raced
        if self.seam.fit_locals() is None:
            raise ValueError(
                "racing needs scikit-learn's BaseSearchCV.fit to expose its data and fit "
                "arguments to evaluate_candidates, which this scikit-learn version does "
                "not: use racing=False."
            )

    # -- evaluate -------------------------------------------------------------------------
    def evaluate(
        self, params: list[dict], *, batch: int, position: int, ctx: TaskContext
    ) -> BatchOutcome:
        """Race the batch's candidates against the reference (all folds if none yet)."""
        reference = self._reference(batch)
        if reference is None:
            keep, self.keep_splits = self.keep_splits, True
            try:
                outcome = super().evaluate(params, batch=batch, position=position, ctx=ctx)
            finally:
                self.keep_splits = keep
            if outcome.splits is not None:
                self._remember(batch, self._fold_scores(outcome.splits))
            return outcome if keep else outcome._replace(splits=None)
        try:
            splits = self._race(params, reference, ctx)
            self.on_fitted()
        except ValueError as exc:
            self.on_fitted()
            if not is_all_fits_failed_error(exc):
                raise
            return self._failed(params, exc, batch, position)
        return self._record(params, splits, batch, position, reference)

    def _race(self, params: list[dict], reference: np.ndarray, ctx: TaskContext) -> list:
        """Fit the candidates' folds stage by stage; per candidate, its per-fold results
        (None for folds never fitted)."""
        fit = {name: cell.cell_contents for name, cell in self.seam.fit_locals().items()}
        X, y, base, kwargs = fit["X"], fit["y"], fit["base_estimator"], fit["fit_and_score_kwargs"]
        parallel = fit["parallel"]
        folds = list(self.cv.split(X, y, **fit["routed_params"].splitter.split))
        n, k = len(params), len(folds)
        out: list[list] = [[None] * k for _ in range(n)]
        scores = np.full((n, k), np.nan)
        alive = np.ones(n, dtype=bool)
        start, task = 0, 0
        for end in stage_ends(k):
            pairs = [(c, f) for c in np.flatnonzero(alive) for f in range(start, end)]
            contexts = _contexts(ctx, task, len(pairs))
            task += len(pairs)
            fitted = parallel(
                delayed(fit_and_score)(
                    clone(base), X, y, train=folds[f][0], test=folds[f][1],
                    parameters=params[c], split_progress=(f, k), candidate_progress=(c, n),
                    **kwargs, caller=self.search, callback_ctx=context,
                )
                for (c, f), context in zip(pairs, contexts)
            )  # fmt: skip
            if callable(self.search.scoring):
                insert_error_scores(fitted, self.search.error_score)
            for (c, f), result in zip(pairs, fitted):
                out[c][f] = result
                scores[c, f] = fold_score(result["test_scores"], self._metric(result))
            if end < k:
                alive &= ~worse_than_reference(scores[:, :end], reference[:end], self.confidence)
            start = end
        warn_or_raise_about_fit_failures(
            [o for candidate in out for o in candidate if o is not None], self.search.error_score
        )
        return out

    def _record(
        self, params: list[dict], out: list, batch: int, position: int, reference: np.ndarray
    ) -> BatchOutcome:
        """Put the raced rows in ``cv_results_``; what the strategy is told of them."""
        template = next(o for candidate in out for o in candidate if o is not None)
        splits = [
            [o if o is not None else _unfitted(template) for o in candidate] for candidate in out
        ]
        fitted = np.array([[o is not None for o in candidate] for candidate in out])
        pruned = ~fitted.all(axis=1)
        self.seam.add_rows(position, params, batch, splits, {PRUNED_KEY: pruned.tolist()})
        self.results = self.seam.current_results()
        scores = self._fold_scores(splits)
        self._remember(batch, scores[~pruned])
        y, y_std = told_scores(scores, fitted, reference)
        return BatchOutcome(y, y_std, splits if self.keep_splits else None, None)

    # -- restore ------------------------------------------------------------------------
    def restore(
        self, params: list[dict], parts: list[tuple[int, int, Any]], *, batch: int,
        position: int, source: str,
    ) -> BatchOutcome:  # fmt: skip
        """Put stored candidates in ``cv_results_`` as stored: pruned ones keep their
        partial folds and are not raced again."""
        reference = self._reference(batch)
        y, y_std = np.full(len(params), np.nan), np.full(len(params), np.nan)
        for start, stop, outcome in parts:
            if isinstance(outcome, str):
                part = super().restore(
                    params[start:stop], [(0, stop - start, outcome)], batch=batch,
                    position=position + start, source=source,
                )  # fmt: skip
                y[start:stop], y_std[start:stop] = part.y, part.y_std
                continue
            try:
                scores = self._fold_scores(outcome)
                fitted = np.array([[_was_fitted(s) for s in c] for c in outcome])
            except (KeyError, TypeError, ValueError) as exc:
                raise ValueError(
                    f"{source} is not a readable skhpo checkpoint (its test scores of "
                    f"{self.metric!r} cannot be read: {exc!r}); it was left untouched: move "
                    "it away or pass another path."
                ) from None
            pruned = ~fitted.all(axis=1)
            self.seam.add_rows(
                position + start, params[start:stop], batch, outcome,
                {PRUNED_KEY: pruned.tolist()},
            )  # fmt: skip
            self._remember(batch, scores[~pruned])
            y[start:stop], y_std[start:stop] = told_scores(scores, fitted, reference)
        return BatchOutcome(y, y_std, None, None)

    def evaluate_a_restored_batch_again(self) -> None:
        """Nothing is fitted again: the restored rows are handed to scikit-learn as
        they are (see ``FitSeam.finish``)."""
        if any(not isinstance(row[3], str) for row in self.seam.extra_rows):
            self.results = self.seam.current_results()

    # -- the reference --------------------------------------------------------------------
    def _fold_scores(self, splits: list[list[dict]]) -> np.ndarray:
        """The optimised metric's test score of every fold, shape (n_candidates, n_splits)."""
        scores = [[fold_score(s["test_scores"], self._metric(s)) for s in c] for c in splits]
        return np.array(scores, dtype=float).reshape(len(splits), -1)

    def _metric(self, split: dict) -> str:
        """The optimised metric, learnt from a result for a callable ``scoring`` (its
        metrics are known once it has scored, maybe only in a restored batch)."""
        scores = split["test_scores"]
        if callable(self.search.scoring) and isinstance(scores, dict):
            self.metric = optimised_metric(self.search, list(scores))
        return self.metric

    def _remember(self, batch: int, full: np.ndarray) -> None:
        """Keep the fold scores of candidates scored on every fold (with a finite mean)."""
        full = full[np.isfinite(full).all(axis=1)]
        self.full_scores.extend(full)
        self.full_batches.extend([batch] * len(full))

    def _reference(self, batch: int) -> np.ndarray | None:
        """The fold scores of the best candidate scored on every fold before ``batch``."""
        before = np.flatnonzero(np.array(self.full_batches, dtype=int) < batch)
        if not len(before):
            return None
        scores = np.array(self.full_scores)[before]
        return scores[int(np.argmax(scores.mean(axis=1)))]


def told_scores(
    scores: np.ndarray, fitted: np.ndarray, reference: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """What the strategy is told of raced candidates: mean and std over folds.

    A candidate scored on every fold is told its mean. A stopped one is told the
    reference's mean less the mean paired difference on the folds it was scored
    on (the quantity the test judged), not its plain partial mean: the first
    folds may be easier or harder than the rest, and the paired difference
    removes that, so that a stopped candidate is told a score below the
    reference's, as the test found it. Its std is over the folds scored.
    """
    n_fitted = fitted.sum(axis=1)
    masked = np.where(fitted, scores, 0.0)
    partial = masked.sum(axis=1) / n_fitted
    y_std = np.sqrt(np.where(fitted, (scores - partial[:, None]) ** 2, 0.0).sum(axis=1) / n_fitted)
    y = np.where(fitted.all(axis=1), scores.mean(axis=1), partial)
    if reference is not None:
        ref_on_fitted = np.where(fitted, reference[None, :], 0.0).sum(axis=1) / n_fitted
        adjusted = reference.mean() - (ref_on_fitted - partial)
        y = np.where(fitted.all(axis=1), y, adjusted)
    return y, y_std


def _unfitted(template: dict) -> dict:
    """The per-fold result of a fold never fitted (``fit_time`` NaN, no ``fit_error``)."""

    def nan_like(value: Any) -> Any:
        return {k: np.nan for k in value} if isinstance(value, dict) else np.nan

    scores = [key for key in ("test_scores", "train_scores") if key in template]
    return {
        **{key: np.nan for key in template},
        **{key: nan_like(template[key]) for key in scores},
        "fit_error": None,
    }


def _was_fitted(split: dict) -> bool:
    return split.get("fit_error") is not None or not np.isnan(split.get("fit_time", 0.0))


def _contexts(ctx: TaskContext, first: int, n: int) -> list:
    """scikit-learn's per-fit callback contexts, as ``evaluate_candidates`` makes them."""
    if ctx.ctx is None:
        return [None] * n
    return [
        ctx.ctx.subcontext(task_name="candidate-split-evaluation", task_id=first + i)
        for i in range(n)
    ]


# -- cv_results_ of partly fitted rows ------------------------------------------------------
def format_raced(
    format_results: Any, candidate_params: list, n_splits: int, out: list, more_results: Any
) -> dict:
    """scikit-learn's ``_format_results``, then the rows of stopped candidates fixed.

    Their means and stds are over the folds fitted (scikit-learn's are NaN), a
    ``pruned`` column says which they are, and in every ``rank_test_*`` column
    they rank after every candidate scored on all folds, so that neither
    scikit-learn's choice of ``best_index_`` nor a ``refit`` callable reading the
    ranks picks one.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _NON_FINITE)  # warned below, once fixed
        results = format_results(candidate_params, n_splits, out, more_results)
    n = len(candidate_params)
    fitted = np.array([_was_fitted(o) for o in out], dtype=bool).reshape(n, n_splits)
    pruned = np.array([bool(v) for v in results.get(PRUNED_KEY, [False] * n)], dtype=bool)
    results[PRUNED_KEY] = pruned
    partial = ~fitted.all(axis=1)
    for key in [k for k in results if k.startswith(("mean_test_", "mean_train_"))]:
        name = key[len("mean_") :]
        folds = np.column_stack([results[f"split{i}_{name}"] for i in range(n_splits)])
        _store_partial(results, name, folds, fitted, partial)
    for name in ("fit_time", "score_time"):
        times = np.array([o[name] for o in out], dtype=float).reshape(n, n_splits)
        _store_partial(results, name, times, fitted, partial)
    for key in [k for k in results if k.startswith("rank_test_")]:
        results[key] = _rank(results["mean_" + key[len("rank_") :]], pruned)
    for key in [k for k in results if k.startswith(("mean_test_", "mean_train_"))]:
        if not np.isfinite(results[key]).all():
            kind = key.split("_")[1]
            warnings.warn(
                f"One or more of the {kind} scores are non-finite: {results[key]}", UserWarning
            )
    return results


def _store_partial(
    results: dict, name: str, values: np.ndarray, fitted: np.ndarray, rows: np.ndarray
) -> None:
    """Mean and std over the fitted folds of ``rows`` (the others are left as computed)."""
    if not rows.any():
        return
    values, fitted = values[rows], fitted[rows]
    count = fitted.sum(axis=1)
    mean = np.where(fitted, values, 0.0).sum(axis=1) / count
    std = np.sqrt(np.where(fitted, (values - mean[:, None]) ** 2, 0.0).sum(axis=1) / count)
    results[f"mean_{name}"] = np.array(results[f"mean_{name}"], dtype=float)
    results[f"std_{name}"] = np.array(results[f"std_{name}"], dtype=float)
    results[f"mean_{name}"][rows], results[f"std_{name}"][rows] = mean, std


def _rank(means: np.ndarray, pruned: np.ndarray) -> np.ndarray:
    """scikit-learn's ranks (NaN tied last), candidates scored on all folds first."""
    ranks = np.empty(len(means), dtype=np.int32)
    offset = 0
    for group in (~pruned, pruned):
        values = means[group]
        if len(values) and not np.isnan(values).all():
            values = np.nan_to_num(values, nan=np.nanmin(values) - 1)
            ranks[group] = offset + rankdata(-values, method="min")
        else:
            ranks[group] = offset + 1
        offset += int(group.sum())
    return ranks
