"""The warning, at the end of fit, that the best value of a parameter is at a bound."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from skhpo import Categorical, Integer, Real
from skhpo._bounds import best_at_bounds
from skhpo.exceptions import BestAtBoundWarning
from skhpo.space import SearchSpace
from skhpo.testing import QuadraticEstimator, RandomStrategySearchCV

X = np.zeros((6, 1))  # QuadraticEstimator scores -(a - 0.3)**2 - (b - 0.7)**2


def _fit(space, initial_params=None, n_iter=6):
    search = RandomStrategySearchCV(QuadraticEstimator(), space, n_iter=n_iter, cv=2,
                                    initial_params=initial_params, random_state=0)  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X)
    return search, [str(w.message) for w in caught if "bound of its range" in str(w.message)]


def test_warns_when_the_best_value_is_at_the_upper_bound():
    search, messages = _fit({"a": Real(0, 1), "b": Real(0, 0.5)}, [{"a": 0.3, "b": 0.5}])
    assert search.best_params_ == {"a": 0.3, "b": 0.5}
    assert messages == [
        "best b=0.5 lies at the upper bound of its range [0, 0.5]; the optimum may lie "
        "outside: widen the range"
    ]


def test_the_warning_has_its_own_category_so_it_can_be_silenced():
    space, start = {"a": Real(0, 1), "b": Real(0, 0.5)}, [{"a": 0.3, "b": 0.5}]
    search = RandomStrategySearchCV(QuadraticEstimator(), space, n_iter=6, cv=2,
                                    initial_params=start, random_state=0)  # fmt: skip
    with pytest.warns(BestAtBoundWarning, match="best b=0.5"):
        search.fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=BestAtBoundWarning)
        search.fit(X)  # nothing else is raised


@pytest.mark.parametrize("chosen, warned", [(0, ["b"]), (1, [])])
def test_the_warning_is_about_the_candidate_chosen_not_the_highest_score(chosen, warned):
    # Row 0 scores highest, at the bound b=0.5; row 1 lies inside. A callable refit
    # (as a selection rule) may choose either: the warning follows the choice.
    start = [{"a": 0.3, "b": 0.5}, {"a": 0.3, "b": 0.4}]
    search = RandomStrategySearchCV(
        QuadraticEstimator(), {"a": Real(0, 1), "b": Real(0, 0.5)}, n_iter=2, cv=2,
        initial_params=start, random_state=0, refit=lambda results: chosen,
    )  # fmt: skip
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        search.fit(X)
    assert search.best_index_ == chosen
    assert [m.message.args[0].split("=")[0][5:] for m in caught
            if issubclass(m.category, BestAtBoundWarning)] == warned  # fmt: skip


def test_no_warning_when_the_best_value_is_inside():
    search, messages = _fit({"a": Real(0, 1), "b": Real(0, 1)}, [{"a": 0.3, "b": 0.7}])
    assert search.best_params_ == {"a": 0.3, "b": 0.7}
    assert messages == []


def test_lists_and_integers_warn_only_with_three_values_or_more():
    # Every candidate evaluated: the best is a = 0.3, the last value listed.
    _, messages = _fit({"a": [0.1, 0.2, 0.3], "b": [0.7]})
    assert messages == [
        "best a=0.3 lies at the upper bound of its range [0.1, 0.2, 0.3]; the optimum may "
        "lie outside: widen the range"
    ]
    assert _fit({"a": [0.2, 0.3], "b": [0.7]})[1] == []
    _, messages = _fit({"a": [0.3], "b": Integer(1, 4)}, n_iter=4)  # best b = 1, the lowest
    assert messages == [
        "best b=1 lies at the lower bound of its range [1, 4]; the optimum may lie "
        "outside: widen the range"
    ]


def test_continuous_ranges_count_one_percent_of_their_own_scale():
    space = SearchSpace({"C": loguniform(1e-3, 1e3), "x": Real(0, 10), "k": Categorical([1, 2, 3])})
    hits = best_at_bounds(space, {"C": 900.0, "x": 5.0, "k": 3})  # log10(900) is 0.2% below 3
    assert list(hits) == ["C"]
    assert hits["C"].side == "upper" and hits["C"].bound == 1000.0
    assert hits["C"].range == "[0.001, 1000]"
    assert best_at_bounds(space, {"C": 700.0, "x": 0.2, "k": 1}) == {}  # 2.6% and 2% off
    assert list(best_at_bounds(space, {"C": 1.0, "x": 0.09, "k": 1})) == ["x"]


def test_sub_spaces_use_the_ranges_of_the_candidate_s_own():
    space = SearchSpace([{"a": Real(0, 1)}, {"a": Real(0, 2), "b": Integer(0, 9)}])
    assert best_at_bounds(space, {"a": 1.0}).keys() == {"a"}
    assert best_at_bounds(space, {"a": 1.0, "b": 9}).keys() == {"b"}


@pytest.mark.parametrize("value", [5, 50])
def test_long_lists_are_shortened_in_the_message(value):
    space = SearchSpace({"n": list(range(5, 55, 5))})
    hit = best_at_bounds(space, {"n": value})["n"]
    assert hit.range == "[5, ..., 50]" and hit.side == ("lower" if value == 5 else "upper")


def test_limits_of_the_estimator_s_own_parameters_are_not_bounds_to_widen():
    space = SearchSpace({"min_samples_leaf": [1, 2, 5], "max_depth": [2, 4, 8]})
    best = {"min_samples_leaf": 1, "max_depth": 8}
    assert best_at_bounds(space, best).keys() == {"min_samples_leaf", "max_depth"}
    # min_samples_leaf cannot go below 1; max_depth has no upper limit.
    assert best_at_bounds(space, best, DecisionTreeClassifier()).keys() == {"max_depth"}

    pipeline = make_pipeline(StandardScaler(), LogisticRegression())
    space = SearchSpace({"logisticregression__l1_ratio": Real(0, 1),
                         "logisticregression__C": loguniform(1e-3, 1e3)})  # fmt: skip
    best = {"logisticregression__l1_ratio": 1.0, "logisticregression__C": 1e3}
    assert best_at_bounds(space, best, pipeline).keys() == {"logisticregression__C"}

    # A searched step: the limits are those of the step the candidate chose.
    pipeline = Pipeline([("model", LogisticRegression())])
    space = SearchSpace({"model": [DecisionTreeClassifier()], "model__min_samples_leaf": [1, 2, 5]})
    assert best_at_bounds(space, {"model": DecisionTreeClassifier(),
                                  "model__min_samples_leaf": 1}, pipeline) == {}  # fmt: skip


def test_no_warning_at_the_estimator_s_own_limit():
    # Constant targets: every candidate scores the same, and the first, leaf size 1, is best.
    search = RandomStrategySearchCV(
        DecisionTreeRegressor(), {"min_samples_leaf": [1, 2, 5, 10]}, n_iter=4, cv=2,
        initial_params=[{"min_samples_leaf": 1}],
    )  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        search.fit(np.arange(20.0).reshape(10, 2), np.zeros(10))
    assert search.best_params_ == {"min_samples_leaf": 1}
