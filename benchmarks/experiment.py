"""Run searches and turn each into one result record (one line of ``results.jsonl``).

:func:`run_one` runs one method on one problem, seed and budget and never
raises: a peer that is missing, a skhpo search that is not built yet, a grid
that does not fit the budget or a search that crashes each become a record
with that ``status`` and a ``reason``. :func:`run_group` runs every method of
one problem and seed in one process, one after the other, so that all methods
compared on a problem and seed run under the same conditions.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import cross_val_score
from threadpoolctl import threadpool_limits

from . import metrics, synthetic
from .environment import versions
from .harness import jsonable
from .methods import Method, Setting, Skip, get_method, quiet_warnings
from .problems import Problem, get_problem

__all__ = ["MEASURED", "STATUSES", "failure_reason", "run_group", "run_one"]

#: Possible ``status`` of a record.
STATUSES = ("ok", "not built yet", "unavailable", "skipped", "error")
#: Fields of a record measured on a fitted search (None unless ``status`` is "ok").
MEASURED = (
    "best_cv", "test_score", "regret", "overhead_per_candidate", "wall_time", "fit_score_time",
    "refit_time", "n_candidates", "n_unique", "n_evaluated", "curve", "scores", "best_params",
)  # fmt: skip


def failure_reason(exc: BaseException) -> str:
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]


def _rescore(problem: Problem, params: dict, setting: Setting) -> float:
    """Mean CV score of ``params`` on all training data and the shared folds."""
    estimator = clone(problem.make_estimator()).set_params(**params)
    scores = cross_val_score(
        estimator, setting.X, setting.y, cv=list(setting.cv), scoring=problem.scoring
    )
    return float(np.mean(scores))


def _measure(method: Method, search: Any, setting: Setting, data: tuple, clock: bool) -> dict:
    """Fit ``search``, time it and read every metric of one run."""
    problem = setting.problem
    if clock:
        synthetic.start_clock()
    start, start_cpu = time.perf_counter(), time.process_time()
    try:
        method.fit(search, setting)
    finally:
        wall = time.perf_counter() - start
        ticks = synthetic.stop_clock() if clock else None
    trace = method.trace(search)
    refit_time = float(getattr(search, "refit_time_", 0.0) or 0.0)
    best_params = dict(search.best_params_)
    if method.multi_fidelity:
        best_cv = _rescore(problem, best_params, setting)
    else:
        best_cv = float(np.nanmax(trace.scores))
    best = search.best_estimator_
    _, X_test, _, y_test = data
    out = {
        "best_cv": best_cv,
        "test_score": float(check_scoring(best, scoring=problem.scoring)(best, X_test, y_test)),
        "regret": -best_cv - problem.minimum if problem.synthetic else None,
        "overhead_per_candidate": metrics.overhead_per_candidate(
            wall, refit_time, trace.fit_score_time, trace.n_evaluated
        ),
        "wall_time": wall,
        "fit_score_time": trace.fit_score_time,
        "refit_time": refit_time,
        "n_candidates": trace.n_candidates,
        "n_unique": trace.n_unique,
        "n_evaluated": trace.n_evaluated,
        "curve": None if trace.scores is None else metrics.best_so_far(trace.scores),
        "scores": trace.scores,
        "best_params": best_params,
    }
    if ticks is not None:
        # One score() call per fold: a candidate ends with its last fold.
        n_splits = len(setting.cv)
        out["times"] = ticks[n_splits - 1 :: n_splits] - start
        out["cpu_times"] = synthetic.cpu_ticks()[n_splits - 1 :: n_splits] - start_cpu
    return out


def run_one(
    problem: str,
    method: str,
    seed: int,
    n_iter: int,
    *,
    data: tuple | None = None,
    clock: bool = False,
) -> dict:
    """Run one method on one problem, seed and budget; return its result record.

    Parameters
    ----------
    problem, method : str
        Names in :data:`benchmarks.problems.PROBLEMS` and :data:`benchmarks.methods.METHODS`.
    seed : int
        Seed of the CV folds and of the search.
    n_iter : int
        Budget of candidates.
    data : tuple, optional
        ``problem.split()``, if already loaded.
    clock : bool, default=False
        Record ``times``, the end of each candidate's evaluation in seconds from
        the start of ``fit``, and ``cpu_times``, the same in this process's CPU
        time (synthetic problems only; for the scaling mode).

    Returns
    -------
    record : dict
        JSON-ready; ``status`` is one of :data:`STATUSES`, with a ``reason``
        unless ``"ok"``.
    """
    prob, meth = get_problem(problem), get_method(method)
    record: dict = {
        "problem": problem,
        "method": method,
        "library": meth.library,
        "seed": seed,
        "n_iter": n_iter,
        "synthetic": prob.synthetic,
        "minimum": prob.minimum,
        "status": "ok",
        "reason": None,
        "config": {},
        **dict.fromkeys(MEASURED),
    }
    unavailable = meth.unavailable()
    if unavailable:
        record.update(status="unavailable", reason=unavailable)
    else:
        data = data if data is not None else prob.split()
        X_train, _, y_train, _ = data
        folds = prob.cv_splits(X_train, y_train, seed)
        setting = Setting(prob, n_iter, seed, folds, X_train, y_train, timing_only=clock)
        try:
            search, record["config"] = meth.build(setting)
            record.update(_measure(meth, search, setting, data, clock))
        except Skip as exc:
            record.update(status="skipped", reason=str(exc))
        except NotImplementedError as exc:
            status = "not built yet" if meth.skhpo else "error"
            record.update(status=status, reason=failure_reason(exc))
        except Exception as exc:  # noqa: BLE001 - a crashing search is a result to report
            record.update(status="error", reason=failure_reason(exc))
    record["versions"] = versions()
    return jsonable(record)


def _warm_up(problem: Problem, data: tuple, cv: list, methods: list[str]) -> None:
    """Import the peers and fit the estimator once, before anything is timed."""
    for name in methods:
        get_method(name).unavailable()
    X_train, _, y_train, _ = data
    cross_val_score(problem.make_estimator(), X_train, y_train, cv=cv, scoring=problem.scoring)


def run_group(
    problem: str, seed: int, methods: list[str], n_iters: list[int], *, clock: bool = False
) -> list[dict]:
    """Run every method and budget on one problem and seed, one after the other.

    Runs single-threaded (BLAS and OpenMP limited to one thread), after a
    warm-up, with the order of the methods rotated by ``seed`` so that no method
    is always first or last.

    Returns
    -------
    records : list of dict
    """
    quiet_warnings()
    prob = get_problem(problem)
    with threadpool_limits(limits=1):
        data = prob.split()
        _warm_up(prob, data, prob.cv_splits(data[0], data[2], seed), methods)
        shift = seed % len(methods) if methods else 0
        order = methods[shift:] + methods[:shift]
        return [
            run_one(problem, method, seed, n_iter, data=data, clock=clock)
            for n_iter in n_iters
            for method in order
        ]
