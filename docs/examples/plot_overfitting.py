"""Draw the image of the "Overfitting the validation folds" page:
``python docs/examples/plot_overfitting.py``.

Tunes an RBF SVC (in a scaling pipeline) with TPESearchCV on 100 rows of a noisy
synthetic classification problem, refits every candidate on those 100 rows and
scores it on 5000 fresh rows of the same distribution that the search never
saw, and plots each candidate's mean CV score against that holdout score. Saves
``docs/images/overfitting.png``; takes a few seconds.
"""

import warnings
from pathlib import Path

import matplotlib
import numpy as np
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import Real, TPESearchCV

IMAGES = Path(__file__).resolve().parent.parent / "images"
DPI = 90


def main() -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X_all, y_all = make_classification(
        5100, n_features=20, n_informative=4, n_redundant=2, flip_y=0.2, class_sep=0.8,
        random_state=1003,
    )  # fmt: skip
    X, y, X_hold, y_hold = X_all[:100], y_all[:100], X_all[100:], y_all[100:]
    estimator = make_pipeline(StandardScaler(), SVC())
    search = TPESearchCV(
        estimator, {"svc__C": Real(1e-2, 1e3, log=True), "svc__gamma": Real(1e-4, 1.0, log=True)},
        n_iter=40, cv=StratifiedKFold(5, shuffle=True, random_state=3), random_state=3,
        selection="best",
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    results = search.cv_results_
    cv = results["mean_test_score"]
    holdout = np.array([
        clone(estimator).set_params(**p).fit(X, y).score(X_hold, y_hold) for p in results["params"]
    ])  # fmt: skip
    best = search.best_index_

    fig, ax = plt.subplots(figsize=(6, 4.5))
    ax.scatter(cv, holdout, s=18, alpha=0.7, label="candidates")
    ax.scatter([cv[best]], [holdout[best]], s=80, marker="*", color="C3",
               label=f"best_index_: CV {cv[best]:.3f}, holdout {holdout[best]:.3f}")  # fmt: skip
    ax.axhline(search.best_score_corrected_, color="C2", ls="--",
               label=f"best_score_corrected_ = {search.best_score_corrected_:.3f}")  # fmt: skip
    low = min(cv.min(), holdout.min())
    high = max(cv.max(), holdout.max())
    ax.plot([low, high], [low, high], color="grey", lw=0.8, label="holdout = CV")
    ax.set_xlabel("mean CV accuracy (100 rows, 5 folds)")
    ax.set_ylabel("holdout accuracy (5000 unseen rows)")
    ax.set_title("The best CV score owes part of its lead to luck")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    IMAGES.mkdir(exist_ok=True)
    fig.savefig(IMAGES / "overfitting.png", dpi=DPI)
    print(f"best_score_ {search.best_score_:.3f}, best_score_corrected_ "
          f"{search.best_score_corrected_:.3f}, holdout {holdout[best]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
