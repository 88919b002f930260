"""A memoising estimator and a ledger of fit CPU: the equal-compute benchmark's accounting.

Every search in ``python -m benchmarks.compute`` tunes a :class:`MemoClassifier`
or :class:`MemoRegressor` instead of the real estimator. The data it is given
carries each row's id in column 0. ``fit`` looks up (problem, parameters, the
exact ids of the training rows) in a cache on disk; on a miss it fits the real
estimator on those rows (timed with :func:`time.process_time`, single-threaded),
predicts every row it was not trained on (timed as well; a fit on a subsample of
a fold's training rows predicts that fold's test rows only) and stores the
predictions with both CPU times. Hit or miss, ``fit`` then *charges* the recorded
fit CPU to the process's :class:`Ledger`, and ``predict`` (``predict_proba``,
``decision_function``) charges the recorded prediction CPU pro rata of the rows
asked for. So a search's results are exactly those of the real estimator, the
CPU charged is what its fits really cost, each distinct fit is paid in real time
only once across methods and seeds, and every method is charged by the same
mechanism, whatever it reports itself.

Once the ledger's ``cap`` is reached, ``fit`` raises :class:`BudgetExhausted`
without fitting (searches record the failure as ``error_score`` and move on
instantly): that is how a method is stopped at a given compute.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if

__all__ = [
    "BudgetExhausted",
    "Ledger",
    "MemoClassifier",
    "MemoRegressor",
    "accounting",
    "ledger",
    "param_key",
    "register",
]


class BudgetExhausted(RuntimeError):
    """The ledger's compute cap is reached: no more fits in this run."""


@dataclass
class Ledger:
    """Fits charged in one run, in the order they happened.

    Attributes
    ----------
    keys : list of tuple
        The searched parameters of each fit (:func:`param_key`).
    costs : list of float
        CPU seconds charged to each fit: its fit plus the prediction it served.
    cap : float
        No fit starts once ``sum(costs) >= cap``.
    active : bool
        Whether fits are charged (False while the harness re-scores a candidate).
    hits, misses : int
        Fits served from the cache / fitted for real.
    real_cpu : float
        CPU seconds this process really spent fitting and predicting (misses only).
    """

    keys: list = field(default_factory=list)
    costs: list = field(default_factory=list)
    cap: float = float("inf")
    active: bool = True
    hits: int = 0
    misses: int = 0
    real_cpu: float = 0.0

    @property
    def total(self) -> float:
        """CPU seconds charged so far."""
        return float(sum(self.costs))

    def exhausted(self) -> bool:
        return self.active and self.total >= self.cap

    def charge(self, key: tuple, seconds: float) -> int | None:
        """Charge a fit; return its index (None when not charging)."""
        if not self.active:
            return None
        self.keys.append(key)
        self.costs.append(float(seconds))
        return len(self.costs) - 1

    def add(self, index: int | None, seconds: float) -> None:
        """Add prediction time to the fit ``index`` that served it."""
        if self.active and index is not None:
            self.costs[index] += float(seconds)


_LEDGER = Ledger(active=False)
_CACHE_DIR: Path | None = None
#: problem name -> (X, y, make_estimator, response, searched parameter names, folds)
_PROBLEMS: dict[str, tuple] = {}


def ledger() -> Ledger:
    """The ledger of the run in progress."""
    return _LEDGER


def register(
    name: str, X: np.ndarray, y: np.ndarray, make_estimator, response: str, names, folds=()
) -> None:
    """Make problem ``name``'s full data, real estimator and CV folds known to the memo
    estimators (the folds let a fit on a subsample of a fold predict that fold's test
    rows only)."""
    _PROBLEMS[name] = (X, y, make_estimator, response, tuple(names), list(folds))


def _predicted_rows(problem: str, ids: np.ndarray) -> tuple[np.ndarray, str]:
    """The rows a fit on ``ids`` predicts, and a tag for its cache key.

    Every row it was not trained on, except for a fit on a strict subset of a
    fold's training rows (successive halving's subsamples): that fold's test rows
    only, which is all it will be asked (and much cheaper to predict).
    """
    X, folds = _PROBLEMS[problem][0], _PROBLEMS[problem][5]
    within = [k for k, (train, _) in enumerate(folds) if len(ids) < len(train)
              and np.isin(ids, train).all()]  # fmt: skip
    if len(within) == 1:  # (a subsample within several folds' training rows: all rows)
        return np.sort(folds[within[0]][1]), f"fold{within[0]}"
    return np.setdiff1d(np.arange(len(X)), ids), ""


@contextmanager
def accounting(cache_dir: Path, cap: float = float("inf")):
    """Charge the fits made inside the block to a fresh :class:`Ledger` (yielded)."""
    global _LEDGER, _CACHE_DIR
    previous = _LEDGER, _CACHE_DIR
    _LEDGER, _CACHE_DIR = Ledger(cap=cap), Path(cache_dir)
    try:
        yield _LEDGER
    finally:
        _LEDGER, _CACHE_DIR = previous


@contextmanager
def uncharged():
    """Fits inside the block use the cache but charge nothing (harness re-scoring)."""
    was = _LEDGER.active
    _LEDGER.active = False
    try:
        yield
    finally:
        _LEDGER.active = was


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def param_key(params: dict, names) -> tuple:
    """A hashable key of the searched parameters ``names`` of ``params``."""
    return tuple((name, repr(_plain(params[name]))) for name in sorted(names) if name in params)


