"""A small, real tuning job: ``python -m skhpo.demo``.

Tunes an RBF support-vector classifier (in a scaling pipeline) on scikit-learn's
breast-cancer data with a skhpo search and with ``RandomizedSearchCV`` at the
same budget, over several seeds, and prints what each found. The held-out test
split is never seen by either search.
"""

from __future__ import annotations

import time

import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from ._searches import BayesSearchCV, TPESearchCV

SPACE = {"svc__C": loguniform(1e-2, 1e4), "svc__gamma": loguniform(1e-6, 1e0)}
BUDGET = 25
SEEDS = range(5)
# The skhpo searches shown here.
SEARCHES = {"skhpo BayesSearchCV": BayesSearchCV, "skhpo TPESearchCV": TPESearchCV}


def _run(make_search, X_train, y_train, X_test, y_test):
    best_cv, test, seconds = [], [], []
    for seed in SEEDS:
        cv = StratifiedKFold(5, shuffle=True, random_state=seed)
        search = make_search(seed, cv)
        start = time.perf_counter()
        search.fit(X_train, y_train)
        seconds.append(time.perf_counter() - start)
        best_cv.append(search.best_score_)
        test.append(search.score(X_test, y_test))
    return search, np.array(best_cv), np.array(test), np.array(seconds)


def main() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)
    pipe = make_pipeline(StandardScaler(), SVC())
    methods = {
        name: (lambda seed, cv, cls=cls: cls(pipe, SPACE, n_iter=BUDGET, cv=cv, random_state=seed))
        for name, cls in SEARCHES.items()
    }
    methods["sklearn RandomizedSearchCV"] = lambda seed, cv: RandomizedSearchCV(
        pipe, SPACE, n_iter=BUDGET, cv=cv, random_state=seed
    )
    print(
        f"Tuning SVC(C, gamma) on breast cancer: {BUDGET} candidates x 5-fold CV, "
        f"{len(SEEDS)} seeds, 30% held out.\n"
    )
    print(f"{'method':40s} {'best CV accuracy':>18s} {'test accuracy':>15s} {'seconds':>8s}")
    for name, make_search in methods.items():
        search, best_cv, test, seconds = _run(make_search, X_train, y_train, X_test, y_test)
        print(
            f"{name:40s} {best_cv.mean():10.4f} ± {best_cv.std():.4f} "
            f"{test.mean():8.4f} ± {test.std():.4f} {seconds.mean():8.2f}"
        )
        params = {k: round(v, 5) for k, v in search.best_params_.items()}
        print(f"{'':40s} last seed's best: {params}")


if __name__ == "__main__":
    main()
