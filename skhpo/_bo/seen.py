"""The candidates a proposal must not repeat, screened at a cost that does not grow.

Every proposal screens candidate rows against the evaluated ones (the best
few dozen of a few thousand, all of them when too few of those are new; see
``skhpo._bo.optimize.best_allowed``). Comparing them with every evaluated row
(``SearchSpace.isin``) costs time in proportion to the history; looking each
candidate's key up in a hash set costs the same at 10 observations as at
10,000, and the set grows by a batch at each ``tell``.
"""

from __future__ import annotations

import numpy as np

from ..space import SearchSpace

__all__ = ["SeenRows"]


class SeenRows:
    """Keys of candidates already evaluated (or pending), for screening proposals.

    Parameters
    ----------
    space : SearchSpace
    base : SeenRows or None
        Rows this set extends without copying them (see :meth:`extended`).

    Examples
    --------
    >>> import numpy as np
    >>> from skhpo.space import SearchSpace, Integer
    >>> space = SearchSpace({"n": Integer(1, 4)})
    >>> seen = SeenRows(space)
    >>> seen.add(space.encode([{"n": 2}]))
    >>> pending = seen.extended(space.encode([{"n": 3}]))
    >>> pending.contains(space.encode([{"n": 1}, {"n": 2}, {"n": 3}])).tolist()
    [False, True, True]
    >>> seen.contains(space.encode([{"n": 3}])).tolist()
    [False]
    """

    def __init__(self, space: SearchSpace, base: SeenRows | None = None) -> None:
        self.space = space
        self._base = base
        self._keys: set[bytes] = set()

    def add(self, X: np.ndarray) -> None:
        """Add canonical rows ``X``, shape ``(n, n_columns)``."""
        self._keys.update(self.space.keys(X))

    def extended(self, X: np.ndarray) -> SeenRows:
        """A set that also holds ``X``; this one is shared, not copied, nor changed."""
        extended = SeenRows(self.space, base=self)
        extended.add(X)
        return extended

    def __contains__(self, key: bytes) -> bool:
        return key in self._keys or (self._base is not None and key in self._base)

    def contains(self, X: np.ndarray) -> np.ndarray:
        """Whether each canonical row of ``X`` is in the set, shape ``(len(X),)``."""
        return np.fromiter((key in self for key in self.space.keys(X)), bool, len(X))
