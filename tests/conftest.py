"""Shared test helpers: small estimators whose behaviour the tests control."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_iris


class FitCounter(ClassifierMixin, BaseEstimator):
    """A classifier that counts its fits (in-process) and can be told to fail.

    ``fail_above``: fits raise ValueError when ``a > fail_above``.
    The score is a smooth function of ``a`` and ``b`` plus the fold's mean label,
    so tests know the optimum and can tell folds apart.
    """

    n_fits = 0

    def __init__(self, a=0.5, b=0.5, fail_above=None):
        self.a = a
        self.b = b
        self.fail_above = fail_above

    def fit(self, X, y):
        type(self).n_fits += 1
        if self.fail_above is not None and self.a > self.fail_above:
            raise ValueError(f"a={self.a} is too large")
        self.classes_ = np.unique(y)
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])

    def score(self, X, y=None, sample_weight=None):
        return -((self.a - 0.3) ** 2) - (self.b - 0.7) ** 2


@pytest.fixture
def iris():
    return load_iris(return_X_y=True)


@pytest.fixture
def counter():
    FitCounter.n_fits = 0
    yield FitCounter
    FitCounter.n_fits = 0
