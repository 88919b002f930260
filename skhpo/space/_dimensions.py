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

import enum
import numbers
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import rv_discrete
from sklearn.base import clone

__all__ = [
    "Categorical",
    "Choices",
    "ContinuousDistribution",
    "Dimension",
    "DiscreteDimension",
    "DiscreteDistribution",
    "Distribution",
    "Integer",
    "IntegerDistribution",
    "Kind",
    "Ordinal",
    "Real",
    "SampleOnlyDistribution",
    "is_real_number",
]

# Keys of continuous values are rounded to this many decimals of the unit
# interval: two candidates closer than that are the same candidate.
_KEY_DECIMALS = 12
# Integer bounds must lie within +-2**53: there every integer is exactly a float.
_MAX_EXACT_INT = 2**53
# A Real range must hold at least this many floats, so that a search's candidates
# are distinct values rather than the same few floats again and again.
_MIN_REAL_FLOATS = 2**16
# Quantiles kept off 0 and 1, where unbounded distributions are infinite; values
# further in the tails than these quantiles cannot be represented (or given).
_QUANTILE_EPS = 1e-12
# Discrete distributions with finite support of at most this many values are
# searched as finitely many levels (one per value of positive probability).
_MAX_FINITE_LEVELS = 10_000


def is_real_number(value: Any) -> bool:
    """Whether ``value`` is a real number (booleans are not)."""
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
    A numpy scalar counts as the Python type it stands for: ``np.float64(0.5)``
    (from ``np.linspace``) and ``0.5`` are the same choice, as are
    ``np.int64(3)`` and ``3``.
    """
    if a is b:
        return True
    if _value_type(a) is not _value_type(b):
        return False
    if _is_estimator(a):
        pa, pb = a.get_params(deep=False), b.get_params(deep=False)
        return pa.keys() == pb.keys() and all(same_value(pa[k], pb[k]) for k in pa)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - ambiguous or failing __eq__ means "not equal"
        return False


def _value_type(value: Any) -> type:
    """The type that decides whether two values may be the same choice."""
    if isinstance(value, (bool, np.bool_)):
        return bool
    if isinstance(value, (int, np.integer)):
        return int
    if isinstance(value, (float, np.floating)):
        return float
    if isinstance(value, (str, np.str_)):
        return str
    return type(value)


class Kind(enum.Enum):
    """How strategies treat a dimension: the one place this is decided.

    ``CONTINUOUS``: ordered, infinitely many values (a real range, a continuous
    distribution). ``ORDERED_DISCRETE``: ordered, integer-like values each owning a
    cell of the unit interval (integers, ordered choices, discrete distributions).
    ``CATEGORICAL``: unordered choices. ``SAMPLE_ONLY``: values can only be drawn
    (an object with ``rvs`` only), so nothing can be learnt about them.
    """

    CONTINUOUS = "continuous"
    ORDERED_DISCRETE = "ordered discrete"
    CATEGORICAL = "categorical"
    SAMPLE_ONLY = "sample-only"


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

    @property
    def kind(self) -> Kind:
        """How strategies treat this dimension (see :class:`Kind`)."""
        if not self.ordered:
            return Kind.CATEGORICAL
        return Kind.CONTINUOUS if self.n_levels is None else Kind.ORDERED_DISCRETE

    def cell(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit values where the cell of each unit value's value starts and ends.

        Every unit value of a cell decodes to the same value; defined for discrete
        kinds only (``TypeError`` otherwise).
        """
        raise TypeError(f"{self!r} is {self.kind.value}: its values have no cells")

    def cell_width(self, u: np.ndarray) -> np.ndarray:
        """Width of the cell of each unit value's value (see :meth:`cell`)."""
        start, end = self.cell(u)
        return end - start

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


