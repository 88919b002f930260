"""CoordinateSearchCV: the coordinate-wise strategy and the public class."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import FitFailedWarning
from sklearn.svm import SVC

from skhpo import Categorical, CoordinateSearchCV, Integer, Real
from skhpo.space import SearchSpace
from skhpo.strategies import CoordinateStrategy


def _run(strategy, f, n, batch=4, std=None):
    space = strategy.space
    while len(strategy.y) < n:
        X = space.canonical(strategy.ask(min(batch, n - len(strategy.y))), strategy.rng)
        params = space.decode(X)
        y_std = None if std is None else np.full(len(X), std)
        strategy.tell(X, [f(p) for p in params], y_std)
    return strategy


SEPARABLE = {
    "lr": Real(1e-5, 1, log=True),
    "depth": Integer(1, 30),
    "kind": Categorical(["a", "b", "c"]),
    "units": [8, 16, 32, 64],
}


def _separable(p):
    return (
        -((np.log10(p["lr"]) + 3.3) ** 2)
        - 0.01 * (p["depth"] - 12) ** 2
        - (p["kind"] != "b")
        - 0.1 * abs(np.log2(p["units"]) - 5)
    )


def test_finds_the_optimum_of_a_separable_function():
    space = SearchSpace(SEPARABLE)
    strategy = _run(CoordinateStrategy(space, np.random.default_rng(0)), _separable, 60)
    best = space.decode(strategy.X[[np.argmax(strategy.y)]])[0]
    assert best["kind"] == "b" and best["units"] == 32
    assert abs(np.log10(best["lr"]) + 3.3) < 0.15 and abs(best["depth"] - 12) <= 2


def test_visits_coordinates_in_the_given_order():
    space = SearchSpace(SEPARABLE)
    order = [3, 0]  # "units", then "lr"; the rest after
    strategy = CoordinateStrategy(space, np.random.default_rng(0), order=order)
    strategy.tell(strategy.ask(1), [0.0])  # the start point
    changed = []
    for _ in range(4):
        X = strategy.ask(3)
        base = strategy.X[strategy.incumbent]
        changed.append(sorted({int(j) for x in X for j in np.flatnonzero(x != base)}))
        strategy.tell(X, np.full(len(X), -1.0))  # nothing improves
    assert changed[0] == [3] and changed[1] == [0]
    assert strategy.order[:2] == [3, 0]


def test_ranks_coordinates_by_importance_after_the_first_sweep():
    space = SearchSpace({f"x{i}": Real(0, 1) for i in range(4)})
    weights = np.array([0.01, 0.1, 10.0, 1.0])

    def f(p):
        return -float(weights @ (np.array([p[f"x{i}"] for i in range(4)]) - 0.3) ** 2)

    strategy = _run(CoordinateStrategy(space, np.random.default_rng(0)), f, 40)
    assert strategy.order[:2] == [2, 3]


def test_accepts_only_improvements_beyond_the_noise():
    space = SearchSpace({"x": Real(0, 1)})

    def tiny_slope(p):  # differences far below the CV noise
        return 1e-4 * p["x"]

    noisy = _run(CoordinateStrategy(space, np.random.default_rng(0)), tiny_slope, 16, std=0.05)
    assert noisy.incumbent == 0  # the start point was never replaced
    clean = _run(CoordinateStrategy(space, np.random.default_rng(0)), tiny_slope, 16, std=0.0)
    assert clean.y[clean.incumbent] > clean.y[0]


def test_never_proposes_a_known_candidate_and_is_deterministic():
    space = SearchSpace({"n": Integer(1, 8), "c": ["x", "y"]})  # 16 candidates
    runs = [_run(CoordinateStrategy(space, np.random.default_rng(5)), lambda p: -p["n"], 16)
            for _ in range(2)]  # fmt: skip
    keys = space.keys(runs[0].X)
    assert len(set(keys)) == len(keys) == 16
    np.testing.assert_array_equal(runs[0].X, runs[1].X)


def test_failed_candidates_are_never_accepted():
    space = SearchSpace({"x": Real(0, 1)})
    strategy = _run(
        CoordinateStrategy(space, np.random.default_rng(0)),
        lambda p: np.nan if p["x"] > 0.55 else p["x"],
        24,
    )
    assert np.isfinite(strategy.y[strategy.incumbent])
    assert strategy.y[strategy.incumbent] == np.nanmax(strategy.y)


# -- the public class ------------------------------------------------------------------------------
def test_starts_from_the_estimators_own_settings_exactly(iris):
    X, y = iris
    search = CoordinateSearchCV(
        SVC(C=3.0), {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-4, 1, log=True)},
        n_iter=9, random_state=0,
    ).fit(X, y)  # fmt: skip
    first = search.cv_results_["params"][0]
    # C=3.0 is in the space and is used as is; gamma="scale" is not: the middle of its range.
    assert first["C"] == 3.0
    assert first["gamma"] == pytest.approx(1e-2)
    later = search.cv_results_["params"][1:5]
    assert all(p["C"] == 3.0 for p in later) or all(p["gamma"] == first["gamma"] for p in later)


class _DrawOnly:
    """A parameter whose values can only be drawn (an object with ``rvs`` only)."""

    def rvs(self, random_state=None):
        return float(np.random.default_rng(random_state).uniform(0.0, 1.0))


def test_starts_from_the_estimators_settings_and_a_draw_where_values_can_only_be_drawn():
    # The start used to be refused, blaming initial_params, which the user never gave.
    from skhpo.testing import QuadraticEstimator

    search = CoordinateSearchCV(
        QuadraticEstimator(a=0.25, b=0.5), {"a": _DrawOnly(), "b": [0.2, 0.5, 0.7]},
        n_iter=6, cv=2, random_state=0,
    ).fit(np.zeros((6, 2)))  # fmt: skip
    params = search.cv_results_["params"]
    assert params[0]["b"] == 0.5  # the estimator's own value
    assert 0.0 <= params[0]["a"] <= 1.0 and params[0]["a"] != 0.25  # drawn, not given
    assert len({p["a"] for p in params}) > 1  # the drawn coordinate is searched too


def test_conditional_space_switches_subspace_as_a_coordinate(iris):
    X, y = iris
    space = [
        {"kernel": ["rbf"], "C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-4, 1, log=True)},
        {"kernel": ["linear"], "C": Real(1e-2, 1e2, log=True)},
    ]
    search = CoordinateSearchCV(SVC(), space, n_iter=16, random_state=0, cv=3).fit(X, y)
    kernels = {p["kernel"] for p in search.cv_results_["params"]}
    assert kernels == {"rbf", "linear"}
    assert all(("gamma" in p) == (p["kernel"] == "rbf") for p in search.cv_results_["params"])


def test_coordinate_search_survives_failed_fits(iris, counter):
    X, y = iris
    search = CoordinateSearchCV(
        counter(a=0.4, fail_above=0.5), {"a": Real(0, 1), "b": Real(0, 1)}, n_iter=16,
        random_state=0,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert search.best_params_["a"] <= 0.5 and len(search.cv_results_["params"]) == 16


def test_unknown_names_in_order_are_refused_before_any_fit(iris, counter):
    X, y = iris
    with pytest.raises(ValueError, match="order"):
        CoordinateSearchCV(counter(), {"a": Real(0, 1)}, order=["zz"]).fit(X, y)
    assert counter.n_fits == 0


@pytest.mark.parametrize("drop, shrinks", [(0.01, False), (0.5, True)])
def test_step_shrinks_only_where_the_line_is_not_flat_within_the_noise(drop, shrinks):
    # Incumbent at the middle with a CV std of 0.1 over 5 folds (standard error
    # 0.045); the four points of its line score `drop` lower. A drop under the
    # standard error is noise: halving the step would only make it flatter.
    space = SearchSpace({"x": Real(0.0, 1.0)})
    strategy = CoordinateStrategy(space, np.random.default_rng(0))
    _run(strategy, lambda p: 0.0 if p["x"] == 0.5 else -drop, 5, batch=5, std=0.1)
    step = strategy.coordinates[0].step
    assert step == (0.125 if shrinks else 0.25)
