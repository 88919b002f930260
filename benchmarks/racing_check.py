"""Fold racing on small problems: how often it loses the best, and what to tell strategies.

Part A runs a random search (whose proposals do not depend on the scores told,
so raced and unraced runs score the same candidates) with and without racing,
and counts the runs in which racing pruned the candidate the unraced run picked,
or picked a best scoring worse than the unraced one by more than one standard
error, and the share of fits racing needed. Part B runs Bayes and TPE searches
with racing, telling the strategy of a stopped candidate either its paired
estimate (skhpo's choice) or its plain partial mean, against unraced runs.

::

    python -m benchmarks.racing_check --seeds 5 --part a
    python -m benchmarks.racing_check --seeds 5 --part b --searches tpe
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import skhpo._racing as racing
from skhpo import BayesSearchCV, Integer, Real, TPESearchCV
from skhpo.testing import RandomStrategySearchCV


def problems(seed: int) -> dict:
    Xc, yc = make_classification(400, 20, n_informative=6, flip_y=0.05, random_state=seed)
    Xb, yb = load_breast_cancer(return_X_y=True)
    return {
        "svc": (SVC(), {"C": Real(1e-3, 1e3, log=True), "gamma": Real(1e-4, 1e1, log=True)},
                Xc, yc),
        "knn": (KNeighborsClassifier(), {"n_neighbors": Integer(1, 150)}, Xc, yc),
        "tree": (DecisionTreeClassifier(random_state=0),
                 {"max_depth": Integer(1, 12), "min_samples_leaf": Integer(1, 60)}, Xb, yb),
    }  # fmt: skip


def n_fits(results: dict) -> int:
    k = sum(key.startswith("split") and key.endswith("_test_score") for key in results)
    scores = np.column_stack([results[f"split{i}_test_score"] for i in range(k)])
    return int(np.isfinite(scores).sum())


def part_a(seeds: int, confidences: list[float]) -> None:
    print("A. random search, n_iter=30, batch_size=6, cv=5: share of runs losing the best")
    lost_best = dict.fromkeys(confidences, 0)
    worse_by_se = dict.fromkeys(confidences, 0)
    fits: dict = {conf: [] for conf in confidences}
    runs = 0
    for seed in range(seeds):
        for est, space, X, y in problems(seed).values():
            kw = dict(n_iter=30, batch_size=6, cv=5, random_state=seed)
            plain = RandomStrategySearchCV(est, space, **kw).fit(X, y)
            best = plain.best_index_
            se = plain.cv_results_["std_test_score"][best] / np.sqrt(5)
            runs += 1
            for conf in confidences:
                raced = RandomStrategySearchCV(est, space, racing=conf, **kw).fit(X, y)
                lost_best[conf] += bool(raced.cv_results_["pruned"][best])
                worse_by_se[conf] += raced.best_score_ < plain.best_score_ - se
                fits[conf].append(n_fits(raced.cv_results_) / n_fits(plain.cv_results_))
    for conf in confidences:
        print(
            f"  confidence {conf}: best pruned in {lost_best[conf]}/{runs} runs, final best "
            f"worse by > 1 SE in {worse_by_se[conf]}/{runs}, fits used "
            f"{np.mean(fits[conf]):.0%} (mean)"
        )


def _partial_mean(scores, fitted, reference):
    y, y_std = TOLD(scores, fitted, reference)
    partial = np.where(fitted, scores, 0.0).sum(axis=1) / fitted.sum(axis=1)
    return np.where(fitted.all(axis=1), y, partial), y_std


TOLD = racing.told_scores


def part_b(seeds: int, searches: list[str]) -> None:
    print(f"B. {' and '.join(searches)}, n_iter=30, cv=5: what a stopped candidate is told")
    for cls in [{"bayes": BayesSearchCV, "tpe": TPESearchCV}[name] for name in searches]:
        for variant in ("unraced", "paired", "partial"):
            racing.told_scores = _partial_mean if variant == "partial" else TOLD
            scores, fits = [], []
            for seed in range(seeds):
                for est, space, X, y in problems(seed).values():
                    search = cls(
                        est, space, n_iter=30, cv=5, random_state=seed,
                        racing=variant != "unraced",
                    ).fit(X, y)  # fmt: skip
                    scores.append(search.best_score_)
                    fits.append(n_fits(search.cv_results_))
            racing.told_scores = TOLD
            print(
                f"  {cls.__name__:13s} {variant:8s}: mean best CV score {np.mean(scores):.4f}, "
                f"mean fits {np.mean(fits):.0f}"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--part", choices=["a", "b", "ab"], default="ab")
    parser.add_argument("--searches", nargs="+", choices=["bayes", "tpe"], default=["bayes", "tpe"])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    if "a" in args.part:
        part_a(args.seeds, [0.9, 0.95, 0.99])
    if "b" in args.part:
        part_b(args.seeds, args.searches)
