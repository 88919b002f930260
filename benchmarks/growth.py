"""Per-candidate cost of a long search, part by part, as its history grows.

Usage, from the repository root::

    python -m benchmarks.growth                          # n_iter 1000: ~4 min on 2 cores
    python -m benchmarks.growth --n-iter 1000 --methods skhpo-bayes sklearn-random --out DIR

Each search tunes a ``DecisionTreeClassifier`` on iris (depth, split and leaf
sizes, criterion, max_features; 3-fold CV, ``n_jobs=1``, ``refit=False``, seed
0): fits take a few milliseconds, so what the search itself costs shows. Each
run is a fresh process with every BLAS / OpenMP pool at one thread.

A skhpo search is timed batch by batch, from the end of one ``tell`` to the end
of the next (wall clock and this process's CPU time), split into:

- **ask** and **tell**: the strategy's own time;
- **format**: scikit-learn's ``_format_results``, which ``evaluate_candidates``
  runs over every row so far after each batch (``cv_results_``);
- **fit**: the fits and scores of the batch's candidates (``cv_results_``'s
  ``mean_fit_time`` and ``mean_score_time`` times the folds);
- **loop**: the rest of skhpo's loop, outside ``ask``, ``tell`` and
  ``evaluate_candidates`` (checking proposals for repeats, callbacks'
  state, checkpoints);
- **overhead**: the batch's wall time minus fit, per candidate: everything but
  the estimator's own work, the search's cost.

Each is averaged per candidate between observation counts (batches grouped by
how many candidates were evaluated before them). A search of another library
(``sklearn-random``) gets one row: its overhead over the whole search.

Writes ``results.json`` and ``report.md`` into ``--out`` (default
``benchmarks/results/growth-<UTC time>/``).
"""

from __future__ import annotations

import argparse
import itertools
import time
from datetime import datetime, timezone
from typing import Any

import numpy as np
from sklearn import datasets
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from .harness import (
    SKHPO_METHODS,
    add_common_arguments,
    command_line,
    log,
    prepare,
    provenance_lines,
    run_meta,
    run_specs,
)
from .problems import Problem
from .report import fmt, markdown_table
from .spaces import Choice, FloatRange, IntRange

__all__ = ["GROWTH_PROBLEM", "growth_profile", "main", "time_growth"]

#: The issue's problem: fits of a few milliseconds, so the search's own cost shows.
GROWTH_PROBLEM = Problem(
    "tree-iris",
    "DecisionTree on iris, accuracy: depth, split/leaf sizes, criterion, max_features",
    lambda: DecisionTreeClassifier(random_state=0),
    {
        "max_depth": IntRange(1, 20),
        "min_samples_split": IntRange(2, 40, log=True),
        "min_samples_leaf": IntRange(1, 20, log=True),
        "criterion": Choice(["gini", "entropy"]),
        "max_features": FloatRange(0.2, 1.0),
    },
    lambda: datasets.load_iris(return_X_y=True),
)
GROWTH_METHODS = (*SKHPO_METHODS, "skhpo-random", "sklearn-random")
#: Observation counts between which the report averages.
EDGES = [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000, 5000]
#: The parts of a batch's time, as keys of a batch record (``_wall`` / ``_cpu``).
PARTS = ("ask", "tell", "evaluate", "format")


class _Clock:
    """Wall and CPU time of the parts of each batch, read from a running search."""

    def __init__(self) -> None:
        self.batches: list[dict] = []
        self.current = self._new()
        self.mark = self._now()

    @staticmethod
    def _now() -> tuple[float, float]:
        return time.perf_counter(), time.process_time()

    @staticmethod
    def _new() -> dict:
        return {f"{part}_{kind}": 0.0 for part in PARTS for kind in ("wall", "cpu")}

    def timed(self, part: str, call: Any, *args: Any, **kwargs: Any) -> Any:
        (wall, cpu), result = self._now(), call(*args, **kwargs)
        now_wall, now_cpu = self._now()
        self.current[f"{part}_wall"] += now_wall - wall
        self.current[f"{part}_cpu"] += now_cpu - cpu
        return result

    def end_batch(self, n_before: int, size: int) -> None:
        """Close the batch whose ``tell`` just returned."""
        wall, cpu = self._now()
        self.current.update(
            n_before=n_before, size=size, wall=wall - self.mark[0], cpu=cpu - self.mark[1]
        )
        self.batches.append(self.current)
        self.current, self.mark = self._new(), (wall, cpu)


