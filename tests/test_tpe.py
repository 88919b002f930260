"""TPESearchCV: the Parzen estimators, the strategy, and the public class."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import Categorical, Integer, Real, TPESearchCV
from skhpo.space import SearchSpace
from skhpo.strategies import RandomStrategy, TPEStrategy
from skhpo.strategies._parzen import ColumnKinds, ParzenEstimator


# -- Parzen estimators ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "dims",
    [
        {"a": Real(0, 1), "b": Real(1e-3, 1, log=True)},
        {"a": Integer(1, 7), "b": Categorical(["x", "y", "z"])},
        {"a": Integer(1, 100, log=True), "b": [0.1, 0.5, 2.0]},
    ],
    ids=["continuous", "discrete", "log-integer-ordinal"],
)
def test_parzen_density_integrates_to_one_and_matches_its_samples(dims):
    space = SearchSpace(dims)
    kinds = ColumnKinds.of(space, [0, 1])
    observations = space.sample(5, np.random.default_rng(0))
    density = ParzenEstimator(observations, np.ones(5), kinds, prior_weight=1.0)
    # Integrate over a fine grid of canonical values (discrete columns: one point per level).
    grids, cells = [], []
    for j in range(2):
        dim = space.columns[j].dimension
        if dim.n_levels is None:
            grids.append((np.arange(400) + 0.5) / 400)
            cells.append(1 / 400)
        else:
            grids.append(dim.unit_of_level(np.arange(dim.n_levels)))
            cells.append(1.0)
    A, B = np.meshgrid(*grids, indexing="ij")
    points = np.column_stack([A.ravel(), B.ravel()])
    mass = np.exp(density.log_pdf(points)) * cells[0] * cells[1]
    assert mass.sum() == pytest.approx(1.0, abs=2e-3)
    # Samples follow the density: their moments match the integrated ones.
    drawn = space.canonical(density.sample(20000, np.random.default_rng(1)))
    for moment in (lambda X: X[:, 0], lambda X: X[:, 1], lambda X: X[:, 0] * X[:, 1]):
        assert moment(drawn).mean() == pytest.approx(mass @ moment(points), abs=0.01)


@pytest.mark.parametrize("joint", [False, True])
def test_joint_kernels_have_scotts_width_single_columns_the_neighbour_gap(joint):
    space = SearchSpace({"a": Real(0, 1), "b": Integer(1, 5)})
    columns = [0, 1] if joint else [0]
    # Three observations share b's level: neighbour gaps in b would be zero.
    observations = np.array([[0.1, 0.3], [0.5, 0.3], [0.6, 0.3], [0.9, 0.7]])[:, columns]
    density = ParzenEstimator(observations, np.ones(4), ColumnKinds.of(space, columns), 1.0, joint)
    sigmas = density.sigmas[:-1]  # the last row is the prior's
    if joint:
        # Scott's 0.2 * n ** (-1 / (d + 4)) = 0.159 for n = 4, d = 2, clipped to 1 / (n + 2).
        np.testing.assert_allclose(sigmas, max(0.2 * 4 ** (-1 / 6), 1 / 6))
        assert 0.2 * 4 ** (-1 / 6) < 1 / 6
    else:  # the larger gap to the neighbours (outermost: the inner gap)
        np.testing.assert_allclose(sigmas[:, 0], [0.4, 0.4, 0.3, 0.3])


def test_scores_tied_at_the_edge_of_the_good_group_are_all_bad():
    space = SearchSpace({"a": Real(0, 1)})
    strategy = TPEStrategy(space, np.random.default_rng(0))
    X = space.sample(16, np.random.default_rng(1))
    # A plateau: one better score, fifteen equal ones; ceil(sqrt(16)) = 4 would be good.
    strategy.tell(X, [0.9] + [0.5] * 15)
    good = strategy._split(np.empty((0, 1)))[0]
    np.testing.assert_array_equal(np.flatnonzero(good), [0])
    # Ties below the edge are untouched; a good group that is one tie is kept whole.
    strategy = TPEStrategy(space, np.random.default_rng(0))
    strategy.tell(X, [0.9, 0.8, 0.7, 0.6] + [0.5] * 12)
    assert strategy._split(np.empty((0, 1)))[0].sum() == 4
    strategy = TPEStrategy(space, np.random.default_rng(0))
    strategy.tell(X, [0.5] * 16)
    assert strategy._split(np.empty((0, 1)))[0].sum() == 4


# -- the strategy ----------------------------------------------------------------------------------
def _optimize(strategy, f, n, batch=1):
    space = strategy.space
    while len(strategy.y) < n:
        X = space.canonical(strategy.ask(min(batch, n - len(strategy.y))), strategy.rng)
        strategy.tell(X, [f(p) for p in space.decode(X)])
    return strategy


def _bimodal(p):  # a local optimum at x=-1 and a better one at x=1.5
    x = p["x"]
    return np.exp(-((x + 1) ** 2) / 0.5) + 1.5 * np.exp(-((x - 1.5) ** 2) / 0.3)


@pytest.mark.parametrize("multivariate", [True, False])
def test_concentrates_near_the_optimum_of_a_bimodal_function(multivariate):
    space = SearchSpace({"x": Real(-3.0, 3.0)})
    hits = []
    for seed in range(3):
        strategy = TPEStrategy(space, np.random.default_rng(seed), multivariate=multivariate)
        _optimize(strategy, _bimodal, 40)
        late = np.array([p["x"] for p in space.decode(strategy.X[20:])])
        hits.append(np.mean(np.abs(late - 1.5) < 0.4))
        assert strategy.y.max() > 1.45
    uniform_share = 0.8 / 6.0  # of uniform draws within 0.4 of the optimum
    assert np.mean(hits) > 3 * uniform_share, hits


def test_conditional_parameters_never_leak_into_other_subspaces():
    space = SearchSpace(
        [
            {"kernel": ["rbf"], "C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)},
            {"kernel": ["poly"], "C": Real(1e-2, 1e2, log=True), "degree": Integer(2, 5)},
        ]
    )

    def f(p):
        return -abs(np.log10(p["C"])) - (0.5 if p["kernel"] == "poly" else 0.0)

    for multivariate in (True, False):
        strategy = TPEStrategy(space, np.random.default_rng(0), multivariate=multivariate)
        _optimize(strategy, f, 30, batch=3)
        for params in space.decode(strategy.X):
            assert ("gamma" in params) == (params["kernel"] == "rbf")
            assert ("degree" in params) == (params["kernel"] == "poly")
        late = space.decode(strategy.X[15:])
        assert np.mean([p["kernel"] == "rbf" for p in late]) > 0.6  # the better sub-space


def test_tpe_beats_random_search_on_a_mixed_space():
    space = SearchSpace(
        {"lr": Real(1e-5, 1, log=True), "depth": Integer(1, 20), "kind": ["a", "b", "c", "d"]}
    )

    def f(p):
        return -((np.log10(p["lr"]) + 2.5) ** 2) - 0.05 * (p["depth"] - 7) ** 2 - (p["kind"] != "c")

    tpe = [_optimize(TPEStrategy(space, np.random.default_rng(s)), f, 40).y.max() for s in range(4)]
    rnd = [
        _optimize(RandomStrategy(space, np.random.default_rng(s)), f, 40).y.max() for s in range(4)
    ]
    assert np.median(tpe) > np.median(rnd)


def test_failures_are_bad_observations():
    space = SearchSpace({"x": Real(0.0, 1.0)})
    strategy = TPEStrategy(space, np.random.default_rng(0))
    _optimize(strategy, lambda p: np.nan if p["x"] > 0.7 else -((p["x"] - 0.3) ** 2), 40)
    assert np.mean(strategy.X[20:, 0] > 0.7) < 0.1  # uniform draws: 0.3
    assert np.nanmax(strategy.y) > -1e-3


# -- the public class ------------------------------------------------------------------------------
@pytest.mark.slow
def test_tpe_search_picks_between_two_estimators_in_a_pipeline(iris):
    X, y = iris
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    space = [
        {"clf": [SVC()], "clf__C": loguniform(1e-2, 1e3), "clf__gamma": loguniform(1e-4, 1)},
        {"clf": [LogisticRegression(max_iter=500)], "clf__C": loguniform(1e-3, 1e2)},
    ]
    search = TPESearchCV(pipe, space, n_iter=16, cv=3, random_state=0, n_jobs=2).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 16
    assert all(("clf__gamma" in p) == isinstance(p["clf"], SVC) for p in params)
    assert search.best_score_ > 0.95
    again = TPESearchCV(pipe, space, n_iter=16, cv=3, random_state=0, n_jobs=1).fit(X, y)
    assert [repr(p) for p in again.cv_results_["params"]] == [repr(p) for p in params]


def test_tpe_search_survives_failed_fits(iris, counter):
    X, y = iris
    search = TPESearchCV(
        counter(fail_above=0.6), {"a": Real(0, 1), "b": Real(0, 1)}, n_iter=15, batch_size=1,
        random_state=0,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    scores = search.cv_results_["mean_test_score"]
    assert len(scores) == 15 and np.isnan(scores).any()
    assert search.best_params_["a"] <= 0.6


@pytest.mark.parametrize(
    ("option", "match"),
    [({"gamma": 0.0}, "gamma"), ({"weights": "old"}, "weights"), ({"n_ei_candidates": 0}, "n_ei")],
)
def test_tpe_options_are_validated_before_any_fit(iris, counter, option, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        TPESearchCV(counter(), {"a": Real(0, 1)}, **option).fit(X, y)
    assert counter.n_fits == 0


def test_discrete_scipy_distribution_is_modelled_by_cells_like_in_cmaes():
    # Regression: the kind of a dimension was decided per strategy, and a discrete scipy
    # distribution with many values was discrete for CMA-ES but continuous for TPE.
    from scipy.stats import geom

    from skhpo.space import Kind

    space = SearchSpace({"wait": geom(1e-6)})
    dim = space.columns[0].dimension
    assert dim.kind is Kind.ORDERED_DISCRETE
    kinds = ColumnKinds.of(space, [0])
    assert kinds.cells == [dim]
    # Two unit values of one value's cell have one density: the kernel's mass over the cell.
    start, end = dim.cell(dim.to_unit([200_000]))
    width = end[0] - start[0]
    inside = np.array([[start[0] + 0.1 * width], [end[0] - 0.1 * width]])
    density = ParzenEstimator(space.sample(5, np.random.default_rng(0)), np.ones(5), kinds, 1.0)
    log_pdf = density.log_pdf(inside)
    assert log_pdf[0] == pytest.approx(log_pdf[1])
