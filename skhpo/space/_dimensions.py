"""One-dimensional search ranges and their encoding into the unit interval.

Every dimension maps its values to ``[0, 1]`` and back, vectorised over arrays of
unit values.  Strategies only ever see unit values; users only ever see native
Python values.  Discrete dimensions (integers, ordered and unordered choices)
split the unit interval into ``n_levels`` cells, so that a uniform draw in the
unit interval is a uniform draw over the levels and every point of a cell
decodes to the same value.

Dimensions are immutable values: they validate eagerly at construction and
compare equal when they describe the same range.
"""

from __future__ import annotations

import numbers
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import rv_discrete
from sklearn.base import clone

__all__ = [
    "Categorical",
    "Dimension",
    "Distribution",
    "Integer",
    "Ordinal",
    "Real",
]

# Keys of continuous values are rounded to this many decimals of the unit
# interval: two candidates closer than that are the same candidate.
_KEY_DECIMALS = 12


def _is_real_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _is_integer(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def _is_estimator(value: Any) -> bool:
    return hasattr(value, "get_params") and hasattr(value, "fit") and not isinstance(value, type)


def same_value(a: Any, b: Any) -> bool:
    """Whether two parameter values are the same choice.

    Identity first; estimators compare by class and parameters; anything else by
    type and ``==`` (so ``1``, ``1.0`` and ``True`` stay distinct choices, and
    objects whose ``==`` does not give a bool, e.g. arrays, compare by identity).
    """
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if _is_estimator(a):
        pa, pb = a.get_params(deep=False), b.get_params(deep=False)
        return pa.keys() == pb.keys() and all(same_value(pa[k], pb[k]) for k in pa)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - ambiguous or failing __eq__ means "not equal"
        return False


class Dimension(ABC):
    """A one-dimensional range of values, encoded into the unit interval.

    Subclasses implement the mapping between native values and unit values.
    ``n_levels`` is ``None`` for continuous dimensions and the number of distinct
    values otherwise; ``ordered`` says whether neighbouring unit values are
    similar values (False only for unordered choices).
    """

    n_levels: int | None = None
    ordered: bool = True
    log: bool = False
    #: True when values can only be drawn, not modelled (an object with ``rvs`` only).
    sample_only: bool = False

    @abstractmethod
    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        """Encode native values, shape ``(n,)``, into unit values.

        Raises ``ValueError`` for a value outside the dimension.
        """

    @abstractmethod
    def from_unit(self, u: np.ndarray) -> list:
        """Decode unit values, shape ``(n,)``, into native Python values."""

    @abstractmethod
    def contains(self, value: Any) -> bool:
        """Whether ``value`` is a value of this dimension."""

    def snap(self, u: np.ndarray) -> np.ndarray:
        """Canonical unit values: the representative of each value's cell."""
        return np.clip(np.asarray(u, dtype=float), 0.0, 1.0) + 0.0  # + 0.0: no -0.0

    def codes(self, u: np.ndarray) -> np.ndarray:
        """Numbers equal for two unit values exactly when they decode to the same value."""
        return np.round(self.snap(u), _KEY_DECIMALS) + 0.0

    @property
    def size(self) -> float | int:
        """Number of distinct values (``math.inf`` when continuous)."""
        return float("inf") if self.n_levels is None else self.n_levels

    # -- value semantics -------------------------------------------------------
    @abstractmethod
    def _identity(self) -> tuple:
        """What makes two dimensions of the same class equal."""

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        mine, theirs = self._identity(), other._identity()  # type: ignore[attr-defined]
        return len(mine) == len(theirs) and all(map(same_value, mine, theirs))

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.n_levels))

    def __setattr__(self, name: str, value: Any) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__setattr__(self, name, value)

    def _freeze(self) -> None:
        object.__setattr__(self, "_frozen", True)


