"""The exponent of the Yeo-Johnson transform that makes scores most Gaussian.

``scipy.stats.yeojohnson_normmax`` maximises the transform's log-likelihood
(Yeo & Johnson, Biometrika 2000) with ``fminbound``; each of its ~20 calls of
``scipy.stats.yeojohnson_llf`` spends about 0.3 ms in input handling (axis and
NaN policy) around a few microseconds of arithmetic, several milliseconds per
proposal in all. This is the same maximisation (same bounds, same tolerance)
with the log-likelihood evaluated directly. The transform is scipy's
arithmetic, operation for operation (so the values are the same to the last
bit), with the logarithms that do not depend on the exponent taken once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import fminbound

__all__ = ["yeojohnson_exponent"]

# scipy's tolerance (that of optimize.brent).
_XTOL = 1.48e-08


def yeojohnson_exponent(y: np.ndarray) -> float:
    """Maximum-likelihood Yeo-Johnson exponent of finite scores ``y``, shape ``(n,)``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import yeojohnson_normmax
    >>> y = -np.exp(np.random.default_rng(0).normal(size=40))  # skewed
    >>> bool(abs(yeojohnson_exponent(y) - yeojohnson_normmax(y)) < 1e-6)
    True
    """
    y = np.asarray(y, dtype=float)
    if np.all(y == 0):
        return 1.0
    jacobian = np.sum(np.sign(y) * np.log1p(np.abs(y)))  # log-Jacobian per unit of exponent
    transform = _transform_of(y)

    def negative_log_likelihood(exponent: float) -> float:
        with np.errstate(over="ignore", invalid="ignore"):
            variance = transform(exponent).var()
        if not np.isfinite(variance) or variance <= 0:
            return np.inf
        return 0.5 * len(y) * np.log(variance) - (exponent - 1.0) * jacobian

    return float(fminbound(negative_log_likelihood, *_bounds(y), xtol=_XTOL))


def _transform_of(y: np.ndarray) -> Callable[[float], np.ndarray]:
    """``exponent -> scipy.stats.yeojohnson(y, exponent)``, same arithmetic."""
    eps = np.finfo(float).eps
    positive = y >= 0
    log_positive, log_negative = np.log1p(y[positive]), np.log1p(-y[~positive])

    def transform(exponent: float) -> np.ndarray:
        out = np.empty_like(y)
        if abs(exponent) < eps:
            out[positive] = log_positive
        else:
            out[positive] = np.expm1(exponent * log_positive) / exponent
        if abs(exponent - 2) > eps:
            out[~positive] = -np.expm1((2 - exponent) * log_negative) / (2 - exponent)
        else:
            out[~positive] = -log_negative
        return out

    return transform


def _bounds(y: np.ndarray) -> tuple[float, float]:
    """scipy's bounds: exponents whose transform of 20x the largest score stays finite."""
    eps, tiny, huge = np.finfo(float).eps, np.finfo(float).tiny, np.finfo(float).max
    log1p_max = np.log1p(20 * np.max(np.abs(y)))
    low = (np.log(tiny) - np.log(eps)) / 2 / log1p_max
    high = (np.log(huge) + np.log(eps)) / 2 / log1p_max
    if np.all(y < 0):
        return 2 - high, 2 - low
    if np.any(y < 0):
        return max(2 - high, low), min(2 - low, high)
    return low, high
