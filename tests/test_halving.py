"""Successive halving (``resource``): rungs, promotion, columns, best, and the loop's promises."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.exceptions import FitFailedWarning
from sklearn.linear_model import LogisticRegression, SGDClassifier

from skhpo import BayesSearchCV, CoordinateSearchCV, EvolutionarySearchCV, Real, TPESearchCV

X, y = make_classification(n_samples=240, n_features=6, random_state=0)
SGD_SPACE = {"alpha": Real(1e-6, 1e-1, log=True)}


def sgd_search(cls=TPESearchCV, **options):
    options = {
        "n_iter": 12, "resource": "max_iter", "min_resources": 1, "max_resources": 27,
        "batch_size": 4, "cv": 3, "random_state": 0, **options,
    }  # fmt: skip
    return cls(SGDClassifier(tol=None, random_state=0), SGD_SPACE, **options)


class Effort(BaseEstimator, ClassifierMixin):
    """Scores ``bias - max_iter / 100``: more effort scores worse (cheap rungs mislead),
    and fails at ``fail_below`` training samples or fewer."""

    def __init__(self, bias=0.0, max_iter=1, fail_below=0):
        self.bias = bias
        self.max_iter = max_iter
        self.fail_below = fail_below

    def fit(self, X, y=None):
        if len(X) <= self.fail_below:
            raise ValueError("too few samples")
        self.n_train_ = len(X)
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None):
        return self.bias - self.max_iter / 100


def train_size(estimator, X_test, y_test):
    return estimator.n_train_


def size_of_test_fold(estimator, X_test, y_test):
    return len(X_test)


def rows_of(search, *keys):
    results = search.cv_results_
    return [tuple(np.asarray(results[k])[i] for k in keys) for i in range(len(results["params"]))]


@pytest.mark.parametrize("cls", [BayesSearchCV, TPESearchCV, EvolutionarySearchCV,
                                 CoordinateSearchCV])  # fmt: skip
def test_rungs_iter_and_n_resources_columns(cls, monkeypatch):
    monkeypatch.setattr("skhpo._halving.HEDGE_SHARE", 0.0)  # every candidate enters at rung 0
    search = sgd_search(cls).fit(X, y)
    results = search.cv_results_
    iters, n_resources = np.asarray(results["iter"]), np.asarray(results["n_resources"])
    assert search.n_resources_ == [1, 3, 9, 27]
    np.testing.assert_array_equal(n_resources, np.array(search.n_resources_)[iters])
    # The resource is set in each row's parameters, as scikit-learn's halving does.
    assert [p["max_iter"] for p in results["params"]] == n_resources.tolist()
    # n_iter distinct candidates enter at the lowest rung; each goes up one rung at a time.
    keys = [p["alpha"] for p in results["params"]]
    assert len(set(keys)) == np.sum(iters == 0) == 12
    for key in set(keys):
        assert [it for k, it in zip(keys, iters) if k == key] == list(
            range(keys.count(key))
        )  # fmt: skip
    assert search.n_candidates_ == [np.sum(iters == r) for r in range(4)]
    assert search.n_candidates_[-1] >= 1


def test_promotion_takes_the_top_of_each_rung_up(monkeypatch):
    # The promotion rule alone: the guard would find that rung 0 (one epoch) misleads here,
    # and the hedge enters candidates at the top without the rungs below.
    monkeypatch.setattr("skhpo._halving.TRUST_LEVEL", 1.0)
    monkeypatch.setattr("skhpo._halving.HEDGE_SHARE", 0.0)
    search = sgd_search(n_iter=18).fit(X, y)
    results = search.cv_results_
    iters, scores = np.asarray(results["iter"]), results["mean_test_score"]
    alphas = np.array([p["alpha"] for p in results["params"]])
    for rung in range(3):
        here, up = iters == rung, set(alphas[iters == rung + 1])
        ranked = alphas[here][np.argsort(-scores[here], kind="stable")]
        # The best ceil(n / factor) of every rung went up (scikit-learn's share) ...
        assert set(ranked[: int(np.ceil(np.sum(here) / 3))]) <= up
        # ... and only candidates of the rung below (one rung at a time).
        assert up <= set(ranked)


def test_best_is_scored_at_the_full_resource_even_when_cheap_rungs_score_higher():
    states = []
    search = BayesSearchCV(
        Effort(), {"bias": Real(0, 1)}, n_iter=9, resource="max_iter", min_resources=1,
        max_resources=9, batch_size=3, cv=2, random_state=0, callbacks=states.append,
    ).fit(X, y)  # fmt: skip
    results = search.cv_results_
    assert np.max(results["mean_test_score"]) > search.best_score_  # a cheap row scores higher
    assert results["n_resources"][search.best_index_] == 9
    assert search.best_params_["max_iter"] == 9 == search.best_estimator_.max_iter
    top = np.asarray(results["iter"]) == 2
    assert search.best_score_ == np.max(results["mean_test_score"][top])
    # Callbacks see the best of the full-resource rows only.
    assert states[-1].best_score == search.best_score_
    assert states[-1].best_params["max_iter"] == 9


def test_n_samples_subsamples_training_parts_and_keeps_test_folds_whole():
    search = TPESearchCV(
        Effort(), {"bias": Real(0, 1)}, n_iter=9, resource="n_samples", min_resources=30,
        factor=2, batch_size=3, cv=3, random_state=0,
        scoring={"train": train_size, "test": size_of_test_fold}, refit="train",
    ).fit(X, y)  # fmt: skip
    results = search.cv_results_
    assert search.n_resources_ == [30, 60, 120, 240]
    n_resources = np.asarray(results["n_resources"])
    for split in range(3):
        # A rung fits on its share of each training part (160 samples here) ...
        expected = (n_resources / 240 * 160).astype(int)
        np.testing.assert_array_equal(results[f"split{split}_test_train"], expected)
        # ... and every rung is scored on the whole test fold.
        np.testing.assert_array_equal(results[f"split{split}_test_test"], 80)


def test_a_max_resources_below_the_samples_of_x_subsamples_the_top_rung_too():
    # 100 of 240 samples: the top rung fits on 100/240 of each training part (160), as
    # HalvingRandomSearchCV does; it fitted on all of it while labelled 100.
    search = TPESearchCV(
        Effort(), {"bias": Real(0, 1)}, n_iter=9, resource="n_samples", min_resources=25,
        max_resources=100, factor=2, batch_size=3, cv=3, random_state=0,
        scoring={"train": train_size, "test": size_of_test_fold}, refit="train",
    ).fit(X, y)  # fmt: skip
    results = search.cv_results_
    assert search.n_resources_ == [25, 50, 100]
    n_resources = np.asarray(results["n_resources"])
    assert (n_resources == 100).any()
    expected = (n_resources / 240 * 160).astype(int)
    np.testing.assert_array_equal(results["split0_test_train"], expected)
    np.testing.assert_array_equal(results["split0_test_test"], 80)


@pytest.mark.parametrize(
    "min_resources, max_resources, factor, expected",
    [(1, 1000, 10, [1, 10, 100, 1000]), (1, 243, 3, [1, 3, 9, 27, 81, 243]),
     (2, 20, 2.5, [2, 5, 20]), (1, 80, 3, [1, 3, 9, 80])],
)  # fmt: skip
def test_the_ladder_has_every_rung_at_exact_powers(min_resources, max_resources, factor, expected):
    # math.log(1000, 10) is 2.9999999999999996: the 100 rung was dropped.
    search = sgd_search(
        n_iter=2, min_resources=min_resources, max_resources=max_resources, factor=factor
    ).fit(X, y)
    assert search.n_resources_ == expected


def test_same_candidates_whatever_n_jobs():
    def run(n_jobs):
        search = BayesSearchCV(
            LogisticRegression(), {"C": Real(1e-3, 1e2, log=True)}, n_iter=10,
            resource="n_samples", batch_size=4, cv=3, random_state=1, n_jobs=n_jobs,
        ).fit(X, y)  # fmt: skip
        return rows_of(search, "iter", "n_resources", "mean_test_score") + [
            tuple(p.items()) for p in search.cv_results_["params"]
        ]

    assert run(1) == run(2)


@pytest.mark.parametrize("stop", ["callback", "max_time"])
def test_an_early_stop_still_takes_the_best_to_the_full_resource(stop):
    options = {"callbacks": lambda state: True} if stop == "callback" else {"max_time": 1e-9}
    search = sgd_search(n_iter=40, **options).fit(X, y)
    results = search.cv_results_
    batches, iters = np.asarray(results["batch"]), np.asarray(results["iter"])
    # The first batch, then the best of the highest rung taken up one rung per batch.
    assert np.sum(batches == 0) == 4
    assert np.all(np.bincount(batches)[1:] == 1)
    assert iters[batches > 0].tolist() == [1, 2, 3]
    assert results["n_resources"][search.best_index_] == 27


def test_checkpoint_resumes_an_interrupted_halving_search(tmp_path):
    path = tmp_path / "halving.jsonl"
    base = {"n_iter": 16, "random_state": 3}
    reference = sgd_search(**base).fit(X, y)

    def interrupt(state):
        if state.n_candidates >= 8:
            raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="interrupted"):
        sgd_search(checkpoint=str(path), callbacks=interrupt, **base).fit(X, y)
    with pytest.warns(UserWarning, match="Resumed"):
        resumed = sgd_search(checkpoint=str(path), **base).fit(X, y)
    keys = ("iter", "n_resources", "mean_test_score", "batch")
    assert rows_of(resumed, *keys) == rows_of(reference, *keys)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]
    assert resumed.best_index_ == reference.best_index_
    # A finished search fitted again restores every row (scikit-learn needs one call per
    # fit: the last restored batch is evaluated again, in its place).
    with pytest.warns(UserWarning, match="Resumed"):
        again = sgd_search(checkpoint=str(path), **base).fit(X, y)
    assert rows_of(again, "iter", "n_resources", "mean_test_score") == rows_of(
        reference, "iter", "n_resources", "mean_test_score"
    )


def test_failed_fits_keep_their_rows_and_rungs_with_a_checkpoint(tmp_path):
    # Every fit on 40 samples or fewer fails: the lowest rung (n_samples=60: 40 training
    # samples per split) fails whole, in batches where promoted candidates succeed.
    options = dict(
        n_iter=9, resource="n_samples", min_resources=60, factor=2, batch_size=3, cv=3,
        random_state=0, checkpoint=str(tmp_path / "c.jsonl"),
    )  # fmt: skip
    estimator = Effort(fail_below=40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = TPESearchCV(estimator, {"bias": Real(0, 1)}, **options).fit(X, y)
        resumed = TPESearchCV(estimator, {"bias": Real(0, 1)}, **options).fit(X, y)
    results = search.cv_results_
    iters = np.asarray(results["iter"])
    assert np.all(np.isnan(results["mean_test_score"][iters == 0]))
    assert np.all(np.isfinite(results["mean_test_score"][iters > 0]))
    assert results["n_resources"][search.best_index_] == 240
    keys = ("iter", "n_resources", "batch")
    assert rows_of(resumed, *keys) == rows_of(search, *keys)
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], results["mean_test_score"]
    )


def refused(match, **options):
    estimator = Effort(fail_below=10**9)  # any fit would raise another error
    search = TPESearchCV(estimator, {"bias": Real(0, 1)}, cv=3, error_score="raise", **options)
    with pytest.raises(ValueError, match=match):
        search.fit(X, y)


@pytest.mark.parametrize(
    "options, match",
    [
        ({"resource": "max_iters", "max_resources": 9}, "resource='max_iters'.*Did you mean"),
        ({"resource": "bias", "max_resources": 9}, "also searched"),
        ({"resource": "max_iter"}, "max_resources='auto' works only"),
        ({"resource": "max_iter", "min_resources": 10, "max_resources": 9},
         "min_resources=10 is greater than max_resources=9"),
        ({"resource": "max_iter", "max_resources": 9, "factor": 1}, "factor"),
        ({"resource": "max_iter", "max_resources": 9, "factor": 0.5}, "factor"),
        ({"resource": "n_samples", "min_resources": 2}, "too few for min_resources=2"),
        ({"resource": "n_samples", "max_resources": 1000}, "more than the 240 samples"),
        ({"resource": "n_samples", "min_resources": 300},
         r"min_resources=300 is greater than max_resources=240 \(the 240 samples of X\)"),
        ({"resource": "max_iter", "max_resources": True}, "max_resources=True.*boolean"),
        ({"resource": "n_samples", "min_resources": True}, "min_resources=True.*boolean"),
        ({"min_resources": 5}, "used only with successive halving"),
        ({"factor": 2}, "used only with successive halving"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_before_any_fit(options, match):
    refused(match, **options)


def test_racing_and_warm_start_are_refused_with_halving():
    search = TPESearchCV(Effort(fail_below=10**9), {"bias": Real(0, 1)}, resource="n_samples")
    search.racing = True  # the option racing adds; refused until the two compose
    with pytest.raises(ValueError, match="racing and resource"):
        search.fit(X, y)
    earlier = {"params": [{"bias": 0.5}], "mean_test_score": [0.1], "std_test_score": [0.0]}
    refused("warm_start_from cannot be combined", resource="n_samples", warm_start_from=earlier)


def test_a_ctrl_c_keeps_the_best_of_the_highest_rung_reached():
    def interrupt(state):
        raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="No candidate reached max_resources=27"):
        search = sgd_search(callbacks=interrupt).fit(X, y)
    assert np.asarray(search.cv_results_["iter"]).tolist() == [0, 0, 0, 0]
    assert search.best_params_["max_iter"] == 1


class StopAfterBatches:
    """A scikit-learn (>= 1.9) callback that stops a search after ``n`` batches."""

    def __init__(self, n):
        self.n = n

    def setup(self, estimator, context):
        self.batches = 0

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name != "batch":
            return False
        self.batches += 1
        return self.batches >= self.n

    def teardown(self, estimator, context):
        pass


def test_scikit_learn_callbacks_see_each_rung_and_can_stop_the_search():
    pytest.importorskip("sklearn.callback")
    search = TPESearchCV(
        LogisticRegression(), {"C": Real(1e-3, 1e2, log=True)}, n_iter=30,
        resource="n_samples", min_resources=60, factor=2, batch_size=4, cv=3, random_state=0,
    )  # fmt: skip
    search.set_callbacks(StopAfterBatches(3)).fit(X, y)
    results = search.cv_results_
    batches = np.asarray(results["batch"])
    # Batch 2 held promotions and new candidates (a call per rung), then the stop: the best
    # of the highest rung goes up one rung per batch.
    assert len(set(np.asarray(results["iter"])[batches == 2])) >= 2
    assert np.all(np.bincount(batches)[3:] == 1)
    assert results["n_resources"][search.best_index_] == 240


def test_checkpoints_without_halving_keep_their_fingerprint(tmp_path):
    from skhpo._checkpoint import fingerprint
    from skhpo.space import SearchSpace

    search = sgd_search(resource=None, min_resources="exhaust", max_resources="auto", factor=3)
    options = fingerprint(search, SearchSpace(SGD_SPACE))["options"]
    assert not {"resource", "min_resources", "max_resources", "factor"} & set(options)
    assert "factor" in fingerprint(sgd_search(), SearchSpace(SGD_SPACE))["options"]


def test_batches_are_full_while_new_candidates_come():
    search = sgd_search(n_iter=18).fit(X, y)
    results = search.cv_results_
    batches, iters = np.asarray(results["batch"]), np.asarray(results["iter"])
    last_new = batches[iters == 0].max()
    sizes = np.bincount(batches)
    # Promotions and new candidates share each batch: no worker waits for a round to end.
    assert np.all(sizes[:last_new] == 4)
    assert np.any((iters > 0) & (batches < last_new))  # promotions came before the last new one


class _ScoredByRung(BaseEstimator, ClassifierMixin):
    """Learns nothing; ``score`` is a function of ``bias`` and ``max_iter`` (the rung)."""

    def __init__(self, bias=0.0, max_iter=1):
        self.bias = bias
        self.max_iter = max_iter

    def fit(self, X, y=None):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class Reversing(_ScoredByRung):
    """Scores ``bias`` with 3 iterations or more, ``-bias`` with 1: the cheapest rung
    ranks every candidate in reverse."""

    def score(self, X, y=None):
        return self.bias if self.max_iter >= 3 else -self.bias


BIASES = [round(b, 3) for b in np.linspace(0, 1, 27)]


def reversing_search(**options):
    options = {
        "n_iter": 27, "resource": "max_iter", "min_resources": 1, "max_resources": 27,
        "batch_size": 4, "cv": 2, "random_state": 0, **options,
    }  # fmt: skip
    return BayesSearchCV(Reversing(), {"bias": BIASES}, **options)


def test_guard_enters_at_the_full_resource_once_a_rung_misleads_and_finds_the_true_best():
    search = reversing_search().fit(X, y)
    results = search.cv_results_
    iters = np.asarray(results["iter"])
    biases = [p["bias"] for p in results["params"]]
    first_rung = {}
    for bias, it in zip(biases, iters):
        first_rung.setdefault(bias, it)
    # Rung 0 (1 iteration) ranks in reverse of rung 1 (3): once shown, candidates enter
    # at the full resource (rung 3), the ones left below included: a plain search.
    assert [b for b, r in first_rung.items() if r == 3]
    assert len({b for b, it in zip(biases, iters) if it == 3}) == 27
    last_low = np.flatnonzero(iters < 3).max()
    assert np.all(iters[last_low + 1 :] == 3)
    # The pick is the true best, at the full resource.
    assert search.best_params_ == {"bias": 1.0, "max_iter": 27}


def test_when_the_guard_ends_halving_the_incumbent_goes_to_the_top_first():
    # Before the guard fires, the search's incumbent is the best of the highest rung
    # reached; the first row at the full resource is that candidate, not an unscreened
    # design point, so the best the search would return does not fall back.
    # Five rungs: the guard fires (rung 0 ranks in reverse) before anyone is at the top.
    search = reversing_search(max_resources=81).fit(X, y)
    results = search.cv_results_
    iters = np.asarray(results["iter"])
    scores = np.asarray(results["mean_test_score"])
    biases = [p["bias"] for p in results["params"]]
    first_top = int(np.flatnonzero(iters == 4)[0])
    reached = iters[:first_top].max()
    assert reached < 4
    below = [i for i in range(first_top) if iters[i] == reached]
    incumbent = biases[max(below, key=lambda i: scores[i])]
    assert biases[first_top] == incumbent
    # Carried once, not proposed again as a new candidate.
    top_biases = [b for b, it in zip(biases, iters) if it == 4]
    assert len(top_biases) == len(set(top_biases)) == 27


def test_when_the_guard_ends_halving_the_search_goes_on_as_the_plain_search_began():
    # After the incumbent, the top rung replays the plain search's start: the first
    # candidates entered at the cheapest rung (the initial design), in their order.
    search = reversing_search(max_resources=81).fit(X, y)
    results = search.cv_results_
    iters = np.asarray(results["iter"])
    biases = [p["bias"] for p in results["params"]]
    first_top = int(np.flatnonzero(iters == 4)[0])
    n_design = 5  # BayesSearchCV's design for one column: n_columns + 1, at least 5
    started = [b for b, it in zip(biases, iters) if it == 0][:n_design]
    assert biases[first_top + 1 : first_top + 1 + n_design] == started
    plain = BayesSearchCV(Reversing(max_iter=81), {"bias": BIASES}, n_iter=n_design, cv=2,
                          batch_size=4, random_state=0).fit(X, y)  # fmt: skip
    assert [p["bias"] for p in plain.cv_results_["params"]] == started


def test_without_the_guard_the_reversed_rungs_would_pick_a_bad_candidate(monkeypatch):
    # What the guard prevents: with it off (and the hedge), the cheap rungs take the worst
    # to the top.
    monkeypatch.setattr("skhpo._halving.TRUST_LEVEL", 1.0)
    monkeypatch.setattr("skhpo._halving.HEDGE_SHARE", 0.0)
    search = reversing_search().fit(X, y)
    assert search.best_params_["bias"] < 0.5


def test_checkpoint_resume_replays_the_guard(tmp_path):
    path = tmp_path / "guard.jsonl"
    reference = reversing_search().fit(X, y)

    def interrupt(state):
        if state.n_candidates >= 20:
            raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="interrupted"):
        reversing_search(checkpoint=str(path), callbacks=interrupt).fit(X, y)
    with pytest.warns(UserWarning, match="Resumed"):
        resumed = reversing_search(checkpoint=str(path)).fit(X, y)
    keys = ("iter", "n_resources", "mean_test_score", "batch")
    assert rows_of(resumed, *keys) == rows_of(reference, *keys)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]


def test_rung_agreement():
    from skhpo._halving import rung_agreement

    low = np.arange(8.0)
    assert rung_agreement(low, low) < 0.01
    assert rung_agreement(low, -low) > 0.99
    assert np.isnan(rung_agreement(low[:5], low[:5]))  # too few pairs to judge
    assert np.isnan(rung_agreement(low, np.ones(8)))  # nothing to rank


def test_the_guard_does_the_same_whatever_n_jobs():
    def run(n_jobs):
        search = reversing_search(n_jobs=n_jobs).fit(X, y)
        return rows_of(search, "iter", "mean_test_score", "batch") + [
            tuple(p.items()) for p in search.cv_results_["params"]
        ]

    assert run(1) == run(2)


def test_a_checkpoint_written_under_other_halving_rules_is_refused(tmp_path):
    import json

    path = tmp_path / "old.jsonl"
    reversing_search(n_iter=8, checkpoint=str(path)).fit(X, y)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    del header["fingerprint"]["options"]["halving_rules"]  # as written before the guard
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    with pytest.raises(ValueError, match="option halving_rules: file has no value"):
        reversing_search(n_iter=8, checkpoint=str(path)).fit(X, y)


class LateBloomer(_ScoredByRung):
    """Scores ``bias`` below 27 iterations; at 27, ``1.5 - bias`` for a bias below 0.4:
    every rung below the top agrees with the next on the candidates it promotes (the
    guard has nothing to see), and all of them rank the true best last."""

    def score(self, X, y=None):
        return 1.5 - self.bias if self.max_iter >= 27 and self.bias < 0.4 else self.bias


def late_bloomer_search(**options):
    options = {
        "n_iter": 81, "resource": "max_iter", "min_resources": 1, "max_resources": 27,
        "batch_size": 4, "cv": 2, "random_state": 0, **options,
    }  # fmt: skip
    return BayesSearchCV(LateBloomer(), {"bias": list(np.linspace(0, 1, 81))}, **options)


def test_the_hedge_finds_the_true_best_where_the_upper_rungs_mislead():
    search = late_bloomer_search().fit(X, y)
    assert search.best_params_ == {"bias": 0.0, "max_iter": 27}
    results = search.cv_results_
    iters, batches = np.asarray(results["iter"]), np.asarray(results["batch"])
    biases = np.array([p["bias"] for p in results["params"]])
    # Candidates entered at the top from the start (once a promoted one got there):
    # scored there and nowhere else, one of them (a bias below 0.4) above every promoted
    # candidate, which ended halving: from the next batch on, only the top rung.
    entered = {}
    for bias, it, batch in zip(biases, iters, batches):
        entered.setdefault(bias, (it, batch))
    last_low = batches[iters < 3].max()
    hedged = [b for b, (it, batch) in entered.items() if it == 3 and batch <= last_low]
    assert hedged and min(hedged) < 0.4
    assert np.all(iters[np.flatnonzero(iters < 3).max() + 1 :] == 3)


def test_checkpoint_resume_replays_the_hedge(tmp_path):
    path = tmp_path / "hedge.jsonl"
    reference = late_bloomer_search(n_iter=40).fit(X, y)

    def interrupt(state):
        if state.n_candidates >= 60:  # after halving ended: both rules are replayed
            raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="interrupted"):
        late_bloomer_search(n_iter=40, checkpoint=str(path), callbacks=interrupt).fit(X, y)
    with pytest.warns(UserWarning, match="Resumed"):
        resumed = late_bloomer_search(n_iter=40, checkpoint=str(path)).fit(X, y)
    keys = ("iter", "n_resources", "mean_test_score", "batch")
    assert rows_of(resumed, *keys) == rows_of(reference, *keys)
    assert resumed.cv_results_["params"] == reference.cv_results_["params"]


def test_the_hedge_does_the_same_whatever_n_jobs():
    def run(n_jobs):
        search = late_bloomer_search(n_iter=40, n_jobs=n_jobs).fit(X, y)
        return rows_of(search, "iter", "mean_test_score", "batch") + [
            tuple(p.items()) for p in search.cv_results_["params"]
        ]

    assert run(1) == run(2)


def test_without_the_hedge_the_guard_alone_misses_the_true_best(monkeypatch):
    monkeypatch.setattr("skhpo._halving.HEDGE_SHARE", 0.0)
    search = late_bloomer_search().fit(X, y)
    assert search.best_params_["bias"] >= 0.4


def test_nothing_is_carried_to_the_top_when_the_incumbent_failed():
    from skhpo._halving import Rungs
    from skhpo._resources import ResourceLadder
    from skhpo.space import SearchSpace

    space = SearchSpace({"bias": BIASES})
    rungs = Rungs(space, ResourceLadder("max_iter", (1, 3, 9), 3.0, None))
    X = space.encode([{"bias": b} for b in BIASES[:3]])
    rungs.record(X, np.array([0.1, 0.3, 0.2]))
    rungs.entry = rungs.ladder.top  # as when the guard ends halving
    assert rungs.carried() == space.keys(X[1:2])  # the best of the highest rung reached
    failed = Rungs(space, rungs.ladder)
    failed.record(X, np.full(3, np.nan))
    failed.entry = failed.ladder.top
    assert failed.carried() == [] and failed.wrap_up() == space.keys(X[:1])


def test_a_checkpoint_of_other_rungs_is_refused_before_any_fit(tmp_path):
    # min_resources="exhaust" sets the lowest rung from n_iter: a larger n_iter gives
    # other rungs, on which the stored rows would be given other resources.
    path = str(tmp_path / "exhaust.jsonl")
    options = {"min_resources": "exhaust", "max_resources": 81, "checkpoint": path}
    first = sgd_search(n_iter=4, **options).fit(X, y)
    assert first.n_resources_ == [27, 81]
    before = open(path).read()
    with pytest.raises(ValueError, match=r"other halving rungs.*\[27, 81\].*\[9, 27, 81\].*n_iter"):
        sgd_search(n_iter=9, **options).fit(X, y)
    assert open(path).read() == before


def test_an_extended_halving_search_keeps_each_rows_resource(tmp_path):
    # With a fixed lowest rung a finished halving search can be extended: its rows keep
    # their resources, and the new ones follow them.
    path = str(tmp_path / "fixed.jsonl")
    options = {"min_resources": 3, "max_resources": 81, "checkpoint": path}
    first = sgd_search(n_iter=4, **options).fit(X, y)
    with pytest.warns(UserWarning, match="Resumed"):
        longer = sgd_search(n_iter=9, **options).fit(X, y)
    n = len(first.cv_results_["params"])
    assert longer.cv_results_["params"][:n] == first.cv_results_["params"]
    assert rows_of(longer, "n_resources", "mean_test_score")[:n] == rows_of(
        first, "n_resources", "mean_test_score"
    )
    assert len(longer.cv_results_["params"]) > n
    for params, n_resources in zip(longer.cv_results_["params"], longer.cv_results_["n_resources"]):
        assert params["max_iter"] == n_resources


class FailsAtTheTopOnOneFold(_ScoredByRung):
    """Scores ``bias``; every fit at 27 iterations fails on the fold without sample 0."""

    def fit(self, X, y=None):
        if self.max_iter >= 27 and not (X == X_ZERO).all(axis=1).any():
            raise ValueError("fails at the top on one fold")
        return super().fit(X, y)

    def score(self, X, y=None):
        return self.bias


X_ZERO = X[0]


def test_with_no_complete_row_at_the_top_the_best_is_still_a_top_row_and_it_is_said():
    search = TPESearchCV(
        FailsAtTheTopOnOneFold(), {"bias": Real(0, 1)}, n_iter=9, resource="max_iter",
        min_resources=3, max_resources=27, cv=3, random_state=0, refit=True,
    )  # fmt: skip
    with pytest.warns(UserWarning, match="No candidate evaluated with the largest n_resources"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FitFailedWarning)
            search.fit(X, y)
    assert search.cv_results_["n_resources"][search.best_index_] == 27
    assert search.best_params_["max_iter"] == 27


def test_verbose_counts_candidates_entered_not_rows(capsys):
    sgd_search(n_iter=9, verbose=1).fit(X, y)
    out = capsys.readouterr().out.splitlines()
    header = next(line for line in out if line.startswith("Fitting"))
    assert "up to 9 candidates" in header and "n_resources [1, 3, 9, 27]" in header
    assert "totalling" not in header  # the number of fits is not known in advance
    lines = [line for line in out if line.startswith("[skhpo]")]
    entered = [int(line.split()[1].split("/")[0]) for line in lines]
    assert entered == sorted(entered) and entered[-1] == 9
    assert all("/9 candidates entered" in line and "left" not in line for line in lines)