class _DiscreteDimension(Dimension):
    """A dimension with finitely many levels, each owning one cell of [0, 1]."""

    @abstractmethod
    def level_of(self, u: np.ndarray) -> np.ndarray:
        """Integer level, in ``[0, n_levels)``, of each unit value."""

    @abstractmethod
    def unit_of_level(self, levels: np.ndarray) -> np.ndarray:
        """Canonical unit value of each level."""

    @abstractmethod
    def cell_edges(self) -> np.ndarray:
        """Unit values where the cells of the levels meet, shape ``(n_levels + 1,)``.

        Level ``i`` owns ``[edges[i], edges[i + 1])``; ``edges[0] == 0``, ``edges[-1] == 1``.
        """

    def snap(self, u: np.ndarray) -> np.ndarray:
        return self.unit_of_level(self.level_of(u))

    def codes(self, u: np.ndarray) -> np.ndarray:
        return self.level_of(u).astype(float)


def _check_bounds(cls_name: str, low: Any, high: Any, log: Any, check: Any) -> None:
    for arg, value in (("low", low), ("high", high)):
        if not check(value):
            kind = "an integer" if check is _is_integer else "a real number"
            raise TypeError(f"{cls_name}: {arg} must be {kind}, got {value!r}")
        try:
            finite = np.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            raise ValueError(f"{cls_name}: {arg} must be finite, got {value!r}")
    if isinstance(log, str):  # scikit-optimize's prior, e.g. Real(1e-4, 1, "log-uniform")
        raise TypeError(f"{cls_name}: log must be a bool, got {log!r}; {_use_log(log)}")
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"{cls_name}: log must be a bool, got {log!r}")
    if low >= high:
        raise ValueError(f"{cls_name}: low must be < high, got low={low!r} >= high={high!r}")
    if log and low <= 0:
        raise ValueError(f"{cls_name}: log=True needs low > 0, got low={low!r}")


def _use_log(prior: Any) -> str:
    """What to write instead of scikit-optimize's ``prior``."""
    return "use log=True" if "log" in str(prior) else "use log=False (the default)"


