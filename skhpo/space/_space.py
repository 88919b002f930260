"""SearchSpace: the one translator between parameter dicts and arrays.

A space is a list of sub-spaces (one per dict of a list-of-dicts
``param_distributions``).  Its encoded form is a matrix with one row per
candidate and one column per dimension, every value in the unit interval:

* column 0 is the choice of sub-space when there is more than one;
* each ``(name, dimension)`` pair gets a column, shared by the sub-spaces that
  declare the same name with an equal dimension (so ``C`` of an rbf and of a
  poly sub-space are one column that all candidates inform);
* columns of parameters a candidate's sub-space does not have are ``NaN``.

Strategies work on these matrices; the search wrapper on dicts; ``encode`` and
``decode`` are the only bridge.  "Canonical" rows hold each value's
representative unit value, so equal canonical rows are equal candidates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
from scipy.stats import qmc

from ._convert import as_dimension
from ._dimensions import Categorical, Dimension, DiscreteDimension, IntegerDistribution, Kind

__all__ = ["ENUMERATION_LIMIT", "Column", "SearchSpace"]

#: Finite spaces up to this size are enumerated when random proposals run dry.
ENUMERATION_LIMIT = 100_000
# Redraws of random rows that repeat rows to avoid.
_REDRAWS = 10


class Column(NamedTuple):
    """One column of the encoded matrix.

    Attributes
    ----------
    name : str or None
        The parameter name, ``None`` for the choice of sub-space.
    dimension : Dimension
    subspaces : tuple of int
        The sub-spaces in which this column is active.
    """

    name: str | None
    dimension: Dimension
    subspaces: tuple[int, ...]


class SearchSpace:
    """A search space parsed from ``param_distributions``.

    Parameters
    ----------
    param_distributions : dict or list of dicts
        As accepted by :class:`~sklearn.model_selection.RandomizedSearchCV` and
        :class:`~sklearn.model_selection.GridSearchCV`: each value a list / tuple /
        1-D array of choices, a scipy.stats distribution or a skhpo dimension.
        A list of dicts is a choice among sub-spaces.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import loguniform
    >>> from skhpo.space import SearchSpace
    >>> space = SearchSpace({"C": loguniform(1e-3, 1e3), "kernel": ["rbf", "poly"]})
    >>> X = space.sample(2, np.random.default_rng(0))
    >>> X.shape
    (2, 2)
    >>> [sorted(p) for p in space.decode(X)]
    [['C', 'kernel'], ['C', 'kernel']]
    """

    def __init__(self, param_distributions: Mapping[str, Any] | Sequence[Mapping[str, Any]]):
        self.subspaces: tuple[Mapping[str, Dimension], ...] = _parse(param_distributions)
        columns: list[list] = []  # [name, dimension, [subspace indices]]
        if len(self.subspaces) > 1:
            columns.append([None, Categorical(list(range(len(self.subspaces)))), []])
        # Per sub-space, (name, column index) in the order the user wrote the names.
        self._layout: list[list[tuple[str, int]]] = []
        for s, subspace in enumerate(self.subspaces):
            layout = []
            for name, dim in subspace.items():
                j = next((j for j, c in enumerate(columns) if c[0] == name and c[1] == dim), None)
                if j is None:
                    j = len(columns)
                    columns.append([name, dim, []])
                columns[j][2].append(s)
                layout.append((name, j))
            self._layout.append(layout)
        if len(self.subspaces) > 1:
            columns[0][2] = list(range(len(self.subspaces)))
        self.columns: tuple[Column, ...] = tuple(
            Column(name, dim, tuple(subs)) for name, dim, subs in columns
        )
        # active[s, j]: column j is a parameter of sub-space s.
        self._active = np.zeros((len(self.subspaces), len(self.columns)), dtype=bool)
        for j, column in enumerate(self.columns):
            self._active[list(column.subspaces), j] = True

    # -- shape ----------------------------------------------------------------------
    @property
    def n_columns(self) -> int:
        """Number of columns of the encoded matrix."""
        return len(self.columns)

    @property
    def has_subspace_column(self) -> bool:
        """Whether column 0 is the choice of sub-space."""
        return len(self.subspaces) > 1

    @property
    def names(self) -> list[str]:
        """All parameter names, each once, in order of first appearance."""
        return list(dict.fromkeys(c.name for c in self.columns if c.name is not None))

    @property
    def size(self) -> int | float:
        """Number of distinct candidates (``math.inf`` for continuous spaces)."""
        return sum(math.prod(d.size for d in sub.values()) for sub in self.subspaces)

    def columns_of(self, *kinds: Kind) -> np.ndarray:
        """Indices of the columns whose dimension is of one of ``kinds``.

        Examples
        --------
        >>> from skhpo.space import Integer, Kind, Real, SearchSpace
        >>> space = SearchSpace({"x": Real(0.0, 1.0), "n": Integer(1, 5), "k": ["a", "b"]})
        >>> space.columns_of(Kind.ORDERED_DISCRETE, Kind.CATEGORICAL).tolist()
        [1, 2]
        """
        return np.array(
            [j for j, c in enumerate(self.columns) if c.dimension.kind in kinds], dtype=np.int64
        )

    def subspace_index(self, X: np.ndarray) -> np.ndarray:
        """Sub-space of each row, shape ``(n,)``."""
        X = self._check_matrix(X)
        if not self.has_subspace_column:
            return np.zeros(len(X), dtype=np.int64)
        return self.columns[0].dimension.level_of(X[:, 0])

    def active(self, X: np.ndarray) -> np.ndarray:
        """Boolean mask, shape ``(n, n_columns)``: the columns each row uses."""
        return self._active[self.subspace_index(X)]

    # -- canonical rows, keys --------------------------------------------------------
    def canonical(self, X: np.ndarray, rng: np.random.Generator | None = None) -> np.ndarray:
        """Snap each value to its representative, ``NaN`` in inactive columns.

        Parameters
        ----------
        X : ndarray of shape (n, n_columns)
        rng : Generator, optional
            Fills active columns that hold ``NaN`` (e.g. after a strategy switched
            the sub-space) with uniform draws; without it such a ``NaN`` raises.

        Returns
        -------
        ndarray of shape (n, n_columns)
        """
        X = self._check_matrix(X).copy()
        if self.has_subspace_column:
            if np.isnan(X[:, 0]).any():
                if rng is None:
                    raise ValueError("the sub-space column holds NaN")
                X[np.isnan(X[:, 0]), 0] = rng.random(np.isnan(X[:, 0]).sum())
        active = self.active(X)
        missing = active & np.isnan(X)
        if missing.any():
            if rng is None:
                names = sorted({self.columns[j].name for j in np.flatnonzero(missing.any(0))})
                raise ValueError(f"active columns hold NaN: {names}")
            X[missing] = rng.random(missing.sum())
        out = np.full_like(X, np.nan)
        for j, column in enumerate(self.columns):
            rows = active[:, j]
            out[rows, j] = column.dimension.snap(X[rows, j])
        return out

    def keys(self, X: np.ndarray) -> list[bytes]:
        """Hashable keys, equal for two rows exactly when they are the same candidate."""
        return [row.tobytes() for row in self._codes(X)]

    def isin(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """Whether each row of ``X`` is the same candidate as some row of ``Y``.

        The vectorised form of testing ``keys`` for membership, for the many
        candidates a strategy screens per proposal.

        Returns
        -------
        ndarray of bool, shape (len(X),)
        """
        return np.isin(_row_bytes(self._codes(X)), _row_bytes(self._codes(Y)))

    def _codes(self, X: np.ndarray) -> np.ndarray:
        """Per-column codes (``NaN`` where inactive), equal exactly for equal candidates."""
        X = self._check_matrix(X)
        active = self.active(X)
        codes = np.full(X.shape, np.nan)
        for j, column in enumerate(self.columns):
            rows = active[:, j]
            codes[rows, j] = column.dimension.codes(X[rows, j])
        return codes

    # -- the bridge -------------------------------------------------------------------
    def decode(self, X: np.ndarray) -> list[dict[str, Any]]:
        """Parameter dicts, with native Python values, one per row of ``X``."""
        X = self._check_matrix(X)
        active = self.active(X)
        values: list[list[Any]] = [[None] * self.n_columns for _ in range(len(X))]
        for j, column in enumerate(self.columns):
            rows = np.flatnonzero(active[:, j])
            if column.name is not None and len(rows):
                for i, value in zip(rows, column.dimension.from_unit(X[rows, j])):
                    values[i][j] = value
        subspace = self.subspace_index(X)
        return [{name: row[j] for name, j in self._layout[s]} for s, row in zip(subspace, values)]

    def encode(
        self, params: Iterable[Mapping[str, Any]], *, draw_missing: bool = False
    ) -> np.ndarray:
        """Canonical rows of parameter dicts.

        Each dict must name exactly the parameters of one sub-space, with values in
        its dimensions; otherwise a ``ValueError`` says what does not fit. With
        ``draw_missing``, a dict may leave out parameters whose values can only be
        drawn (objects with ``rvs`` only): their column is the middle of the unit
        range, which seeds one draw when the row is decoded.

        Returns
        -------
        ndarray of shape (n, n_columns)
        """
        rows = []
        for i, candidate in enumerate(params):
            if not isinstance(candidate, Mapping):
                raise TypeError(f"candidate {i} must be a dict, got {type(candidate).__name__}")
            rows.append(self._encode_one(dict(candidate), i, draw_missing))
        return np.array(rows, dtype=float).reshape(len(rows), self.n_columns)

    def _encode_one(self, candidate: dict, i: int, draw_missing: bool = False) -> np.ndarray:
        reasons = []
        for s, layout in enumerate(self._layout):
            names = {name for name, _ in layout}
            drawn = {
                name for name, j in layout
                if draw_missing and self.columns[j].dimension.sample_only and name not in candidate
            }  # fmt: skip
            if names - drawn != set(candidate):
                missing, extra = names - set(candidate), set(candidate) - names
                reasons.append(f"sub-space {s}: missing {sorted(missing)}, unknown {sorted(extra)}")
                continue
            row = np.full(self.n_columns, np.nan)
            if self.has_subspace_column:
                row[0] = self.columns[0].dimension.unit_of_level(np.array([s]))[0]
            try:
                for name, j in layout:
                    if name in drawn:
                        row[j] = 0.5
                    else:
                        row[j] = self.columns[j].dimension.to_unit([candidate[name]])[0]
            except ValueError as exc:
                reasons.append(f"sub-space {s}: {name!r}: {exc}")
                continue
            return row
        raise ValueError(
            f"candidate {i} {candidate!r} is not in the search space ({'; '.join(reasons)})"
        )

    # -- drawing candidates ---------------------------------------------------------------
    def sample(
        self, n: int, rng: np.random.Generator, avoid: np.ndarray | None = None
    ) -> np.ndarray:
        """``n`` canonical rows drawn uniformly (in each dimension's unit scale).

        With ``avoid`` (say, evaluated or pending candidates), rows that repeat
        one of its rows or an earlier row of the draw are redrawn, up to ten
        times: in a nearly exhausted space some may still repeat.
        """
        X = self.canonical(rng.random((n, self.n_columns)))
        if avoid is None:
            return X
        avoided = _row_bytes(self._codes(avoid))
        for _ in range(_REDRAWS):
            drawn = _row_bytes(self._codes(X))
            repeats = np.ones(n, dtype=bool)
            repeats[np.unique(drawn, return_index=True)[1]] = False  # first of each
            repeats |= np.isin(drawn, avoided)
            if not repeats.any():
                break
            X[repeats] = self.canonical(rng.random((int(repeats.sum()), self.n_columns)))
        return X

    def design(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` canonical rows of a space-filling (Latin hypercube) design."""
        if self.n_columns == 0 or n == 0:
            return np.zeros((n, self.n_columns))
        return self.canonical(qmc.LatinHypercube(self.n_columns, rng=rng).random(n))

    def enumerate(self) -> np.ndarray:
        """Every candidate of a finite space as canonical rows (``ValueError`` if too many)."""
        if self.size > ENUMERATION_LIMIT:
            raise ValueError(f"the space has {self.size} candidates, too many to enumerate")
        blocks = []
        for s, layout in enumerate(self._layout):
            grids = [
                self.columns[j].dimension.unit_of_level(  # type: ignore[attr-defined]
                    np.arange(self.columns[j].dimension.n_levels)
                )
                for _, j in layout
            ]
            mesh = np.meshgrid(*grids, indexing="ij") if grids else []
            block = np.full((math.prod(len(g) for g in grids), self.n_columns), np.nan)
            for (_, j), values in zip(layout, mesh):
                block[:, j] = values.ravel()
            if self.has_subspace_column:
                block[:, 0] = self.columns[0].dimension.unit_of_level(np.array([s]))[0]
            blocks.append(block)
        return np.vstack(blocks)

    # -- moves shared by local strategies ---------------------------------------------------
    def perturb(
        self, X: np.ndarray, rng: np.random.Generator, scale: float = 0.1, prob: float = 1.0
    ) -> np.ndarray:
        """Random neighbours of canonical rows.

        Each active entry is changed with probability ``prob``: ordered dimensions by
        a Gaussian step of standard deviation ``scale`` (in unit scale, reflected at
        the bounds, at least one level for discrete ones), unordered choices by
        switching to another choice. Columns that a sub-space switch makes active
        are drawn uniformly.

        Returns
        -------
        ndarray of shape (n, n_columns)
            Canonical rows.
        """
        X = self._check_matrix(X)
        Y = X.copy()
        change = self.active(X) & (rng.random(X.shape) < prob)
        for j, column in enumerate(self.columns):
            rows = change[:, j]
            if not rows.any():
                continue
            dim = column.dimension
            if dim.ordered:
                step = rng.normal(0.0, scale, rows.sum())
                Y[rows, j] = _reflect(X[rows, j] + step)
                if isinstance(dim, DiscreteDimension) and dim.n_levels > 1:
                    Y[rows, j] = _at_least_one_level(dim, X[rows, j], Y[rows, j], step)
            else:
                k = dim.n_levels
                old = dim.level_of(X[rows, j])  # type: ignore[attr-defined]
                new = (old + rng.integers(1, max(k, 2), size=len(old))) % k
                Y[rows, j] = dim.unit_of_level(new)  # type: ignore[attr-defined]
        return self.canonical(Y, rng)

    def neighbours(self, x: np.ndarray, j: int, step: float = 0.1) -> np.ndarray:
        """Candidates that differ from canonical row ``x`` in column ``j`` only.

        Unordered choices: every other choice. Discrete ordered dimensions: the
        levels next to it. Continuous dimensions: ``x[j] - step`` and ``x[j] + step``
        (those inside the unit interval).

        Returns
        -------
        ndarray of shape (m, n_columns)
            Canonical rows; ``m`` is 0 when ``j`` is inactive in ``x``.
        """
        x = self._check_matrix(np.atleast_2d(x))[0]
        if np.isnan(x[j]):
            return np.empty((0, self.n_columns))
        dim = self.columns[j].dimension
        if isinstance(dim, DiscreteDimension):
            level = int(dim.level_of(x[j : j + 1])[0])
            if dim.ordered:
                levels = [lv for lv in (level - 1, level + 1) if 0 <= lv < dim.n_levels]
            else:
                levels = [lv for lv in range(dim.n_levels) if lv != level]
            values = dim.unit_of_level(np.array(levels, dtype=np.int64))
        elif isinstance(dim, IntegerDistribution):
            # A discrete scipy distribution: k - 1 and k + 1.
            (k,) = dim.from_unit(x[j : j + 1])
            values = np.array([dim.to_unit([v])[0] for v in (k - 1, k + 1) if dim.contains(v)])
        else:
            values = np.array([v for v in (x[j] - step, x[j] + step) if 0.0 <= v <= 1.0])
        rows = np.repeat(x[None, :], len(values), axis=0)
        rows[:, j] = values
        rng = np.random.default_rng(0)  # only used if j is the sub-space column
        return self.canonical(rows, rng)

    # -- helpers -------------------------------------------------------------------------
    def _check_matrix(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.n_columns:
            raise ValueError(f"expected an array of shape (n, {self.n_columns}), got {X.shape}")
        return X

    def __repr__(self) -> str:
        subspaces = [dict(sub) for sub in self.subspaces]
        return f"SearchSpace({subspaces[0] if len(subspaces) == 1 else subspaces!r})"


def _at_least_one_level(
    dim: DiscreteDimension, old: np.ndarray, new: np.ndarray, step: np.ndarray
) -> np.ndarray:
    """Unit values of ``new``'s levels, moved one level on from ``old`` where equal."""
    old_level, new_level = dim.level_of(old), dim.level_of(new)
    direction = np.where(step >= 0, 1, -1)
    forced = old_level + direction
    forced = np.where((forced < 0) | (forced >= dim.n_levels), old_level - direction, forced)
    return dim.unit_of_level(np.where(new_level == old_level, forced, new_level))


def _reflect(u: np.ndarray) -> np.ndarray:
    """Fold values back into [0, 1] (a step past a bound bounces off it)."""
    u = np.mod(u, 2.0)
    return np.where(u > 1.0, 2.0 - u, u)


def _parse(param_distributions: Any) -> tuple[Mapping[str, Dimension], ...]:
    if isinstance(param_distributions, Mapping):
        dicts, names = [param_distributions], ["param_distributions"]
    elif isinstance(param_distributions, (list, tuple)):
        if not param_distributions:
            raise ValueError("param_distributions must not be an empty list")
        dicts = list(param_distributions)
        names = [f"param_distributions[{i}]" for i in range(len(dicts))]
    else:
        raise TypeError(
            "param_distributions must be a dict or a list of dicts, "
            f"got {type(param_distributions).__name__}"
        )
    subspaces = []
    for d, where in zip(dicts, names):
        if not isinstance(d, Mapping):
            raise TypeError(f"{where} must be a dict, got {type(d).__name__} {d!r}")
        subspace = {}
        for name, value in d.items():
            if not isinstance(name, str):
                raise TypeError(f"{where}: parameter names must be str, got {name!r}")
            subspace[name] = as_dimension(value, f"{where}[{name!r}]")
        if not any(_same_subspace(subspace, earlier) for earlier in subspaces):
            # A repeated sub-space adds no candidate; kept, it would be evaluated twice.
            subspaces.append(MappingProxyType(subspace))
    return tuple(subspaces)


def _same_subspace(a: Mapping[str, Dimension], b: Mapping[str, Dimension]) -> bool:
    return a.keys() == b.keys() and all(a[name] == b[name] for name in a)


def _row_bytes(codes: np.ndarray) -> np.ndarray:
    """Each row of a float matrix as one opaque value (compared byte for byte, like ``keys``)."""
    if codes.shape[1] == 0:  # an empty space has one candidate
        codes = np.zeros((len(codes), 1))
    codes = np.ascontiguousarray(codes)
    return codes.view(np.dtype((np.void, codes.dtype.itemsize * codes.shape[1]))).ravel()
