"""Seeding a search with an earlier search's results."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.model_selection import RandomizedSearchCV

from skhpo import BayesSearchCV, CoordinateSearchCV, Real, TPESearchCV
from skhpo.testing import QuadraticEstimator

X = np.zeros((30, 2))
SPACE = {"a": Real(0, 1), "b": Real(0, 1)}


@pytest.fixture
def earlier():
    return RandomizedSearchCV(
        QuadraticEstimator(), {"a": np.linspace(0, 1, 11), "b": np.linspace(0, 1, 11)},
        n_iter=10, cv=3, random_state=0,
    ).fit(X)  # fmt: skip


@pytest.mark.parametrize("cls", [TPESearchCV, BayesSearchCV, CoordinateSearchCV])
def test_warm_start_candidates_are_told_not_rerun(counter, earlier, cls):
    told = {}
    search = cls(QuadraticEstimator(), SPACE, n_iter=6, cv=3, random_state=0,
                 warm_start_from=earlier)  # fmt: skip
    original = search._make_strategy

    def spy(space, rng):
        strategy = original(space, rng)
        told["strategy"] = strategy
        return strategy

    search._make_strategy = spy
    counter.n_fits = 0
    search.fit(X)
    assert counter.n_fits == 6 * 3 + 1  # only the new candidates, and the refit
    assert len(search.cv_results_["params"]) == 6  # not included unless asked
    strategy = told["strategy"]
    assert len(strategy.y) == 16
    np.testing.assert_allclose(strategy.y[:10], earlier.cv_results_["mean_test_score"])
    old = {(p["a"], p["b"]) for p in earlier.cv_results_["params"]}
    assert not old & {(p["a"], p["b"]) for p in search.cv_results_["params"]}


def test_included_warm_start_rows_come_first_and_can_be_the_best(counter, earlier):
    search = TPESearchCV(
        QuadraticEstimator(), SPACE, n_iter=4, cv=3, random_state=0,
        warm_start_from=earlier.cv_results_, include_warm_start=True,
    )  # fmt: skip
    counter.n_fits = 0
    search.fit(X)
    res = search.cv_results_
    assert len(res["params"]) == 14 and counter.n_fits == 4 * 3 + 1
    np.testing.assert_array_equal(res["batch"][:10], -1)
    np.testing.assert_allclose(res["mean_test_score"][:10], earlier.cv_results_["mean_test_score"])
    np.testing.assert_allclose(
        res["split2_test_score"][:10], earlier.cv_results_["split2_test_score"]
    )
    assert search.best_score_ == max(earlier.best_score_, res["mean_test_score"][10:].max())


def test_warm_start_outside_the_space_is_ignored_with_a_warning(counter, earlier):
    narrow = {"a": Real(0, 0.5), "b": Real(0, 1)}
    with pytest.warns(UserWarning, match="outside this search space"):
        TPESearchCV(QuadraticEstimator(), narrow, n_iter=3, cv=3, warm_start_from=earlier).fit(X)


def test_warm_start_needs_comparable_results(counter, earlier):
    counter.n_fits = 0
    with pytest.raises(ValueError, match="2 CV splits"):
        TPESearchCV(
            QuadraticEstimator(), SPACE, n_iter=3, cv=2, warm_start_from=earlier,
            include_warm_start=True,
        ).fit(X)  # fmt: skip
    with pytest.raises(ValueError, match="warm_start_from"):
        TPESearchCV(QuadraticEstimator(), SPACE, warm_start_from=RandomizedSearchCV(
            QuadraticEstimator(), SPACE)).fit(X)  # fmt: skip
    assert counter.n_fits == 0


def test_warm_start_from_float_choices_names_the_same_int_choices():
    # A GridSearchCV over C=[0.1, 1.0, 10.0], continued on [0.1, 1, 10, 100]: the three
    # are told, not fitted again (SVC's C is any real, so 1.0 and 1 are one setting).
    from sklearn.datasets import make_classification
    from sklearn.model_selection import GridSearchCV
    from sklearn.svm import SVC

    X_c, y_c = make_classification(90, 4, random_state=0)
    grid = GridSearchCV(SVC(), {"C": [0.1, 1.0, 10.0]}, cv=3).fit(X_c, y_c)
    search = BayesSearchCV(SVC(), {"C": [0.1, 1, 10, 100]}, n_iter=1, cv=3, random_state=0,
                           warm_start_from=grid)  # fmt: skip
    with warnings.catch_warnings():
        warnings.filterwarnings("error", "warm_start_from")  # none "outside this space"
        search.fit(X_c, y_c)
    assert search.cv_results_["params"] == [{"C": 100}]
