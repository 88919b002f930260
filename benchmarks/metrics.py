"""The numbers the benchmark reports, computed from fitted searches and from results.

Per run: :func:`best_so_far`, :func:`overhead_per_candidate`, regret. Across
runs: :func:`add_normalized_scores` and :func:`add_ranks`, which need every
result of a problem; :func:`bootstrap_interval`, how far a mean over few seeds
can be trusted, and :func:`paired_differences`, which pairs two methods' runs
seed by seed; :func:`scaling_profile` for the scaling mode.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import pairwise

import numpy as np
from scipy.stats import rankdata

__all__ = [
    "add_normalized_scores",
    "add_ranks",
    "best_so_far",
    "bootstrap_interval",
    "finite_stat",
    "group",
    "overhead_per_candidate",
    "paired_differences",
    "scaling_profile",
]


def best_so_far(scores: Iterable[float]) -> np.ndarray:
    """Running maximum of ``scores``, ignoring NaN (failed candidates).

    >>> best_so_far([0.5, float("nan"), 0.4, 0.7]).tolist()
    [0.5, 0.5, 0.5, 0.7]
    """
    return np.fmax.accumulate(np.asarray(list(scores), dtype=float))


def overhead_per_candidate(
    wall_time: float, refit_time: float, fit_score_time: float, n_evaluated: int
) -> float:
    """Seconds per evaluated candidate spent outside fitting and scoring.

    ``(wall_time - refit_time - fit_score_time) / n_evaluated``: what the search
    itself costs (proposing candidates, bookkeeping, dispatch).

    >>> overhead_per_candidate(10.0, 1.0, 7.0, 4)
    0.5
    """
    if n_evaluated <= 0:
        return float("nan")
    return (wall_time - refit_time - fit_score_time) / n_evaluated


def group(records: Iterable[dict], *keys: str) -> dict[tuple, list[dict]]:
    """Records grouped by the values of ``keys``, in order of first appearance."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for record in records:
        groups[tuple(record.get(k) for k in keys)].append(record)
    return dict(groups)


def _ok(records: Iterable[dict]) -> list[dict]:
    return [r for r in records if r.get("status") == "ok" and r.get("best_cv") is not None]


def add_normalized_scores(records: list[dict], baseline: str) -> dict[tuple, tuple]:
    """Add ``normalized`` to every successful record, in place.

    ``100 * (best_cv - zero) / (hundred - zero)`` where ``zero`` is the median
    best CV score of the ``baseline`` method (random search) on the same problem
    with the same budget, and ``hundred`` the best score ever seen on the problem
    (any method, seed or budget), or minus the known minimum of a synthetic
    problem. Missing baseline: NaN.

    Returns
    -------
    references : dict
        ``(problem, n_iter) -> (zero, hundred)``.
    """
    ok = _ok(records)
    hundred: dict = {}
    for (problem,), runs in group(ok, "problem").items():
        known = [-r["minimum"] for r in runs if r.get("minimum") is not None]
        hundred[problem] = known[0] if known else max(r["best_cv"] for r in runs)
    references = {}
    for (problem, n_iter), runs in group(ok, "problem", "n_iter").items():
        base = [r["best_cv"] for r in runs if r["method"] == baseline]
        zero = float(np.median(base)) if base else float("nan")
        span = hundred[problem] - zero
        references[problem, n_iter] = (zero, hundred[problem])
        for r in runs:
            r["normalized"] = 100 * (r["best_cv"] - zero) / span if span > 0 else float("nan")
    return references


def add_ranks(records: list[dict], key: str = "best_cv") -> None:
    """Add ``rank`` (1 = highest ``key``, the best CV score by default; ties share the
    mean rank) to every successful record, among the methods run on the same problem,
    seed and budget; in place."""
    for runs in group(_ok(records), "problem", "seed", "n_iter").values():
        ranks = rankdata([-r[key] for r in runs], method="average")
        for r, rank in zip(runs, ranks):
            r["rank"] = float(rank)


