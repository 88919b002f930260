"""What continuing promoted candidates saves: halving searches with and without it.

Successive halving on an iteration parameter (``resource="n_estimators"``,
``"max_iter"``) fits a promoted candidate again at its new rung; for the
estimators of ``skhpo._continuation.CONTINUABLE`` it continues the fit of the
rung below instead (warm start), which gives the same model. This runs the
same halving search twice, with continuation and with it switched off, and
reports the CPU time of each and whether the two ``cv_results_`` are identical
(they must be: continuing changes no score). The saving is bounded by the
share of the resource spent on promoted rows' lower rungs (``at most``): rows
that enter at the top (the hedge, and every candidate once the guard finds
that a rung misleads) have nothing to continue.

Run from the repository root::

    python -m benchmarks.continuation --seeds 3

It prints a Markdown table (and writes it to ``--out`` if given).
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
from sklearn.datasets import make_classification, make_friedman1
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from threadpoolctl import threadpool_limits

from skhpo import Integer, Real, TPESearchCV
from skhpo._continuation import CONTINUABLE

#: name -> (estimator, resource, min_resources, max_resources, space, data)
PROBLEMS: dict[str, tuple[Any, str, int, int, dict, Callable[[], tuple]]] = {
    "rf-classif": (
        RandomForestClassifier(random_state=0), "n_estimators", 10, 270,
        {"max_features": Real(0.1, 1.0), "min_samples_leaf": Integer(1, 20, log=True)},
        lambda: make_classification(1500, 20, n_informative=8, random_state=0),
    ),
    "et-regress": (
        ExtraTreesRegressor(random_state=0), "n_estimators", 10, 270,
        {"max_features": Real(0.1, 1.0), "min_samples_leaf": Integer(1, 20, log=True)},
        lambda: make_friedman1(1500, 10, noise=1.0, random_state=0),
    ),
    "gb-regress": (
        GradientBoostingRegressor(random_state=0), "n_estimators", 10, 270,
        {"learning_rate": Real(0.01, 0.5, log=True), "max_depth": Integer(2, 6),
         "subsample": Real(0.5, 1.0)},
        lambda: make_friedman1(1500, 10, noise=1.0, random_state=1),
    ),
    "hgb-classif": (
        HistGradientBoostingClassifier(early_stopping=False, random_state=0), "max_iter", 10,
        270,
        {"learning_rate": Real(0.01, 0.5, log=True),
         "max_leaf_nodes": Integer(3, 63, log=True)},
        lambda: make_classification(3000, 20, n_informative=8, random_state=1),
    ),
}  # fmt: skip


def run_once(problem: str, seed: int, continuing: bool) -> tuple[float, dict]:
    """CPU seconds of one halving search (one thread), and its cv_results_."""
    estimator, resource, low, high, space, data = PROBLEMS[problem]
    X, y = data()
    search = TPESearchCV(
        estimator, space, n_iter=27, resource=resource, min_resources=low,
        max_resources=high, factor=3, cv=3, random_state=seed, n_jobs=1, refit=False,
    )  # fmt: skip
    switch = nullcontext() if continuing else mock.patch.dict(CONTINUABLE, clear=True)
    with switch, threadpool_limits(1):
        start = time.process_time()
        search.fit(X, y)
        cpu = time.process_time() - start
    return cpu, search.cv_results_


def same_results(a: dict, b: dict) -> bool:
    """Same rows: parameters, rungs and every fold's score."""
    folds = [k for k in a if k.startswith("split") and k.endswith("_test_score")]
    return (
        list(map(repr, a["params"])) == list(map(repr, b["params"]))
        and np.array_equal(a["iter"], b["iter"])
        and all(np.array_equal(a[k], b[k], equal_nan=True) for k in folds)
    )


def continuable_share(results: dict, resource: str) -> float:
    """Share of the resource spent (summed over rows) that a promoted row's rung below
    already spent on the same candidate."""
    resources = np.asarray(results["n_resources"], dtype=float)
    previous: dict[str, float] = {}
    saved = 0.0
    for params, spent in zip(results["params"], resources):
        key = repr(sorted((k, v) for k, v in params.items() if k != resource))
        saved += previous.get(key, 0.0)
        previous[key] = spent
    return saved / resources.sum()


def main(argv: list[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    lines = [
        "| problem | seed | rows (at the top) | CPU s, from scratch | CPU s, continuing | saved "
        "| at most | identical |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for problem in args.problems:
        for seed in range(args.seeds):
            scratch_cpu, scratch = run_once(problem, seed, continuing=False)
            continued_cpu, continued = run_once(problem, seed, continuing=True)
            saved = 1 - continued_cpu / scratch_cpu
            n_top = int(np.sum(scratch["iter"] == np.max(scratch["iter"])))
            share = continuable_share(scratch, PROBLEMS[problem][1])
            lines.append(
                f"| {problem} | {seed} | {len(scratch['params'])} ({n_top}) | {scratch_cpu:.1f} "
                f"| {continued_cpu:.1f} | {saved:.0%} | {share:.0%} "
                f"| {same_results(scratch, continued)} |"
            )
            print(lines[-1], flush=True)
    text = "\n".join(lines) + "\n"
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "report.md").write_text(text)
    return text


if __name__ == "__main__":
    main()