class _TimedStrategy:
    """A strategy whose ``ask`` and ``tell`` are timed (everything else passes through)."""

    def __init__(self, strategy: Any, clock: _Clock) -> None:
        self._strategy, self._clock = strategy, clock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._strategy, name)

    def ask(self, n: int, pending: np.ndarray | None = None) -> np.ndarray:
        return self._clock.timed("ask", self._strategy.ask, n, pending)

    def tell(self, X: np.ndarray, y: np.ndarray, y_std: np.ndarray | None = None) -> None:
        n_before = len(self._strategy.y)
        self._clock.timed("tell", self._strategy.tell, X, y, y_std)
        self._clock.end_batch(n_before, len(X))


def _timed_search(search: Any, clock: _Clock) -> Any:
    """A copy of the skhpo ``search`` whose strategy and result formatting are timed."""

    class Timed(type(search)):
        def _make_strategy(self, space: Any, rng: Any) -> Any:
            return _TimedStrategy(super()._make_strategy(space, rng), clock)

        def _format_results(self, *args: Any) -> dict:
            return clock.timed("format", super()._format_results, *args)

        def _run_search(self, evaluate_candidates: Any, callback_ctx: Any = None) -> None:
            def timed_evaluate(*args: Any, **kwargs: Any) -> dict:
                return clock.timed("evaluate", evaluate_candidates, *args, **kwargs)

            super()._run_search(timed_evaluate, callback_ctx)

    Timed.__name__ = type(search).__name__  # the checkpoint and messages name the search
    return Timed(**search.get_params(deep=False))


def time_growth(method: str, n_iter: int, seed: int = 0) -> dict:
    """Fit one search on :data:`GROWTH_PROBLEM` and time it, batch by batch for skhpo's.

    Returns
    -------
    dict
        The run's record: ``wall_time``, ``cpu_time``, ``fit_score_time`` (summed
        over fits), ``n_candidates``, ``scores`` and ``params`` in evaluation
        order, and for a skhpo search ``batches``, one dict
        per batch (``n_before``, ``size``, ``wall``, ``cpu``, ``fit``, and
        ``<part>_wall`` / ``<part>_cpu`` for each of :data:`PARTS`).
    """
    search, setting = prepare(GROWTH_PROBLEM, method, seed, n_iter)
    X, y = setting.X, setting.y
    clock = _Clock()
    skhpo = method.startswith("skhpo-")
    if skhpo:
        search = _timed_search(search, clock)
    with threadpool_limits(limits=1):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        clock.mark = (start_wall, start_cpu)
        search.fit(X, y)
        wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    results = search.cv_results_
    n_splits = len(setting.cv)
    fit = (np.asarray(results["mean_fit_time"]) + np.asarray(results["mean_score_time"])) * n_splits
    record = {
        "experiment": "growth",
        "status": "ok",
        "problem": GROWTH_PROBLEM.name,
        "method": method,
        "seed": seed,
        "n_iter": n_iter,
        "wall_time": wall,
        "cpu_time": cpu,
        "fit_score_time": float(fit.sum()),
        "n_candidates": len(results["params"]),
        "best_cv": float(np.nanmax(results["mean_test_score"])),
        "scores": results["mean_test_score"].tolist(),
        "params": results["params"],
    }
    if skhpo:
        tags = np.asarray(results["batch"])
        for i, batch in enumerate(clock.batches):
            batch["fit"] = float(fit[tags == i].sum())
        record["batches"] = clock.batches
    return record


def growth_profile(batches: list[dict], edges: list[int]) -> list[dict]:
    """Milliseconds per candidate of each part, between consecutive ``edges``.

    A batch counts in the interval holding ``n_before``, the candidates evaluated
    before it; intervals without a batch are left out.

    Examples
    --------
    >>> batch = {"n_before": 0, "size": 4, "wall": 0.4, "cpu": 0.4, "fit": 0.2,
    ...          "ask_wall": 0.1, "ask_cpu": 0.1, "tell_wall": 0.0, "tell_cpu": 0.0,
    ...          "evaluate_wall": 0.28, "evaluate_cpu": 0.28,
    ...          "format_wall": 0.02, "format_cpu": 0.02}
    >>> row = growth_profile([batch], [0, 100])[0]
    >>> row["overhead_wall"], row["ask_wall"]
    (50.0, 25.0)
    >>> round(row["loop_wall"], 6)  # the search loop's own share: 0.4 - 0.1 - 0.28 s
    5.0
    """
    rows = []
    for low, high in itertools.pairwise(edges):
        inside = [b for b in batches if low <= b["n_before"] < high]
        if not inside:
            continue
        n = sum(b["size"] for b in inside)
        row = {"low": low, "high": high, "candidates": n}
        for kind in ("wall", "cpu"):
            for part in PARTS:
                row[f"{part}_{kind}"] = 1000 * sum(b[f"{part}_{kind}"] for b in inside) / n
            outside = sum(b[kind] - b["ask_" + kind] - b["tell_" + kind] - b["evaluate_" + kind]
                          for b in inside)  # fmt: skip
            row[f"loop_{kind}"] = 1000 * outside / n
        row["fit"] = 1000 * sum(b["fit"] for b in inside) / n
        row["overhead_wall"] = 1000 * sum(b["wall"] - b["fit"] for b in inside) / n
        rows.append(row)
    return rows


