"""A genetic algorithm over the encoded space: selection, crossover, mutation."""

from __future__ import annotations

import math

import numpy as np

from ..space import Kind, SearchSpace
from ._base import Strategy, fitness

__all__ = ["GeneticStrategy"]

# Step size of Gaussian mutations (unit scale): start, bounds.
_STEP_START, _STEP_MIN, _STEP_MAX = 0.2, 0.01, 0.5
_TARGET_SUCCESS = 0.2  # Rechenberg's 1/5 success rule
_BLEND_ALPHA = 0.5  # BLX-alpha crossover of continuous columns


class GeneticStrategy(Strategy):
    """A genetic algorithm with elitism and a self-adjusting mutation step.

    The first generation is a Latin-hypercube design. Each later generation is
    bred from the parent pool, which holds the ``n_elites`` best candidates ever
    seen and the best of the latest generation: parents are picked by
    tournament, recombined (blend crossover on continuous columns, uniform
    crossover on the others; a child takes the sub-space of one parent and each
    parameter from a parent that has it) and mutated (Gaussian steps in the
    unit scale of each dimension, at least one level for integers and ordered
    choices, a switch for unordered choices). The Gaussian step follows the
    1/5 success rule: it grows when more than a fifth of the children beat
    their parents and shrinks otherwise. No child repeats a candidate already
    evaluated. Failed evaluations (NaN) are the worst fitness.

    Parameters
    ----------
    space : SearchSpace
    rng : numpy.random.Generator
    population_size : int or None, default=None
        Children per generation (and the default batch size). None:
        ``8 + 2 * ceil(ln(d))`` for ``d`` columns.
    crossover_probability : float, default=0.9
        Probability that a child is the crossover of two parents rather than a
        copy of one (it is mutated either way).
    mutation_probability : float or None, default=None
        Probability that each active parameter of a child mutates; at least one
        always does. None: ``1 / d``.
    tournament_size : int, default=3
        Candidates competing for each parent slot.
    n_elites : int or None, default=None
        Best candidates ever seen kept in the parent pool. None: a third of
        the population (at least 1).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import SearchSpace, Real, Integer
    >>> from skhpo.strategies import GeneticStrategy
    >>> space = SearchSpace({"x": Real(-2.0, 2.0), "n": Integer(1, 50)})
    >>> strategy = GeneticStrategy(space, np.random.default_rng(0))
    >>> def score(p):
    ...     return -((p["x"] - 1) ** 2) - (p["n"] - 30) ** 2 / 100
    >>> for _ in range(8):
    ...     X = strategy.ask(strategy.population_size)
    ...     strategy.tell(X, [score(p) for p in space.decode(X)])
    >>> bool(strategy.y.max() > -0.05)
    True
    """

    def __init__(
        self,
        space: SearchSpace,
        rng: np.random.Generator,
        *,
        population_size: int | None = None,
        crossover_probability: float = 0.9,
        mutation_probability: float | None = None,
        tournament_size: int = 3,
        n_elites: int | None = None,
    ) -> None:
        super().__init__(space, rng)
        d = max(space.n_columns, 1)
        if population_size is None:
            population_size = 8 + 2 * math.ceil(math.log(d))
        self.population_size = population_size
        self.default_batch_size = population_size
        self.crossover_probability = crossover_probability
        self.mutation_probability = mutation_probability or 1.0 / d
        self.tournament_size = tournament_size
        self.n_elites = max(1, population_size // 3) if n_elites is None else n_elites
        self.step = _STEP_START
        self.make_initial_design(population_size)
        self._parent_fitness: dict[bytes, float] = {}  # child key -> its best parent's score

    # -- ask -------------------------------------------------------------------------------
    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        chosen = self.initial_design_rows(n)
        if len(chosen) == n:
            return np.array(chosen)
        if not len(self.y):
            return np.vstack([*chosen, self.fill(n - len(chosen))])
        taken = set(self.space.keys(self.avoid(pending)))
        pool = self._parent_pool()
        pool_fitness = fitness(self.y[pool])
        for _ in range(3):  # children that repeat a candidate are bred again
            need = n - len(chosen)
            if not need:
                break
            first = pool[self._tournament(pool_fitness, need)]
            second = pool[self._tournament(pool_fitness, need)]
            children = self._mutate(self._crossover(self.X[first], self.X[second]))
            for child, key, a, b in zip(children, self.space.keys(children), first, second):
                if key not in taken and len(chosen) < n:
                    taken.add(key)
                    chosen.append(child)
                    self._parent_fitness[key] = float(fitness(self.y[[a, b]]).max())
        if len(chosen) < n:  # a crowded region: fill in at random
            busy = np.vstack([self.avoid(pending), np.reshape(chosen, (-1, self.space.n_columns))])
            chosen.extend(self.fill(n - len(chosen), avoid=busy))
        return np.array(chosen)

    def _parent_pool(self) -> np.ndarray:
        """Indices of the parents: the elites ever seen and the best of the latest generation."""
        order = np.argsort(-fitness(self.y), kind="stable")
        elites = order[: self.n_elites]
        latest = np.arange(max(0, len(self.y) - self.population_size), len(self.y))
        latest = latest[np.argsort(-fitness(self.y[latest]), kind="stable")]
        latest = latest[~np.isin(latest, elites)][: self.population_size - len(elites)]
        return np.concatenate([elites, latest])

    def _tournament(self, fitness: np.ndarray, n: int) -> np.ndarray:
        """Positions (in the pool) of ``n`` tournament winners."""
        size = min(self.tournament_size, len(fitness))
        entrants = self.rng.integers(0, len(fitness), size=(n, size))
        return entrants[np.arange(n), np.argmax(fitness[entrants], axis=1)]

    def _crossover(self, A: np.ndarray, B: np.ndarray) -> np.ndarray:
        """Children of parents ``A`` and ``B`` (rows), sub-space aware."""
        n = len(A)
        cross = self.rng.random(n) < self.crossover_probability
        # A child takes its sub-space from one parent; call that parent "first".
        swap = self.rng.random(n) < 0.5
        first = np.where(swap[:, None], B, A)
        second = np.where(swap[:, None], A, B)
        child = first.copy()
        both = cross[:, None] & ~np.isnan(first) & ~np.isnan(second)
        for j, column in enumerate(self.space.columns):
            rows = both[:, j]
            if not rows.any() or (j == 0 and self.space.has_subspace_column):
                continue
            a, b = first[rows, j], second[rows, j]
            if column.dimension.kind is Kind.CONTINUOUS:
                low, high = np.minimum(a, b), np.maximum(a, b)
                spread = _BLEND_ALPHA * (high - low)
                child[rows, j] = self.rng.uniform(low - spread, high + spread)
            else:
                child[rows, j] = np.where(self.rng.random(len(a)) < 0.5, a, b)
        return self.space.canonical(np.clip(child, 0.0, 1.0), self.rng)

    def _mutate(self, X: np.ndarray) -> np.ndarray:
        Y = self.space.perturb(X, self.rng, scale=self.step, prob=self.mutation_probability)
        # At least one parameter of every child mutates.
        same = np.array([a == b for a, b in zip(self.space.keys(X), self.space.keys(Y))])
        if same.any():
            active = self.space.active(X[same])
            pick = np.argmax(self.rng.random(active.shape) * active, axis=1)
            only = np.zeros_like(active)
            only[np.arange(len(pick)), pick] = True
            Y[same] = self._mutate_columns(X[same], only)
        return Y

    def _mutate_columns(self, X: np.ndarray, mask: np.ndarray) -> np.ndarray:
        moved = self.space.perturb(X, self.rng, scale=self.step, prob=1.0)
        return self.space.canonical(np.where(mask, moved, X), self.rng)

    # -- tell ------------------------------------------------------------------------------
    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray | None = None) -> None:
        n_before = len(self.y)
        super().tell(X, y, y_std)
        self._adapt_step(n_before)

    def _adapt_step(self, n_before: int) -> None:
        """1/5 success rule over the children just told (Rechenberg, 1973)."""
        keys = self.space.keys(self.X[n_before:])
        scores = fitness(self.y[n_before:])
        parents = np.array([self._parent_fitness.pop(k, np.nan) for k in keys])
        known = ~np.isnan(parents)
        if not known.any():
            return
        success = np.mean(scores[known] > parents[known])
        d = max(self.space.n_columns, 1)
        self.step *= math.exp((success - _TARGET_SUCCESS) / (1 - _TARGET_SUCCESS) / math.sqrt(d))
        self.step = float(np.clip(self.step, _STEP_MIN, _STEP_MAX))
