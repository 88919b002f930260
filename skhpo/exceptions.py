"""Warnings skhpo raises of its own, so that each can be filtered by category."""

from __future__ import annotations

__all__ = ["BestAtBoundWarning"]


class BestAtBoundWarning(UserWarning):
    """The best value of a numeric parameter lies at a bound of its range.

    Raised at the end of ``fit``: the optimum may lie outside the range searched,
    which should then be widened. Silence it with
    ``warnings.filterwarnings("ignore", category=BestAtBoundWarning)`` where the
    bound is a real limit (``k`` at the number of features, say).
    """