# -- report ----------------------------------------------------------------------------------
#: Columns of a search's table: header -> key of a :func:`growth_profile` row.
PROFILE_COLUMNS = {
    "overhead": "overhead_wall",
    "ask": "ask_wall",
    "tell": "tell_wall",
    "format": "format_wall",
    "loop": "loop_wall",
    "fit": "fit",
    "ask CPU": "ask_cpu",
    "tell CPU": "tell_cpu",
    "format CPU": "format_cpu",
    "loop CPU": "loop_cpu",
}


def _whole_search_row(record: dict) -> list[str]:
    overhead = 1000 * (record["wall_time"] - record["fit_score_time"]) / record["n_candidates"]
    return [
        f"`{record['method']}`",
        str(record["n_candidates"]),
        fmt(record["wall_time"], ".1f"),
        fmt(record["cpu_time"], ".1f"),
        fmt(record["fit_score_time"], ".1f"),
        fmt(overhead, ".3g"),
    ]


def _profile_table(record: dict) -> list[str]:
    n = record["n_candidates"]
    rows = growth_profile(record["batches"], [e for e in EDGES if e < n] + [n])
    cells = [
        [f"{row['low']}-{row['high']}"] + [fmt(row[k], ".3g") for k in PROFILE_COLUMNS.values()]
        for row in rows
    ]
    return markdown_table(["candidates", *PROFILE_COLUMNS], cells)


def build_report(results: dict) -> list[str]:
    """``report.md``'s lines from the ``results.json`` contents."""
    config = results["config"]
    ok = [r for r in results["records"] if r["status"] == "ok"]
    header = ["method", "candidates", "wall (s)", "CPU (s)", "fits and scores (s)",
              "overhead per candidate (ms)"]  # fmt: skip
    lines = [
        "# Per-candidate cost of a long search, part by part",
        "",
        *provenance_lines(results["meta"]),
        f"Problem: {GROWTH_PROBLEM.description}; `n_iter={config['n_iter']}`, 3-fold CV, "
        "`n_jobs=1`, no refit, seed 0; one fresh single-threaded process per search. "
        "Milliseconds per candidate, averaged over the batches that started with that many "
        "candidates evaluated. `overhead`: batch wall time minus the fits' and scores' "
        "time; `ask`, `tell`: the strategy's; `format`: scikit-learn's `_format_results` "
        "over every row so far, after each batch; `loop`: skhpo's loop outside `ask`, "
        "`tell` and `evaluate_candidates`; `fit`: the fits and scores. CPU columns: this "
        "process's CPU time (less sensitive to other load on the machine).",
        "",
        "### Whole searches",
        "",
        *markdown_table(header, [_whole_search_row(r) for r in ok]),
    ]
    for record in ok:
        if "batches" in record:
            lines += [f"### `{record['method']}`", "", *_profile_table(record)]
    failed = [r for r in results["records"] if r["status"] != "ok"]
    return lines + [f"- error: {_describe(r)}" for r in failed]


def _describe(record: dict) -> str:
    what = record["method"]
    if record["status"] != "ok":
        return f"{what}: {record['status']}: {record.get('reason')}"
    return (
        f"{what}: {record['n_candidates']} candidates, {record['wall_time']:.1f} s wall, "
        f"{record['fit_score_time']:.1f} s fitting"
    )


# -- command line ----------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.growth", description=__doc__.split("\n")[0]
    )
    default = ["skhpo-bayes", "sklearn-random"]
    return add_common_arguments(parser, n_iter=1000, methods=GROWTH_METHODS,
                                default_methods=default)  # fmt: skip


def run(args: argparse.Namespace, command: str) -> dict:
    """Time every method; the contents of ``results.json``."""
    config = {"n_iter": args.n_iter, "methods": args.methods}
    specs = [{"method": method, "n_iter": args.n_iter} for method in args.methods]
    started, start = datetime.now(timezone.utc), time.perf_counter()
    records = run_specs("benchmarks.growth", specs, time_growth, True, log, _describe)
    return {
        "config": config,
        "records": records,
        "meta": run_meta(command, started, time.perf_counter() - start),
    }


def main(argv: list[str] | None = None) -> None:
    """Run the measurement of the command line ``argv``."""
    command_line("benchmarks.growth", argv, _parser(), time_growth, run, build_report)


if __name__ == "__main__":
    main()