@dataclass
class _Entry:
    response: np.ndarray  # predictions of the rows not trained on, in id order
    fit_cpu: float
    predict_cpu: float


def _fit_for_real(problem: str, params: dict, ids: np.ndarray, rest: np.ndarray) -> _Entry:
    X, y, make_estimator, response = _PROBLEMS[problem][:4]
    estimator = make_estimator().set_params(**params)
    start = time.process_time()
    estimator.fit(X[ids], y[ids])
    fitted = time.process_time()
    out = getattr(estimator, response)(X[rest])
    done = time.process_time()
    return _Entry(np.asarray(out, dtype=np.float32), fitted - start, done - fitted)


def _lookup(
    problem: str, params: dict, ids: np.ndarray, rest: np.ndarray, tag: str
) -> tuple[_Entry, bool]:
    """The cached entry of this fit, fitting it first on a miss; and whether it was a hit."""
    names = _PROBLEMS[problem][4]
    digest = hashlib.sha1((tag + repr(param_key(params, names))).encode())
    digest.update(np.ascontiguousarray(ids, dtype=np.int64).tobytes())
    path = Path(_CACHE_DIR or tempfile.gettempdir()) / problem / f"{digest.hexdigest()}.npz"
    if path.exists():
        with np.load(path) as stored:
            return _Entry(
                stored["response"], float(stored["fit_cpu"]), float(stored["predict_cpu"])
            ), True
    entry = _fit_for_real(problem, params, ids, rest)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written to a temporary name then renamed: two workers may fit the same key.
    handle, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    with os.fdopen(handle, "wb") as out:
        np.savez(out, response=entry.response, fit_cpu=entry.fit_cpu, predict_cpu=entry.predict_cpu)
    os.replace(tmp, path)
    return entry, False


class _Memo(BaseEstimator):
    """Stands for problem ``problem``'s real estimator with parameters ``**params``.

    Parameters are held in a dict (``get_params`` / ``set_params`` are
    overridden), so one class serves every problem; ``get_params`` lists every
    searched parameter, with the real estimator's default when not set.
    """

    def __init__(self, problem: str = "", **params: Any) -> None:
        self.problem = problem
        self.params = params

    def get_params(self, deep: bool = True) -> dict:
        make_estimator, names = _PROBLEMS[self.problem][2], _PROBLEMS[self.problem][4]
        defaults = make_estimator().get_params()
        return {"problem": self.problem, **{n: self.params.get(n, defaults.get(n)) for n in names}}

    def set_params(self, **params: Any) -> _Memo:
        if "problem" in params:
            self.problem = params.pop("problem")
        unknown = set(params) - set(_PROBLEMS[self.problem][4])
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not searched parameters of {self.problem}")
        self.params = {**self.params, **params}
        return self

    def __sklearn_clone__(self) -> _Memo:
        return type(self)(self.problem, **self.params)

    def fit(self, X: np.ndarray, y: np.ndarray | None = None) -> _Memo:
        ledger = _LEDGER
        if ledger.exhausted():
            raise BudgetExhausted(f"compute cap of {ledger.cap:.1f} CPU s reached")
        ids = np.sort(np.asarray(X)[:, 0].astype(np.int64))
        real = self.get_params()
        del real["problem"]
        real = {k: v for k, v in real.items() if k in self.params}
        rest, tag = _predicted_rows(self.problem, ids)
        entry, hit = _lookup(self.problem, real, ids, rest, tag)
        if hit:
            ledger.hits += 1
        else:
            ledger.misses += 1
            ledger.real_cpu += entry.fit_cpu + entry.predict_cpu
        self.event_ = ledger.charge(param_key(real, _PROBLEMS[self.problem][4]), entry.fit_cpu)
        self.entry_ = entry
        self.rest_ = rest
        self.n_features_in_ = np.asarray(X).shape[1]
        if isinstance(self, ClassifierMixin):
            self.classes_ = np.unique(y)
        return self

    def _response(self, X: np.ndarray) -> np.ndarray:
        """The stored predictions of the rows of ``X``, charging their share of predict CPU."""
        ids = np.asarray(X)[:, 0].astype(np.int64)
        where = np.searchsorted(self.rest_, ids)
        where = np.minimum(where, len(self.rest_) - 1)
        if not np.array_equal(self.rest_[where], ids):
            raise ValueError("the memo estimator predicts only the rows it was not trained on")
        _LEDGER.add(self.event_, self.entry_.predict_cpu * len(ids) / max(len(self.rest_), 1))
        return self.entry_.response[where]

    def _responds(self, method: str) -> bool:
        return _PROBLEMS[self.problem][3] == method

    @available_if(lambda self: self._responds("predict_proba"))
    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return self._response(X).astype(np.float64)

    @available_if(lambda self: self._responds("decision_function"))
    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return self._response(X).astype(np.float64)

    def predict(self, X: np.ndarray) -> np.ndarray:
        out = self._response(X).astype(np.float64)
        if not isinstance(self, ClassifierMixin):
            return out
        if self._responds("predict"):
            return out.astype(self.classes_.dtype)
        index = out.argmax(axis=1) if out.ndim == 2 else (out > 0).astype(int)
        return self.classes_[index]


class MemoClassifier(ClassifierMixin, _Memo):
    """:class:`_Memo` for a classifier."""


class MemoRegressor(RegressorMixin, _Memo):
    """:class:`_Memo` for a regressor."""
