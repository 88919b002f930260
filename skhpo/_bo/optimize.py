"""Maximising an acquisition function over a search space.

A space-filling set of random candidates plus local perturbations of the best
observed points is scored at once; the best few are polished by L-BFGS-B along
their continuous dimensions; the best polished candidate that was never
evaluated (nor is pending) wins.

The starts are polished together: they are independent, so maximising the sum
of their acquisition values maximises each, and one optimiser run then makes
one batched acquisition call per iteration instead of one per start and
iteration (the approach of BoTorch's ``gen_candidates_scipy``). Python overhead,
not arithmetic, is what a per-start loop costs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import minimize

from ..space import SearchSpace

__all__ = ["best_allowed", "maximize_acquisition"]

# Ordered discrete dimensions with more levels than this are polished as if
# continuous and rounded afterwards.
_POLISH_MIN_LEVELS = 16
_FD_STEP = 1e-4
# Iteration cap of the joint polish of every start: runs average about 40
# iterations, and a cap of 60 stopped one run in six short of convergence on
# Hartmann-6 (none on Branin).
_POLISH_MAX_ITER = 200
# Relative decrease of the summed acquisition below which the polish stops
# (L-BFGS-B's default, 2.2e-9, spends a third of the iterations below the
# precision of the finite-difference gradient).
_POLISH_FTOL = 1e-6
# Perturbation sizes (share of each unit range) around the incumbents.
_LOCAL_SCALES = (0.02, 0.1)
# Rows screened against the excluded ones per polished start, best first.
_SCREEN_FACTOR = 4


def maximize_acquisition(
    acquisition: Callable[[np.ndarray], np.ndarray],
    space: SearchSpace,
    rng: np.random.Generator,
    incumbents: np.ndarray,
    excluded: Callable[[np.ndarray], np.ndarray],
    n_random: int | None = None,
    n_local: int = 64,
    n_polish: int = 10,
) -> np.ndarray | None:
    """The canonical row, not in ``excluded``, that maximises ``acquisition``.

    Parameters
    ----------
    acquisition : callable
        Maps canonical rows, shape ``(m, n_columns)``, to values, shape ``(m,)``.
    space : SearchSpace
    rng : Generator
    incumbents : ndarray of shape (k, n_columns)
        Good rows around which to search locally.
    excluded : callable
        Maps canonical rows, shape ``(m, n_columns)``, to whether each must not
        be proposed (evaluated or pending), shape ``(m,)``: e.g.
        ``skhpo._bo.seen.SeenRows.contains``, whose cost
        does not grow with the history.
    n_random : int or None
        Random candidates; None: 512 per column of the space, between 1024 and
        4096 (a search in 6 dimensions needs more than one in 2; half as many
        lost on discrete-heavy spaces, rf-wine, over ten seeds).
    n_local, n_polish : int
        Perturbations per incumbent and scale, and polished starts.

    Returns
    -------
    ndarray of shape (n_columns,) or None
        None when every candidate found is excluded.
    """
    if n_random is None:
        n_random = int(np.clip(512 * space.n_columns, 1024, 4096))
    candidates = [space.sample(n_random, rng)]
    for scale in _LOCAL_SCALES:  # every incumbent's perturbations in one call
        candidates.append(space.perturb(np.repeat(incumbents, n_local, 0), rng, scale, 0.5))
    X = np.vstack(candidates)
    values = acquisition(X)
    top = best_allowed(values, X, excluded, n_polish)
    if not len(top):
        return None
    best_x, best_value = X[top[0]], values[top[0]]
    polished, polished_values = _polish(acquisition, space, X[top], _polishable_columns(space))
    polished_values[excluded(polished)] = -np.inf
    if polished_values.max() > best_value:
        best_x = polished[np.argmax(polished_values)]
    return best_x


def best_allowed(
    values: np.ndarray,
    X: np.ndarray,
    excluded: Callable[[np.ndarray], np.ndarray],
    k: int,
) -> np.ndarray:
    """Indices of the ``k`` highest ``values`` whose rows of ``X`` are not excluded.

    Best first; fewer when fewer are allowed. The same rows, in the same order,
    as screening every row and then ranking the allowed ones, but only the best
    ``_SCREEN_FACTOR * k`` rows are screened (screening is a hash look-up per
    row, in Python): all of them only when too few of those are allowed.
    """
    order = np.argsort(-values, kind="stable")
    head = order[: _SCREEN_FACTOR * k]
    allowed = head[~excluded(X[head])]
    if len(allowed) < k and len(head) < len(order):
        rest = order[len(head) :]
        allowed = np.concatenate([allowed, rest[~excluded(X[rest])]])
    return allowed[:k]


def _polishable_columns(space: SearchSpace) -> np.ndarray:
    return np.array(
        [
            j
            for j, c in enumerate(space.columns)
            if c.dimension.ordered
            and not c.dimension.sample_only
            and (c.dimension.n_levels is None or c.dimension.n_levels > _POLISH_MIN_LEVELS)
        ],
        dtype=np.int64,
    )


def _polish(
    acquisition: Callable[[np.ndarray], np.ndarray],
    space: SearchSpace,
    starts: np.ndarray,
    polishable: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """L-BFGS-B on the active continuous coordinates of every start at once.

    Returns the polished canonical rows and their acquisition values (``-inf``
    for a start with nothing to polish).
    """
    active = np.zeros(starts.shape, dtype=bool)
    active[:, polishable] = True
    active &= ~np.isnan(starts)
    row_of, column_of = np.nonzero(active)  # one variable per (start, active column)
    if not len(row_of):
        return starts, np.full(len(starts), -np.inf)
    n_starts, n_vars = len(starts), len(row_of)

    def negative_sum_with_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
        # One batched call: every start, and each start moved a forward (or, at
        # the upper bound, backward) step along each of its own coordinates.
        step = np.where(z + _FD_STEP <= 1.0, _FD_STEP, -_FD_STEP)
        points = starts.copy()
        points[row_of, column_of] = z
        moved = points[row_of]
        moved[np.arange(n_vars), column_of] += step
        values = acquisition(np.vstack([points, moved]))
        gradient = (values[n_starts:] - values[row_of]) / step
        return -float(values[:n_starts].sum()), -gradient

    result = minimize(
        negative_sum_with_gradient,
        starts[row_of, column_of],
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, 1.0)] * n_vars,
        options={"maxiter": _POLISH_MAX_ITER, "ftol": _POLISH_FTOL},
    )
    polished = starts.copy()
    polished[row_of, column_of] = result.x
    polished = space.canonical(polished)
    values = acquisition(polished)
    values[~active.any(1)] = -np.inf
    return polished, values