class _SkoptKeywordHints:
    """Base of Real and Integer: scikit-optimize's keywords get a hint, not
    Python's bare "unexpected keyword argument"."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if "prior" in kwargs:
            raise TypeError(
                f"{cls.__name__} has no prior; for prior={kwargs['prior']!r}, "
                f"{_use_log(kwargs['prior'])}"
            )
        if "name" in kwargs:
            raise TypeError(
                f"{cls.__name__} has no name: a dimension is named by its key in "
                "param_distributions"
            )
        return super().__new__(cls)


class Real(_SkoptKeywordHints, Dimension):
    """Real numbers between ``low`` and ``high``, both included.

    Parameters
    ----------
    low, high : float
        Bounds of the range, ``low < high``.
    log : bool, default=False
        Search on a log scale (for learning rates, regularisation strengths...):
        equal ratios of values are equally far apart. Needs ``low > 0``.

    Examples
    --------
    >>> from skhpo import Real
    >>> Real(1e-4, 1e-1, log=True)
    Real(0.0001, 0.1, log=True)
    """

    def __init__(self, low: float, high: float, log: bool = False) -> None:
        _check_bounds("Real", low, high, log, _is_real_number)
        self.low = float(low)
        self.high = float(high)
        self.log = bool(log)
        self._t_low, self._t_high = self._transform(np.array([self.low, self.high]))
        if not self._t_low < self._t_high:
            raise ValueError(f"Real: the log range from low={low!r} to high={high!r} is too narrow")
        with np.errstate(over="ignore"):
            self._span_is_finite = bool(np.isfinite(self._t_high - self._t_low))
        self._freeze()

    def _transform(self, x: np.ndarray) -> np.ndarray:
        return np.log(x) if self.log else x

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        for value in values:
            if not self.contains(value):
                raise ValueError(f"{value!r} is not in {self!r}")
        t = self._transform(np.asarray(values, dtype=float))
        if self._span_is_finite:
            u = (t - self._t_low) / (self._t_high - self._t_low)
        else:  # bounds near the float limits: halves do not overflow
            u = (t / 2 - self._t_low / 2) / (self._t_high / 2 - self._t_low / 2)
        return np.clip(u, 0.0, 1.0) + 0.0

    def from_unit(self, u: np.ndarray) -> list:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self._span_is_finite:
            t = self._t_low + u * (self._t_high - self._t_low)
        else:
            t = self._t_low * (1.0 - u) + self._t_high * u
        x = np.exp(t) if self.log else t
        return (np.clip(x, self.low, self.high) + 0.0).tolist()

    def contains(self, value: Any) -> bool:
        return _is_real_number(value) and self.low <= value <= self.high

    def _identity(self) -> tuple:
        return (self.low, self.high, self.log)

    def __repr__(self) -> str:
        log = ", log=True" if self.log else ""
        return f"Real({self.low!r}, {self.high!r}{log})"


class Integer(_SkoptKeywordHints, _DiscreteDimension):
    """Integers from ``low`` to ``high``, both included.

    Parameters
    ----------
    low, high : int
        Bounds of the range, ``low < high``.
    log : bool, default=False
        Search on a log scale (e.g. numbers of trees or neighbours spanning
        orders of magnitude). Needs ``low > 0``.

    Examples
    --------
    >>> from skhpo import Integer
    >>> Integer(1, 100, log=True).from_unit([0.0, 0.5, 1.0])
    [1, 10, 100]
    """

    def __init__(self, low: int, high: int, log: bool = False) -> None:
        _check_bounds("Integer", low, high, log, _is_integer)
        self.low = int(low)
        self.high = int(high)
        self.log = bool(log)
        self.n_levels = self.high - self.low + 1
        # Each integer v owns the values that round to it: [v - 1/2, v + 1/2) on a linear
        # scale (so a uniform unit value is a uniform integer); on a log scale the range
        # is [low, high] in log space, so that the middle of Integer(1, 100, log=True) is 10.
        edges = [self.low, self.high] if self.log else [self.low - 0.5, self.high + 0.5]
        self._t_low, self._t_high = self._transform(np.array(edges, dtype=float))
        self._freeze()

    def _transform(self, x: np.ndarray) -> np.ndarray:
        return np.log(x) if self.log else x

    def _values(self, u: np.ndarray) -> np.ndarray:
        t = self._t_low + np.clip(u, 0.0, 1.0) * (self._t_high - self._t_low)
        x = np.exp(t) if self.log else t
        return np.clip(np.floor(x + 0.5), self.low, self.high).astype(np.int64)

    def level_of(self, u: np.ndarray) -> np.ndarray:
        return self._values(np.asarray(u, dtype=float)) - self.low

    def unit_of_level(self, levels: np.ndarray) -> np.ndarray:
        t = self._transform(np.asarray(levels, dtype=float) + self.low)
        return (t - self._t_low) / (self._t_high - self._t_low)

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        for value in values:
            if not self.contains(value):
                raise ValueError(f"{value!r} is not in {self!r}")
        return self.unit_of_level(np.asarray(values, dtype=np.int64) - self.low)

    def cell_edges(self) -> np.ndarray:
        # v owns the values that round to it, [v - 1/2, v + 1/2), clipped to the range.
        halves = np.arange(self.low, self.high + 2, dtype=float) - 0.5
        if self.log:
            halves = np.maximum(halves, self.low)
        t = self._transform(np.clip(halves, self.low - 0.5, self.high + 0.5))
        edges = np.clip((t - self._t_low) / (self._t_high - self._t_low), 0.0, 1.0)
        edges[0], edges[-1] = 0.0, 1.0
        return edges

    def from_unit(self, u: np.ndarray) -> list:
        return self._values(np.asarray(u, dtype=float)).tolist()

    def contains(self, value: Any) -> bool:
        return _is_integer(value) and self.low <= value <= self.high

    def _identity(self) -> tuple:
        return (self.low, self.high, self.log)

    def __repr__(self) -> str:
        log = ", log=True" if self.log else ""
        return f"Integer({self.low!r}, {self.high!r}{log})"


def _check_choices(cls_name: str, choices: Any) -> list:
    if isinstance(choices, np.ndarray):
        if choices.ndim != 1:
            raise ValueError(
                f"{cls_name}: choices must be one-dimensional, got shape {choices.shape}"
            )
        choices = choices.tolist()  # native Python values, never numpy scalars
    elif not isinstance(choices, (list, tuple)):
        raise TypeError(
            f"{cls_name}: choices must be a list, tuple or 1-D array, got {type(choices).__name__}"
        )
    choices = list(choices)
    if not choices:
        raise ValueError(f"{cls_name}: choices must not be empty")
    for i, value in enumerate(choices):
        for earlier in choices[:i]:
            if same_value(value, earlier):
                raise ValueError(f"{cls_name}: choices must be distinct, {value!r} appears twice")
    return choices


class _Choices(_DiscreteDimension):
    """Shared cell arithmetic of finite lists of choices: level i owns [i/k, (i+1)/k)."""

    choices: tuple

    def level_of(self, u: np.ndarray) -> np.ndarray:
        k = self.n_levels
        return np.clip(np.floor(np.asarray(u, dtype=float) * k), 0, k - 1).astype(np.int64)

    def unit_of_level(self, levels: np.ndarray) -> np.ndarray:
        return (np.asarray(levels, dtype=float) + 0.5) / self.n_levels

    def cell_edges(self) -> np.ndarray:
        return np.linspace(0.0, 1.0, self.n_levels + 1)

    def index(self, value: Any) -> int:
        """Position of ``value`` among the choices (``ValueError`` if absent)."""
        for i, choice in enumerate(self.choices):
            if same_value(value, choice):
                return i
        raise ValueError(f"{value!r} is not in {self!r}")

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        return self.unit_of_level(np.array([self.index(v) for v in values], dtype=np.int64))

    def from_unit(self, u: np.ndarray) -> list:
        # Estimators are cloned so that no two candidates share one object.
        return [
            clone(self.choices[i]) if _is_estimator(self.choices[i]) else self.choices[i]
            for i in self.level_of(u)
        ]

    def contains(self, value: Any) -> bool:
        return any(same_value(value, choice) for choice in self.choices)

    def _identity(self) -> tuple:
        return self.choices

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self.choices)!r})"


class Categorical(_Choices):
    """Unordered choices among any Python objects.

    Values reach the estimator exactly as given: strings stay ``str``, ``None``,
    booleans and tuples such as ``(50, 50)`` are valid choices, and estimator
    objects are cloned for each candidate.

    Parameters
    ----------
    choices : list, tuple or 1-D array
        Distinct values (a numpy array is converted to native Python values).

    Examples
    --------
    >>> from skhpo import Categorical
    >>> Categorical(["rbf", "poly", None]).from_unit([0.1, 0.9])
    ['rbf', None]
    """

    ordered = False

    def __init__(self, choices: Sequence[Any]) -> None:
        self.choices = tuple(_check_choices("Categorical", choices))
        self.n_levels = len(self.choices)
        self._freeze()


class Ordinal(_Choices):
    """Ordered numeric choices, such as ``[1, 3, 10, 30]``.

    A list of numbers in ``param_distributions`` becomes an ``Ordinal``: values are
    sorted and neighbouring values are treated as similar by the strategies.
    Each value keeps its own type (``1`` stays ``int``, ``0.5`` stays ``float``).

    Parameters
    ----------
    values : list, tuple or 1-D array of real numbers
        Distinct numbers, not NaN.
    """

    def __init__(self, values: Sequence[Any]) -> None:
        values = _check_choices("Ordinal", values)
        for value in values:
            if not _is_real_number(value) or np.isnan(value):
                raise TypeError(f"Ordinal: values must be real numbers, got {value!r}")
        if len({float(v) for v in values}) != len(values):
            raise ValueError(f"Ordinal: values must be distinct, got {values!r}")
        self.choices = tuple(sorted(values))
        self.n_levels = len(self.choices)
        self._freeze()


class Distribution(Dimension):
    """A scipy.stats frozen distribution, searched in quantile space.

    The unit value of ``x`` is ``cdf(x)``, so a uniform unit value is a draw from
    the distribution and every strategy can search it (e.g. a normal prior
    concentrates the search around its mean). Discrete distributions decode to
    ``int``. An object with only an ``rvs`` method can only be sampled: each unit
    value seeds one draw, so strategies can propose values but learn nothing
    about this dimension.

    Parameters
    ----------
    distribution : object
        A frozen scipy.stats distribution (anything with ``ppf`` and ``cdf``), or
        any object with ``rvs(random_state=...)``.
    """

    # Quantiles kept off 0 and 1, where unbounded distributions are infinite; values
    # further in the tails than these quantiles cannot be represented (or given).
    _EPS = 1e-12

    def __init__(self, distribution: Any) -> None:
        if not hasattr(distribution, "rvs"):
            raise TypeError(f"Distribution: {distribution!r} has no rvs method")
        self.distribution = distribution
        self.sample_only = not (hasattr(distribution, "ppf") and hasattr(distribution, "cdf"))
        self.discrete = isinstance(getattr(distribution, "dist", None), rv_discrete)
        self._freeze()

    def snap(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(np.asarray(u, dtype=float), self._EPS, 1.0 - self._EPS)
        if not self.discrete:
            return u
        k = self.distribution.ppf(u)
        # The middle of the quantile cell of k decodes back to k.
        return np.clip(
            (self.distribution.cdf(k - 1) + self.distribution.cdf(k)) / 2, self._EPS, 1 - self._EPS
        )

    def codes(self, u: np.ndarray) -> np.ndarray:
        if self.sample_only:
            return np.floor(np.clip(u, 0.0, 1.0) * 2**31)
        if self.discrete:
            return self.distribution.ppf(self.snap(u))
        return np.round(self.snap(u), _KEY_DECIMALS)

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        if self.sample_only:
            raise ValueError(f"values of {self!r} can only be drawn, not given")
        for value in values:
            if not self.contains(value):
                raise ValueError(f"{value!r} is not in {self!r}")
        return self.snap(self.distribution.cdf(np.asarray(values, dtype=float)))

    def from_unit(self, u: np.ndarray) -> list:
        if self.sample_only:
            seeds = self.codes(u).astype(np.int64)
            return [self.distribution.rvs(random_state=int(s)) for s in seeds]
        x = self.distribution.ppf(self.snap(u))
        return x.astype(np.int64).tolist() if self.discrete else x.astype(float).tolist()

    def contains(self, value: Any) -> bool:
        if self.sample_only:
            return True
        if not _is_real_number(value) or (self.discrete and not float(value).is_integer()):
            return False
        low, high = self.distribution.support()
        if not low <= value <= high:
            return False
        q = self.distribution.cdf(value)
        q_below = self.distribution.cdf(value - 1) if self.discrete else q
        return bool(q >= self._EPS and q_below <= 1.0 - self._EPS)

    def _identity(self) -> tuple:
        return (self.distribution,)

    def __repr__(self) -> str:
        dist = self.distribution
        name = getattr(getattr(dist, "dist", None), "name", None)
        if name is None:
            return f"Distribution({dist!r})"
        args = ", ".join(
            [
                *map(repr, getattr(dist, "args", ())),
                *(f"{k}={v!r}" for k, v in getattr(dist, "kwds", {}).items()),
            ]
        )
        return f"Distribution({name}({args}))"
