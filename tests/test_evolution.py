"""EvolutionarySearchCV: the genetic algorithm and the public class."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.exceptions import FitFailedWarning
from sklearn.svm import SVC

from skhpo import EvolutionarySearchCV, Integer, Real
from skhpo.space import SearchSpace
from skhpo.strategies import GeneticStrategy, RandomStrategy


def _evolve(strategy, f, n):
    space = strategy.space
    batch = getattr(strategy, "population_size", 10)
    while len(strategy.y) < n:
        X = space.canonical(strategy.ask(min(batch, n - len(strategy.y))), strategy.rng)
        strategy.tell(X, [f(p) for p in space.decode(X)])
    return strategy


def _sphere(p):
    return -sum((np.log10(p[f"x{i}"]) + 1) ** 2 for i in range(4)) - (p["n"] - 17) ** 2 / 100


SPACE = {**{f"x{i}": Real(1e-4, 1e2, log=True) for i in range(4)}, "n": Integer(1, 64)}


def test_converges_faster_than_random_search():
    space = SearchSpace(SPACE)
    evolved = [_evolve(GeneticStrategy(space, np.random.default_rng(s)), _sphere, 150)
               for s in range(3)]  # fmt: skip
    rand = [
        _evolve(RandomStrategy(space, np.random.default_rng(s)), _sphere, 150) for s in range(3)
    ]
    regret_evolved = np.median([-e.y.max() for e in evolved])
    regret_random = np.median([-r.y.max() for r in rand])
    assert regret_evolved < regret_random / 3, (regret_evolved, regret_random)
    # and it keeps improving: the last generations beat the first one
    for e in evolved:
        assert e.y[-e.population_size :].max() > e.y[: e.population_size].max()


def test_children_are_valid_distinct_and_never_repeat_a_candidate():
    space = SearchSpace(
        [
            {"kernel": ["rbf"], "C": Real(1e-2, 1e2, log=True), "gamma": Real(1e-3, 1, log=True)},
            {"kernel": ["poly"], "C": Real(1e-2, 1e2, log=True), "degree": Integer(2, 3)},
        ]
    )
    strategy = _evolve(GeneticStrategy(space, np.random.default_rng(0)), lambda p: -p["C"], 80)
    keys = space.keys(strategy.X)
    assert len(set(keys)) == len(keys)
    for params in space.decode(strategy.X):
        assert ("gamma" in params) == (params["kernel"] == "rbf")
        assert 1e-2 <= params["C"] <= 1e2 and isinstance(params["C"], float)
        assert params.get("degree", 2) in (2, 3)


def test_mutation_step_follows_the_one_fifth_rule():
    space = SearchSpace({"x": Real(0, 1), "y": Real(0, 1)})
    improving = GeneticStrategy(space, np.random.default_rng(0), population_size=6)
    counter = iter(range(10**6))
    _evolve(improving, lambda p: next(counter), 60)  # every child beats its parents
    stalled = GeneticStrategy(space, np.random.default_rng(0), population_size=6)
    _evolve(stalled, lambda p: -next(counter), 60)  # no child ever does
    assert improving.step > 0.2 > stalled.step


def test_failed_candidates_are_never_parents():
    space = SearchSpace({"x": Real(0, 1)})
    strategy = _evolve(
        GeneticStrategy(space, np.random.default_rng(1)),
        lambda p: np.nan if p["x"] > 0.5 else p["x"],
        60,
    )
    assert np.mean(strategy.X[30:, 0] > 0.5) < 0.35
    assert np.nanmax(strategy.y) > 0.45


def test_each_generation_is_one_parallel_batch(iris):
    X, y = iris
    search = EvolutionarySearchCV(
        SVC(), {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1)}, n_iter=24,
        population_size=6, random_state=0, n_jobs=2,
    ).fit(X, y)  # fmt: skip
    np.testing.assert_array_equal(np.bincount(search.cv_results_["batch"]), [6, 6, 6, 6])
    again = EvolutionarySearchCV(
        SVC(), {"C": loguniform(1e-2, 1e3), "gamma": loguniform(1e-4, 1)}, n_iter=24,
        population_size=6, random_state=0, n_jobs=1,
    ).fit(X, y)  # fmt: skip
    assert again.cv_results_["params"] == search.cv_results_["params"]


def test_evolutionary_search_survives_failed_fits(iris, counter):
    X, y = iris
    search = EvolutionarySearchCV(
        counter(fail_above=0.5), {"a": Real(0, 1), "b": Real(0, 1)}, n_iter=20,
        population_size=4, random_state=0,
    )  # fmt: skip
    with pytest.warns(FitFailedWarning):
        search.fit(X, y)
    assert len(search.cv_results_["params"]) == 20
    assert search.best_params_["a"] <= 0.5


@pytest.mark.parametrize(
    ("option", "match"),
    [
        ({"population_size": 1}, "population_size"),
        ({"crossover_probability": 1.5}, "crossover_probability"),
        ({"tournament_size": 0}, "tournament_size"),
    ],
)
def test_evolution_options_are_validated_before_any_fit(iris, counter, option, match):
    X, y = iris
    with pytest.raises(ValueError, match=match):
        EvolutionarySearchCV(counter(), {"a": Real(0, 1)}, **option).fit(X, y)
    assert counter.n_fits == 0
