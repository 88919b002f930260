"""The shared search loop, through the random strategy and scripted strategies."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import (
    BayesSearchCV,
    Categorical,
    Integer,
    Real,
    TPESearchCV,
)
from skhpo._seam import TaskContext
from skhpo._search import BaseStrategySearchCV
from skhpo.callbacks import Deadline, NoImprovement, SearchState, TargetScore
from skhpo.strategies import Strategy
from skhpo.testing import RandomStrategySearchCV
from skhpo.utils import all_searches

SVC_SPACE = {
    "C": loguniform(1e-3, 1e3),
    "gamma": Real(1e-4, 1, log=True),
    "kernel": ["rbf", "sigmoid"],
}


class ReplayStrategy(Strategy):
    """Proposes fixed rows, in order, then repeats the last one forever."""

    rows: np.ndarray = np.empty((0, 0))

    def ask(self, n, pending=None):
        start = min(len(self.y) + (0 if pending is None else len(pending)), len(self.rows) - 1)
        rows = self.rows[start : start + n]
        return np.vstack([rows, np.repeat(self.rows[-1:], n - len(rows), axis=0)])


class ReplaySearchCV(BaseStrategySearchCV):
    """Evaluates the candidates in ``replay`` (a list of dicts), in order."""

    replay: list = []

    def _make_strategy(self, space, rng):
        strategy = ReplayStrategy(space, rng)
        strategy.rows = space.encode(self.replay)
        return strategy


# -- the acceptance test ----------------------------------------------------------
def test_random_search_on_svc_exposes_gridsearch_attributes_and_ignores_n_jobs(iris):
    X, y = iris
    searches = [
        RandomStrategySearchCV(SVC(), SVC_SPACE, n_iter=12, random_state=0, n_jobs=n_jobs).fit(X, y)
        for n_jobs in (1, 2)
    ]
    one, two = searches
    assert one.cv_results_["params"] == two.cv_results_["params"]
    np.testing.assert_array_equal(
        one.cv_results_["mean_test_score"], two.cv_results_["mean_test_score"]
    )
    assert len(one.cv_results_["params"]) == 12
    for name in [
        "cv_results_", "best_estimator_", "best_score_", "best_params_", "best_index_",
        "scorer_", "n_splits_", "refit_time_", "multimetric_", "classes_", "n_features_in_",
    ]:  # fmt: skip
        assert hasattr(one, name), name
    assert one.best_score_ == one.cv_results_["mean_test_score"].max()
    assert one.best_params_ == one.cv_results_["params"][one.best_index_]
    assert isinstance(one.best_params_["C"], float) and isinstance(one.best_params_["kernel"], str)
    assert 1e-4 <= one.best_params_["gamma"] <= 1
    np.testing.assert_array_equal(one.classes_, [0, 1, 2])
    np.testing.assert_array_equal(one.predict(X), one.best_estimator_.predict(X))
    np.testing.assert_array_equal(
        one.decision_function(X), one.best_estimator_.decision_function(X)
    )
    assert one.score(X, y) == one.best_estimator_.score(X, y)
    assert one.n_splits_ == 5 and one.multimetric_ is False


def test_same_seed_same_candidates_other_seed_other_candidates(iris):
    X, y = iris
    fit = lambda seed: RandomStrategySearchCV(  # noqa: E731
        SVC(), SVC_SPACE, n_iter=6, random_state=seed
    ).fit(X, y)
    assert fit(3).cv_results_["params"] == fit(3).cv_results_["params"]
    assert fit(3).cv_results_["params"] != fit(4).cv_results_["params"]


def test_replayed_candidates_match_grid_search_row_by_row(iris):
    X, y = iris
    grid = {"C": [0.1, 1.0, 10.0], "kernel": ["linear", "rbf"]}
    gs = GridSearchCV(SVC(), grid, cv=3).fit(X, y)
    search = ReplaySearchCV(SVC(), grid, n_iter=6, cv=3, batch_size=4)
    search.replay = gs.cv_results_["params"]
    search.fit(X, y)
    assert search.cv_results_["params"] == gs.cv_results_["params"]
    for key in ["mean_test_score", "std_test_score", "rank_test_score", "split0_test_score"]:
        np.testing.assert_allclose(search.cv_results_[key], gs.cv_results_[key])
    np.testing.assert_array_equal(search.cv_results_["batch"], [0, 0, 0, 0, 1, 1])
    assert search.best_params_ == gs.best_params_


# -- no candidate twice, finite spaces ------------------------------------------------------
def test_repeated_proposals_are_replaced_not_reevaluated(iris):
    X, y = iris
    search = ReplaySearchCV(SVC(), {"C": Real(0.1, 10.0)}, n_iter=8, batch_size=3, cv=2)
    search.replay = [{"C": 1.0}]  # the strategy proposes C=1 over and over
    search.fit(X, y)
    cs = [p["C"] for p in search.cv_results_["params"]]
    assert len(cs) == 8 and len(set(cs)) == 8 and cs[0] == 1.0


def test_finite_space_is_exhausted_without_repeats(iris):
    X, y = iris
    space = {"C": [0.1, 1.0, 10.0], "kernel": ["linear", "rbf"]}
    with pytest.warns(UserWarning, match="only 6 candidates"):
        search = RandomStrategySearchCV(SVC(), space, n_iter=20, cv=2, batch_size=4).fit(X, y)
    params = search.cv_results_["params"]
    assert len(params) == 6
    assert {tuple(sorted(p.items())) for p in params} == {
        (("C", c), ("kernel", k)) for c in space["C"] for k in space["kernel"]
    }


# -- failures -------------------------------------------------------------------------------
def test_batches_whose_every_fit_fails_are_kept_and_do_not_stop_the_search(iris, counter):
    X, y = iris
    search = ReplaySearchCV(counter(fail_above=0.5), {"a": Real(0, 1)}, n_iter=5, batch_size=1)
    search.replay = [{"a": 0.1}, {"a": 0.9}, {"a": 0.2}, {"a": 0.8}, {"a": 0.95}]
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    res = search.cv_results_
    assert [p["a"] for p in res["params"]] == [0.1, 0.9, 0.2, 0.8, 0.95]
    assert np.isnan(res["mean_test_score"][[1, 3, 4]]).all()
    assert np.isfinite(res["mean_test_score"][[0, 2]]).all()
    np.testing.assert_array_equal(res["batch"], [0, 1, 2, 3, 4])
    assert list(res["rank_test_score"][[0, 2]]) == [2, 1]
    assert search.best_params_ == {"a": 0.2}
    assert search.best_index_ == 2


def test_failed_scores_reach_the_strategy_as_nan(iris, counter):
    X, y = iris
    told = {}

    class Spy(ReplayStrategy):
        def tell(self, X, y, y_std=None):
            super().tell(X, y, y_std)
            told["y"] = self.y

    class SpySearch(ReplaySearchCV):
        def _make_strategy(self, space, rng):
            strategy = Spy(space, rng)
            strategy.rows = space.encode(self.replay)
            return strategy

    search = SpySearch(counter(fail_above=0.5), {"a": Real(0, 1)}, n_iter=3, batch_size=2)
    search.replay = [{"a": 0.1}, {"a": 0.9}, {"a": 0.7}]
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert np.isfinite(told["y"][0]) and np.isnan(told["y"][1:]).all()


def test_search_raises_only_when_every_fit_failed(iris, counter):
    X, y = iris
    search = RandomStrategySearchCV(
        counter(fail_above=-1.0), {"a": Real(0, 1)}, n_iter=3, batch_size=1, cv=2
    )
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError, match="fits failed"):
        search.fit(X, y)
    assert counter.n_fits == 6  # every batch was tried


def test_error_score_raise_propagates(iris, counter):
    X, y = iris
    search = RandomStrategySearchCV(
        counter(fail_above=-1.0), {"a": Real(0, 1)}, n_iter=3, error_score="raise"
    )
    with pytest.raises(ValueError, match="above fail_above"):
        search.fit(X, y)


def test_numeric_error_score_is_recorded(iris, counter):
    X, y = iris
    search = ReplaySearchCV(
        counter(fail_above=0.5), {"a": Real(0, 1)}, n_iter=2, batch_size=1, error_score=-99.0
    )
    search.replay = [{"a": 0.9}, {"a": 0.1}]
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert search.cv_results_["mean_test_score"][0] == -99.0
    assert search.best_params_ == {"a": 0.1}


# -- the CV splits ------------------------------------------------------------------------
def test_every_batch_is_scored_on_the_same_folds(iris):
    X, y = iris
    # A shuffling splitter without random_state gives new folds at every split() call.
    search = RandomStrategySearchCV(
        DummyClassifier(strategy="prior"),
        {"random_state": Integer(0, 100)},  # unused by "prior": scores differ only by fold
        n_iter=6,
        batch_size=2,
        cv=KFold(3, shuffle=True),
        random_state=0,
    ).fit(X, y)
    for split in range(3):
        scores = search.cv_results_[f"split{split}_test_score"]
        assert np.ptp(scores) == 0, scores


# -- validation before any fit ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("space", "error", "match"),
    [
        ({"a": Real(0, 1), "c": [1, 2]}, ValueError, "'c' is not a parameter of Quadratic"),
        ({"a": 5}, TypeError, r"param_distributions\['a'\]"),
        ({"a": []}, ValueError, "must not be empty"),
        ([{"a": [0.1]}, 3], TypeError, r"param_distributions\[1\] must be a dict"),
        ([], ValueError, "must not be an empty list"),
        ({"a": "abc"}, TypeError, r"param_distributions\['a'\]"),
    ],
)
def test_invalid_spaces_raise_before_any_fit(iris, counter, space, error, match):
    X, y = iris
    with pytest.raises(error, match=match):
        RandomStrategySearchCV(counter(), space, n_iter=2).fit(X, y)
    assert counter.n_fits == 0


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"n_iter": 0}, ValueError, "n_iter"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"max_time": -1.0}, ValueError, "max_time"),
        ({"initial_params": [{"a": 2.0}]}, ValueError, "initial_params"),
        ({"initial_params": [{"b": 0.5}]}, ValueError, "initial_params"),
        ({"initial_params": {"a": 0.5}}, ValueError, "initial_params"),
        (
            {"scoring": ["accuracy", "f1_macro"], "refit": "f2"},
            ValueError,
            r"refit='f2' .*\['accuracy', 'f1_macro'\]",
        ),
        (
            {"scoring": ["accuracy", "f1_macro"], "refit": True},
            ValueError,
            r"refit=True.*\['accuracy', 'f1_macro'\]",
        ),
        (
            {"scoring": ["accuracy", "f1_macro"], "refit": False, "objective": "f2"},
            ValueError,
            r"objective='f2' .*\['accuracy', 'f1_macro'\]",
        ),
        (
            {"scoring": ["accuracy", "f1_macro"], "refit": "accuracy", "objective": "f1_macro"},
            ValueError,
            "objective='f1_macro' and refit='accuracy' disagree",
        ),
        ({"scoring": "accuracy", "objective": "accuracy"}, ValueError, "objective='accuracy'"),
        ({"objective": 3}, ValueError, "objective"),
        ({"param_grid": {"a": [0.5]}}, ValueError, r"param_distributions and param_grid.*both"),
        ({"random_state": "seed"}, ValueError, "random_state"),
    ],
)
def test_invalid_options_raise_before_any_fit(iris, counter, params, error, match):
    X, y = iris
    search = RandomStrategySearchCV(counter(), {"a": Real(0, 1)}, **{"n_iter": 2, **params})
    with pytest.raises(error, match=match):
        search.fit(X, y)
    assert counter.n_fits == 0


def test_nested_names_under_an_estimator_choice_are_valid(iris):
    X, y = iris
    pipe = Pipeline([("scale", StandardScaler()), ("clf", SVC())])
    space = {"clf": [SVC(), LogisticRegression()], "clf__C": loguniform(0.1, 10)}
    search = RandomStrategySearchCV(pipe, space, n_iter=4, cv=2, random_state=0).fit(X, y)
    clfs = [p["clf"] for p in search.cv_results_["params"]]
    assert len({id(c) for c in clfs}) == 4  # cloned per candidate, never shared
    assert search.best_estimator_.named_steps["clf"].C == search.best_params_["clf__C"]


# -- metrics --------------------------------------------------------------------------------
@pytest.mark.slow
def test_multimetric_refit_names_the_optimised_metric(iris):
    X, y = iris
    told = {}

    class Spy(ReplayStrategy):
        def tell(self, X, y, y_std=None):
            super().tell(X, y, y_std)
            told["y"] = self.y.copy()

    class SpySearch(ReplaySearchCV):
        def _make_strategy(self, space, rng):
            strategy = Spy(space, rng)
            strategy.rows = space.encode(self.replay)
            return strategy

    search = SpySearch(
        LogisticRegression(max_iter=500),
        {"C": Real(0.001, 10, log=True)},
        n_iter=3,
        scoring={"acc": "accuracy", "nll": "neg_log_loss"},
        refit="nll",
    )
    search.replay = [{"C": 0.001}, {"C": 0.1}, {"C": 10.0}]
    search.fit(X, y)
    np.testing.assert_allclose(told["y"], search.cv_results_["mean_test_nll"])
    assert search.multimetric_ and search.best_score_ == search.cv_results_["mean_test_nll"].max()


def test_callable_scoring_returning_several_metrics_is_known_after_its_first_batch(iris):
    X, y = iris
    calls = []

    def two_metrics(est, X, y):
        calls.append(1)
        return {"acc": est.score(X, y), "neg": -est.score(X, y)}

    def fit(**params):
        told = []
        search = RandomStrategySearchCV(
            SVC(), {"C": Real(0.1, 10)}, n_iter=4, batch_size=2, cv=3, scoring=two_metrics,
            random_state=0, callbacks=lambda state: told.append(state.scores), **params,
        ).fit(X, y)  # fmt: skip
        return search, told[-1]

    search, told = fit(refit="neg")
    np.testing.assert_array_equal(told, search.cv_results_["mean_test_neg"])
    assert search.best_score_ == search.cv_results_["mean_test_neg"].max()
    # With refit False, the first metric, or objective, is optimised (as with a list).
    for params, metric in [({}, "acc"), ({"objective": "neg"}, "neg")]:
        search, told = fit(refit=False, **params)
        np.testing.assert_array_equal(told, search.cv_results_[f"mean_test_{metric}"])
        assert search.multimetric_ and not hasattr(search, "best_index_")
    # What scikit-learn refuses once every candidate is fitted is refused after one batch
    # (2 candidates x 3 folds), with the metrics the scoring returned.
    for params, match in [
        ({"refit": True}, r"refit=True.*\['acc', 'neg'\]"),
        ({"refit": "f1"}, r"refit='f1' .*\['acc', 'neg'\]"),
        ({"refit": False, "objective": "f1"}, r"objective='f1' .*\['acc', 'neg'\]"),
    ]:
        calls.clear()
        with pytest.raises(ValueError, match=match):
            fit(**params)
        assert len(calls) == 2 * 3


def test_callable_scoring_returning_one_score_takes_no_objective(iris):
    X, y = iris
    score = lambda est, X, y: est.score(X, y)  # noqa: E731
    search = RandomStrategySearchCV(SVC(), {"C": Real(0.1, 10)}, n_iter=2, cv=3, scoring=score,
                                    refit="ignored", random_state=0).fit(X, y)  # fmt: skip
    gs = GridSearchCV(SVC(), {"C": [p["C"] for p in search.cv_results_["params"]]}, cv=3,
                      scoring=score, refit="ignored").fit(X, y)  # fmt: skip
    assert search.best_index_ == gs.best_index_ and search.best_score_ == gs.best_score_
    with pytest.raises(ValueError, match=r"objective='acc' .*single score"):
        RandomStrategySearchCV(SVC(), {"C": Real(0.1, 10)}, n_iter=2, cv=3, scoring=score,
                               objective="acc").fit(X, y)  # fmt: skip


# -- starting points, stopping --------------------------------------------------------------
def test_initial_params_are_evaluated_first_and_repeats_once(iris):
    X, y = iris
    start = [
        {"C": 3.0, "kernel": "rbf"},
        {"C": 0.5, "kernel": "linear"},
        {"C": 3.0, "kernel": "rbf"},
    ]
    with pytest.warns(UserWarning, match="1 repeated"):
        search = RandomStrategySearchCV(
            SVC(), {"C": Real(0.1, 10), "kernel": ["rbf", "linear"]}, n_iter=5,
            initial_params=start, random_state=0, batch_size=2,
        ).fit(X, y)  # fmt: skip
    params = search.cv_results_["params"]
    assert params[:2] == start[:2] and len(params) == 5


def test_callbacks_see_every_batch_and_can_stop(iris):
    X, y = iris
    states: list[SearchState] = []

    def stop_after_two(state):
        states.append(state)
        return len(states) == 2

    search = RandomStrategySearchCV(
        SVC(), SVC_SPACE, n_iter=20, batch_size=3, callbacks=[stop_after_two], random_state=0
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 6
    assert [s.n_candidates for s in states] == [3, 6]
    assert states[-1].best_score == search.best_score_
    assert states[-1].best_params == search.best_params_
    assert hasattr(search, "best_estimator_")  # a stopped search is refit


def test_ready_made_callbacks():
    def state(scores, elapsed=1.0):
        scores = np.array(scores, dtype=float)
        return SearchState(len(scores), 10, scores, np.nanmax(scores), {}, elapsed, {})

    assert NoImprovement(patience=2)(state([0.5, 0.6, 0.6, 0.55]))
    assert not NoImprovement(patience=2)(state([0.5, 0.6, 0.7, 0.55]))
    assert NoImprovement(patience=2, tol=0.2)(state([0.5, 0.6, 0.7, 0.55]))
    assert not NoImprovement(patience=5)(state([0.5, 0.6]))
    assert TargetScore(0.7)(state([0.5, 0.71])) and not TargetScore(0.8)(state([0.5, 0.71]))
    assert Deadline(1.0)(state([0.5], elapsed=1.5)) and not Deadline(2.0)(state([0.5]))
    with pytest.raises(ValueError, match="patience"):
        NoImprovement(patience=0)


def test_max_time_stops_before_a_new_batch(iris):
    X, y = iris
    search = RandomStrategySearchCV(
        SVC(), SVC_SPACE, n_iter=50, batch_size=2, max_time=1e-9, random_state=0
    ).fit(X, y)
    # the first batch always runs: max_time is checked before each batch after it
    assert len(search.cv_results_["params"]) == 2


def test_verbose_reports_progress(iris, capsys):
    X, y = iris
    RandomStrategySearchCV(SVC(), SVC_SPACE, n_iter=4, batch_size=2, verbose=1).fit(X, y)
    out = capsys.readouterr().out
    assert "2/4 candidates" in out and "4/4 candidates" in out and "best " in out


# -- sklearn integration ------------------------------------------------------------------------
def test_clone_pickle_get_set_params(iris):
    X, y = iris
    search = RandomStrategySearchCV(SVC(), SVC_SPACE, n_iter=3, random_state=1, batch_size=2)
    assert clone(search).get_params()["batch_size"] == 2
    search.set_params(n_iter=4, estimator__C=2.0)
    assert search.n_iter == 4 and search.estimator.C == 2.0
    search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert not hasattr(search, "_fit_seam")  # per-fit state ends with the fit


def test_nested_cross_validation_and_pipelines(iris):
    X, y = iris
    search = RandomStrategySearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {"svc__C": loguniform(0.1, 100)},
        n_iter=3,
        cv=2,
        random_state=0,
    )
    scores = cross_val_score(search, X, y, cv=3)
    assert scores.shape == (3,) and (scores > 0.8).all()
    outer = make_pipeline(StandardScaler(), RandomStrategySearchCV(SVC(), SVC_SPACE, n_iter=3))
    assert outer.fit(X, y).score(X, y) > 0.3


def test_a_second_fit_starts_afresh(iris):
    X, y = iris
    search = RandomStrategySearchCV(SVC(), SVC_SPACE, n_iter=3, random_state=0)
    first = search.fit(X, y).cv_results_["params"]
    assert search.fit(X[:100], y[:100]).cv_results_["params"] == first
    assert len(search.cv_results_["params"]) == 3


def test_groups_reach_the_splitter():
    from sklearn.model_selection import GroupKFold

    X, y = load_iris(return_X_y=True)
    groups = np.arange(len(y)) % 3
    search = RandomStrategySearchCV(
        SVC(), {"C": Real(0.1, 10)}, n_iter=2, cv=GroupKFold(3), random_state=0
    ).fit(X, y, groups=groups)
    assert search.n_splits_ == 3


@pytest.mark.slow
def test_metadata_routing_of_sample_weight(iris):
    import sklearn

    X, y = iris
    weights = np.ones(len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        est = (
            LogisticRegression(max_iter=300)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        search = RandomStrategySearchCV(est, {"C": Real(0.1, 10)}, n_iter=2, random_state=0).fit(
            X, y, sample_weight=weights
        )
    assert search.best_estimator_.coef_.shape == (3, 4)


def test_categorical_values_reach_the_estimator_as_written(iris, counter):
    X, y = iris
    seen = []

    class Recorder(counter):
        def fit(self, X, y):
            seen.append(self.b)
            return super().fit(X, y)

        def score(self, X, y=None, sample_weight=None):
            return 0.0

    choices = [(50, 50), None, "str", True]
    RandomStrategySearchCV(
        Recorder(), {"b": Categorical(choices)}, n_iter=4, cv=2, random_state=0
    ).fit(X, y)
    assert {repr(v) for v in seen} == {repr(c) for c in choices}
    assert all(type(v) in (tuple, type(None), str, bool) for v in seen)


def test_sklearn_callbacks_progress_and_stop(iris):
    callback = pytest.importorskip("sklearn.callback")
    X, y = iris

    class StopAfterFirstBatch(callback.FitCallback if hasattr(callback, "FitCallback") else object):
        def __init__(self):
            self.batches = 0

        def setup(self, estimator, context):
            pass

        def on_fit_task_begin(self, estimator, context):
            pass

        def on_fit_task_end(self, estimator, context):
            if context.task_name == "batch":
                self.batches += 1
                return True
            return False

        def teardown(self, estimator, context):
            pass

    stopper = StopAfterFirstBatch()
    search = RandomStrategySearchCV(SVC(), SVC_SPACE, n_iter=9, batch_size=3, random_state=0)
    search.set_callbacks(stopper)
    search.fit(X, y)
    assert stopper.batches == 1 and len(search.cv_results_["params"]) == 3

    # More batches than n_iter / batch_size (a batch of starting points first).
    start = [{"C": 1.0, "gamma": 0.1, "kernel": "rbf"}]
    bar = RandomStrategySearchCV(
        SVC(), SVC_SPACE, n_iter=4, batch_size=2, initial_params=start, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # rich may be missing; the bar then warns
        try:
            bar.set_callbacks(callback.ProgressBar())
        except ImportError:
            pytest.skip("ProgressBar needs rich")
        bar.fit(X, y)
    assert len(bar.cv_results_["params"]) == 4


class _PickledSizeOfSearch:
    """A callback recording how big the search is when pickled, after each batch."""

    def __init__(self):
        self.search, self.sizes = None, []

    def __call__(self, state):
        self.sizes.append(len(pickle.dumps(self.search)))

    def __getstate__(self):
        return {"search": None, "sizes": []}  # the search is being pickled already


@pytest.mark.slow
def test_what_workers_receive_does_not_grow_with_the_search(iris):
    # scikit-learn >= 1.9 pickles the search itself into every fit (caller=self):
    # the results gathered so far must not travel with it.
    X, y = iris
    recorder = _PickledSizeOfSearch()
    search = RandomStrategySearchCV(
        LogisticRegression(max_iter=200), {"C": loguniform(1e-2, 1e2)}, n_iter=40,
        batch_size=4, cv=3, random_state=0, callbacks=recorder,
    )  # fmt: skip
    recorder.search = search
    search.fit(X, y)
    assert len(recorder.sizes) == 10
    assert max(recorder.sizes) - min(recorder.sizes) < 200, recorder.sizes
    assert "_fit_seam" not in search.__dict__


def test_the_fit_seam_is_gone_after_a_fit_that_raised(iris):
    # The seam is the one per-fit state on the search: it goes however the fit ends.
    X, y = iris
    search = RandomStrategySearchCV(
        DummyClassifier(), {"strategy": ["no-such-strategy"]}, n_iter=1, cv=2
    )
    with pytest.warns(FitFailedWarning), pytest.raises(ValueError, match="fits failed"):
        search.fit(X, y)
    assert "_fit_seam" not in search.__dict__
    assert "_fit_seam" not in pickle.loads(pickle.dumps(search)).__dict__


def test_without_sklearn_callbacks_a_task_context_does_nothing():
    context = TaskContext(None, estimator=None)
    batch = context.begin_subtask("batch", 4, sequential_subtasks=False)
    assert batch.as_kwargs() == {} and batch.end() is False and context.end() is False


class _FoldsSeenByTheStrategy(RandomStrategySearchCV):
    """Records ``n_splits_`` when the strategy is made (before the first batch)."""

    def _make_strategy(self, space, rng):
        self.seen = [*getattr(self, "seen", []), self.n_splits_]
        return super()._make_strategy(space, rng)


@pytest.mark.slow
def test_n_splits_is_known_before_the_first_batch_of_every_fit(iris):
    # scikit-learn >= 1.9 sets n_splits_ before _run_search, older ones only after it
    # (the strategies, warm starts and the progress header need it): the seam sets it.
    X, y = iris
    search = _FoldsSeenByTheStrategy(LogisticRegression(), {"C": [0.1, 1.0]}, n_iter=2, cv=3)
    search.fit(X, y)
    search.set_params(cv=4).fit(X, y)
    assert search.seen == [3, 4] and search.n_splits_ == 4


# -- parity with GridSearchCV: multi-metric refit, param_grid, scikit-optimize habits ------
TWO_METRICS = {"acc": "accuracy", "nll": "neg_log_loss"}


def _best_low_c(results):
    """A refit callable: the smallest C among candidates within 0.02 of the best accuracy."""
    acc = results["mean_test_acc"]
    close = np.flatnonzero(acc >= acc.max() - 0.02)
    return int(close[np.argmin([results["params"][i]["C"] for i in close])])


@pytest.mark.parametrize("refit", [False, _best_low_c])
@pytest.mark.slow
def test_multimetric_refit_false_or_callable_matches_grid_search(iris, refit):
    X, y = iris
    grid = {"C": [0.01, 0.1, 1.0, 10.0]}
    est = LogisticRegression(max_iter=1000)
    gs = GridSearchCV(est, grid, scoring=TWO_METRICS, refit=refit, cv=3).fit(X, y)
    search = ReplaySearchCV(est, grid, scoring=TWO_METRICS, refit=refit, cv=3, n_iter=4)
    search.replay = gs.cv_results_["params"]
    search.fit(X, y)
    assert search.cv_results_["params"] == gs.cv_results_["params"]
    for key in ["mean_test_acc", "rank_test_acc", "mean_test_nll", "rank_test_nll"]:
        np.testing.assert_allclose(search.cv_results_[key], gs.cv_results_[key])
    assert search.multimetric_ and gs.multimetric_
    for name in ["best_index_", "best_params_", "best_score_", "best_estimator_", "refit_time_"]:
        assert hasattr(search, name) == hasattr(gs, name), name
    if refit:
        assert search.best_index_ == gs.best_index_ and search.best_params_ == gs.best_params_
        np.testing.assert_array_equal(search.predict(X), gs.predict(X))
    else:
        assert not hasattr(search, "best_index_")


@pytest.mark.parametrize(
    ("refit", "objective", "optimised"),
    [(False, None, "acc"), (False, "nll", "nll"), (_best_low_c, "nll", "nll"),
     ("nll", None, "nll"), ("nll", "nll", "nll")],
)  # fmt: skip
@pytest.mark.slow
def test_objective_chooses_the_optimised_metric(iris, refit, objective, optimised):
    X, y = iris
    told = []
    search = RandomStrategySearchCV(
        LogisticRegression(max_iter=1000), {"C": Real(0.001, 10, log=True)}, n_iter=4,
        batch_size=2, cv=3, scoring=TWO_METRICS, refit=refit, objective=objective,
        random_state=0, callbacks=lambda state: told.append(state.scores),
    ).fit(X, y)  # fmt: skip
    np.testing.assert_array_equal(told[-1], search.cv_results_[f"mean_test_{optimised}"])


SEARCHES = [cls for _, cls in all_searches()]


@pytest.mark.parametrize("cls", SEARCHES)
@pytest.mark.slow
def test_param_grid_swaps_a_grid_search_by_its_class_name(iris, cls):
    X, y = iris
    kwargs = dict(
        estimator=LogisticRegression(max_iter=1000),
        param_grid={"C": [0.01, 0.1, 1.0, 10.0], "fit_intercept": [True, False]},
        scoring="neg_log_loss", n_jobs=1, refit=True, cv=3, verbose=0,
        pre_dispatch="2*n_jobs", error_score=np.nan, return_train_score=True,
    )  # fmt: skip
    gs = GridSearchCV(**kwargs).fit(X, y)
    with pytest.warns(UserWarning, match="only 8 candidates"):
        search = cls(**kwargs).fit(X, y)  # n_iter=50: the whole grid
    key = lambda params: tuple(sorted(params.items()))  # noqa: E731
    ours = dict(zip(map(key, search.cv_results_["params"]), search.cv_results_["mean_test_score"]))
    theirs = dict(zip(map(key, gs.cv_results_["params"]), gs.cv_results_["mean_test_score"]))
    assert ours.keys() == theirs.keys()
    np.testing.assert_allclose([ours[k] for k in theirs], list(theirs.values()))
    assert search.best_params_ == gs.best_params_ and search.best_score_ == gs.best_score_
    np.testing.assert_array_equal(search.predict(X), gs.predict(X))


def test_param_grid_round_trips_through_get_params_clone_and_set_params(iris, counter):
    X, y = iris
    grid = {"a": [0.1, 0.3]}
    search = RandomStrategySearchCV(counter(), param_grid=grid, n_iter=2, cv=2)
    params = clone(search).get_params(deep=False)
    assert params["param_grid"] == grid and params["param_distributions"] is None
    assert {p["a"] for p in clone(search).fit(X, y).cv_results_["params"]} == {0.1, 0.3}
    search.set_params(param_grid=None, param_distributions={"a": [0.5]}, n_iter=1)
    assert [p["a"] for p in search.fit(X, y).cv_results_["params"]] == [0.5]
    counter.n_fits = 0
    search.set_params(param_distributions=None)
    with pytest.raises(ValueError, match=r"param_distributions and param_grid.*neither"):
        search.fit(X, y)
    assert counter.n_fits == 0


def test_scikit_optimize_habits_say_what_to_write_instead():
    with pytest.raises(TypeError, match=r"search_spaces .*param_distributions \(or param_grid\)"):
        BayesSearchCV(SVC(), search_spaces={"C": Real(0.1, 10)})
    with pytest.raises(TypeError, match=r"n_points .*use batch_size"):
        TPESearchCV(SVC(), {"C": Real(0.1, 10)}, n_points=4)
    for make in (
        lambda: Real(1e-4, 1.0, prior="log-uniform"),
        lambda: Integer(1, 100, prior="log-uniform"),
        lambda: Real(1e-4, 1.0, "log-uniform"),  # scikit-optimize's third argument is prior
        lambda: Integer(1, 100, "log-uniform"),
    ):
        with pytest.raises(TypeError, match="use log=True"):
            make()
    with pytest.raises(TypeError, match="use log=False"):
        Real(0.0, 1.0, "uniform")
    with pytest.raises(TypeError, match="named by its key in param_distributions"):
        Real(0.0, 1.0, name="C")
    with pytest.raises(TypeError, match="unexpected keyword argument 'base'"):
        Real(0.0, 1.0, base=10)  # other mistakes keep Python's message


def test_checkpoint_resumes_with_another_refit_callable_or_param_grid(tmp_path, iris, counter):
    # A callable's repr holds its address, new in every process: it must not refuse a resume.
    X, y = iris
    path = tmp_path / "search.jsonl"

    def search(n_iter, **params):
        refit = lambda results: int(np.argmax(results["mean_test_score"]))  # noqa: E731
        return RandomStrategySearchCV(counter(), n_iter=n_iter, batch_size=2, cv=2, refit=refit,
                                      random_state=0, checkpoint=path, **params)  # fmt: skip

    space = {"a": Real(0, 1), "b": Real(0, 1)}
    search(4, param_distributions=space).fit(X, y)
    counter.n_fits = 0
    resumed = search(6, param_grid=space).fit(X, y)
    assert counter.n_fits == 2 * 2 + 1  # the 2 new candidates x 2 folds, and the refit
    assert len(resumed.cv_results_["params"]) == 6


def test_plots_draw_the_objective_of_a_search_without_refit(iris):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from skhpo.plot import plot_convergence

    X, y = iris
    for objective, metric in [("nll", "nll"), (None, "acc")]:
        search = RandomStrategySearchCV(
            LogisticRegression(max_iter=1000), {"C": Real(0.001, 10, log=True)}, n_iter=3,
            cv=3, scoring=TWO_METRICS, refit=False, objective=objective, random_state=0,
        ).fit(X, y)  # fmt: skip
        points = plot_convergence(search).collections[0].get_offsets()
        np.testing.assert_allclose(points[:, 1], search.cv_results_[f"mean_test_{metric}"])
        matplotlib.pyplot.close("all")


@pytest.mark.parametrize("callbacks", [[1], ["print"], [None], [print, 0]])
def test_callbacks_that_are_not_callable_are_refused_before_any_fit(iris, callbacks):
    X, y = iris
    fitted = []

    class Counting(DummyClassifier):
        def fit(self, X, y=None, **kwargs):
            fitted.append(1)
            return super().fit(X, y, **kwargs)

    search = RandomStrategySearchCV(
        Counting(), {"strategy": ["prior", "uniform"]}, n_iter=2, cv=2, callbacks=callbacks
    )
    with pytest.raises(TypeError, match=r"'callbacks' parameter.*callbacks\[\d\]"):
        search.fit(X, y)
    assert not fitted


@pytest.mark.parametrize("option", ["batch_size", "n_iter"])
def test_a_bool_batch_size_or_n_iter_is_refused_before_any_fit(iris, option):
    X, y = iris
    search = RandomStrategySearchCV(
        DummyClassifier(), {"strategy": ["prior", "uniform"]}, n_iter=2, cv=2
    ).set_params(**{option: True})
    with pytest.raises(TypeError, match=f"'{option}' parameter"):
        search.fit(X, y)
    assert not hasattr(search, "cv_results_")


def test_callbacks_that_cannot_pickle_work_with_several_workers():
    # Callbacks run in the process that runs fit; the copies of the search sent to the
    # workers leave them (and warm_start_from) behind, so a lock or a client is fine.
    import threading

    class Logger:
        def __init__(self):
            self.lock = threading.Lock()
            self.calls = 0

        def __call__(self, state):
            self.calls += 1

    X, y = load_iris(return_X_y=True)
    logger = Logger()
    search = BayesSearchCV(
        SVC(), {"C": loguniform(1e-2, 1e2)}, n_iter=4, cv=3, n_jobs=2, batch_size=2,
        random_state=0, callbacks=[logger],
    ).fit(X, y)  # fmt: skip
    assert logger.calls == 2 and search.callbacks == [logger]
    # Outside fit, pickling keeps the options (here one that pickles).
    kept = pickle.loads(pickle.dumps(search.set_params(callbacks=[NoImprovement(3)])))
    assert isinstance(kept.callbacks[0], NoImprovement)


@pytest.mark.parametrize("cls", [BayesSearchCV, TPESearchCV])
def test_cv_given_as_a_generator_of_splits_as_grid_search_takes_it(cls):
    # A generator can be read once, and fit reads it before the search starts: the
    # search found it empty ("Expected 3 splits, got 0").
    X, y = load_iris(return_X_y=True)
    space = {"C": loguniform(1e-2, 1e2)}
    folds = KFold(3, shuffle=True, random_state=0)
    given = cls(LogisticRegression(), space, n_iter=4, random_state=0, cv=folds.split(X, y))
    reference = cls(LogisticRegression(), space, n_iter=4, random_state=0, cv=folds)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        given.fit(X, y)
        reference.fit(X, y)
    assert given.n_splits_ == 3
    np.testing.assert_array_equal(
        given.cv_results_["mean_test_score"], reference.cv_results_["mean_test_score"]
    )
