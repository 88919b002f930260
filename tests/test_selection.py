"""Choosing the winner (``selection``) and ``best_score_corrected_``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import rankdata
from sklearn.datasets import load_iris, make_classification
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import skhpo._search
from skhpo import BayesSearchCV, Categorical, Integer, Real, TPESearchCV
from skhpo._selection import (
    SELECTIONS,
    corrected_score,
    leave_one_fold_out_score,
    select_index,
    tibshirani_corrected_score,
)
from skhpo.testing import QuadraticEstimator

ALL_SEARCHES = [BayesSearchCV, TPESearchCV]


def results_of(scores: np.ndarray, metric: str = "score", **columns) -> dict:
    """A ``cv_results_``-like dict from per-fold scores of shape (n_candidates, n_splits)."""
    scores = np.asarray(scores, dtype=float)
    means = scores.mean(axis=1)
    results = {f"split{k}_test_{metric}": scores[:, k] for k in range(scores.shape[1])}
    results[f"mean_test_{metric}"] = means
    results[f"rank_test_{metric}"] = rankdata(-np.nan_to_num(means, nan=-np.inf), "min")
    results["params"] = [{"i": i} for i in range(len(scores))]
    results.update({k: np.asarray(v) for k, v in columns.items()})
    return results


def line_features(n: int) -> np.ndarray:
    return np.linspace(0, 1, n)[:, None]


# -- the rules on cv_results_-like dicts ----------------------------------------------------
@pytest.mark.parametrize("selection", SELECTIONS)
def test_pruned_rows_are_never_chosen(selection):
    rng = np.random.default_rng(0)
    scores = rng.normal(0.7, 0.01, (12, 5))
    scores[3] = 0.99  # the best scores belong to a pruned row (its other folds unfitted)
    scores[3, 2:] = np.nan
    scores[7] = 0.95  # and to a row marked pruned although every fold is finite
    pruned = np.zeros(12, dtype=bool)
    pruned[[3, 7]] = True
    results = results_of(scores, pruned=pruned)
    results["mean_test_score"][3] = 0.99  # as if averaged over the folds fitted
    results["rank_test_score"] = rankdata(-results["mean_test_score"], "min")
    index = select_index(results, "score", selection, line_features(12))
    assert index not in (3, 7)
    assert not pruned[index]
    assert np.isfinite(corrected_score(results, "score", selection, index, line_features(12)))


@pytest.mark.parametrize("selection", SELECTIONS)
def test_rows_below_the_largest_resource_are_never_chosen(selection):
    rng = np.random.default_rng(1)
    scores = rng.normal(0.6, 0.01, (9, 3))
    n_resources = np.array([20, 20, 20, 20, 20, 60, 60, 180, 180])
    scores[:5] += 0.3  # small-resource rows score best (e.g. a lucky early round)
    results = results_of(scores, n_resources=n_resources, iter=n_resources // 60)
    index = select_index(results, "score", selection, line_features(9))
    assert n_resources[index] == 180


def test_best_is_the_lowest_rank_with_ties_as_scikit_learn():
    scores = np.array([[0.5, 0.5], [0.9, 0.7], [0.7, 0.9], [0.1, 0.2]])
    results = results_of(scores)
    assert select_index(results, "score", "best") == np.argmin(results["rank_test_score"]) == 1


def test_smoothed_discounts_a_lone_spike():
    # A smooth curve peaking at x = 0.5, plus one candidate far from the peak whose
    # mean is high by luck: the argmax takes the spike, the posterior mean does not.
    x = np.linspace(0, 1, 21)
    truth = 0.8 - 0.3 * (x - 0.5) ** 2
    scores = np.repeat(truth[:, None], 5, axis=1)
    scores += np.random.default_rng(0).normal(0, 0.002, scores.shape)
    scores[2] += 0.06
    results = results_of(scores)
    assert select_index(results, "score", "best", x[:, None]) == 2
    assert abs(x[select_index(results, "score", "smoothed", x[:, None])] - 0.5) <= 0.1


def test_lcb_prefers_the_steadier_of_two_equal_means():
    scores = np.array([[0.9, 0.5, 0.9, 0.5], [0.7, 0.71, 0.69, 0.7], [0.6, 0.6, 0.6, 0.6]])
    results = results_of(scores)
    assert select_index(results, "score", "best") == 0
    assert select_index(results, "score", "lcb") == 1


def test_corrected_score_is_unbiased_on_pure_noise():
    # Every candidate has the same true score 0.5; fold scores are 0.5 plus noise.
    # best_score_ (the top mean of 50) is optimistic by about 2.25 standard errors;
    # the corrected estimate is within the noise of 0.5.
    rng = np.random.default_rng(0)
    n_reps, noise = 200, 0.05
    best, corrected, tibshirani = [], [], []
    for _ in range(n_reps):
        results = results_of(rng.normal(0.5, noise, (50, 5)))
        index = select_index(results, "score", "best")
        best.append(results["mean_test_score"][index])
        corrected.append(leave_one_fold_out_score(results, "score", "best"))
        tibshirani.append(corrected_score(results, "score", "best", index))
    se = noise / np.sqrt(n_reps)  # of the mean over repetitions of one fold score
    assert np.mean(best) - 0.5 > 10 * se
    assert abs(np.mean(corrected) - 0.5) < 3 * se
    # Tibshirani's correction (the one "best" uses) removes most of the optimism here.
    assert abs(np.mean(tibshirani) - 0.5) < 0.25 * (np.mean(best) - 0.5)


def test_tibshirani_correction_is_the_mean_fold_gap_to_the_fold_best():
    scores = np.array([[0.8, 0.6, 0.7], [0.7, 0.9, 0.6], [0.75, 0.7, 0.8]])
    results = results_of(scores)
    index = select_index(results, "score", "best")  # row 2, mean 0.75
    gaps = np.array([0.8, 0.9, 0.8]) - scores[2]
    assert tibshirani_corrected_score(results, "score", index) == pytest.approx(0.75 - gaps.mean())


# -- searches ---------------------------------------------------------------------------
def test_pure_noise_search_best_score_is_optimistic_the_corrected_one_is_not():
    # Labels independent of X: every candidate's true accuracy is 0.5.
    best, corrected = [], []
    for seed in range(10):
        X, _ = make_classification(120, n_features=10, random_state=seed)
        y = np.random.default_rng(seed).integers(0, 2, len(X))
        search = TPESearchCV(
            DecisionTreeClassifier(random_state=0),
            {"max_depth": Integer(1, 12), "min_samples_leaf": Integer(1, 20),
             "max_features": Real(0.2, 1.0), "criterion": Categorical(["gini", "entropy"])},
            n_iter=30, cv=StratifiedKFold(5, shuffle=True, random_state=seed), refit=False,
            random_state=seed, selection="best",
        ).fit(X, y)  # fmt: skip
        best.append(search.best_score_)
        corrected.append(search.best_score_corrected_)
    # The noise of one CV accuracy on 120 rows: sqrt(.25 / 120) = 0.046. best_score_
    # is optimistic by more than that on average; the corrected estimate is within
    # it, and removes at least 40% of the optimism. (It cannot remove all of it in
    # an adaptive search: the strategy chose where to look using every fold.)
    noise = np.sqrt(0.25 / 120)
    assert np.mean(best) - 0.5 > noise
    assert abs(np.mean(corrected) - 0.5) < noise
    assert np.mean(corrected) - 0.5 < 0.6 * (np.mean(best) - 0.5)


@pytest.mark.parametrize("selection", [None, "argmax", 1, "BEST"])
def test_bad_selection_is_refused_before_any_fit(selection):
    X, y = load_iris(return_X_y=True)
    QuadraticEstimator.n_fits = 0
    search = TPESearchCV(QuadraticEstimator(), {"a": Real(0, 1)}, n_iter=3, selection=selection)
    with pytest.raises(ValueError, match="'selection' parameter"):
        search.fit(X, y)
    assert QuadraticEstimator.n_fits == 0


@pytest.mark.parametrize("Search", ALL_SEARCHES)
@pytest.mark.parametrize("refit", [True, "accuracy"])
def test_best_is_grid_search_cv_choice(Search, refit):
    X, y = load_iris(return_X_y=True)
    grid = {"C": [0.01, 0.1, 1.0, 10.0], "gamma": [0.01, 0.1, 1.0]}
    scoring = None if refit is True else ["accuracy", "balanced_accuracy"]
    cv = StratifiedKFold(3, shuffle=True, random_state=0)
    search = Search(SVC(), param_grid=grid, n_iter=12, cv=cv, scoring=scoring, refit=refit,
                    random_state=0, selection="best").fit(X, y)  # fmt: skip
    reference = GridSearchCV(SVC(), grid, cv=cv, scoring=scoring, refit=refit).fit(X, y)
    assert search.best_params_ == reference.best_params_
    assert search.best_score_ == reference.best_score_
    assert np.isfinite(search.best_score_corrected_)


def test_the_hook_is_reached_once_per_fit(monkeypatch):
    # BaseSearchCV.fit calls self._select_best_index (scikit-learn 1.6 to 1.9): the
    # selection runs there, once, on the final results.
    calls = []
    original = skhpo._search.choose_winner

    def spy(search, refit, refit_metric, results):
        calls.append(len(results["params"]))
        return original(search, refit, refit_metric, results)

    monkeypatch.setattr(skhpo._search, "choose_winner", spy)
    X, y = load_iris(return_X_y=True)
    TPESearchCV(QuadraticEstimator(), {"a": Real(0, 1)}, n_iter=6, random_state=0).fit(X, y)
    assert calls == [6]


def test_a_callable_refit_wins_over_selection():
    X, y = load_iris(return_X_y=True)
    search = TPESearchCV(
        SVC(), {"C": Real(1e-2, 1e2, log=True)}, n_iter=6, random_state=0,
        refit=lambda results: 4, selection="lcb",
    ).fit(X, y)  # fmt: skip
    assert search.best_index_ == 4
    assert not hasattr(search, "best_score_corrected_")
    assert not hasattr(search, "best_score_")


@pytest.mark.parametrize("selection", SELECTIONS)
def test_selection_chooses_also_without_refit(selection):
    X, y = load_iris(return_X_y=True)
    search = TPESearchCV(
        SVC(), {"C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1.0, log=True)},
        n_iter=10, random_state=0, refit=False, selection=selection,
    ).fit(X, y)  # fmt: skip
    results = search.cv_results_
    assert search.best_index_ == select_index(
        results, "score", selection, skhpo._selection.candidate_features(search, results)
    )
    assert search.best_score_ == results["mean_test_score"][search.best_index_]
    assert search.best_score_corrected_ <= search.best_score_ + 0.05
    assert not hasattr(search, "best_estimator_")


def test_a_checkpoint_resumes_under_another_selection(tmp_path):
    # selection only chooses among finished candidates: changing it is no reason to
    # refuse a checkpoint, and the candidates are restored, not searched again.
    X, y = load_iris(return_X_y=True)
    path = tmp_path / "search.jsonl"
    options = dict(n_iter=6, cv=3, random_state=0, checkpoint=path)
    space = {"a": Real(0, 1)}
    first = TPESearchCV(QuadraticEstimator(), space, selection="best", **options).fit(X, y)
    QuadraticEstimator.n_fits = 0
    again = TPESearchCV(QuadraticEstimator(), space, selection="lcb", **options).fit(X, y)
    # (the loop fits one restored batch again so that scikit-learn has results to keep)
    assert QuadraticEstimator.n_fits < 6 * 3
    assert again.cv_results_["params"] == first.cv_results_["params"]


@pytest.mark.parametrize("selection", SELECTIONS)
def test_corrected_score_with_two_folds(selection):
    # Leave-one-fold-out of two folds chooses by a single fold (no standard error).
    scores = np.array([[0.6, 0.7], [0.9, 0.5], [0.8, 0.75], [0.5, 0.5], [0.7, 0.6]])
    results = results_of(scores)
    index = select_index(results, "score", selection, line_features(5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        estimate = leave_one_fold_out_score(results, "score", selection, line_features(5))
    # fold 0 chooses row 1 (0.9), scored 0.5 on fold 1; fold 1 chooses row 2 (0.75),
    # scored 0.8 on fold 0
    if selection != "smoothed":
        assert estimate == pytest.approx((0.5 + 0.8) / 2)
    assert np.isfinite(corrected_score(results, "score", selection, index, line_features(5)))


def test_smoothed_selection_sees_the_candidates_of_a_halving_search_over_a_parameter():
    # Every row's params hold the resource (max_iter), which the space does not: the
    # smoothed rule had no coordinates and fell back to the argmax, silently.
    from sklearn.linear_model import SGDClassifier

    X, y = make_classification(150, 5, random_state=0)
    search = TPESearchCV(
        SGDClassifier(tol=None, random_state=0), {"alpha": Real(1e-6, 1e-1, log=True)},
        n_iter=9, resource="max_iter", min_resources=1, max_resources=9, cv=3,
        random_state=0, selection="smoothed", refit=False,
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    results = search.cv_results_
    features = skhpo._selection.candidate_features(search, results)
    assert features is not None and features.shape == (len(results["params"]), 1)
    assert search.best_index_ == select_index(results, "score", "smoothed", features)
    assert results["n_resources"][search.best_index_] == 9
