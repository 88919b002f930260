"""Every strategy against the conformance suite in skhpo.testing."""

from __future__ import annotations

import pytest

from skhpo.strategies import (
    BayesStrategy,
    CoordinateStrategy,
    EvolutionStrategy,
    RandomStrategy,
    TPEStrategy,
)
from skhpo.testing import STRATEGY_CHECKS

STRATEGIES = {
    "random": RandomStrategy,
    "bayes": BayesStrategy,
    "tpe": TPEStrategy,
    "tpe-independent": lambda space, rng: TPEStrategy(space, rng, multivariate=False),
    "evolution": EvolutionStrategy,
    "coordinate": CoordinateStrategy,
}


@pytest.mark.parametrize("check", STRATEGY_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("name", list(STRATEGIES))
def test_strategy_conformance(name, check):
    check(STRATEGIES[name])
