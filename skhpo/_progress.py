"""What ``verbose >= 1`` prints: one header per ``fit``, then one line per batch.

scikit-learn's ``evaluate_candidates`` prints "Fitting N folds for each of M
candidates" on every call, i.e. once per batch; skhpo prints its own header once
instead, and after each batch a line a user can watch: candidates done out of
``n_iter``, the best score so far and its parameters (numbers rounded), the time
elapsed and an estimate of the time left.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

from .callbacks import SearchState

__all__ = ["Progress", "fitting_header", "progress_line"]

# Significant digits of the numbers in a progress line.
_DIGITS = 4
# Values whose text is longer than this are cut (estimators, long lists).
_MAX_VALUE_CHARS = 40


def fitting_header(n_splits: int, n_candidates: int, batch_size: int) -> str:
    """The one line printed before the first fit, in scikit-learn's words.

    Examples
    --------
    >>> fitting_header(3, 50, 4)
    'Fitting 3 folds for each of up to 50 candidates, in batches of 4, totalling up to 150 fits'
    """
    return (
        f"Fitting {n_splits} folds for each of up to {n_candidates} candidates, in batches "
        f"of {batch_size}, totalling up to {n_splits * n_candidates} fits"
    )


class Progress:
    """What ``verbose >= 1`` prints during one ``fit``, and the time-left estimate.

    Parameters
    ----------
    verbose : int
        The search's ``verbose``; nothing is printed when it is 0.
    n_splits : int
        Folds per candidate.
    n_total : int
        Candidates the search evaluates at most (``n_iter`` or the space's size).
    batch_size : int
    """

    def __init__(self, verbose: int, n_splits: int, n_total: int, batch_size: int) -> None:
        self.verbose = verbose
        self.n_splits = n_splits
        self.n_total = n_total
        self.batch_size = batch_size
        # When the first batch started fitting, and the candidates fitted since.
        self.fit_start: float | None = None
        self.n_fitted = 0
        # Successive halving: the rungs' resources, and how many candidates have entered
        # (rows are candidates at rungs, so rows counted as candidates overshoot n_iter).
        self.rungs: list[int] | None = None
        self.entered: Callable[[], int] | None = None

    def for_halving(self, n_resources: list[int], entered: Callable[[], int]) -> None:
        """Count candidates entered, not rows, and leave out totals halving cannot know."""
        self.rungs = [int(n) for n in n_resources]
        self.entered = entered

    @contextmanager
    def fitting(self, n_candidates: int, n_done: int) -> Iterator[None]:
        """Around the fits of ``n_candidates``, ``n_done`` candidates being finished:
        the header before the first fit of the search, the count of fits after."""
        if self.fit_start is None:
            self.fit_start = time.monotonic()
            if self.verbose > 0 and self.entered is not None:
                n_left = self.n_total - self.entered()
                print(
                    f"Fitting {self.n_splits} folds for each of up to {n_left} candidates, "
                    f"each at one or more rungs of n_resources {self.rungs} (successive "
                    f"halving), in batches of {self.batch_size}",
                    flush=True,
                )
            elif self.verbose > 0:
                n_left = self.n_total - n_done
                batch = min(self.batch_size, n_left)
                print(fitting_header(self.n_splits, n_left, batch), flush=True)
        try:
            yield
        finally:
            self.n_fitted += n_candidates

    def report(self, state: SearchState) -> None:
        """Print the progress line of ``state`` (with ``verbose >= 1``)."""
        if self.verbose > 0 and self.entered is not None:
            # No time left: how many rows the remaining candidates take is not known.
            count = f"{self.entered()}/{state.n_iter} candidates entered, {state.n_candidates} rows"
            print(progress_line(state, None, count, "none at max_resources yet"), flush=True)
        elif self.verbose > 0:
            print(progress_line(state, self.seconds_left(state.n_candidates)), flush=True)

    def seconds_left(self, n_done: int) -> float | None:
        """Time per candidate fitted so far times the candidates still to evaluate."""
        if not self.n_fitted:
            return None  # only restored candidates so far: no measure of time
        per_candidate = (time.monotonic() - self.fit_start) / self.n_fitted
        return per_candidate * max(self.n_total - n_done, 0)


def progress_line(
    state: SearchState,
    seconds_left: float | None,
    count: str | None = None,
    no_best: str = "no finished candidate yet",
) -> str:
    """The line printed after each batch.

    Parameters
    ----------
    state : SearchState
    seconds_left : float or None
        Estimated time until the last candidate; None when not known yet.
    count : str or None
        What was evaluated, in words (default ``"<n_candidates>/<n_iter> candidates"``).
    no_best : str
        Said while there is no best candidate.

    Examples
    --------
    >>> import numpy as np
    >>> state = SearchState(24, 50, np.array([0.9712]), 0.97123456,
    ...                     {"C": 12.3456789, "kernel": "rbf"}, 12.34, {})
    >>> progress_line(state, 13.2)
    '[skhpo] 24/50 candidates, best 0.9712 (C=12.35, kernel=rbf), 12.3s elapsed, ~13s left'
    """
    if count is None:
        count = f"{state.n_candidates}/{state.n_iter} candidates"
    if state.best_params is None:
        best = no_best
    else:
        params = ", ".join(f"{name}={format_value(v)}" for name, v in state.best_params.items())
        best = f"best {format_value(state.best_score)} ({params})"
    left = "" if seconds_left is None else f", ~{_duration(seconds_left, 0)} left"
    return f"[skhpo] {count}, {best}, {_duration(state.elapsed, 1)} elapsed{left}"


def format_value(value: Any) -> str:
    """A parameter value as ``name=value`` shows it: floats to 4 significant digits."""
    if isinstance(value, Real) and not isinstance(value, Integral):
        return f"{float(value):.{_DIGITS}g}"
    text = str(value)
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def _duration(seconds: float, decimals: int) -> str:
    """``12.3s`` under a minute, ``4m05s`` under an hour, else ``2h07m``."""
    if not math.isfinite(seconds):
        return "?"
    if seconds < 60:
        return f"{seconds:.{decimals}f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
