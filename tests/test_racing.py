"""Fold racing: candidates shown worse than the best are stopped after a stage of folds."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import Ridge
from sklearn.metrics import make_scorer

from skhpo import BayesSearchCV, Real, TPESearchCV
from skhpo._racing import _rank, stage_ends, told_scores, worse_than_reference
from skhpo.testing import QuadraticEstimator, RandomStrategySearchCV

X = np.zeros((40, 2))
SPACE = {"a": Real(0, 1), "b": Real(0, 1)}
GOOD, BAD = {"a": 0.3, "b": 0.7}, {"a": 1.0, "b": 0.0}

pytestmark = pytest.mark.filterwarnings("ignore:Resumed")


@pytest.fixture
def fits():
    QuadraticEstimator.n_fits = 0
    yield QuadraticEstimator
    QuadraticEstimator.n_fits = 0


def _search(cls=TPESearchCV, n_iter=12, **kwargs):
    kwargs = {
        "estimator": QuadraticEstimator(), "random_state": 0, "batch_size": 3, "cv": 5,
        "racing": True, **kwargs,
    }  # fmt: skip
    return cls(param_distributions=SPACE, n_iter=n_iter, **kwargs)


def _fitted_folds(results):
    n_splits = sum(k.startswith("split") and k.endswith("_test_score") for k in results)
    scores = np.column_stack([results[f"split{i}_test_score"] for i in range(n_splits)])
    return np.isfinite(scores).sum(axis=1)


# -- the test and the stages ------------------------------------------------------------------
def test_stages_double_the_folds_scored():
    assert stage_ends(3) == [2, 3]
    assert stage_ends(5) == [2, 4, 5]
    assert stage_ends(10) == [2, 4, 8, 10]


def test_the_paired_test_stops_only_candidates_shown_worse():
    reference = np.array([0.8, 0.9, 0.7, 0.85])
    scores = np.array([
        reference - [0.10, 0.12, 0.09, 0.11],  # worse on every fold, consistently
        reference - [0.10, -0.12, 0.09, -0.11],  # as often better as worse
        reference + 0.05,  # better
        reference - 0.01,  # worse by the same on every fold: zero variance
        reference,  # the reference itself: no difference is no evidence
        [np.nan, 0.9, 0.7, 0.85],  # a failed fit (error_score=nan)
    ])  # fmt: skip
    stopped = worse_than_reference(scores, reference, 0.95)
    assert stopped.tolist() == [True, False, False, True, False, True]
    # Two folds: the t-test has one degree of freedom and needs a consistent gap.
    two = worse_than_reference(scores[:2, :2], reference[:2], 0.95)
    assert two.tolist() == [True, False]
    assert not worse_than_reference(scores[:1, :2], reference[:2], 0.999).any()


def test_a_stopped_candidate_is_told_its_paired_estimate_below_the_reference():
    reference = np.array([0.9, 0.7, 0.8, 0.6])  # easy first folds
    scores = np.array([[0.8, 0.6, np.nan, np.nan], [0.95, 0.75, 0.85, 0.65]])
    fitted = np.isfinite(scores)
    y, y_std = told_scores(scores, fitted, reference)
    # 0.75 - (0.8 - 0.7): the reference's mean less the mean gap on folds 0 and 1
    # (its plain partial mean, 0.7, is not below the reference's mean, 0.75).
    np.testing.assert_allclose(y, [0.65, 0.8])
    np.testing.assert_allclose(y_std, [0.1, np.std(scores[1])])


# -- a search ---------------------------------------------------------------------------------
def test_a_clearly_bad_candidate_is_stopped_after_the_first_stage(fits):
    search = _search(n_iter=2, batch_size=1, initial_params=[GOOD, BAD]).fit(X)
    assert fits.n_fits == 5 + 2 + 1  # the reference's 5 folds, 2 of the bad one, the refit
    results = search.cv_results_
    assert results["pruned"].tolist() == [False, True]
    assert _fitted_folds(results).tolist() == [5, 2]
    assert np.isnan(results["split2_test_score"][1])
    assert results["mean_test_score"][1] == pytest.approx(-(0.7**2) - 0.7**2)
    assert results["std_test_score"][1] == 0
    assert np.isfinite(results["mean_fit_time"]).all()
    assert results["rank_test_score"].tolist() == [1, 2] and search.best_index_ == 0


def test_a_pruned_row_ranks_after_every_complete_one_even_with_a_better_mean():
    means = np.array([0.5, 0.9, np.nan, 0.7, 0.4])
    pruned = np.array([False, True, False, False, True])
    # Complete rows first (a NaN mean tied last among them), then the pruned ones.
    assert _rank(means, pruned).tolist() == [2, 4, 3, 1, 5]


def test_the_best_is_never_pruned_and_complete_rows_match_an_unraced_search():
    X_r, y_r = make_regression(120, 8, noise=20.0, random_state=0)
    kwargs = dict(n_iter=16, batch_size=4, cv=5, random_state=1)
    space = {"alpha": Real(1e-3, 1e4, log=True)}
    # Random proposals do not depend on the scores told: both search the same candidates.
    plain = RandomStrategySearchCV(Ridge(), space, **kwargs).fit(X_r, y_r)
    raced = RandomStrategySearchCV(Ridge(), space, racing=True, **kwargs).fit(X_r, y_r)
    results = raced.cv_results_
    assert results["params"] == plain.cv_results_["params"]
    assert results["pruned"].any() and not results["pruned"][raced.best_index_]
    assert raced.best_index_ == plain.best_index_
    complete = ~results["pruned"]
    np.testing.assert_array_equal(
        results["mean_test_score"][complete], plain.cv_results_["mean_test_score"][complete]
    )
    assert _fitted_folds(results)[results["pruned"]].max() < 5


def test_results_are_identical_whatever_n_jobs():
    X_r, y_r = make_regression(100, 6, noise=30.0, random_state=0)
    space = {"alpha": Real(1e-3, 1e4, log=True)}

    def run(n_jobs):
        return BayesSearchCV(
            Ridge(), space, n_iter=10, batch_size=3, cv=5, racing=0.9, random_state=0,
            n_jobs=n_jobs,
        ).fit(X_r, y_r).cv_results_  # fmt: skip

    one, two = run(1), run(2)
    assert one["params"] == two["params"]
    assert one["pruned"].any()
    for key in [k for k in one if "test" in k or k == "pruned"]:
        np.testing.assert_array_equal(one[key], two[key])


def test_a_resumed_search_refits_nothing_and_races_nothing_again(tmp_path, fits):
    path = tmp_path / "search.jsonl"
    uninterrupted = _search().fit(X).cv_results_
    assert uninterrupted["pruned"].any()

    def interrupt_after_two_batches(state):
        if state.n_candidates == 6:
            raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="interrupted"):
        _search(checkpoint=path, callbacks=interrupt_after_two_batches).fit(X)
    fits.n_fits = 0
    resumed = _search(checkpoint=path).fit(X)
    assert fits.n_fits == _fitted_folds(uninterrupted)[6:].sum() + 1  # the new rows and the refit
    for key in ("params", "pruned", "mean_test_score", "split4_test_score", "rank_test_score"):
        np.testing.assert_array_equal(resumed.cv_results_[key], uninterrupted[key])
    # Run again, it restores everything and fits only the refit (nothing is re-raced).
    fits.n_fits = 0
    again = _search(checkpoint=path).fit(X)
    assert fits.n_fits == 1
    np.testing.assert_array_equal(again.cv_results_["pruned"], uninterrupted["pruned"])
    assert again.best_params_ == resumed.best_params_


def test_bad_racing_values_are_refused_before_any_fit(fits):
    for value, error in [(1.5, ValueError), ("yes", TypeError), (0, ValueError), (1, ValueError)]:
        with pytest.raises(error, match="racing"):
            _search(racing=value).fit(X)
    with pytest.raises(ValueError, match="racing=True needs at least 3 CV splits"):
        _search(cv=2).fit(X)
    assert fits.n_fits == 0


def test_the_optimised_metric_decides(fits):
    scoring = {"pos": make_scorer(_quadratic), "neg": make_scorer(_neg_quadratic)}
    kwargs = dict(
        estimator=_PredictsItsScore(), n_iter=2, batch_size=1, initial_params=[GOOD, BAD],
        scoring=scoring,
    )  # fmt: skip
    on_pos = _search(refit="pos", **kwargs).fit(X, np.zeros(len(X))).cv_results_
    assert on_pos["pruned"].tolist() == [False, True]
    assert on_pos["rank_test_neg"].tolist() == [1, 2]  # pruned rows last in every metric
    on_neg = _search(refit="neg", **kwargs).fit(X, np.zeros(len(X))).cv_results_
    assert on_neg["pruned"].tolist() == [False, False]


def _quadratic(y_true, y_pred):
    return float(y_pred[0])


def _neg_quadratic(y_true, y_pred):
    return -float(y_pred[0])


class _PredictsItsScore(QuadraticEstimator):
    def predict(self, X):
        return np.full(len(X), self.score(X))


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
@pytest.mark.parametrize("error_score", [np.nan, -10.0])
def test_a_failing_candidate_is_stopped_and_kept(fits, error_score):
    # The first batch (no reference yet) is scored whole, the second raced.
    start = [GOOD, {"a": 0.31, "b": 0.7}, {"a": 0.95, "b": 0.7}, {"a": 0.35, "b": 0.7}]
    search = _search(
        estimator=QuadraticEstimator(fail_above=0.9), n_iter=4, batch_size=2,
        initial_params=start, error_score=error_score,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning):
        results = search.fit(X).cv_results_
    assert results["pruned"].tolist() == [False, False, True, True]
    assert _fitted_folds(results)[2] == (0 if np.isnan(error_score) else 2)
    assert np.isnan(results["mean_test_score"][2]) == np.isnan(error_score)
    assert search.best_index_ == 0


@pytest.mark.filterwarnings("ignore:One or more of the test scores are non-finite")
def test_a_batch_whose_every_fit_failed_is_kept(fits):
    # As in an unraced search: its rows hold error_score on every fold.
    search = _search(
        estimator=QuadraticEstimator(fail_above=0.9), n_iter=3, batch_size=1,
        initial_params=[GOOD, {"a": 0.95, "b": 0.7}, {"a": 0.3, "b": 0.6}],
    )  # fmt: skip
    with pytest.warns(FitFailedWarning, match="fits failed"):
        results = search.fit(X).cv_results_
    assert len(results["params"]) == 3 and results["batch"].tolist() == [0, 1, 2]
    assert np.isnan(results["mean_test_score"][1]) and search.best_index_ == 0


def test_callbacks_see_the_pruned_column_and_max_time_still_stops(fits):
    seen = []
    search = _search(n_iter=9, callbacks=lambda state: seen.append(state.cv_results))
    search.fit(X)
    assert len(seen) == 3 and all("pruned" in r for r in seen)
    assert [len(r["params"]) for r in seen] == [3, 6, 9]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        timed = _search(n_iter=30, max_time=1e-9).fit(X)
    assert len(timed.cv_results_["params"]) == 3


def test_warm_started_rows_are_not_pruned(fits):
    earlier = _search(n_iter=3).fit(X)
    search = _search(n_iter=3, warm_start_from=earlier, include_warm_start=True).fit(X)
    results = search.cv_results_
    assert len(results["params"]) == 6 and not results["pruned"][:3].any()


def test_checkpoints_without_racing_keep_their_fingerprint():
    # Files written before racing existed hold no "racing" option: a search without
    # racing must not add one, or it would refuse to resume them.
    from skhpo._checkpoint import fingerprint
    from skhpo.space import SearchSpace

    space = {"a": Real(0, 1)}
    unraced = RandomStrategySearchCV(QuadraticEstimator(), space)
    raced = RandomStrategySearchCV(QuadraticEstimator(), space, racing=True)
    assert "racing" not in fingerprint(unraced, SearchSpace(space))["options"]
    assert "racing" in fingerprint(raced, SearchSpace(space))["options"]
