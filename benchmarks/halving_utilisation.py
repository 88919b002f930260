"""Worker utilisation of successive halving with ``n_jobs=2``: skhpo against scikit-learn.

Usage, from the repository root, on an otherwise idle machine::

    python -m benchmarks.halving_utilisation              # 2 seeds: about 4 min on 2 cores
    python -m benchmarks.halving_utilisation --seeds 3 --n-iter 27

Each search tunes HistGradientBoosting on digits (5 shuffled folds) with
``resource="max_iter"`` (``min_resources=3``, ``max_resources=81``,
``factor=3``): scikit-learn's ``HalvingRandomSearchCV`` (``n_candidates=n_iter``,
synchronous rounds) and skhpo's ``TPESearchCV`` and ``BayesSearchCV``
(``n_iter`` candidates, promotions and new candidates sharing each batch).
Thread pools are limited to one thread and joblib's workers are started
before the clock starts, as in :mod:`benchmarks.parallel`.

**Utilisation** is the CPU time the fits and scores took (from
``cv_results_``: ``(mean_fit_time + mean_score_time) * n_splits`` summed over
rows) divided by ``n_jobs`` times the wall time of ``fit`` (``refit=False``):
1 means both workers were busy fitting all the time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy.stats import loguniform, randint, uniform
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingRandomSearchCV, StratifiedKFold
from threadpoolctl import threadpool_limits

from benchmarks.parallel import warm_workers
from skhpo import BayesSearchCV, TPESearchCV

SPACE = {
    "learning_rate": loguniform(1e-2, 1.0),
    "max_leaf_nodes": randint(8, 49),
    "min_samples_leaf": randint(2, 51),
    "l2_regularization": loguniform(1e-4, 10.0),
    "max_features": uniform(0.3, 0.7),
}
HALVING = {"resource": "max_iter", "min_resources": 3, "max_resources": 81, "factor": 3}
N_JOBS = 2


def build(method: str, n_iter: int, seed: int):
    estimator = HistGradientBoostingClassifier(early_stopping=False, random_state=0)
    cv = StratifiedKFold(5, shuffle=True, random_state=seed)
    common = {"cv": cv, "n_jobs": N_JOBS, "refit": False, "random_state": seed, **HALVING}
    if method == "sklearn-halving-random":
        return HalvingRandomSearchCV(
            estimator, SPACE, n_candidates=n_iter, return_train_score=False, **common
        )
    cls = {"skhpo-tpe": TPESearchCV, "skhpo-bayes": BayesSearchCV}[method]
    return cls(estimator, SPACE, n_iter=n_iter, **common)


def utilisation(method: str, n_iter: int, seed: int) -> dict:
    """One search's wall time, fit CPU and utilisation."""
    X, y = datasets.load_digits(return_X_y=True)
    search = build(method, n_iter, seed)
    with threadpool_limits(limits=1):
        warm_workers(N_JOBS, search.estimator, X[:100], y[:100])
        start = time.perf_counter()
        search.fit(X, y)
        wall = time.perf_counter() - start
    results = search.cv_results_
    busy = float(np.sum(
        (np.asarray(results["mean_fit_time"]) + np.asarray(results["mean_score_time"]))
        * search.n_splits_
    ))  # fmt: skip
    return {
        "method": method, "seed": seed, "wall": wall, "busy": busy,
        "utilisation": busy / (N_JOBS * wall), "rows": len(results["params"]),
        "calls": len(np.unique(results["batch"])) if "batch" in results else None,
    }  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-iter", type=int, default=27)
    args = parser.parse_args(argv)
    methods = ("sklearn-halving-random", "skhpo-tpe", "skhpo-bayes")
    runs = [utilisation(m, args.n_iter, s) for s in range(args.seeds) for m in methods]
    print(f"n_iter={args.n_iter}, n_jobs={N_JOBS}, {HALVING}")
    print("| method | seed | rows | wall (s) | fit CPU (s) | utilisation |")
    print("|---|---|---|---|---|---|")
    for r in runs:
        print(f"| {r['method']} | {r['seed']} | {r['rows']} | {r['wall']:.1f} | "
              f"{r['busy']:.1f} | {r['utilisation']:.2f} |")  # fmt: skip
    for m in methods:
        values = [r["utilisation"] for r in runs if r["method"] == m]
        print(f"median utilisation {m}: {np.median(values):.2f}")


if __name__ == "__main__":
    main()
