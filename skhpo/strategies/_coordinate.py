"""Coordinate search: one hyperparameter at a time, most important first."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ..space import Kind, SearchSpace
from ._base import Strategy

__all__ = ["CoordinateStrategy"]

# Ordered discrete dimensions with at most this many levels are tried exhaustively.
_SMALL_LEVELS = 6
_MIN_STEP = 1e-3
# A sweep that changes nothing restarts the search once every step is this small.
_CONVERGED_STEP = 0.02


@dataclass
class _Move:
    """A candidate proposed along one coordinate, remembered until it is scored."""

    column: int
    offset: float  # signed multiple of the coordinate's step (0 for exhaustive tries)


@dataclass
class _Coordinate:
    """What the search knows about one column."""

    step: float
    importance: float = 0.0  # largest score spread seen when moving this column
    visits: int = 0
    scores: list = field(default_factory=list)


class CoordinateStrategy(Strategy):
    """Coordinate-wise local search with line searches and restarts.

    From a start point (the estimator's own settings, given by the search
    wrapper) it changes one coordinate at a time: several points along the axis
    of a numeric coordinate (``offsets x step`` around the current value, in
    the coordinate's unit scale, log where declared), every other value of an
    unordered or small ordered one. A move is accepted only if it beats the
    incumbent by more than the noise (``noise_tolerance`` standard errors of
    the incumbent's CV score). A coordinate's step doubles when the best point
    lies at the far end of its bracket and halves when nothing improves although
    the scores along the line differ by more than one standard error; a line
    flat within the noise keeps its step, since a shorter one would only be
    flatter (on noisy CV scores, halving there left the search making moves too
    small to measure).

    Coordinates are visited in the given ``order`` or, by default, in order of
    estimated importance: the first sweep screens every coordinate, later
    sweeps sort them by the largest score change moving each one produced.
    When a whole sweep changes nothing and every step has shrunk below 0.02, the
    search restarts: around the incumbent with the initial steps, and every
    other time from a random point. With more
    candidates per batch than one coordinate needs, the next coordinates are
    probed from the same incumbent in the same batch.

    Parameters
    ----------
    space : SearchSpace
    rng : numpy.random.Generator
    start : ndarray of shape (n_columns,) or None, default=None
        Canonical start row; None: the middle of every dimension (first choice
        of unordered ones).
    order : list of int or None, default=None
        Columns in the order to visit them; None: estimated.
    n_splits : int, default=5
        CV folds behind each score, to turn a CV std into a standard error.
    points_per_coordinate : int, default=4
        Points of a numeric line search (default batch size too).
    initial_step : float, default=0.25
        Step of numeric coordinates at the start, in unit scale.
    noise_tolerance : float, default=0.5
        Standard errors of the incumbent's score a move must gain to be accepted.

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import SearchSpace, Real
    >>> from skhpo.strategies import CoordinateStrategy
    >>> space = SearchSpace({"x": Real(-5.0, 5.0), "y": Real(-5.0, 5.0)})
    >>> strategy = CoordinateStrategy(space, np.random.default_rng(0))
    >>> for _ in range(15):
    ...     X = strategy.ask(4)
    ...     strategy.tell(X, [-abs(p["x"] - 1) - 3 * abs(p["y"] + 2) for p in space.decode(X)])
    >>> bool(strategy.y.max() > -0.1)
    True
    """

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        *,
        start: np.ndarray | None = None,
        order: list[int] | None = None,
        n_splits: int = 5,
        points_per_coordinate: int = 4,
        initial_step: float = 0.25,
        noise_tolerance: float = 0.5,
    ) -> None:
        super().__init__(space, rng)
        self.default_batch_size = points_per_coordinate
        self.points_per_coordinate = points_per_coordinate
        self.initial_step = initial_step
        self.noise_tolerance = noise_tolerance
        self.n_splits = n_splits
        self.fixed_order = order is not None
        movable = [j for j, c in enumerate(space.columns) if c.dimension.size > 1]
        given = [j for j in (order or []) if j in movable]
        self.order = given + [j for j in movable if j not in given]
        self.coordinates = {j: _Coordinate(initial_step) for j in movable}
        self.start = _middle(space) if start is None else np.asarray(start, dtype=float)
        self.incumbent: int | None = None  # index into X / y
        self._moves: dict[bytes, _Move] = {}
        self._position = 0  # next coordinate in self.order
        self._accepted_in_sweep = False
        self._restarts = 0
        self._restart_key: bytes | None = None  # a random restart point, once scored, is the base
        self._queue: list[np.ndarray] = [self.start]  # rows to propose before any move

    # -- ask ----------------------------------------------------------------------------------
    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        taken = set(self.space.keys(self.avoid(pending)))
        chosen: list[np.ndarray] = []
        base = self._base()
        while self._queue and len(chosen) < n:
            row = self._queue.pop(0)
            if self.space.keys(row[None])[0] not in taken:
                chosen.append(row)
                taken.update(self.space.keys(row[None]))
        visited = 0
        while len(chosen) < n and visited < len(self.order):
            for row, move in self._line(base, self._next_column(), taken):
                if len(chosen) < n:
                    key = self.space.keys(row[None])[0]
                    taken.add(key)
                    self._moves[key] = move
                    chosen.append(row)
            visited += 1
        for _ in range(20):  # every neighbour is known: new points elsewhere
            if len(chosen) == n:
                break
            fresh = self.fill(n - len(chosen))
            for row, key in zip(fresh, self.space.keys(fresh)):
                if key not in taken:
                    taken.add(key)
                    chosen.append(row)
        return np.array(chosen).reshape(len(chosen), self.space.n_columns)

    def _base(self) -> np.ndarray:
        return self.start if self.incumbent is None else self.X[self.incumbent]

    def _next_column(self) -> int:
        if self._position >= len(self.order):
            self._end_sweep()
        j = self.order[self._position]
        self._position += 1
        return j

    def _line(self, base: np.ndarray, j: int, taken: set[bytes]) -> list[tuple]:
        """New candidates moving column ``j`` of ``base``, with their moves."""
        dim = self.space.columns[j].dimension
        if np.isnan(base[j]):
            return []  # not a parameter of the current sub-space
        coordinate = self.coordinates[j]
        coordinate.visits += 1
        if not _searched_by_steps(self.space, j):
            rows = _all_levels(self.space, base, j)
            moves = [_Move(j, 0.0)] * len(rows)
        else:
            half = self.points_per_coordinate / 2
            offsets = np.concatenate([-np.arange(1, math.ceil(half) + 1)[::-1],
                                      np.arange(1, math.floor(half) + 1)])  # fmt: skip
            rows = np.repeat(base[None], len(offsets), axis=0)
            rows[:, j] = np.clip(base[j] + offsets * coordinate.step, 0.0, 1.0)
            rows = self.space.canonical(rows, self.rng)
            moves = [_Move(j, float(o)) for o in offsets]
        out, seen = [], set(taken)
        for row, move, key in zip(rows, moves, self.space.keys(rows)):
            if key not in seen:
                seen.add(key)
                out.append((row, move))
        if not out and dim.kind is not Kind.CATEGORICAL and dim.n_levels is None:
            coordinate.step = min(2 * coordinate.step, 0.5)  # too close to known points
        return out

    def _end_sweep(self) -> None:
        """Reorder by importance, and restart when a whole sweep changed nothing."""
        self._position = 0
        if not self.fixed_order:
            self.order.sort(key=lambda j: -self.coordinates[j].importance)
        numeric_steps = [
            c.step for j, c in self.coordinates.items() if _searched_by_steps(self.space, j)
        ]
        converged = all(step <= _CONVERGED_STEP for step in numeric_steps)
        if not self._accepted_in_sweep and converged:
            self._restarts += 1
            for coordinate in self.coordinates.values():
                coordinate.step = self.initial_step
            if self._restarts % 2 == 0:  # every other restart: a fresh random point
                point = self.space.sample(1, self.rng)
                self._restart_key = self.space.keys(point)[0]
                self._queue.append(point[0])
        self._accepted_in_sweep = False

    # -- tell -----------------------------------------------------------------------------------
    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray | None = None) -> None:
        n_before = len(self.y)
        super().tell(X, y, y_std)
        rows = np.arange(n_before, len(self.y))
        if self.incumbent is None:
            self._adopt_start(rows)
        incumbent_score = -np.inf if self.incumbent is None else self.y[self.incumbent]
        moves = [self._moves.pop(k, None) for k in self.space.keys(self.X[rows])]
        for j in {m.column for m in moves if m is not None}:
            self._update_coordinate(j, rows, moves, incumbent_score)
        self._accept(rows)
        if self._restart_key is not None:
            for i in rows:
                if self.space.keys(self.X[i : i + 1])[0] == self._restart_key:
                    self._restart_key = None
                    if np.isfinite(self.y[i]):
                        self.incumbent = int(i)  # search around the new point, even if worse

    def _update_coordinate(self, j: int, rows: np.ndarray, moves: list, base_score: float) -> None:
        mine = [(i, m) for i, m in zip(rows, moves) if m is not None and m.column == j]
        scores = self.y[[i for i, _ in mine]]
        finite = scores[np.isfinite(scores)]
        coordinate = self.coordinates[j]
        if not len(finite):
            return
        # How much the score moves along this line, the incumbent included.
        spread = float(np.ptp(np.append(finite, base_score) if np.isfinite(base_score) else finite))
        coordinate.importance = max(coordinate.importance, spread)
        if not np.isfinite(base_score):
            return
        best = int(np.nanargmax(np.where(np.isfinite(scores), scores, -np.inf)))
        improved = scores[best] > base_score + self._threshold()
        if coordinate.step and mine[best][1].offset:
            far = abs(mine[best][1].offset) == max(abs(m.offset) for _, m in mine)
            if improved and far:
                coordinate.step = min(2 * coordinate.step, 0.5)  # bracket not closed yet
            elif not improved and spread > self._standard_error():
                # The score does change along this axis and the incumbent is best:
                # close in. A line whose scores differ by less than the noise says
                # nothing at this scale; a smaller step would only be flatter still.
                coordinate.step = max(coordinate.step / 2, _MIN_STEP)

    def _adopt_start(self, rows: np.ndarray) -> None:
        """The first incumbent: the start point if scored (else the best scored row)."""
        start_key = self.space.keys(self.start[None])[0]
        for i, key in zip(rows, self.space.keys(self.X[rows])):
            if key == start_key and np.isfinite(self.y[i]):
                self.incumbent = int(i)
                return
        scores = np.where(np.isfinite(self.y[rows]), self.y[rows], -np.inf)
        if np.isfinite(scores).any():
            self.incumbent = int(rows[np.argmax(scores)])

    def _accept(self, rows: np.ndarray) -> None:
        """The best new row becomes the incumbent if it beats it by more than the noise."""
        scores = self.y[rows]
        if self.incumbent is None or not np.isfinite(scores).any():
            return
        best = rows[int(np.nanargmax(np.where(np.isfinite(scores), scores, -np.inf)))]
        if self.y[best] > self.y[self.incumbent] + self._threshold():
            self.incumbent = int(best)
            self._accepted_in_sweep = True

    def _threshold(self) -> float:
        return self.noise_tolerance * self._standard_error()

    def _standard_error(self) -> float:
        """Standard error of the incumbent's CV score (0 when unknown)."""
        std = self.y_std[self.incumbent] if self.incumbent is not None else np.nan
        if not np.isfinite(std):
            return 0.0
        return std / math.sqrt(self.n_splits)


def _searched_by_steps(space: SearchSpace, j: int) -> bool:
    """Numeric columns get line searches; choices and small ordinals get every value."""
    dim = space.columns[j].dimension
    return dim.kind is not Kind.CATEGORICAL and dim.size > _SMALL_LEVELS


def _middle(space: SearchSpace) -> np.ndarray:
    """The middle of every dimension (first choice of unordered ones), first sub-space."""
    return space.canonical(_middle_values(space)[None])[0]


def _middle_values(space: SearchSpace) -> np.ndarray:
    row = np.full(space.n_columns, 0.5)
    for j, column in enumerate(space.columns):
        if column.dimension.kind is Kind.CATEGORICAL:
            row[j] = column.dimension.unit_of_level(np.array([0]))[0]
    return row


def _all_levels(space: SearchSpace, base: np.ndarray, j: int) -> np.ndarray:
    """``base`` with column ``j`` set to each of its other levels.

    Switching the sub-space (column ``j`` is the sub-space choice) keeps the
    parameters both sub-spaces share and sets the others to their middle.
    """
    dim = space.columns[j].dimension
    current = dim.level_of(base[j : j + 1])[0]
    levels = np.array([lv for lv in range(dim.n_levels) if lv != current], dtype=np.int64)
    rows = np.repeat(np.where(np.isnan(base), _middle_values(space), base)[None], len(levels), 0)
    rows[:, j] = dim.unit_of_level(levels)
    return space.canonical(rows)
