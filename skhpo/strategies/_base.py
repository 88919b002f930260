"""The interface every search strategy implements."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from ..space import SearchSpace

__all__ = ["Strategy", "fitness"]


def fitness(y: np.ndarray) -> np.ndarray:
    """Scores with failed evaluations (``NaN``) as the worst possible fitness, ``-inf``."""
    return np.where(np.isnan(y), -np.inf, y)


class Strategy(ABC):
    """An ask/tell optimiser over the encoded rows of a :class:`SearchSpace`.

    A strategy knows nothing of scikit-learn: it proposes canonical rows of the
    space's unit-cube encoding and learns from the scores it is told. Higher
    scores are better; ``NaN`` is a failed evaluation, worse than any score.
    ``tell`` may be given rows the strategy never asked for (user-given starting
    points, random fill-ins): it records them like any other.

    Parameters
    ----------
    space : SearchSpace
    rng : numpy.random.Generator
        The only source of randomness, so a seeded search is reproducible.

    Attributes
    ----------
    X : ndarray of shape (n_observations, space.n_columns)
        Every row told so far.
    y : ndarray of shape (n_observations,)
        Their scores.
    y_std : ndarray of shape (n_observations,)
        Their standard deviations across CV folds (``NaN`` when unknown).
    """

    #: Candidates per batch when the user does not choose.
    default_batch_size: int = 8
    #: Whether the strategy searches list-of-dicts spaces (several sub-spaces).
    supports_subspaces: bool = True

    def __init__(self, space: SearchSpace, rng: np.random.Generator) -> None:
        self.space = space
        self.rng = rng
        self.X = np.empty((0, space.n_columns))
        self.y = np.empty(0)
        self.y_std = np.empty(0)
        self.initial_design = np.empty((0, space.n_columns))
        self._n_designed = 0

    # -- helpers every strategy shares -------------------------------------------------------
    def make_initial_design(self, n: int) -> None:
        """Draw an ``n``-point space-filling design, handed out by :meth:`initial_design_rows`."""
        self.initial_design = self.space.design(n, self.rng)
        self._n_designed = 0

    def initial_design_rows(self, n: int) -> list[np.ndarray]:
        """Up to ``n`` rows of the initial design not handed out yet (each is handed out once)."""
        start = self._n_designed
        rows = list(self.initial_design[start : start + n])
        self._n_designed += len(rows)
        return rows

    def hand_out_first(self, rows: np.ndarray) -> None:
        """Hand out ``rows`` in place of the next initial-design rows (at most as many).

        The design keeps its size: ``rows`` replace its first rows not handed out
        yet, the rest follow as before.
        """
        start = self._n_designed
        rows = np.asarray(rows, dtype=float).reshape(-1, self.space.n_columns)
        rows = rows[: len(self.initial_design) - start]
        self.initial_design = np.vstack(
            [self.initial_design[:start], rows, self.initial_design[start + len(rows) :]]
        )

    def avoid(self, pending: np.ndarray | None = None) -> np.ndarray:
        """The rows a proposal must not repeat: every evaluated row, then ``pending``."""
        if pending is None:
            return self.X
        return np.vstack([self.X, np.asarray(pending, dtype=float).reshape(-1, self.X.shape[1])])

    def fill(self, n: int, avoid: np.ndarray | None = None) -> np.ndarray:
        """``n`` random rows, none repeating ``avoid`` or each other when it is given.

        Without ``avoid`` the rows are plain uniform draws (no redraws).
        """
        return self.space.sample(n, self.rng, avoid=avoid)

    @abstractmethod
    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        """Propose ``n`` candidates.

        Parameters
        ----------
        n : int
            Number of rows to propose.
        pending : ndarray of shape (m, n_columns), optional
            Candidates already chosen for the current batch and not yet scored;
            a good strategy proposes rows unlike these.

        Returns
        -------
        ndarray of shape (n, space.n_columns)
        """

    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray | None = None) -> None:
        """Record scored candidates.

        Parameters
        ----------
        X : ndarray of shape (n, space.n_columns)
            Canonical rows.
        y : ndarray of shape (n,)
            Scores, higher is better, ``NaN`` for failures.
        y_std : ndarray of shape (n,), optional
            Spread of each score across CV folds.
        """
        X = np.asarray(X, dtype=float).reshape(len(X), self.space.n_columns)
        y = np.asarray(y, dtype=float).reshape(-1)
        y_std = np.full(len(y), np.nan) if y_std is None else np.asarray(y_std, dtype=float)
        if not len(X) == len(y) == len(y_std):
            raise ValueError(f"tell got {len(X)} rows, {len(y)} scores and {len(y_std)} stds")
        self.X = np.vstack([self.X, X])
        self.y = np.concatenate([self.y, y])
        self.y_std = np.concatenate([self.y_std, y_std])