def scaling_profile(times: Iterable[float], edges: Iterable[int]) -> tuple[list[int], list[float]]:
    """Seconds per candidate between successive observation counts.

    Parameters
    ----------
    times : sequence of float
        Seconds from the start of ``fit`` to the end of each candidate's evaluation.
    edges : sequence of int
        Observation counts; the profile has one value per interval between two.

    Returns
    -------
    ends, seconds : lists
        The end of each interval reached, and the mean seconds per candidate in it.

    >>> scaling_profile([1.0, 2.0, 4.0, 8.0], [0, 2, 4])
    ([2, 4], [1.0, 3.0])
    """
    times = np.concatenate([[0.0], np.asarray(list(times), dtype=float)])
    ends, seconds = [], []
    edges = list(edges)
    for start, end in pairwise(edges):
        if end >= len(times):
            break
        ends.append(int(end))
        seconds.append(float((times[end] - times[start]) / (end - start)))
    return ends, seconds


def finite_stat(values: Iterable[float | None], reducer: Callable = np.mean) -> float:
    """``reducer`` (mean by default) of the finite values; NaN if there are none.

    >>> finite_stat([1.0, None, float("nan"), 3.0])
    2.0
    """
    finite = [v for v in values if v is not None and np.isfinite(v)]
    return float(reducer(finite)) if finite else float("nan")


def bootstrap_interval(
    records: Iterable[dict], key: str, level: float = 0.9, n_resamples: int = 2000
) -> tuple[float, float]:
    """Bootstrap interval of the mean of ``key`` over ``records``, seeds resampled per problem.

    Each resample draws, for every problem, as many of its runs as it has, with
    replacement, and takes the mean over all drawn runs (so every problem keeps
    its weight). With 5 seeds per problem this shows which differences between
    methods the seeds cannot tell apart. Deterministic (fixed generator).

    Returns
    -------
    low, high : float
        The ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles; NaN when no
        record has a finite ``key``.
    """
    per_problem = [
        np.array(values)
        for runs in group(records, "problem").values()
        if len(values := [r[key] for r in runs if r.get(key) is not None and np.isfinite(r[key])])
    ]
    if not per_problem:
        return float("nan"), float("nan")
    rng = np.random.default_rng(0)
    total = sum(len(v) for v in per_problem)
    sums = np.zeros(n_resamples)
    for values in per_problem:  # one vectorised draw per problem
        sums += values[rng.integers(len(values), size=(n_resamples, len(values)))].sum(1)
    low, high = np.quantile(sums / total, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def normal_interval(diffs: np.ndarray) -> tuple[float, float]:
    """Mean of paired differences and the half-width of its 95 % normal interval
    (1.96 standard errors; 0 with fewer than two)."""
    diffs = np.asarray(diffs, dtype=float)
    half = 1.96 * diffs.std(ddof=1) / np.sqrt(len(diffs)) if len(diffs) > 1 else 0.0
    return float(diffs.mean()), float(half)


def paired_differences(records: Iterable[dict], method: str, other: str, key: str) -> list[dict]:
    """``method``'s ``key`` minus ``other``'s, for each problem, seed and budget both ran.

    Two methods on the same seed share the CV folds, so a paired difference
    removes the seed-to-seed spread that both share: its
    :func:`bootstrap_interval` separates methods that their own intervals do
    not.

    Returns
    -------
    list of dict
        One ``{"problem", "seed", "n_iter", "difference"}`` per pair, in the
        records' order.
    """
    values: dict[str, dict[tuple, float]] = {method: {}, other: {}}
    for r in _ok(records):
        if r["method"] in values and r.get(key) is not None and np.isfinite(r[key]):
            values[r["method"]][r["problem"], r["seed"], r["n_iter"]] = r[key]
    return [
        {"problem": p, "seed": s, "n_iter": n, "difference": v - values[other][p, s, n]}
        for (p, s, n), v in values[method].items()
        if (p, s, n) in values[other]
    ]
