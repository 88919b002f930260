"""BayesSearchCV: the GP, the acquisitions, the strategy, and the public class."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import approx_fprime
from scipy.stats import loguniform, norm, yeojohnson_normmax
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import BayesSearchCV, Integer, Real
from skhpo._bo import optimize
from skhpo._bo.acquisition import (
    log_expected_improvement,
    log_probability_of_improvement,
    upper_confidence_bound,
)
from skhpo._bo.gp import GaussianProcess
from skhpo._bo.inputs import GPInputs
from skhpo._bo.optimize import _polish, _polishable_columns, best_allowed, maximize_acquisition
from skhpo._bo.warping import yeojohnson_exponent
from skhpo.space import SearchSpace
from skhpo.strategies import BayesStrategy, RandomStrategy


# -- the Gaussian process ---------------------------------------------------------------------
def _toy(n=25, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    y = np.sin(4 * X[:, 0]) + X[:, 1] ** 2 + 0.01 * rng.normal(size=n)
    return X, (y - y.mean()) / y.std()


def test_log_posterior_gradient_matches_finite_differences():
    X, y = _toy()
    gp = GaussianProcess()
    gp.X, gp.y = X, y
    gp._diff2 = ((X[:, None, :] - X[None, :, :]) ** 2).reshape(-1, X.shape[1])
    theta = np.array([-0.5, 0.3, 1.0, 0.2, np.log(1e-2)])
    _, grad = gp._neg_log_posterior(theta)
    numeric = approx_fprime(theta, lambda t: gp._neg_log_posterior(t)[0], 1e-6)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-4)


def test_gp_fits_a_smooth_function_and_ignores_an_irrelevant_input():
    X, y = _toy(n=40)
    gp = GaussianProcess().fit(X, y, np.random.default_rng(0))
    Xt, yt = _toy(n=200, seed=1)
    mean, std = gp.predict(Xt)
    assert np.corrcoef(mean, yt)[0, 1] > 0.97
    assert (std > 0).all()
    length = np.exp(gp.hyper.log_length)
    assert length[2] > 3 * max(length[0], length[1])  # input 2 does not matter
    assert gp.noise_std < 0.2


def test_conditioning_equals_refitting_with_the_same_hyperparameters():
    X, y = _toy()
    gp = GaussianProcess().fit(X[:-3], y[:-3], np.random.default_rng(0))
    conditioned = gp.condition_on(X[-3:], y[-3:])
    refit = GaussianProcess()
    refit.hyper = gp.hyper
    refit.fit(X, y, np.random.default_rng(0), optimize=False)
    Xt, _ = _toy(seed=3)
    np.testing.assert_allclose(conditioned.predict(Xt), refit.predict(Xt))


# -- acquisitions -------------------------------------------------------------------------------
def test_log_ei_matches_the_closed_form_and_stays_finite_far_away():
    mean = np.array([-3.0, 0.0, 0.5, 2.0])
    std = np.array([0.5, 1.0, 0.2, 1.5])
    z = (mean - 0.4) / std
    exact = std * (norm.pdf(z) + z * norm.cdf(z))
    np.testing.assert_allclose(np.exp(log_expected_improvement(mean, std, 0.4, 0.0)), exact)
    far = log_expected_improvement(np.array([-1e4, -1e3, -50.0]), np.ones(3), 0.0, 0.0)
    assert np.isfinite(far).all() and far[0] < far[1] < far[2]
    np.testing.assert_allclose(
        np.exp(log_probability_of_improvement(mean, std, 0.4, 0.0)), norm.cdf(z)
    )
    np.testing.assert_allclose(upper_confidence_bound(mean, std, 0.0, 2.0), mean + 2 * std)


# -- what the GP sees ----------------------------------------------------------------------------
def test_gp_inputs_one_hot_unordered_choices_and_fill_inactive_parameters():
    space = SearchSpace(
        [
            {"kernel": ["rbf"], "gamma": Real(1e-3, 1, log=True)},
            {"kernel": ["poly"], "degree": Integer(2, 5)},
        ]
    )
    inputs = GPInputs(space)
    X = space.encode([{"kernel": "rbf", "gamma": 1.0}, {"kernel": "poly", "degree": 2}])
    F = inputs(X)
    # gamma, degree (ordered, unit values), then the sub-space one-hot; the
    # constant "kernel" columns carry nothing.
    assert inputs.n_features == 4
    np.testing.assert_allclose(F[0], [1.0, 0.5, 1.0, 0.0])
    np.testing.assert_allclose(F[1], [0.5, space.encode([{"kernel": "poly", "degree": 2}])[0, 4],
                                      0.0, 1.0])  # fmt: skip


@pytest.mark.parametrize("kind", ["normal", "left-skewed", "right-skewed", "failures", "positive"])
def test_warping_exponent_is_scipys_maximum_likelihood_exponent(kind):
    rng = np.random.default_rng(3)
    y = {
        "normal": rng.normal(size=60),
        "left-skewed": -np.exp(2 * rng.normal(size=60)),
        "right-skewed": np.exp(rng.normal(size=25)),
        "failures": np.where(rng.random(300) < 0.2, -10.0, rng.normal(size=300)),
        "positive": rng.random(40),
    }[kind]
    if kind != "positive":
        y = (y - y.mean()) / y.std()
    assert yeojohnson_exponent(y) == pytest.approx(yeojohnson_normmax(y), abs=1e-7)


@pytest.mark.parametrize("exponent", [0.0, 2.0, 0.5, 1.7, -1.2, 3.3, 1e-17, 2.0 + 1e-17])
def test_warping_transform_is_scipys_to_the_bit(exponent):
    from scipy.stats import yeojohnson

    from skhpo._bo.warping import _transform_of

    y = np.random.default_rng(4).normal(size=50) * 3.0  # both signs
    transform = _transform_of(y)
    first = transform(exponent)
    assert np.array_equal(transform(0.9), yeojohnson(y, 0.9))  # reusable ...
    assert np.array_equal(first, yeojohnson(y, exponent))  # ... without changing the first


# -- the strategy ----------------------------------------------------------------------------------
def _optimize(cls, f, space, n, batch, seed):
    strategy = cls(space, np.random.default_rng(seed))
    while len(strategy.y) < n:
        X = space.canonical(strategy.ask(min(batch, n - len(strategy.y))), strategy.rng)
        strategy.tell(X, [f(p) for p in space.decode(X)])
    return strategy


def test_acquisition_maximum_is_found_to_polish_precision():
    # A peak between the random candidates: only the polish reaches it.
    space = SearchSpace({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0), "n": Integer(1, 3)})
    peak = np.array([0.3137, 0.7071])

    def acquisition(X):
        return -((X[:, :2] - peak) ** 2).sum(1) - 0.1 * X[:, 2]

    rng = np.random.default_rng(0)

    def nothing_excluded(X):
        return np.zeros(len(X), dtype=bool)

    x = maximize_acquisition(
        acquisition, space, rng, space.sample(2, rng), nothing_excluded, n_random=64
    )
    np.testing.assert_allclose(x[:2], peak, atol=1e-3)
    assert space.decode(x[None])[0]["n"] == 1  # the discrete column at its best level


def test_joint_polish_moves_each_start_to_its_own_optimum_and_skips_inactive_columns():
    # Two sub-spaces: "a" has x, "b" has y; each start climbs its own peak, and a
    # parameter its sub-space lacks stays NaN.
    space = SearchSpace([{"x": Real(0.0, 1.0)}, {"y": Real(0.0, 1.0)}])
    rng = np.random.default_rng(1)
    starts = space.sample(40, rng)
    sub = space.subspace_index(starts)
    starts = starts[np.r_[np.flatnonzero(sub == 0)[:2], np.flatnonzero(sub == 1)[:2]]]
    x_col, y_col = (next(j for j, c in enumerate(space.columns) if c.name == n) for n in "xy")
    targets = {x_col: 0.2, y_col: 0.9}

    def acquisition(X):
        value = np.zeros(len(X))
        for j, target in targets.items():
            value -= np.nan_to_num((X[:, j] - target) ** 2)
        return value

    polished, values = _polish(acquisition, space, starts, _polishable_columns(space))
    for row, start in zip(polished, starts):
        for j, target in targets.items():
            if np.isnan(start[j]):
                assert np.isnan(row[j])
            else:
                assert abs(row[j] - target) < 1e-3
    np.testing.assert_allclose(values, acquisition(polished))


@pytest.mark.parametrize("share_excluded", [0.0, 0.3, 0.95, 0.999, 1.0])
def test_screening_the_best_rows_first_keeps_what_screening_every_row_keeps(share_excluded):
    rng = np.random.default_rng(0)
    m, k = 2000, 10
    values = rng.integers(0, 300, m).astype(float)  # ties: the order among them is kept
    X = np.arange(m, dtype=float)[:, None]
    excluded_rows = rng.random(m) < share_excluded
    screened = []

    def excluded(rows):
        screened.append(len(rows))
        return excluded_rows[rows[:, 0].astype(int)]

    top = best_allowed(values, X, excluded, k)
    allowed = np.flatnonzero(~excluded_rows)
    expected = allowed[np.argsort(-values[allowed], kind="stable")][:k]
    np.testing.assert_array_equal(top, expected)
    if share_excluded < 0.5:  # enough allowed among the best: the rest is not screened
        assert sum(screened) < m / 10


def test_lazy_screening_proposes_what_full_screening_does(monkeypatch):
    # 24 candidates, 21 evaluated: late proposals find the best rows taken and
    # fall back to screening them all.
    space = SearchSpace({"n": Integer(1, 8), "k": ["a", "b", "c"]})

    def f(p):
        return -abs(p["n"] - 4) - (p["k"] != "b")

    lazy = _optimize(BayesStrategy, f, space, 21, 3, 0).X
    monkeypatch.setattr(optimize, "_SCREEN_FACTOR", 10**9)  # every row screened
    full = _optimize(BayesStrategy, f, space, 21, 3, 0).X
    np.testing.assert_array_equal(lazy, full)
    assert len(set(space.keys(lazy))) == 21


def test_local_candidates_surround_every_incumbent():
    # A spike next to the last incumbent only, too narrow for random candidates to
    # land on: only its perturbations (then the polish) can find it.
    space = SearchSpace({"x": Real(0.0, 1.0), "y": Real(0.0, 1.0)})
    incumbents = np.array([[0.1, 0.1], [0.5, 0.9], [0.8, 0.3]])
    spike = incumbents[2] + 0.015

    def acquisition(X):
        return np.exp(-(((X - spike) / 0.01) ** 2).sum(1))

    for seed in range(3):
        rng = np.random.default_rng(seed)
        x = maximize_acquisition(
            acquisition, space, rng, incumbents, lambda X: np.zeros(len(X), bool), n_random=16
        )
        np.testing.assert_allclose(x, spike, atol=1e-3)


def test_hyperparameters_are_refitted_at_every_ask_and_restarted_as_the_data_grows(monkeypatch):
    fits = []
    optimize_hyper = GaussianProcess._optimize

    def spy(self, rng):
        fits.append((len(self.X), self.n_restarts))
        return optimize_hyper(self, rng)

    monkeypatch.setattr(GaussianProcess, "_optimize", spy)
    space = SearchSpace({"x": Real(-5.0, 5.0), "y": Real(-5.0, 5.0)})
    strategy = _optimize(BayesStrategy, lambda p: -(p["x"] ** 2) - p["y"] ** 2, space, 60, 4, 0)
    sizes = [n for n, _ in fits]
    # Every ask once the design is out re-optimises (the design ends within a batch).
    assert sizes == list(range(sizes[0], 60, 4)) and sizes[0] <= strategy.n_initial_points
    # Random restarts at the first fit, then once the data is 1.5 times as large.
    last_restart = -np.inf
    for n, restarts in fits:
        assert bool(restarts) == (n >= 1.5 * last_restart), fits
        last_restart = n if restarts else last_restart
    assert 2 < sum(bool(r) for _, r in fits) < len(fits) / 2


def test_finds_the_optimum_of_a_quadratic_well_before_random_search():
    space = SearchSpace({"x": Real(-5.0, 5.0), "y": Real(-5.0, 5.0)})

    def f(p):
        return -((p["x"] - 1.3) ** 2) - (p["y"] + 2.1) ** 2

    bayes = [_optimize(BayesStrategy, f, space, 20, 2, seed).y.max() for seed in range(3)]
    rand = [_optimize(RandomStrategy, f, space, 20, 2, seed).y.max() for seed in range(3)]
    assert max(bayes) > -1e-2 and min(bayes) > -5e-2, bayes
    assert np.median(bayes) > 10 * np.median(rand), (bayes, rand)


def test_model_is_capped_to_the_best_and_a_sample_of_the_rest():
    space = SearchSpace({"x": Real(-5.0, 5.0), "y": Real(-5.0, 5.0)})
    rng = np.random.default_rng(0)
    strategy = BayesStrategy(space, rng, n_initial_points=1, max_model_points=20)
    X = space.sample(60, rng)
    y = -np.sum(X**2, axis=1)
    strategy.tell(X, y)
    proposal = strategy.ask(2)
    modelled = strategy._gp.X
    assert len(modelled) == 20  # the fantasies of a batch are not kept in the fitted GP
    best_ten = strategy.inputs(X[np.argsort(-y)[:10]])
    assert all((modelled == row).all(axis=1).any() for row in best_ten)
    assert not set(space.keys(proposal)) & set(space.keys(X))
    # Still finds the optimum with the cap in force.
    capped = _optimize(
        lambda s, r: BayesStrategy(s, r, max_model_points=12),
        lambda p: -((p["x"] - 1.3) ** 2) - (p["y"] + 2.1) ** 2,
        space,
        30,
        2,
        0,
    )
    assert capped.y.max() > -5e-2


def test_work_of_a_proposal_stops_growing_past_max_model_points(monkeypatch):
    # Structural, not timed: the largest array each part of a proposal handles
    # (rows screened against the evaluated ones, rows of the GP, scores the output
    # warping is estimated from) is the same after 1500 observations as after 3000.
    from skhpo._bo import warping

    seen = {"screened": [], "gp": [], "warping": []}
    codes, predict, transform = SearchSpace._codes, GaussianProcess.predict, warping._transform_of

    def spy_codes(self, X):
        seen["screened"].append(len(X))
        return codes(self, X)

    def spy_predict(self, X):
        seen["gp"].append(len(self.X))
        return predict(self, X)

    def spy_transform(data):  # the likelihood of the warping's exponent
        seen["warping"].append(len(data))
        return transform(data)

    monkeypatch.setattr(SearchSpace, "_codes", spy_codes)
    monkeypatch.setattr(GaussianProcess, "predict", spy_predict)
    monkeypatch.setattr(warping, "_transform_of", spy_transform)
    space = SearchSpace({"x": Real(-5.0, 5.0), "n": Integer(1, 50)})
    largest = {}
    for n_observed in (1500, 3000):
        rng = np.random.default_rng(0)
        strategy = BayesStrategy(space, rng, n_initial_points=1, max_model_points=30)
        X = space.sample(n_observed, rng)
        strategy.tell(X, -(X**2).sum(axis=1))
        for sizes in seen.values():
            sizes.clear()
        proposal = strategy.ask(2)
        largest[n_observed] = {part: max(sizes) for part, sizes in seen.items()}
        assert not set(space.keys(proposal)) & set(space.keys(X))
    assert largest[1500] == largest[3000], largest
    assert largest[3000]["gp"] <= 30 + 1 and largest[3000]["warping"] == 30
    assert largest[3000]["screened"] < 1500  # the candidate pool, not the history


def test_failed_region_is_learned_as_bad():
    space = SearchSpace({"x": Real(0.0, 1.0)})

    def f(p):  # the best scores lie next to a region where every fit fails
        return np.nan if p["x"] > 0.6 else p["x"]

    strategy = _optimize(BayesStrategy, f, space, 20, 1, 0)
    late = strategy.X[10:, 0]
    assert np.mean(late > 0.6) < 0.5
    assert np.nanmax(strategy.y) > 0.55


def test_rounded_dimensions_are_never_proposed_twice():
    space = SearchSpace({"n": Integer(1, 6), "k": ["a", "b"]})  # 12 candidates
    strategy = _optimize(BayesStrategy, lambda p: -abs(p["n"] - 4), space, 10, 2, 0)
    keys = space.keys(strategy.X)
    assert len(set(keys)) == len(keys) == 10
    assert all(isinstance(p["n"], int) for p in space.decode(strategy.X))


@pytest.mark.parametrize("acquisition", ["ei", "pi", "ucb"])
def test_every_acquisition_optimises(acquisition):
    space = SearchSpace({"x": Real(0.0, 1.0)})
    strategy = BayesStrategy(space, np.random.default_rng(0), acquisition=acquisition)
    while len(strategy.y) < 15:
        X = strategy.ask(1)
        strategy.tell(X, -((X[:, 0] - 0.77) ** 2))
    assert strategy.y.max() > -1e-3


# -- the public class ------------------------------------------------------------------------------
def test_bayes_search_in_a_pipeline_with_a_conditional_space(iris):
    X, y = iris
    C = loguniform(1e-2, 1e3)
    space = [
        {"svc__kernel": ["rbf"], "svc__C": C, "svc__gamma": loguniform(1e-4, 1)},
        {"svc__kernel": ["poly"], "svc__C": C, "svc__degree": [2, 3]},
    ]
    search = BayesSearchCV(
        make_pipeline(StandardScaler(), SVC()), space, n_iter=14, random_state=0, cv=3
    ).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 14
    assert all(("svc__gamma" in p) == (p["svc__kernel"] == "rbf") for p in params)
    assert search.best_score_ > 0.95


def test_bayes_search_multimetric_refit_and_error_score(iris, counter):
    X, y = iris
    search = BayesSearchCV(
        LogisticRegression(max_iter=300),
        {"C": Real(1e-4, 1e2, log=True)},
        n_iter=8,
        scoring={"acc": "accuracy", "nll": "neg_log_loss"},
        refit="nll",
        random_state=0,
    ).fit(X, y)
    assert search.best_score_ == search.cv_results_["mean_test_nll"].max()
    failing = BayesSearchCV(
        counter(fail_above=0.5), {"a": Real(0, 1), "b": Real(0, 1)}, n_iter=10, batch_size=1,
        random_state=0,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning):
        failing.fit(X, y)
    scores = failing.cv_results_["mean_test_score"]
    assert len(scores) == 10 and np.isnan(scores).any() and np.isfinite(scores).any()
    assert failing.best_params_["a"] <= 0.5


def test_bayes_search_is_reproducible_and_ignores_n_jobs(iris):
    X, y = iris
    space = {"C": loguniform(1e-2, 1e2), "gamma": loguniform(1e-3, 1)}
    runs = [
        BayesSearchCV(SVC(), space, n_iter=9, random_state=3, n_jobs=n_jobs).fit(X, y)
        for n_jobs in (1, 2, 1)
    ]
    assert runs[0].cv_results_["params"] == runs[1].cv_results_["params"]
    assert runs[0].cv_results_["params"] == runs[2].cv_results_["params"]


@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"acquisition": "foo"}, "acquisition"),
        ({"n_initial_points": 0}, "n_initial_points"),
        ({"max_model_points": 1}, "max_model_points"),
    ],
)
def test_bayes_options_are_validated_before_any_fit(iris, counter, option, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        BayesSearchCV(counter(), {"a": Real(0, 1)}, **option).fit(X, y)
    assert counter.n_fits == 0


def test_one_blas_thread_limits_blas_and_restores_it():
    from threadpoolctl import threadpool_info

    from skhpo._bo.threads import one_blas_thread

    def blas_threads():
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    before = blas_threads()
    for _ in range(2):  # the controller is reused
        with one_blas_thread():
            assert set(blas_threads()) <= {1}
        assert blas_threads() == before
