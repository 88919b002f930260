"""Draw the image of the "Overfitting the validation folds" page:
``python docs/examples/plot_overfitting.py``.

Tunes a k-nearest-neighbours regressor (in a scaling pipeline) with TPESearchCV on
70% of scikit-learn's diabetes data, refits every candidate on that 70% and
scores it (R^2) on the other 30%, which the search never saw, and plots each
candidate's mean CV score against that holdout score. Saves
``docs/images/overfitting.png``; takes a few seconds.
"""

import warnings
from pathlib import Path

import matplotlib
import numpy as np
from sklearn.base import clone
from sklearn.datasets import load_diabetes
from sklearn.model_selection import KFold, train_test_split
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import Categorical, Integer, TPESearchCV

IMAGES = Path(__file__).resolve().parent.parent / "images"
DPI = 90
SEED = 0


def main() -> None:
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X_all, y_all = load_diabetes(return_X_y=True)
    X, X_hold, y, y_hold = train_test_split(X_all, y_all, test_size=0.3, random_state=SEED)
    estimator = make_pipeline(StandardScaler(), KNeighborsRegressor())
    space = {
        "kneighborsregressor__n_neighbors": Integer(1, 100, log=True),
        "kneighborsregressor__weights": Categorical(["uniform", "distance"]),
        "kneighborsregressor__p": Categorical([1, 2]),
    }
    search = TPESearchCV(
        estimator, space, n_iter=40, cv=KFold(5, shuffle=True, random_state=SEED),
        random_state=SEED, selection="best",
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
    ax.set_xlabel(f"mean CV R² ({len(y)} rows, 5 folds)")
    ax.set_ylabel(f"holdout R² ({len(y_hold)} rows no search saw)")
    ax.set_title("kNN on diabetes: the candidates of one TPE search")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    IMAGES.mkdir(exist_ok=True)
    fig.savefig(IMAGES / "overfitting.png", dpi=DPI)
    print(f"best_score_ {search.best_score_:.3f}, best_score_corrected_ "
          f"{search.best_score_corrected_:.3f}, holdout {holdout[best]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
