"""CMA-ES: the strategy, CMAESSearchCV, EvolutionarySearchCV(algorithm="cma-es") (deprecated)."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.svm import SVC

from skhpo import Categorical, CMAESSearchCV, EvolutionarySearchCV, Integer, Real
from skhpo.space import SearchSpace
from skhpo.strategies import CMAESStrategy, RandomStrategy
from skhpo.testing import QuadraticEstimator


def _run(strategy, f, n, batch=None):
    """Ask/tell until ``n`` rows are scored; ``f`` maps canonical rows to scores."""
    space = strategy.space
    while len(strategy.y) < n:
        size = min(batch or strategy.population_size, n - len(strategy.y))
        X = space.canonical(strategy.ask(size), strategy.rng)
        strategy.tell(X, f(X))
    return strategy


def _unit_space(d):
    return SearchSpace({f"x{i}": Real(0.0, 1.0) for i in range(d)})


def _rotated_ellipsoid(d, condition=100.0, seed=0):
    rotation, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    scales = condition ** (np.arange(d) / (2 * (d - 1)))  # axis ratio sqrt(condition)

    def f(X):
        return -np.sum((scales * ((X - 0.3) @ rotation.T)) ** 2, axis=1)

    return f


def _rosenbrock(X):  # on [-2, 2]^d, minimum 0 at 1
    u = 4 * X - 2
    return -np.sum(100 * (u[:, 1:] - u[:, :-1] ** 2) ** 2 + (1 - u[:, :-1]) ** 2, axis=1)


# The shared conformance suite runs CMA-ES too (tests/test_strategies.py), reading its
# supports_subspaces flag instead of swapping the suite's conditional space.


def test_refuses_lists_of_dicts_and_spaces_without_numbers():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="single sub-space"):
        CMAESStrategy(SearchSpace([{"a": Real(0, 1)}, {"b": Real(0, 1)}]), rng)
    with pytest.raises(ValueError, match="numeric parameter"):
        CMAESStrategy(SearchSpace({"k": ["rbf", "poly"], "w": [None, "balanced"]}), rng)
    CMAESStrategy(SearchSpace([{"a": Real(0, 1)}]), rng)  # a list of one dict is one dict


# -- convergence ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("d", "f", "factor"), [(5, _rotated_ellipsoid(5), 30), (4, _rosenbrock, 5)],
    ids=["rotated-ellipsoid-5d", "rosenbrock-4d"],
)  # fmt: skip
def test_converges_much_better_than_random_search(d, f, factor):
    space = _unit_space(d)
    cma = [-_run(CMAESStrategy(space, np.random.default_rng(s)), f, 300).y.max() for s in range(5)]
    rand = [
        -_run(RandomStrategy(space, np.random.default_rng(s)), f, 300, batch=10).y.max()
        for s in range(5)
    ]
    assert np.median(cma) < np.median(rand) / factor, (np.median(cma), np.median(rand))


def test_learns_the_covariance_of_a_rotated_ellipsoid():
    f = _rotated_ellipsoid(3, condition=1e4)
    strategy = CMAESStrategy(_unit_space(3), np.random.default_rng(0))
    conditions = []
    while not strategy.n_restarts:  # until it has converged
        _run(strategy, f, len(strategy.y) + strategy.population_size)
        eigenvalues = np.linalg.eigvalsh(strategy._C)
        conditions.append(eigenvalues.max() / eigenvalues.min())
    assert max(conditions) > 3000  # C took the shape of the ellipsoid (condition 1e4)
    assert -strategy.y.max() < 1e-5 and len(strategy.y) < 800


def test_reaches_an_optimum_on_the_bounds():
    strategy = _run(CMAESStrategy(_unit_space(3), np.random.default_rng(0)),
                    lambda X: X.sum(axis=1), 200)  # fmt: skip
    assert np.all((strategy.X >= 0) & (strategy.X <= 1))
    assert np.any(strategy.X == 1.0)  # clipped onto the bound
    assert strategy.y.max() > 3 - 0.01 and np.all(strategy.mean > 0.99)


def test_integers_ordered_and_unordered_choices_stay_valid_and_are_learnt():
    space = SearchSpace(
        {
            "lr": Real(1e-4, 1e-1, log=True),
            "alpha": Real(-1.0, 1.0),
            "depth": Integer(1, 64),
            "units": [16, 32, 64, 128],
            "kind": Categorical(["a", "b", "c"]),
        }
    )

    def f(X):
        return -np.array([
            (np.log10(p["lr"]) + 2.5) ** 2 + (p["alpha"] - 0.2) ** 2 + ((p["depth"] - 23) / 20) ** 2
            + (p["units"] != 64) * 0.3 + (p["kind"] != "b") * 0.5
            for p in space.decode(X)
        ])  # fmt: skip

    strategy = CMAESStrategy(space, np.random.default_rng(0))
    floors = []
    while len(strategy.y) < 240:
        X = strategy.ask(strategy.population_size)
        strategy.tell(X, f(X))
        discrete = np.flatnonzero(strategy._discrete)
        stds = strategy.sigma * np.sqrt(np.diag(strategy._C)[discrete])
        floors.append(stds / [1 / 64, 1 / 4])  # marginal std / width of a level
    assert np.min(floors) > 1 / 7  # the margin: never collapsed onto one level
    params = space.decode(strategy.X)
    assert all(type(p["depth"]) is int and 1 <= p["depth"] <= 64 for p in params)
    assert all(p["units"] in (16, 32, 64, 128) and p["kind"] in "abc" for p in params)
    assert all(1e-4 <= p["lr"] <= 1e-1 and -1 <= p["alpha"] <= 1 for p in params)
    best = space.decode(strategy.X[[np.argmax(strategy.y)]])[0]
    assert best["kind"] == "b" and best["units"] == 64 and abs(best["depth"] - 23) <= 2
    kinds = [p["kind"] for p in params[-strategy.population_size * 3 :]]
    assert kinds.count("b") / len(kinds) > 0.7  # the categorical distribution has learnt it


def test_failed_evaluations_are_the_worst_fitness():
    def f(X):
        return np.where(X[:, 0] > 0.5, np.nan, X[:, 0] + X[:, 1])

    strategy = _run(CMAESStrategy(_unit_space(2), np.random.default_rng(1)), f, 120)
    assert np.mean(strategy.X[60:, 0] > 0.5) < 0.3
    assert np.nanmax(strategy.y) > 1.45


# -- generations, determinism, injected rows, restarts ---------------------------------------
def test_one_generation_per_full_population_however_it_is_told():
    strategy = CMAESStrategy(_unit_space(4), np.random.default_rng(0))
    lam = strategy.population_size
    assert lam == strategy.default_batch_size == 4 + int(3 * np.log(4))
    X = strategy.ask(lam)
    assert X.shape == (lam, 4)
    strategy.tell(X, -X.sum(axis=1))
    assert strategy.generation == 1
    mean = strategy.mean.copy()
    X = strategy.ask(lam)
    strategy.tell(X[:3], -X[:3].sum(axis=1))  # a generation told in pieces
    assert strategy.generation == 1
    np.testing.assert_array_equal(strategy.mean, mean)
    strategy.tell(X[3:], -X[3:].sum(axis=1))
    assert strategy.generation == 2
    assert not np.array_equal(strategy.mean, mean)
    big = strategy.ask(2 * lam + 1)  # a larger batch: two generations and one row buffered
    strategy.tell(big, -big.sum(axis=1))
    assert strategy.generation == 4 and len(strategy._buffer) == 1


def test_deterministic_with_a_seed():
    f = _rotated_ellipsoid(4)
    runs = [_run(CMAESStrategy(_unit_space(4), np.random.default_rng(7)), f, 100).X
            for _ in range(2)]  # fmt: skip
    np.testing.assert_array_equal(runs[0], runs[1])
    other = _run(CMAESStrategy(_unit_space(4), np.random.default_rng(8)), f, 100).X
    assert not np.array_equal(runs[0], other)


def test_rows_it_did_not_propose_are_injected_with_a_bounded_step():
    space = _unit_space(3)
    strategy = CMAESStrategy(space, np.random.default_rng(0))
    lam = strategy.population_size
    f = _rotated_ellipsoid(3)
    for _ in range(10):  # half of each generation replaced by far-away random rows
        X = strategy.ask(lam)
        X[: lam // 2] = space.sample(lam // 2, np.random.default_rng(len(strategy.y)))
        strategy.tell(X, f(X))
        assert np.all((strategy.mean >= 0) & (strategy.mean <= 1)) and 0 < strategy.sigma < 1
    _run(strategy, f, 300)
    assert -strategy.y.max() < 1e-3


def test_starts_at_the_best_row_told_before_the_first_ask():
    space = _unit_space(2)
    strategy = CMAESStrategy(space, np.random.default_rng(0))
    strategy.tell(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1.0, 2.0]))
    strategy.ask(4)
    np.testing.assert_array_equal(strategy.mean, [0.8, 0.2])
    assert strategy.generation == 0


def test_restarts_with_a_doubled_population_on_a_flat_function():
    strategy = CMAESStrategy(_unit_space(3), np.random.default_rng(0))
    lam = strategy.population_size
    _run(strategy, lambda X: np.zeros(len(X)), 3 * lam)  # three flat generations
    assert strategy.n_restarts == 1 and strategy.population_size == 2 * lam
    assert strategy.generation == 0 and strategy.sigma == strategy.initial_sigma
    _run(strategy, lambda X: np.full(len(X), np.nan), 3 * lam + 6 * lam, batch=lam)  # failures
    assert strategy.n_restarts == 2 and strategy.population_size == 4 * lam


def test_restarts_once_converged():
    f = _rotated_ellipsoid(2)
    strategy = _run(CMAESStrategy(_unit_space(2), np.random.default_rng(0)), f, 600)
    assert strategy.n_restarts >= 1
    assert -strategy.y.max() < 1e-5


def test_a_crowded_region_triggers_a_restart():
    space = SearchSpace({"a": Integer(0, 9), "b": Integer(0, 9)})  # 100 candidates
    strategy = CMAESStrategy(space, np.random.default_rng(0))
    stuck = []
    while len(strategy.y) < 60:
        X = strategy.ask(strategy.population_size)
        stuck.append(strategy._stuck)  # most of the batch repeated evaluated candidates
        strategy.tell(X, -np.sum((X - 0.3) ** 2, axis=1))
    keys = space.keys(strategy.X)
    assert len(set(keys)) == len(keys)
    assert any(stuck) and strategy.n_restarts >= 1


# -- CMAESSearchCV --------------------------------------------------------------------------
def test_cma_es_search_tunes_an_svc(iris):
    X, y = iris
    space = {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1)}

    def fit(n_jobs):
        return CMAESSearchCV(SVC(), space, n_iter=18, random_state=0, n_jobs=n_jobs).fit(X, y)

    search = fit(1)
    np.testing.assert_array_equal(np.bincount(search.cv_results_["batch"]), [6, 6, 6])
    assert search.best_score_ > 0.95
    assert fit(2).cv_results_["params"] == search.cv_results_["params"]


def test_cma_es_search_resumes_from_a_checkpoint_as_if_uninterrupted(tmp_path):
    def search(n_iter, **kwargs):
        return CMAESSearchCV(
            QuadraticEstimator(), {"a": Real(0, 1), "b": Real(0, 1)},
            n_iter=n_iter, cv=2, batch_size=4, random_state=0, **kwargs,
        ).fit(np.zeros((10, 1)))  # fmt: skip

    uninterrupted = search(30)
    search(16, checkpoint=tmp_path / "cma.jsonl")  # population 6, batches of 4
    resumed = search(30, checkpoint=tmp_path / "cma.jsonl")
    assert resumed.cv_results_["params"] == uninterrupted.cv_results_["params"]


@pytest.mark.parametrize(
    ("space", "match"),
    [
        ([{"a": Real(0, 1)}, {"b": Real(0, 1)}], r"CMAESSearchCV needs a single sub-space"),
        ({"a": Categorical([0.2, 0.4])}, r"CMAESSearchCV needs at least one numeric"),
    ],
)
def test_unsupported_spaces_are_refused_before_any_fit(iris, counter, space, match):
    X, y = iris
    with pytest.raises(ValueError, match="param_distributions: " + match):
        CMAESSearchCV(counter(), space).fit(X, y)
    assert counter.n_fits == 0
    EvolutionarySearchCV(counter(), space, n_iter=2, population_size=2).fit(X, y)  # genetic


def test_cma_es_options_are_validated_before_any_fit(iris, counter):
    X, y = iris
    with pytest.raises(ValueError, match="population_size"):
        CMAESSearchCV(counter(), {"a": Real(0, 1)}, population_size=1).fit(X, y)
    with pytest.raises(TypeError, match="tournament_size"):
        CMAESSearchCV(counter(), {"a": Real(0, 1)}, tournament_size=5)
    assert counter.n_fits == 0


# -- EvolutionarySearchCV(algorithm="cma-es"), deprecated ---------------------------------------
def test_the_deprecated_algorithm_option_runs_cma_es_with_a_warning(iris):
    X, y = iris
    space = {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1)}
    with pytest.warns(FutureWarning, match="use CMAESSearchCV"):
        old = EvolutionarySearchCV(SVC(), space, algorithm="cma-es", n_iter=12, random_state=0)
        old.fit(X, y)
    new = CMAESSearchCV(SVC(), space, n_iter=12, random_state=0).fit(X, y)
    assert old.cv_results_["params"] == new.cv_results_["params"]


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"algorithm": "cmaes"}, "algorithm"),
        ({"algorithm": "cma-es", "tournament_size": 5}, "tournament_size: options of"),
        (
            {"algorithm": "cma-es", "crossover_probability": 0.5, "n_elites": 2},
            "crossover_probability, n_elites: options of the genetic algorithm",
        ),
        ({"algorithm": "cma-es", "population_size": 1}, "population_size"),
    ],
)
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_deprecated_cma_es_options_are_validated_before_any_fit(iris, counter, options, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        EvolutionarySearchCV(counter(), {"a": Real(0, 1)}, **options).fit(X, y)
    assert counter.n_fits == 0


def test_docs_example_runs():
    # The CMA-ES section of docs/evolution.rst (the whole page runs with sphinx -b doctest).
    page = (Path(__file__).resolve().parents[1] / "docs" / "evolution.rst").read_text()
    section = page[page.index("CMA-ES: for mostly continuous spaces") :]
    section = section[: section.index("\nOptions\n")]
    test = doctest.DocTestParser().get_doctest(section, {}, "evolution.rst", None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    assert runner.summarize(verbose=False).failed == 0 and len(test.examples) > 5
