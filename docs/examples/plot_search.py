"""Draw the images of the "Looking at a search" page: ``python docs/examples/plot_search.py``.

Tunes an SVC (in a scaling pipeline) on scikit-learn's breast-cancer data with
TPESearchCV and with RandomizedSearchCV at the same budget, then saves each plot
of :mod:`skhpo.plot` as a PNG into ``docs/images/``. Takes a few seconds.
"""

import warnings
from pathlib import Path

import matplotlib
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import TPESearchCV
from skhpo.plot import (
    plot_convergence,
    plot_importance,
    plot_parameter,
    plot_parameters,
    plot_partial_dependence,
)

IMAGES = Path(__file__).resolve().parent.parent / "images"
DPI = 90


def main() -> None:
    matplotlib.use("Agg")  # files only, no window (skhpo.plot imports pyplot when drawing)
    X, y = load_breast_cancer(return_X_y=True)
    space = {
        "svc__C": loguniform(1e-2, 1e3),
        "svc__gamma": loguniform(1e-5, 1e0),
        "svc__class_weight": [None, "balanced"],
        "svc__shrinking": [True, False],
    }
    options = {"n_iter": 30, "cv": 3, "random_state": 0}
    pipeline = make_pipeline(StandardScaler(), SVC())
    tpe = TPESearchCV(pipeline, space, **options).fit(X, y)
    random = RandomizedSearchCV(pipeline, space, **options).fit(X, y)
    IMAGES.mkdir(exist_ok=True)

    ax = plot_convergence(tpe, random, labels=["TPESearchCV", "RandomizedSearchCV"])
    ax.set_ylim(0.9, None)  # the first candidates score far lower
    _save(ax.figure, "convergence.png")

    axes = plot_parameters(tpe, ncols=2)
    _save(axes[0].figure, "parameters.png")

    # The surrogate behind these two learns best from candidates spread over the space.
    ax = plot_importance(random)
    ax.figure.set_size_inches(6, 2.6)
    _save(ax.figure, "importance.png")

    ax = plot_partial_dependence(random, "svc__C", "svc__gamma")
    _save(ax.figure, "partial_dependence.png")

    # A list of values for C that stops too low: the best C is the largest listed.
    short = {"svc__C": [0.001, 0.003, 0.01, 0.03, 0.1], "svc__gamma": space["svc__gamma"]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        narrow = TPESearchCV(pipeline, short, n_iter=20, cv=3, random_state=0).fit(X, y)
    print(*(f"warning: {w.message}" for w in caught if "bound" in str(w.message)), sep="\n")
    ax = plot_parameter(narrow, "svc__C")
    ax.figure.set_size_inches(6, 3.6)
    _save(ax.figure, "parameter_at_bound.png")


def _save(figure, name: str) -> None:
    figure.savefig(IMAGES / name, dpi=DPI, bbox_inches="tight")
    print(f"wrote {IMAGES / name}")


if __name__ == "__main__":
    main()
