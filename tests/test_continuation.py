"""Successive halving on an iteration parameter: promoted candidates continue training."""

import os

import numpy as np
import pytest
from sklearn import config_context
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import (
    GradientBoostingClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skhpo import TPESearchCV, _continuation
from skhpo._continuation import CONTINUABLE, continuation_parameter

X, y = make_classification(n_samples=300, n_features=8, random_state=0)
Xr, yr = make_regression(n_samples=300, n_features=8, noise=5.0, random_state=0)
FOREST_SPACE = {"max_features": [0.3, 0.6, 1.0], "min_samples_leaf": [1, 3, 9]}


def predictions(model, X):
    return model.predict_proba(X) if hasattr(model, "predict_proba") else model.predict(X)


@pytest.mark.parametrize("cls", list(CONTINUABLE), ids=lambda c: c.__name__)
def test_each_listed_estimator_continued_is_the_model_fitted_from_scratch(cls):
    # The claim the list stands on, with the randomness each has switched on.
    name = CONTINUABLE[cls]
    regressor = cls.__name__.endswith("Regressor")
    data = (Xr, yr) if regressor else (X, y)
    options = {"random_state": 0}
    if "subsample" in cls().get_params():  # GradientBoosting: stochastic boosting
        options.update(subsample=0.7, max_features=0.5)
    if "max_samples" in cls().get_params() and "Bagging" not in cls.__name__:
        options.update(max_samples=0.7, bootstrap=True)
    estimator = cls(**options)
    scratch = clone(estimator).set_params(**{name: 12}).fit(*data)
    continued = clone(estimator).set_params(**{name: 4, "warm_start": True}).fit(*data)
    continued.set_params(**{name: 12}).fit(*data)
    np.testing.assert_array_equal(predictions(continued, data[0]), predictions(scratch, data[0]))


@pytest.mark.parametrize(
    "estimator, resource, expected",
    [
        (RandomForestClassifier(), "n_estimators", "warm_start"),
        (HistGradientBoostingClassifier(), "max_iter", "warm_start"),
        (make_pipeline(StandardScaler(), RandomForestClassifier()),
         "randomforestclassifier__n_estimators", "randomforestclassifier__warm_start"),
        (RandomForestClassifier(), "max_depth", None),  # not an iteration parameter
        (MLPClassifier(), "max_iter", None),  # its optimiser restarts: another model
        (SGDClassifier(), "max_iter", None),  # its learning-rate schedule restarts
    ],
)  # fmt: skip
def test_continuation_parameter(estimator, resource, expected):
    assert continuation_parameter(estimator, resource) == expected


@pytest.mark.parametrize(
    "estimator",
    [
        GradientBoostingClassifier(random_state=0, n_iter_no_change=2, learning_rate=0.5),
        HistGradientBoostingClassifier(random_state=0, early_stopping=True),
    ],
    ids=["GradientBoosting-n_iter_no_change", "HistGradientBoosting-early_stopping"],
)
def test_estimators_that_stop_on_a_validation_score_start_over(estimator, continued_fits):
    # Continued, gradient boosting with n_iter_no_change stops elsewhere than from scratch.
    name = CONTINUABLE[type(estimator)]
    search = TPESearchCV(
        estimator, {"learning_rate": [0.1, 0.3, 0.5]}, n_iter=3, resource=name,
        min_resources=2, max_resources=18, batch_size=3, cv=3, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert len(search.cv_results_["params"]) > 3  # candidates were promoted
    assert not any(continued_fits)


def forest_search(estimator=None, resource="n_estimators", **options):
    options = {
        "n_iter": 9, "resource": resource, "min_resources": 3, "max_resources": 27,
        "batch_size": 3, "cv": 3, "random_state": 0, **options,
    }  # fmt: skip
    estimator = RandomForestClassifier(random_state=0) if estimator is None else estimator
    return TPESearchCV(estimator, FOREST_SPACE, **options)


def rows(search):
    results = search.cv_results_
    return list(zip(results["iter"], results["mean_test_score"], map(repr, results["params"])))


@pytest.fixture
def continued_fits(monkeypatch):
    """Counts the fits that found an earlier fit to continue (in this process)."""
    count = []
    latest = _continuation._latest

    def spy(*args, **kwargs):
        found = latest(*args, **kwargs)
        count.append(found is not None)
        return found

    monkeypatch.setattr(_continuation, "_latest", spy)
    return count


def test_promoted_candidates_continue_and_score_as_if_fitted_from_scratch(
    continued_fits, monkeypatch, tmp_path
):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    continued = forest_search().fit(X, y)
    assert sum(continued_fits) > 0  # promoted candidates' fits continued earlier ones
    assert os.listdir(tmp_path) == []  # the folder of fitted models is gone
    monkeypatch.setattr(_continuation, "CONTINUABLE", {})
    scratch = forest_search().fit(X, y)
    assert rows(continued) == rows(scratch)
    assert type(continued.best_estimator_) is RandomForestClassifier  # refit: the user's class
    assert continued.best_estimator_.get_params() == scratch.best_estimator_.get_params()


def test_a_pipeline_continues_its_last_step(continued_fits):
    pipeline = make_pipeline(StandardScaler(), RandomForestClassifier(random_state=0))
    space = {f"randomforestclassifier__{k}": v for k, v in FOREST_SPACE.items()}
    search = TPESearchCV(
        pipeline, space, n_iter=9, resource="randomforestclassifier__n_estimators",
        min_resources=3, max_resources=27, batch_size=3, cv=3, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert sum(continued_fits) > 0
    # The rows at the top rung score as the pipeline fitted from scratch on the first fold.
    train, test = next(StratifiedKFold(3).split(X, y))  # what cv=3 gives a classifier
    results = search.cv_results_
    iters = np.asarray(results["iter"])
    top = np.flatnonzero(iters == len(search.n_resources_) - 1)
    assert len(top) > 0
    for i in top:
        model = clone(pipeline).set_params(**results["params"][i]).fit(X[train], y[train])
        assert model.score(X[test], y[test]) == results["split0_test_score"][i]


def test_continuing_gives_the_same_rows_whatever_n_jobs():
    assert rows(forest_search(n_jobs=1).fit(X, y)) == rows(forest_search(n_jobs=2).fit(X, y))


def test_the_folder_is_removed_when_the_search_fails(monkeypatch, tmp_path):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def fail(state):
        raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        forest_search(callbacks=[fail]).fit(X, y)
    assert os.listdir(tmp_path) == []


def test_routed_sample_weights_reach_the_continued_fits(continued_fits, monkeypatch):
    weights = np.where(y == 1, 3.0, 1.0)
    with config_context(enable_metadata_routing=True):
        forest = RandomForestClassifier(random_state=0).set_fit_request(sample_weight=True)
        forest = forest.set_score_request(sample_weight=False)
        continued = forest_search(forest).fit(X, y, sample_weight=weights)
        assert sum(continued_fits) > 0
        monkeypatch.setattr(_continuation, "CONTINUABLE", {})
        scratch = forest_search(forest).fit(X, y, sample_weight=weights)
        unweighted = forest_search(RandomForestClassifier(random_state=0)).fit(X, y)
    assert rows(continued) == rows(scratch)
    assert rows(continued) != rows(unweighted)  # the weights were used
