"""Ready spaces and portfolios: skhpo.default_space, skhpo.portfolio and their hooks."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.datasets import load_iris, make_classification, make_regression
from sklearn.linear_model import LinearRegression, LogisticRegression, LogisticRegressionCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skhpo import (
    BayesSearchCV,
    CoordinateSearchCV,
    Real,
    TPESearchCV,
    default_space,
    portfolio,
)
from skhpo.defaults._project import settings_in_space
from skhpo.defaults._registry import _ENTRIES
from skhpo.space import SearchSpace
from skhpo.utils import all_searches

ESTIMATORS = [cls for classes, _ in _ENTRIES for cls in classes]
# One estimator per ready space, for the (slower) tests that fit searches.
ONE_PER_SPACE = [classes[0] for classes, _ in _ENTRIES]


def _small_data(estimator):
    if is_classifier(estimator):
        return make_classification(n_samples=80, n_features=6, n_informative=4, random_state=0)
    X, y = make_regression(n_samples=80, n_features=6, noise=1.0, random_state=0)
    return X, y / y.std()


def _quick(estimator):
    """The estimator with few iterations where that is a parameter (fast tests)."""
    params = estimator.get_params()
    if "max_iter" in params and not isinstance(estimator, LogisticRegression):
        estimator = clone(estimator).set_params(max_iter=20)
    return estimator


def _subspaces(space):
    return space if isinstance(space, list) else [space]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_space_names_parameters_of_its_estimator(cls):
    estimator = cls()
    space = default_space(estimator)
    names = {name for sub in _subspaces(space) for name in sub}
    assert names <= set(estimator.get_params())
    assert SearchSpace(space).n_columns >= 1


def test_log_scales_where_they_belong():
    assert default_space(SVC())[0]["C"].log
    assert default_space(SVC())[0]["gamma"].log
    assert default_space(LogisticRegression())["C"].log
    mlp = default_space(MLPClassifier())
    assert all(sub["learning_rate_init"].log for sub in mlp)
    assert mlp[0]["batch_size"].log


def test_svc_kernels_are_conditional_subspaces():
    kernels = [sub["kernel"] for sub in default_space(SVC())]
    assert kernels == [["rbf"], ["linear"], ["poly"]]
    linear = default_space(SVC())[1]
    assert "gamma" not in linear and "degree" not in linear


def test_mlp_momentum_and_schedule_only_with_sgd_and_adam_betas_fixed():
    adam, sgd = default_space(MLPClassifier())
    assert adam["solver"] == ["adam"] and sgd["solver"] == ["sgd"]
    assert "momentum" not in adam and "learning_rate" not in adam
    assert {"momentum", "learning_rate"} <= set(sgd)
    names = set(adam) | set(sgd)
    assert not names & {"beta_1", "beta_2", "epsilon"}
    # Depth and width are searched together, as tuples of 1 to 3 layers.
    depths = {len(h) for h in adam["hidden_layer_sizes"]}
    assert depths == {1, 2, 3}


def test_logistic_regression_mixes_l1_only_with_saga():
    assert set(default_space(LogisticRegression())) == {"C"}
    saga_elasticnet = {"C", "l1_ratio"}
    assert set(default_space(LogisticRegression(solver="saga", penalty="elasticnet"))) == (
        saga_elasticnet
    )
    # scikit-learn >= 1.8 deprecates penalty: saga alone mixes; before, its l2 default does not.
    mixes_by_default = LogisticRegression().penalty == "deprecated"
    expected = saga_elasticnet if mixes_by_default else {"C"}
    assert set(default_space(LogisticRegression(solver="saga"))) == expected


def test_pipelines_nested_or_not_get_step_names():
    space = default_space(make_pipeline(StandardScaler(), SVC()))
    assert all(name.startswith("svc__") for sub in space for name in sub)
    nested = make_pipeline(StandardScaler(), make_pipeline(StandardScaler(), SVC()))
    space = default_space(nested)
    assert {"pipeline__svc__C", "pipeline__svc__kernel"} <= set(space[0])
    first = portfolio(nested)[0]
    assert set(first) == {"pipeline__svc__kernel", "pipeline__svc__C", "pipeline__svc__gamma"}
    nested.set_params(**first)  # the names route to the SVC
    assert nested[-1][-1].C == first["pipeline__svc__C"]


def test_subclasses_are_found_by_class():
    class MySVC(SVC):
        pass

    assert default_space(MySVC()) == default_space(SVC())


@pytest.mark.parametrize(
    "estimator", [LinearRegression(), LogisticRegressionCV(), make_pipeline(StandardScaler())]
)
def test_unknown_estimator_message_names_it_and_says_how_to_pass_a_space(estimator):
    name = type(estimator[-1] if hasattr(estimator, "steps") else estimator).__name__
    for function in (default_space, portfolio):
        with pytest.raises(ValueError, match=name) as info:
            function(estimator)
        assert "param_distributions" in str(info.value)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_portfolio_is_short_distinct_and_in_the_default_space(cls):
    estimator = cls()
    settings = portfolio(estimator)
    assert 3 <= len(settings) <= 8
    space = SearchSpace(default_space(estimator))
    X = space.encode(settings)  # raises if a setting is not in the space
    assert len(set(space.keys(X))) == len(settings)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_portfolio_setting_fits_on_small_data(cls):
    estimator = _quick(cls())
    X, y = _small_data(estimator)
    X = StandardScaler().fit_transform(X)
    for setting in portfolio(estimator):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence warnings of the capped iterations
            fitted = clone(estimator).set_params(**setting).fit(X, y)
        assert np.isfinite(fitted.score(X, y)), setting


def test_settings_in_a_users_space_fill_from_the_estimator_and_skip_what_is_outside():
    estimator = SVC(kernel="rbf", gamma=0.1)
    space = SearchSpace({"C": Real(0.5, 100.0, log=True), "gamma": Real(1e-3, 1.0, log=True)})
    settings = [
        {"kernel": "rbf", "C": 682.478, "gamma": 0.005},  # C outside
        {"kernel": "rbf", "C": 1.0, "gamma": 0.03},  # inside; kernel not searched: dropped
        {"C": 2.0},  # gamma from the estimator
        {"C": 2.0, "gamma": 0.1},  # the same candidate again
    ]
    assert settings_in_space(settings, space, estimator) == [
        {"C": 1.0, "gamma": 0.03},
        {"C": 2.0, "gamma": 0.1},
    ]


def test_settings_pick_the_subspace_their_values_name():
    space = SearchSpace(default_space(SVC()))
    got = settings_in_space([{"kernel": "linear", "C": 1.0}], space, SVC())
    assert got == [{"kernel": "linear", "C": 1.0}]


def test_a_setting_names_a_choice_written_as_its_numeric_twin_where_both_mean_the_same():
    # SVC's C is any real: C=1.0 (a portfolio's, or the default) names the user's choice 1.
    space = SearchSpace({"C": [0.1, 1, 10], "gamma": Real(1e-3, 1.0, log=True)})
    got = settings_in_space([{"C": 1.0, "gamma": 0.1}, {"gamma": 0.2}], space, SVC())
    assert got == [{"C": 1, "gamma": 0.1}, {"C": 1, "gamma": 0.2}]
    assert type(got[0]["C"]) is int  # the user's own choice reaches the estimator
    # A random forest's max_features=1.0 is all features; the choice 1 is one feature.
    from sklearn.ensemble import RandomForestClassifier

    forest = SearchSpace({"max_features": [1, 2, 3]})
    assert settings_in_space([{"max_features": 1.0}], forest, RandomForestClassifier()) == []
    # Inside a pipeline the step's own declaration decides.
    pipeline = make_pipeline(StandardScaler(), SVC())
    piped = SearchSpace({"svc__C": [0.1, 1, 10]})
    assert settings_in_space([{"svc__C": 10.0}], piped, pipeline) == [{"svc__C": 10}]


# -- the hooks: param_distributions="auto", initial_params="portfolio" ----------------
SEARCHES = [cls for _, cls in all_searches()]


def supports_subspaces(search_cls):
    """Whether the search's strategy searches lists of dicts (its capability flag)."""
    return search_cls._strategy_class.supports_subspaces


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return X[::2], y[::2]


