"""A search declared once: constraints, strategy, docstring and registry derived from it."""

from __future__ import annotations

import re
from numbers import Integral
from pathlib import Path

import numpy as np
import pytest

import skhpo
from skhpo import Real
from skhpo._compat import Interval
from skhpo._search import BaseStrategySearchCV
from skhpo.strategies import RandomStrategy, Strategy
from skhpo.testing import QuadraticEstimator, RandomStrategySearchCV
from skhpo.utils import all_searches

ROOT = Path(__file__).resolve().parents[1]


class _ShuffledRandom(RandomStrategy):
    """A toy strategy with one option."""

    def __init__(self, space, rng, n_draws=1):
        super().__init__(space, rng)
        self.n_draws = n_draws


class _ToySearchCV(BaseStrategySearchCV):
    """A toy search.

    Parameters
    ----------
    n_draws : int, default=1
        Draws per proposal.

    Examples
    --------
    >>> 1 + 1
    2
    """

    _strategy_class = _ShuffledRandom
    _strategy_options: dict = {"n_draws": [Interval(Integral, 1, None, closed="left")]}
    _default_batch_size = "4"

    def __init__(self, estimator, param_distributions=None, *, n_iter=50, n_draws=1):
        super().__init__(estimator, param_distributions, n_iter=n_iter)
        self.n_draws = n_draws


def test_the_declaration_gives_constraints_strategy_and_docstring():
    assert (
        _ToySearchCV._parameter_constraints["n_draws"]
        == (_ToySearchCV._strategy_options["n_draws"])
    )
    assert "batch_size" in _ToySearchCV._parameter_constraints
    with pytest.raises(ValueError, match="n_draws"):
        _ToySearchCV(QuadraticEstimator(), {"a": Real(0, 1)}, n_draws=0).fit(np.zeros((6, 1)))
    strategy = _ToySearchCV(QuadraticEstimator(), n_draws=3)._make_strategy(
        skhpo.space.SearchSpace({"a": Real(0, 1)}), np.random.default_rng(0)
    )
    assert isinstance(strategy, _ShuffledRandom) and strategy.n_draws == 3
    doc = _ToySearchCV.__doc__
    # Summary, then the common parameters, the search's own, the attributes, the examples.
    order = ["A toy search.", "estimator : ", "max_time : ", "n_draws : ", "Attributes",
             "cv_results_ : ", "Examples", ">>> 1 + 1"]  # fmt: skip
    positions = [doc.index(part) for part in order]
    assert positions == sorted(positions)
    assert "strategy's default, 4." in doc


def test_a_declaration_that_does_not_match_init_is_refused_at_class_definition():
    with pytest.raises(TypeError, match=r"declared options \['n_draws'\] are not in __init__"):

        class _Missing(BaseStrategySearchCV):
            _strategy_class = _ShuffledRandom
            _strategy_options: dict = {"n_draws": [int]}

    with pytest.raises(TypeError, match=r"__init__ parameters \['extra'\] are not declared"):

        class _Undeclared(BaseStrategySearchCV):
            _strategy_class = RandomStrategy

            def __init__(self, estimator, param_distributions=None, *, extra=1):
                super().__init__(estimator, param_distributions)
                self.extra = extra


def test_a_toy_search_is_one_declaration():
    # No options of its own: the base's __init__ is its signature.
    class _Toy(BaseStrategySearchCV):
        """Random proposals."""

        _strategy_class = RandomStrategy

    search = _Toy(QuadraticEstimator(), {"a": Real(0, 1)}, n_iter=5, cv=2, random_state=0)
    search.fit(np.zeros((6, 1)))
    assert len(search.cv_results_["params"]) == 5
    assert "n_iter : int" in _Toy.__doc__


def test_all_searches_lists_every_public_search_and_no_test_search():
    names = [name for name, _ in all_searches()]
    public = sorted(n for n in skhpo.__all__ if n.endswith("SearchCV"))
    assert names == public
    assert all(issubclass(cls, BaseStrategySearchCV) for _, cls in all_searches())
    assert "_ToySearchCV" not in names and RandomStrategySearchCV.__name__ not in names


def test_the_api_reference_documents_every_search():
    api = (ROOT / "docs" / "api.rst").read_text()
    section = api[api.index("Searches\n--------") : api.index("Starting from what worked")]
    listed = re.findall(r"^   (\w+SearchCV)$", section, re.M)
    assert sorted(listed) == [name for name, _ in all_searches()]


@pytest.mark.parametrize(("name", "cls"), all_searches())
def test_every_search_builds_its_declared_strategy(name, cls):
    space = skhpo.space.SearchSpace({"a": Real(0, 1), "b": Real(1e-3, 1, log=True)})
    search = cls(QuadraticEstimator(), {"a": Real(0, 1)})
    search.n_splits_ = 3  # set by fit before the strategy is built
    strategy = search._make_strategy(space, np.random.default_rng(0))
    assert isinstance(strategy, Strategy) and isinstance(strategy, cls._strategy_class)
    assert set(cls._strategy_options) <= set(search.get_params())
