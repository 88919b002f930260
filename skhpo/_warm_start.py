"""Reading an earlier search's results to warm-start a new one."""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from ._constraints import with_numeric_twins
from .space import SearchSpace

__all__ = ["WarmStart", "read_warm_start"]


class WarmStart(NamedTuple):
    """Candidates of an earlier search that lie in the new search's space.

    Attributes
    ----------
    rows : ndarray of shape (n, n_columns)
        Canonical rows.
    params : list of dict
        Their parameters, as the earlier search recorded them.
    y, y_std : ndarray of shape (n,)
        Mean and std over folds of the optimised metric.
    splits : list of list of dict or None
        Per candidate, per-fold result dicts in scikit-learn's format, to put the
        candidates in ``cv_results_``; None when they are only told.
    """

    rows: np.ndarray
    params: list[dict]
    y: np.ndarray
    y_std: np.ndarray
    splits: list | None


def read_warm_start(
    source: Any,
    space: SearchSpace,
    metric: str,
    n_splits: int,
    include: bool,
    estimator: Any = None,
) -> WarmStart:
    """The usable candidates of ``source`` (a fitted search or a ``cv_results_`` dict).

    Raises ``ValueError`` naming ``warm_start_from`` when the results lack the
    optimised metric, or, to include them, have another number of CV splits.
    A number names a choice written as its int or float twin (``C=1.0``, the
    choice ``1``) where ``estimator``'s declared constraints give both the same
    meaning (see :func:`skhpo._constraints.numeric_twin_in`).
    """
    results = source if isinstance(source, dict) else getattr(source, "cv_results_", None)
    if results is None:
        raise ValueError("warm_start_from: the search has no cv_results_ (is it fitted?)")
    if f"mean_test_{metric}" not in results:
        raise ValueError(f"warm_start_from: the results have no mean_test_{metric}")
    searched = [with_numeric_twins(params, space, estimator) for params in results["params"]]
    rows, kept = [], []
    for i, params in enumerate(searched):
        try:
            rows.append(space.encode([params])[0])
            kept.append(i)
        except (TypeError, ValueError):
            continue
    if len(kept) < len(results["params"]):
        warnings.warn(
            f"warm_start_from: {len(results['params']) - len(kept)} of its "
            f"{len(results['params'])} candidates are outside this search space and are ignored.",
            UserWarning,
        )
    seen: set[bytes] = set()
    unique = []
    for i, key in zip(kept, space.keys(np.array(rows).reshape(-1, space.n_columns))):
        if key not in seen:
            seen.add(key)
            unique.append(i)
    kept = unique
    rows = space.encode([searched[i] for i in kept])
    splits = _splits(results, kept, n_splits) if include else None
    return WarmStart(
        rows,
        [dict(results["params"][i]) for i in kept],
        np.asarray(results[f"mean_test_{metric}"], dtype=float)[kept],
        np.asarray(results[f"std_test_{metric}"], dtype=float)[kept],
        splits,
    )


def _splits(results: dict, kept: list[int], n_splits: int) -> list[list[dict]]:
    """Per-fold result dicts rebuilt from ``cv_results_`` columns."""
    names = sorted(k[len("mean_test_") :] for k in results if k.startswith("mean_test_"))
    if f"split{n_splits - 1}_test_{names[0]}" not in results or (
        f"split{n_splits}_test_{names[0]}" in results
    ):
        raise ValueError(
            f"warm_start_from: to include its candidates, it must have {n_splits} CV splits "
            "like this search"
        )

    def scores(kind: str, split: int, i: int) -> Any:
        values = {n: float(results[f"split{split}_{kind}_{n}"][i]) for n in names}
        return values["score"] if names == ["score"] else values

    train = f"split0_train_{names[0]}" in results
    out = []
    for i in kept:
        folds = []
        for split in range(n_splits):
            test = scores("test", split, i)
            failed = not np.all(
                np.isfinite(list(test.values()) if isinstance(test, dict) else test)
            )
            fold = {
                "fit_error": "failed in the warm-start search" if failed else None,
                "test_scores": test,
                "n_test_samples": np.nan,
                "fit_time": float(results["mean_fit_time"][i]),
                "score_time": float(results["mean_score_time"][i]),
            }
            if train:
                fold["train_scores"] = scores("train", split, i)
            folds.append(fold)
        out.append(folds)
    return out
