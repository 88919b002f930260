"""What a search evaluates next: the user's candidates first, then the strategy's.

The strategy proposes; the :class:`Proposer` guarantees that no candidate is
evaluated twice, filling in random candidates for any the strategy repeats.
"""

from __future__ import annotations

import numpy as np

from .space import ENUMERATION_LIMIT, SearchSpace
from .strategies import Strategy

__all__ = ["Proposer"]

# Times a strategy is asked again when its proposals repeat evaluated candidates.
_ASK_RETRIES = 3
# Rounds of random fill-ins before a small space is enumerated.
_FILL_ROUNDS = 10


class Proposer:
    """The batches a search evaluates, each of candidates never evaluated before.

    Parameters
    ----------
    space : SearchSpace
    strategy : Strategy
        Asked for candidates and told their scores.
    initial : ndarray of shape (n, n_columns)
        Canonical rows of the user-given candidates, evaluated first.
    initial_params : list of dict
        Those candidates as given.
    rng : numpy.random.Generator
        For the random fill-ins (independent of the strategy's generator).
    """

    def __init__(
        self, space: SearchSpace, strategy: Strategy, initial: np.ndarray,
        initial_params: list[dict], rng: np.random.Generator,
    ) -> None:  # fmt: skip
        self.space = space
        self.strategy = strategy
        self.initial = initial
        self.initial_params = initial_params
        self.rng = rng
        self.evaluated_keys: set[bytes] = set()

    def next_batch(self, n: int) -> tuple[np.ndarray, list[dict]]:
        """Rows and parameter dicts of the next batch (user-given points first, as given)."""
        if len(self.initial_params):
            params, self.initial_params = self.initial_params[:n], self.initial_params[n:]
            X, self.initial = self.initial[:n], self.initial[n:]
            return X, [dict(p) for p in params]
        X = self._propose(n)
        return X, self.space.decode(X)

    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray) -> None:
        """Tell the strategy the scores of evaluated candidates; never propose them again."""
        self.evaluated_keys.update(self.space.keys(X))
        self.strategy.tell(X, y, y_std)

    def _propose(self, n: int) -> np.ndarray:
        """``n`` new candidates: the strategy's, then random ones for any it repeated."""
        n = int(min(n, self.space.size - len(self.evaluated_keys)))
        chosen: list[np.ndarray] = []
        chosen_keys: set[bytes] = set()

        def keep(X: np.ndarray) -> None:
            for x, key in zip(X, self.space.keys(X)):
                if len(chosen) < n and key not in self.evaluated_keys and key not in chosen_keys:
                    chosen.append(x)
                    chosen_keys.add(key)

        for _ in range(_ASK_RETRIES):
            if len(chosen) == n:
                break
            pending = np.array(chosen) if chosen else None
            keep(self.space.canonical(self.strategy.ask(n - len(chosen), pending), self.rng))
        for _ in range(_FILL_ROUNDS):  # random fill-ins for what the strategy could not give
            if len(chosen) == n:
                break
            keep(self.space.sample(2 * (n - len(chosen)), self.rng))
        if len(chosen) < n and self.space.size <= ENUMERATION_LIMIT:
            keep(self.rng.permutation(self.space.enumerate()))
        return np.array(chosen).reshape(len(chosen), self.space.n_columns)
