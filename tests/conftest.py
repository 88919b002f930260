"""Shared test fixtures."""

from __future__ import annotations

import pytest
from sklearn.datasets import load_iris

from skhpo.testing import QuadraticEstimator


@pytest.fixture
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture
def counter():
    """:class:`~skhpo.testing.QuadraticEstimator`, its fit count reset around the test."""
    QuadraticEstimator.n_fits = 0
    yield QuadraticEstimator
    QuadraticEstimator.n_fits = 0