class DiscreteDimension(Dimension):
    """A dimension with finitely many levels, each owning one cell of [0, 1]."""

    @abstractmethod
    def level_of(self, u: np.ndarray) -> np.ndarray:
        """Integer level, in ``[0, n_levels)``, of each unit value."""

    @abstractmethod
    def unit_of_level(self, levels: np.ndarray) -> np.ndarray:
        """Canonical unit value of each level."""

    @abstractmethod
    def cell_bounds(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Unit values where the cell of each level starts and ends, two arrays ``(n,)``.

        Level ``i`` owns ``[start[i], end[i])``; level 0 starts at 0, the last ends at 1.
        Memory and time depend on ``len(levels)`` only, never on ``n_levels``.
        """

    def cell(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.cell_bounds(self.level_of(u))

    def cell_edges(self) -> np.ndarray:
        """Unit values where the cells of all levels meet, shape ``(n_levels + 1,)``.

        Allocates one entry per level: for small dimensions only (prefer ``cell_bounds``).
        """
        start, end = self.cell_bounds(np.arange(self.n_levels))
        return np.append(start, end[-1:])

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
        if check is _is_integer and abs(int(value)) > _MAX_EXACT_INT:
            raise ValueError(
                f"{cls_name}: {arg} must lie within +-2**53 (= {_MAX_EXACT_INT}), where every "
                f"integer is exactly a float, got {value!r}"
            )
    if check is _is_integer:
        low, high = int(low), int(high)
    if isinstance(log, str):  # scikit-optimize's prior, e.g. Real(1e-4, 1, "log-uniform")
        raise TypeError(f"{cls_name}: log must be a bool, got {log!r}; {_use_log(log)}")
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"{cls_name}: log must be a bool, got {log!r}")
    if low >= high:
        raise ValueError(f"{cls_name}: low must be < high, got low={low!r} >= high={high!r}")
    if log and low <= 0:
        raise ValueError(f"{cls_name}: log=True needs low > 0, got low={low!r}")


def _float_ordinal(x: float) -> int:
    """Position of ``x`` among all floats: consecutive floats have consecutive ordinals."""
    bits = int(np.array(x, dtype=np.float64).view(np.int64))
    return bits if bits >= 0 else -(bits & 0x7FFF_FFFF_FFFF_FFFF)


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
        _check_bounds("Real", low, high, log, is_real_number)
        self.low = float(low)
        self.high = float(high)
        self.log = bool(log)
        n_floats = _float_ordinal(self.high) - _float_ordinal(self.low) + 1
        if n_floats < _MIN_REAL_FLOATS:
            raise ValueError(
                f"Real: the range from low={low!r} to high={high!r} holds only {n_floats} "
                f"floats; a Real range must hold at least {_MIN_REAL_FLOATS} (for a few "
                "values, give them as a list)"
            )
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
        return self._unit(np.asarray(values, dtype=float))

    def _unit(self, x: np.ndarray) -> np.ndarray:
        t = self._transform(x)
        if self._span_is_finite:
            u = (t - self._t_low) / (self._t_high - self._t_low)
        else:  # bounds near the float limits: halves do not overflow
            u = (t / 2 - self._t_low / 2) / (self._t_high / 2 - self._t_low / 2)
        return np.clip(u, 0.0, 1.0) + 0.0

    def _values(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self._span_is_finite:
            t = self._t_low + u * (self._t_high - self._t_low)
        else:
            t = self._t_low * (1.0 - u) + self._t_high * u
        x = np.exp(t) if self.log else t
        # The ends are exact: exp(log(high)) or low + (high - low) may miss high by an ulp.
        x = np.where(u <= 0.0, self.low, np.where(u >= 1.0, self.high, x))
        return np.clip(x, self.low, self.high) + 0.0

    def from_unit(self, u: np.ndarray) -> list:
        return self._values(u).tolist()

    def codes(self, u: np.ndarray) -> np.ndarray:
        # Codes of the decoded floats: unit values that decode to one float are one candidate.
        return np.round(self._unit(self._values(u)), _KEY_DECIMALS) + 0.0

    def contains(self, value: Any) -> bool:
        return is_real_number(value) and self.low <= value <= self.high

    def _identity(self) -> tuple:
        return (self.low, self.high, self.log)

    def __repr__(self) -> str:
        log = ", log=True" if self.log else ""
        return f"Real({self.low!r}, {self.high!r}{log})"


class Integer(_SkoptKeywordHints, DiscreteDimension):
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
        # Each integer v owns the values that round to it: the cell [v - 1/2, v + 1/2) on a
        # linear scale, so level i owns [i / n, (i + 1) / n) (a uniform unit value is a uniform
        # integer); on a log scale the range is [low, high] in log space, so that the middle
        # of Integer(1, 100, log=True) is 10. Levels are computed in integers, so that every
        # value within +-2**53 is exact, and nothing is allocated per level.
        self._t_low, self._t_high = self._transform(np.array([self.low, self.high], dtype=float))
        self._freeze()

    def _transform(self, x: np.ndarray) -> np.ndarray:
        return np.log(x) if self.log else x

    def _values(self, u: np.ndarray) -> np.ndarray:
        return self.low + self.level_of(u)

    def level_of(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if not self.log:
            levels = np.floor(u * self.n_levels).astype(np.int64)
            return np.clip(levels, 0, self.n_levels - 1)
        x = np.floor(np.exp(self._t_low + u * (self._t_high - self._t_low)) + 0.5)
        levels = np.clip(x, self.low, self.high).astype(np.int64) - self.low
        # The ends are exact: exp(log(high)) may miss high.
        return np.where(u <= 0.0, 0, np.where(u >= 1.0, self.n_levels - 1, levels))

    def unit_of_level(self, levels: np.ndarray) -> np.ndarray:
        levels = np.asarray(levels, dtype=np.int64)
        if not self.log:
            return (levels + 0.5) / self.n_levels
        return self._unit_of_value(levels + self.low)

    def _unit_of_value(self, x: np.ndarray) -> np.ndarray:
        t = self._transform(np.asarray(x, dtype=float))
        return np.clip((t - self._t_low) / (self._t_high - self._t_low), 0.0, 1.0)

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        for value in values:
            if not self.contains(value):
                raise ValueError(f"{value!r} is not in {self!r}")
        return self.unit_of_level(np.array([int(v) - self.low for v in values], dtype=np.int64))

    def cell_bounds(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        levels = np.asarray(levels, dtype=np.int64)
        if not self.log:
            return levels / self.n_levels, (levels + 1) / self.n_levels
        # v owns the values that round to it, [v - 1/2, v + 1/2), clipped to the range.
        values = (levels + self.low).astype(float)
        start = np.where(levels == 0, 0.0, self._unit_of_value(np.maximum(values - 0.5, self.low)))
        end = np.where(
            levels == self.n_levels - 1,
            1.0,
            self._unit_of_value(np.minimum(values + 0.5, self.high)),
        )
        return start, end

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
    elif not isinstance(choices, (list, tuple, range)):
        raise TypeError(
            f"{cls_name}: choices must be a list, tuple, range or 1-D array, "
            f"got {type(choices).__name__}"
        )
    choices = list(choices)
    if not choices:
        raise ValueError(f"{cls_name}: choices must not be empty")
    for i, value in enumerate(choices):
        for earlier in choices[:i]:
            if same_value(value, earlier):
                raise ValueError(f"{cls_name}: choices must be distinct, {value!r} appears twice")
    return choices


class Choices(DiscreteDimension):
    """Shared cell arithmetic of finite lists of choices: level i owns [i/k, (i+1)/k)."""

    choices: tuple

    def level_of(self, u: np.ndarray) -> np.ndarray:
        k = self.n_levels
        return np.clip(np.floor(np.asarray(u, dtype=float) * k), 0, k - 1).astype(np.int64)

    def unit_of_level(self, levels: np.ndarray) -> np.ndarray:
        return (np.asarray(levels, dtype=float) + 0.5) / self.n_levels

    def cell_bounds(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        levels = np.asarray(levels, dtype=np.int64)
        return levels / self.n_levels, (levels + 1) / self.n_levels

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


class Categorical(Choices):
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


class Ordinal(Choices):
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
            if not is_real_number(value) or np.isnan(value):
                raise TypeError(f"Ordinal: values must be real numbers, got {value!r}")
        if len({float(v) for v in values}) != len(values):
            raise ValueError(
                f"Ordinal: values must be distinct numbers, got {values!r}; where 1 and "
                "1.0 mean different things (max_features), list them as Categorical"
            )
        self.choices = tuple(sorted(values))
        self.n_levels = len(self.choices)
        self._freeze()


def check_distribution(distribution: Any, quantiles: bool = True) -> None:
    """Refuse a scipy.stats distribution with invalid arguments (``ValueError``).

    scipy freezes ``norm(0, -1)`` or ``loguniform(0, 1e5)`` without complaint; their
    support and quantiles are NaN, so every draw would be NaN.
    """
    if hasattr(distribution, "support"):
        try:
            with np.errstate(all="ignore"):
                bounds = np.asarray(distribution.support(), dtype=float)
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{_describe(distribution)} has invalid arguments (its support fails: {exc})"
            ) from None
        if np.isnan(bounds).any():
            raise ValueError(
                f"{_describe(distribution)} has invalid arguments (its support is NaN); "
                "see the scipy.stats documentation of the distribution"
            )
    if quantiles and hasattr(distribution, "ppf"):
        try:
            with np.errstate(all="ignore"):
                values = np.asarray(distribution.ppf([0.25, 0.5, 0.75]), dtype=float)
        except (ArithmeticError, TypeError, ValueError) as exc:
            raise ValueError(
                f"{_describe(distribution)} has invalid arguments (its quantiles fail: {exc})"
            ) from None
        if np.isnan(values).any():
            raise ValueError(
                f"{_describe(distribution)} has invalid arguments (its quantiles are NaN)"
            )


def is_discrete_distribution(distribution: Any) -> bool:
    """Whether a scipy.stats distribution (frozen or an ``rv_discrete`` instance) is discrete."""
    return isinstance(distribution, rv_discrete) or isinstance(
        getattr(distribution, "dist", None), rv_discrete
    )


def finite_values(distribution: Any) -> np.ndarray | None:
    """The values a discrete distribution is searched over as finitely many levels.

    Those of positive probability, when the distribution has at most
    ``_MAX_FINITE_LEVELS`` possible values between its quantiles ``1e-12`` and
    ``1 - 1e-12`` (values further out are never searched). A distribution whose quantiles
    scipy can only find by summing probabilities (``zipf``, ``yulesimon``...)
    is searched over its ``_MAX_FINITE_LEVELS`` most central values: far in a
    heavy tail, that sum runs for minutes and can exhaust memory. ``None`` for
    any other distribution (continuous, or discrete with fast quantiles and
    many values).
    """
    if not is_discrete_distribution(distribution):
        return None
    generator = getattr(distribution, "dist", distribution)
    if hasattr(generator, "xk"):  # rv_discrete(values=(xk, pk)): the values, maybe shifted
        xk = np.asarray(generator.xk)
        shift = distribution.support()[0] - xk[0]
        candidates = xk + shift if shift else xk
    else:
        low, high = (float(b) for b in distribution.support())
        few = np.isfinite(low) and np.isfinite(high) and high - low < _MAX_FINITE_LEVELS
        if not few and not _slow_quantiles(distribution):
            # Quantiles beyond _QUANTILE_EPS are never searched: what lies between them
            # may still be few values (poisson(3), geom(1.0)).
            with np.errstate(all="ignore"):
                ends = distribution.ppf([_QUANTILE_EPS, 1.0 - _QUANTILE_EPS])
            low, high = np.clip(np.asarray(ends, dtype=float), low, high)
            if not high - low < _MAX_FINITE_LEVELS:
                return None
            few = True
        if few:
            candidates = np.arange(low, high + 1)
        elif np.isfinite(low):
            candidates = np.arange(low, low + _MAX_FINITE_LEVELS)
        elif np.isfinite(high):
            candidates = np.arange(high - _MAX_FINITE_LEVELS + 1, high + 1)
        else:
            middle = float(distribution.ppf(0.5))
            candidates = np.arange(
                middle - _MAX_FINITE_LEVELS // 2, middle + _MAX_FINITE_LEVELS // 2
            )
    with np.errstate(all="ignore"):
        pmf = np.asarray(distribution.pmf(candidates), dtype=float)
    values = candidates[pmf > 0]
    return values if 0 < len(values) <= _MAX_FINITE_LEVELS else None


def _slow_quantiles(distribution: Any) -> bool:
    """Whether a discrete distribution's quantiles come from scipy's generic search.

    That search sums the probabilities up to the quantile: far in a heavy tail (say
    ``zipf(2.5).ppf(1 - 1e-12)``) it runs for minutes and can exhaust memory.
    """
    generator = getattr(distribution, "dist", distribution)
    return isinstance(generator, rv_discrete) and type(generator)._ppf is rv_discrete._ppf


def _describe(distribution: Any) -> str:
    if hasattr(distribution, "xk") and hasattr(distribution, "pk"):  # rv_discrete(values=...)
        return f"rv_discrete(values=({distribution.xk.tolist()}, {distribution.pk.tolist()}))"
    name = getattr(getattr(distribution, "dist", None), "name", None)
    if name is None:
        return repr(distribution)
    args = ", ".join(
        [
            *map(repr, getattr(distribution, "args", ())),
            *(f"{k}={v!r}" for k, v in getattr(distribution, "kwds", {}).items()),
        ]
    )
    return f"{name}({args})"


class DiscreteDistribution(DiscreteDimension):
    """A discrete scipy.stats distribution with finitely many values, as ordered levels.

    Each value of positive probability is a level whose cell of the unit interval
    is as wide as its probability, so a uniform unit value is a draw from the
    distribution, and the space knows how many values there are (a search of
    ``bernoulli(0.3)`` has two candidates, ``poisson(3)`` the 23 values between its
    quantiles ``1e-12`` and ``1 - 1e-12``). Values are ``int`` when they are all
    whole numbers, else ``float``. A distribution with more values whose
    quantiles scipy finds only by summing probabilities (``zipf``,
    ``yulesimon``...) is searched over its 10 000 most central values.

    Parameters
    ----------
    distribution : object
        A frozen discrete scipy.stats distribution, or ``rv_discrete(values=...)``.

    Examples
    --------
    >>> from scipy.stats import hypergeom
    >>> from skhpo.space import DiscreteDistribution
    >>> DiscreteDistribution(hypergeom(20, 7, 12)).n_levels
    8
    """

    def __init__(self, distribution: Any) -> None:
        check_distribution(distribution)
        values = finite_values(distribution)
        if values is None:
            raise ValueError(
                f"{_describe(distribution)} is not a discrete distribution with at most "
                f"{_MAX_FINITE_LEVELS} values"
            )
        self.distribution = distribution
        whole = bool(np.all(np.asarray(values, dtype=float) == np.round(values)))
        self.values = tuple((np.asarray(values).astype(np.int64) if whole else values).tolist())
        self._value_array = np.asarray(self.values, dtype=float)
        probs = np.asarray(distribution.pmf(values), dtype=float)
        if probs.sum() < 1.0 - 1e-6:
            warnings.warn(
                f"{_describe(distribution)} is searched over its values from {self.values[0]} "
                f"to {self.values[-1]}, which hold {probs.sum():.6g} of its probability",
                UserWarning,
                stacklevel=2,
            )
        edges = np.concatenate([[0.0], np.cumsum(probs / probs.sum())])
        edges[-1] = 1.0
        self._edges = edges
        self.n_levels = len(self.values)
        self._freeze()

    def level_of(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        levels = np.searchsorted(self._edges, u, side="right") - 1
        return np.clip(levels, 0, self.n_levels - 1).astype(np.int64)

    def unit_of_level(self, levels: np.ndarray) -> np.ndarray:
        start, end = self.cell_bounds(levels)
        return (start + end) / 2

    def cell_bounds(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        levels = np.asarray(levels, dtype=np.int64)
        return self._edges[levels], self._edges[levels + 1]

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        levels = []
        for value in values:
            if not self.contains(value):
                raise ValueError(f"{value!r} is not in {self!r}")
            levels.append(int(np.flatnonzero(self._value_array == float(value))[0]))
        return self.unit_of_level(np.array(levels, dtype=np.int64))

    def from_unit(self, u: np.ndarray) -> list:
        return [self.values[i] for i in self.level_of(u)]

    def contains(self, value: Any) -> bool:
        return is_real_number(value) and bool(np.any(self._value_array == float(value)))

    def _identity(self) -> tuple:
        return (self.distribution,)

    def __repr__(self) -> str:
        return f"DiscreteDistribution({_describe(self.distribution)})"


class Distribution(Dimension):
    """A scipy.stats frozen distribution, searched in quantile space.

    The unit value of ``x`` is ``cdf(x)``, so a uniform unit value is a draw from
    the distribution and every strategy can search it (e.g. a normal prior
    concentrates the search around its mean). Discrete distributions decode to
    ``int``. An object with only an ``rvs`` method can only be sampled: each unit
    value seeds one draw, so strategies can propose values but learn nothing
    about this dimension.

    ``Distribution(distribution)`` builds the one of three dimensions that fits:
    :class:`ContinuousDistribution`, :class:`IntegerDistribution` (a discrete
    distribution) or :class:`SampleOnlyDistribution` (``rvs`` only).

    Parameters
    ----------
    distribution : object
        A frozen scipy.stats distribution (anything with ``ppf`` and ``cdf``), or
        any object with ``rvs(random_state=...)``.
    """

    _EPS = _QUANTILE_EPS
    #: Whether values are integers (a discrete scipy distribution).
    discrete: bool = False

    def __new__(cls, distribution: Any = None) -> Distribution:
        if cls is Distribution:  # the factory: the class that fits the distribution
            if not hasattr(distribution, "rvs"):
                raise TypeError(f"Distribution: {distribution!r} has no rvs method")
            if not (hasattr(distribution, "ppf") and hasattr(distribution, "cdf")):
                cls = SampleOnlyDistribution
            elif is_discrete_distribution(distribution):
                cls = IntegerDistribution
            else:
                cls = ContinuousDistribution
        return super().__new__(cls)

    def __init__(self, distribution: Any) -> None:
        if not hasattr(distribution, "rvs"):
            raise TypeError(f"{type(self).__name__}: {distribution!r} has no rvs method")
        check_distribution(distribution)
        self.distribution = distribution
        self._freeze()

    def _identity(self) -> tuple:
        return (self.distribution,)

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        for value in values:
            if not self.contains(value):
                raise ValueError(f"{value!r} is not in {self!r}")
        # The distribution's CDF places a value in the unit interval; the kind's
        # snap (none for continuous, a cell for integer-valued) finishes the job.
        return self.snap(self.distribution.cdf(np.asarray(values, dtype=float)))

    def __repr__(self) -> str:
        return f"Distribution({_describe(self.distribution)})"


class ContinuousDistribution(Distribution):
    """A continuous scipy.stats distribution: the unit value of ``x`` is ``cdf(x)``.

    Parameters
    ----------
    distribution : object
        A frozen continuous scipy.stats distribution.
    """

    def snap(self, u: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(u, dtype=float), self._EPS, 1.0 - self._EPS)

    def codes(self, u: np.ndarray) -> np.ndarray:
        return np.round(self.snap(u), _KEY_DECIMALS)

    def from_unit(self, u: np.ndarray) -> list:
        # scipy's quantiles can leave the support at degenerate arguments.
        low, high = self.distribution.support()
        return np.clip(self.distribution.ppf(self.snap(u)), low, high).astype(float).tolist()

    def contains(self, value: Any) -> bool:
        if not is_real_number(value):
            return False
        low, high = self.distribution.support()
        if not low <= value <= high:
            return False
        q = self.distribution.cdf(value)
        return bool(q >= self._EPS and q <= 1.0 - self._EPS)


class IntegerDistribution(Distribution):
    """A discrete scipy.stats distribution with too many values to list as levels.

    Searched in quantile space: value ``k`` owns the cell ``[cdf(k - 1), cdf(k))``
    of the unit interval and decodes to ``int``. (A discrete distribution with few
    values becomes a :class:`DiscreteDistribution`.)

    Parameters
    ----------
    distribution : object
        A frozen discrete scipy.stats distribution with fast quantiles.
    """

    discrete = True

    def __init__(self, distribution: Any) -> None:
        if _slow_quantiles(distribution):
            raise ValueError(
                f"{_describe(distribution)}: scipy finds its quantiles by summing "
                "probabilities, which can run for hours; use DiscreteDistribution"
            )
        super().__init__(distribution)

    @property
    def kind(self) -> Kind:
        return Kind.ORDERED_DISCRETE

    def cell(self, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = self.distribution.ppf(self.snap(u))
        return self.distribution.cdf(k - 1), self.distribution.cdf(k)

    def snap(self, u: np.ndarray) -> np.ndarray:
        u = np.clip(np.asarray(u, dtype=float), self._EPS, 1.0 - self._EPS)
        k = self.distribution.ppf(u)
        # The middle of the quantile cell of k decodes back to k.
        return np.clip(
            (self.distribution.cdf(k - 1) + self.distribution.cdf(k)) / 2, self._EPS, 1 - self._EPS
        )

    def codes(self, u: np.ndarray) -> np.ndarray:
        return self.distribution.ppf(self.snap(u))

    def from_unit(self, u: np.ndarray) -> list:
        # scipy's quantiles can leave the support at degenerate arguments (geom(1.0)).
        low, high = self.distribution.support()
        return np.clip(self.distribution.ppf(self.snap(u)), low, high).astype(np.int64).tolist()

    def contains(self, value: Any) -> bool:
        if not is_real_number(value) or not float(value).is_integer():
            return False
        low, high = self.distribution.support()
        if not low <= value <= high:
            return False
        q, q_below = self.distribution.cdf(value), self.distribution.cdf(value - 1)
        return bool(q >= self._EPS and q_below <= 1.0 - self._EPS)


class SampleOnlyDistribution(Distribution):
    """An object with only an ``rvs`` method: values can be drawn, not modelled.

    Each unit value seeds one draw, so strategies can propose values but learn
    nothing about this dimension, and values cannot be given (as starting points).

    Parameters
    ----------
    distribution : object
        Any object with ``rvs(random_state=...)``.
    """

    sample_only = True

    @property
    def kind(self) -> Kind:
        return Kind.SAMPLE_ONLY

    def snap(self, u: np.ndarray) -> np.ndarray:
        return np.clip(np.asarray(u, dtype=float), self._EPS, 1.0 - self._EPS)

    def codes(self, u: np.ndarray) -> np.ndarray:
        return np.floor(np.clip(u, 0.0, 1.0) * 2**31)

    def to_unit(self, values: Sequence[Any]) -> np.ndarray:
        raise ValueError(f"values of {self!r} can only be drawn, not given")

    def from_unit(self, u: np.ndarray) -> list:
        seeds = self.codes(u).astype(np.int64)
        draws = [self.distribution.rvs(random_state=int(s)) for s in seeds]
        return [d.item() if isinstance(d, np.generic) else d for d in draws]

    def contains(self, value: Any) -> bool:
        return True
