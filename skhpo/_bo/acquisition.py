"""Acquisition functions: how much a candidate is worth evaluating next.

Each takes the surrogate's posterior mean and standard deviation at the
candidates (shape ``(m,)``), the best observed value and an exploration
parameter, and returns scores to maximise. All work on standardised outputs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.special import erfcx, log_ndtr

__all__ = [
    "ACQUISITIONS",
    "log_expected_improvement",
    "log_probability_of_improvement",
    "upper_confidence_bound",
]

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
_SQRT_HALF_PI = np.sqrt(np.pi / 2)


def _log_h(z: np.ndarray) -> np.ndarray:
    """``log(phi(z) + z Phi(z))`` without underflow.

    Ament et al., "Unexpected improvements to expected improvement for Bayesian
    optimization", NeurIPS 2023, eq. (9): for ``z > -1`` directly; below, with
    ``h(z) = phi(z) (1 - |z| sqrt(pi/2) erfcx(|z|/sqrt2))`` and ``log1mexp``; far in
    the tail ``h(z) ~ phi(z) / z^2``.
    """
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(np.exp(-0.5 * zu**2) / np.sqrt(2 * np.pi) + zu * np.exp(log_ndtr(zu)))
    middle = ~upper & (z > -1e3)
    zm = z[middle]
    log_ratio = np.log(-zm * _SQRT_HALF_PI * erfcx(-zm / np.sqrt(2)))  # in (-inf, 0)
    out[middle] = -0.5 * zm**2 - _LOG_SQRT_2PI + _log1mexp(log_ratio)
    tail = ~upper & ~middle
    out[tail] = -0.5 * z[tail] ** 2 - _LOG_SQRT_2PI - 2 * np.log(-z[tail])
    return out


def _log1mexp(x: np.ndarray) -> np.ndarray:
    """``log(1 - exp(x))`` for ``x < 0`` (Maechler, 2012)."""
    return np.where(x > -np.log(2), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def log_expected_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, exploration: float
) -> np.ndarray:
    """Logarithm of the expected improvement over ``best + exploration``."""
    z = (mean - best - exploration) / std
    return _log_h(z) + np.log(std)


def log_probability_of_improvement(
    mean: np.ndarray, std: np.ndarray, best: float, exploration: float
) -> np.ndarray:
    """Logarithm of the probability of improving on ``best + exploration``."""
    return log_ndtr((mean - best - exploration) / std)


def upper_confidence_bound(
    mean: np.ndarray, std: np.ndarray, best: float, exploration: float
) -> np.ndarray:
    """Optimistic value ``mean + exploration * std`` (``best`` is unused)."""
    return mean + exploration * std


#: Public name -> (function, default exploration parameter).
ACQUISITIONS: dict[str, tuple[Callable[..., np.ndarray], float]] = {
    "ei": (log_expected_improvement, 0.0),
    "pi": (log_probability_of_improvement, 0.01),
    "ucb": (upper_confidence_bound, 2.0),
}