@pytest.mark.parametrize("search_cls", SEARCHES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("cls", ONE_PER_SPACE, ids=lambda c: c.__name__)
@pytest.mark.slow
def test_every_default_space_is_accepted_by_every_search(search_cls, cls):
    estimator = _quick(cls())
    X, y = _small_data(estimator)
    # initial_params=[]: no portfolio, so the strategy itself proposes in the space.
    search = search_cls(estimator, "auto", initial_params=[], n_iter=2, cv=2, random_state=0)
    if isinstance(default_space(estimator), list) and not supports_subspaces(search_cls):
        with pytest.raises(ValueError, match=r"param_distributions: .*single sub-space"):
            search.fit(X, y)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
    space = SearchSpace(default_space(estimator))
    space.encode(search.cv_results_["params"])  # every candidate lies in the space
    assert len(search.cv_results_["params"]) == 2


@pytest.mark.parametrize("search_cls", SEARCHES, ids=lambda c: c.__name__)
def test_auto_evaluates_the_portfolio_first_then_its_own_proposals(search_cls, iris):
    estimator = make_pipeline(StandardScaler(), SVC())
    settings = portfolio(estimator)
    search = search_cls(estimator, "auto", n_iter=len(settings) + 3, cv=3, random_state=0)
    if not supports_subspaces(search_cls):  # SVC's space is one sub-space per kernel
        with pytest.raises(ValueError, match=r"param_distributions: .*single sub-space"):
            search.fit(*iris)
        return
    search.fit(*iris)
    params = search.cv_results_["params"]
    assert params[: len(settings)] == settings
    assert len(params) == len(settings) + 3
    SearchSpace(default_space(estimator)).encode(params[len(settings) :])


@pytest.mark.parametrize("search_cls", SEARCHES, ids=lambda c: c.__name__)
def test_portfolio_in_a_users_space_keeps_the_settings_that_lie_in_it(search_cls, iris):
    space = {"C": Real(0.5, 100.0, log=True), "gamma": Real(1e-3, 1.0, log=True)}
    search = search_cls(SVC(), space, initial_params="portfolio", n_iter=4, cv=3, random_state=0)
    search.fit(*iris)
    # Of the SVC portfolio only (C=1, gamma=1/32) and (C=32, gamma=1/128) lie in it.
    assert search.cv_results_["params"][:2] == [
        {"C": 1.0, "gamma": 2.0**-5},
        {"C": 32.0, "gamma": 2.0**-7},
    ]


def test_a_given_initial_params_wins_over_the_portfolio_with_auto(iris):
    start = {"kernel": "linear", "C": 3.0}
    search = TPESearchCV(SVC(), "auto", initial_params=[start], n_iter=2, cv=3, random_state=0)
    assert search.fit(*iris).cv_results_["params"][0] == start


def test_portfolio_with_no_setting_in_the_space_warns_and_searches(iris):
    search = BayesSearchCV(
        SVC(), {"C": Real(1e3, 1e4, log=True)}, initial_params="portfolio", n_iter=2, cv=3,
        random_state=0,
    )  # fmt: skip
    with pytest.warns(UserWarning, match="none of the 5 portfolio settings of SVC"):
        search.fit(*iris)
    assert len(search.cv_results_["params"]) == 2


def test_coordinate_search_starts_from_the_portfolios_first_setting(iris):
    space = {"C": Real(0.5, 100.0, log=True), "gamma": Real(1e-3, 1.0, log=True)}
    search = CoordinateSearchCV(SVC(), space, initial_params="portfolio", n_iter=6, cv=3)
    search.n_splits_ = 3  # set by fit
    strategy = search._make_strategy(SearchSpace(space), np.random.default_rng(0))
    first = SearchSpace(space).encode([{"C": 1.0, "gamma": 2.0**-5}])[0]
    np.testing.assert_array_equal(strategy.start, first)


def test_coordinate_search_tunes_an_mlps_learning_rate_first(iris):
    estimator = make_pipeline(StandardScaler(), MLPClassifier(max_iter=5, random_state=0))
    n_settings = len(portfolio(estimator))
    search = CoordinateSearchCV(estimator, "auto", n_iter=n_settings + 4, cv=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings
        search.fit(*iris)
    line = search.cv_results_["params"][n_settings:]  # the first line search
    lr = "mlpclassifier__learning_rate_init"
    assert len({p[lr] for p in line}) == len(line)
    others = [{k: v for k, v in p.items() if k != lr} for p in line]
    assert all(o == others[0] for o in others)


def test_bad_values_of_the_two_options_name_them(iris):
    with pytest.raises(ValueError, match="param_distributions"):
        BayesSearchCV(SVC(), "automatic").fit(*iris)
    with pytest.raises(ValueError, match="initial_params"):
        BayesSearchCV(SVC(), "auto", initial_params="best").fit(*iris)
    with pytest.raises(ValueError, match=r"param_distributions='auto'.*LinearRegression"):
        BayesSearchCV(LinearRegression(), "auto", cv=2).fit(*iris)
