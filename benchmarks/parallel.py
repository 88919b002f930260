"""Parallel efficiency: the speedup of ``n_jobs=2`` over ``n_jobs=1``, and what batches cost.

Usage, from the repository root, on an otherwise idle machine::

    python -m benchmarks.parallel                        # n_iter 40, 3 seeds: ~50 min on 2 cores
    python -m benchmarks.parallel --n-iter 40 --seeds 3 --out DIR
    python -m benchmarks.parallel --parts batch          # batch cost only: ~3 min

**Speedup.** Each of skhpo's four searches and scikit-learn's
``RandomizedSearchCV`` (the reference) tunes one real problem
(:data:`SPEEDUP_PROBLEM` by default: 0.4 to 1 s of CPU per fit and score) with
``n_jobs=1`` and ``n_jobs=2``: same ``n_iter``, 5 shuffled folds and
``random_state``, hence the same candidates (checked), ``refit=False`` so that
only the search is timed. Every run is a fresh process whose BLAS and OpenMP
pools have one thread, in the process and in joblib's workers (checked and
reported), so that ``n_jobs`` is the only parallelism; the workers are started
and warmed by a tiny fit before the clock starts. Speedup is ``t1 / t2``; each
search's speedup is divided by ``RandomizedSearchCV``'s on the same seed
(target: >= 0.9); medians over seeds.

**Batch cost.** The best score at equal ``n_iter`` of each skhpo search with
``batch_size`` 1, its default, 8 and 16, on zero-cost synthetic problems
(:mod:`benchmarks.synthetic`), many seeds; regret to the known optimum, also
relative to ``RandomizedSearchCV``'s median regret.

Writes ``results.json`` (every run, summaries, command, machine, versions) and
``report.md`` into ``--out`` (default ``benchmarks/results/parallel-<UTC time>/``).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn import datasets
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import threadpool_limits

from .harness import (
    BASELINE,
    COMPARED_METHODS,
    SKHPO_METHODS,
    add_common_arguments,
    batches,
    command_line,
    log,
    prepare,
    provenance_lines,
    run_meta,
    run_specs,
    thread_pools,
    timed_fit,
)
from .metrics import finite_stat
from .problems import PROBLEMS, Problem
from .report import fmt, markdown_table
from .spaces import FloatRange, IntRange

__all__ = [
    "BASELINE",
    "SKHPO_METHODS",
    "SPEEDUP_PROBLEM",
    "batch_cost_records",
    "batch_cost_summary",
    "main",
    "speedup_records",
    "speedup_summary",
    "time_search",
]

SPEEDUP_METHODS = COMPARED_METHODS
SPEEDUP_SPLITS = 5
#: A search's speedup over RandomizedSearchCV's that meets the issue's target.
TARGET_RATIO = 0.9
BATCH_PROBLEMS = ("branin", "hartmann6")
#: Batch sizes compared; None is each search's default.
BATCH_SIZES = (1, None, 8, 16)
#: Extra regret, in units of RandomizedSearchCV's median regret, that counts as a cost.
COST_THRESHOLD = 0.1

SPEEDUP_PROBLEM = Problem(
    "hgb-digits",
    "HistGradientBoosting (40 iterations, no early stopping) on digits (1797 x 64, "
    "10 classes), accuracy: 5 parameters",
    lambda: HistGradientBoostingClassifier(max_iter=40, early_stopping=False, random_state=0),
    {
        "learning_rate": FloatRange(1e-2, 1.0, log=True),
        "max_leaf_nodes": IntRange(8, 48, log=True),
        "min_samples_leaf": IntRange(2, 50, log=True),
        "l2_regularization": FloatRange(1e-4, 10.0, log=True),
        "max_features": FloatRange(0.3, 1.0),
    },
    lambda: datasets.load_digits(return_X_y=True),
)


def get_problem(name: str) -> Problem:
    """:data:`SPEEDUP_PROBLEM` or a problem of :mod:`benchmarks.problems`, by name."""
    return SPEEDUP_PROBLEM if name == SPEEDUP_PROBLEM.name else PROBLEMS[name]


# -- joblib's workers ------------------------------------------------------------------------
def _worker_report(estimator: Any, X: np.ndarray, y: np.ndarray) -> dict:
    estimator.fit(X, y)  # imports and warms what the search's fits will use
    time.sleep(0.02)  # long enough that every worker gets a task
    return {"pid": os.getpid(), "threads": thread_pools()}


def warm_workers(n_jobs: int, estimator: Any, X: np.ndarray, y: np.ndarray) -> list[dict]:
    """Start joblib's workers (the ones the search will reuse) with a tiny fit in each.

    Returns each task's worker pid and thread pools.
    """
    from sklearn.utils.parallel import Parallel, delayed

    tasks = (delayed(_worker_report)(clone(estimator), X, y) for _ in range(4 * n_jobs))
    return Parallel(n_jobs=n_jobs)(tasks)


# -- one search ------------------------------------------------------------------------------
def time_search(
    problem: str,
    method: str,
    n_jobs: int,
    seed: int,
    n_iter: int,
    n_splits: int = SPEEDUP_SPLITS,
) -> dict:
    """Time one search's ``fit`` in this process (every thread pool limited to one).

    Returns
    -------
    dict
        The run's record: ``wall_time`` of ``fit``, ``fit_score_time`` (summed
        over fits), ``mean_fit_time`` per fit, ``batches``, ``best_cv``,
        ``params_hash`` (of the candidates, in order), ``threads`` of the
        process and of its workers, and ``workers_reused`` (the warmed workers
        ran the search).
    """
    search, setting = prepare(get_problem(problem), method, seed, n_iter, n_splits, n_jobs=n_jobs)
    X, y = setting.X, setting.y
    with threadpool_limits(limits=1):
        warm = warm_workers(n_jobs, search.estimator, X[:100], y[:100]) if n_jobs > 1 else []
        wall, _ = timed_fit(search, X, y)
        after = warm_workers(n_jobs, search.estimator, X[:100], y[:100]) if n_jobs > 1 else []
        process_threads = thread_pools()
    results = search.cv_results_
    fit, score = np.asarray(results["mean_fit_time"]), np.asarray(results["mean_score_time"])
    return {
        "experiment": "speedup",
        "status": "ok",
        "problem": problem,
        "method": method,
        "seed": seed,
        "n_jobs": n_jobs,
        "n_iter": n_iter,
        "n_splits": n_splits,
        "wall_time": wall,
        "fit_score_time": float(np.sum(fit + score) * n_splits),
        "mean_fit_time": float(np.mean(fit)),
        "n_candidates": len(results["params"]),
        "batches": batches(search),
        "best_cv": float(np.nanmax(results["mean_test_score"])),
        "params_hash": joblib.hash([sorted(p.items()) for p in results["params"]]),
        "threads": {"process": process_threads, "workers": _unique(w["threads"] for w in warm)},
        "workers_reused": {w["pid"] for w in after} <= {w["pid"] for w in warm} if warm else None,
    }


def _unique(items: Iterable[dict]) -> list[dict]:
    seen: list[dict] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# -- speedup ---------------------------------------------------------------------------------
def speedup_records(
    problem: str,
    methods: Iterable[str],
    seeds: Iterable[int],
    n_iter: int,
    n_jobs: int = 2,
    isolate: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Every method with ``n_jobs=1`` and ``n_jobs``, seed by seed.

    Runs are interleaved (seed, method, n_jobs) so that a drift in the
    machine's speed affects every method alike. With ``isolate``, each run is a
    fresh process (:func:`~benchmarks.harness.run_child`); without, it runs here (tests).
    """
    specs = [
        {"problem": problem, "method": method, "n_jobs": jobs, "seed": seed, "n_iter": n_iter}
        for seed in seeds
        for method in methods
        for jobs in (1, n_jobs)
    ]
    return run_specs("benchmarks.parallel", specs, time_search, isolate, log, _describe)


def _describe(record: dict) -> str:
    what = f"{record['method']} seed {record['seed']} n_jobs {record['n_jobs']}"
    if record["status"] != "ok":
        return f"{what}: {record['status']}: {record.get('reason')}"
    return f"{what}: {record['wall_time']:.1f} s, {len(record['batches'])} batches"


def _median(values: Iterable[float]) -> float:
    return finite_stat(values, np.median)


def _pairs(records: list[dict]) -> dict[tuple[str, int], tuple[dict, dict]]:
    """(method, seed) -> its (n_jobs=1, n_jobs=k) records, where both succeeded."""
    runs: dict[tuple[str, int], dict[int, dict]] = {}
    for r in records:
        if r["status"] == "ok":
            runs.setdefault((r["method"], r["seed"]), {})[r["n_jobs"]] = r
    return {key: (by[1], by[max(by)]) for key, by in runs.items() if len(by) == 2 and 1 in by}


def speedup_summary(records: list[dict], baseline: str = BASELINE) -> list[dict]:
    """One row per method: median times, speedup and speedup relative to ``baseline``.

    ``ratio`` is the median over seeds of the method's speedup divided by the
    baseline's speedup on the same seed; ``overhead`` the median time of the
    ``n_jobs=1`` run spent outside fitting and scoring (the search's own work,
    which a second worker does not share).
    """
    pairs = _pairs(records)
    speedup = {key: one["wall_time"] / k["wall_time"] for key, (one, k) in pairs.items()}
    rows = []
    for method in dict.fromkeys(m for m, _ in pairs):
        seeds = [s for m, s in pairs if m == method]
        ratios = [
            speedup[method, s] / speedup[baseline, s] for s in seeds if (baseline, s) in pairs
        ]
        row = _speedup_row([pairs[method, s] for s in seeds], _median(ratios))
        rows.append({"method": method, "seeds": seeds, **row})
    return rows


def _speedup_row(pairs: list[tuple[dict, dict]], ratio: float) -> dict:
    """Medians over the (n_jobs=1, n_jobs=k) record pairs of one method."""
    ones, ks = [one for one, _ in pairs], [k for _, k in pairs]
    return {
        "n_jobs": ks[0]["n_jobs"],
        "t1": _median(r["wall_time"] for r in ones),
        "tk": _median(r["wall_time"] for r in ks),
        "speedup": _median(one["wall_time"] / k["wall_time"] for one, k in pairs),
        "ratio": ratio,
        "within_target": bool(ratio >= TARGET_RATIO) if np.isfinite(ratio) else None,
        "overhead": _median(r["wall_time"] - r["fit_score_time"] for r in ones),
        "mean_fit_time": _median(r["mean_fit_time"] for r in ones),
        "batch_size": max(max(r["batches"]) for r in ones),
        "n_batches": _median(len(r["batches"]) for r in ones),
        "same_candidates": all(one["params_hash"] == k["params_hash"] for one, k in pairs),
    }


# -- batch cost ------------------------------------------------------------------------------
def batch_cost_run(problem: str, method: str, seed: int, n_iter: int, batch_size: int | None):
    """The best score of one sequential search (``n_jobs=1``) with ``batch_size``.

    ``batch_size`` None is the search's default (and, for ``RandomizedSearchCV``,
    which has none, the only setting).
    """
    task = get_problem(problem)
    search, setting = prepare(task, method, seed, n_iter, batch_size=batch_size)
    wall, _ = timed_fit(search, setting.X, setting.y)
    best = float(np.nanmax(search.cv_results_["mean_test_score"]))
    return {
        "experiment": "batch",
        "status": "ok",
        "problem": problem,
        "method": method,
        "seed": seed,
        "n_iter": n_iter,
        "batch": "default" if batch_size is None else str(batch_size),
        "batches": batches(search),
        "best_cv": best,
        "regret": -best - task.minimum,
        "wall_time": wall,
    }


def batch_cost_records(
    problems: Iterable[str],
    methods: Iterable[str],
    seeds: Iterable[int],
    n_iter: int,
    batch_sizes: Iterable[int | None] = BATCH_SIZES,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Every skhpo method at every batch size, and ``RandomizedSearchCV`` once, per seed."""
    records = []
    for problem in problems:
        for method in methods:
            sizes = [None] if method == BASELINE else list(batch_sizes)
            for size in sizes:
                for seed in seeds:
                    records.append(batch_cost_run(problem, method, seed, n_iter, size))
            if log is not None:
                log(f"batch cost: {problem} {method} done")
    return records


def batch_cost_summary(records: list[dict], baseline: str = BASELINE) -> list[dict]:
    """One row per (problem, method, batch): median regret and its cost.

    ``normalized``: median regret over ``baseline``'s median regret on the
    problem (random search = 1, optimum = 0); ``cost``: ``normalized`` minus
    that of the same method with batch size 1 (> 0: the batch loses quality).
    """
    groups: dict[tuple, list[dict]] = {}
    for r in records:
        if r["status"] == "ok":
            groups.setdefault((r["problem"], r["method"], r["batch"]), []).append(r)
    rows = []
    for (problem, method, batch), runs in groups.items():
        scale = _median(r["regret"] for r in groups.get((problem, baseline, "default"), []))
        regret = _median(r["regret"] for r in runs)
        rows.append(
            {
                "problem": problem,
                "method": method,
                "batch": batch,
                "batch_size": max(max(r["batches"]) for r in runs),
                "n_seeds": len(runs),
                "median_regret": regret,
                "mean_regret": float(np.mean([r["regret"] for r in runs])),
                "normalized": regret / scale if scale > 0 else float("nan"),
                "median_wall_time": _median(r["wall_time"] for r in runs),
            }
        )
    ones = {(r["problem"], r["method"]): r["normalized"] for r in rows if r["batch"] == "1"}
    for row in rows:
        one = ones.get((row["problem"], row["method"]), float("nan"))
        row["cost"] = row["normalized"] - one
    return rows


# -- report ----------------------------------------------------------------------------------
def _threads_line(records: list[dict]) -> str:
    ok = [r for r in records if r["status"] == "ok"]
    process = _unique(r["threads"]["process"] for r in ok)
    workers = _unique(t for r in ok for t in r["threads"]["workers"])
    reused = {r["workers_reused"] for r in ok if r["workers_reused"] is not None}
    busy = [p for pools in process + workers for p in pools.values() if p != 1]
    return (
        f"Thread pools (threadpoolctl; `sklearn_openmp` is what HistGradientBoosting uses): "
        f"search process {process}, loky workers {workers}"
        + (" — **some pool had more than one thread**" if busy else ": all at one thread")
        + ("; the warmed workers ran every search." if reused == {True} else ".")
    )


def speedup_section(records: list[dict], summary: list[dict], config: dict) -> list[str]:
    """The speedup table and how it was measured."""
    k = config["n_jobs"]
    lines = [
        f"## Speedup of n_jobs={k} over n_jobs=1",
        "",
        f"Problem `{config['problem']}`: {get_problem(config['problem']).description}; "
        f"`n_iter={config['n_iter']}`, {SPEEDUP_SPLITS}-fold shuffled CV, `refit=False`, "
        f"seeds {config['seeds']}; each run a fresh process, workers warmed before timing. "
        f"Medians over seeds. Target: speedup >= {TARGET_RATIO:.0%} of RandomizedSearchCV's.",
        "",
    ]
    rows = [
        [
            f"`{r['method']}`",
            str(r["batch_size"]),
            fmt(r["n_batches"], ".0f"),
            fmt(r["mean_fit_time"], ".2f"),
            fmt(r["t1"], ".1f"),
            fmt(r["tk"], ".1f"),
            fmt(r["overhead"], ".1f"),
            fmt(r["speedup"], ".2f"),
            fmt(r["speedup"] / k, ".0%"),
            fmt(r["ratio"], ".2f"),
            {True: "yes", False: "**no**", None: "-"}[r["within_target"]],
            "yes" if r["same_candidates"] else "**no**",
        ]
        for r in summary
    ]
    header = [
        "method",
        "batch size",
        "batches",
        "s per fit",
        "t1 (s)",
        f"t{k} (s)",
        "overhead at n_jobs=1 (s)",
        "speedup",
        "efficiency",
        "vs RandomizedSearchCV",
        f">= {TARGET_RATIO}",
        "same candidates",
    ]
    lines += markdown_table(header, rows)
    lines += [_threads_line(records), ""]
    lines += [
        "`batch size`: candidates per `evaluate_candidates` call (RandomizedSearchCV: all at "
        "once); `overhead`: wall time minus fit and score time of the `n_jobs=1` run, the "
        "search's own sequential work; `efficiency`: speedup / n_jobs.",
        "",
    ]
    return lines + _error_lines(records)


def _error_lines(records: list[dict]) -> list[str]:
    failed = [r for r in records if r["status"] != "ok"]
    return [f"- error: {_describe(r)}" for r in failed] + ([""] if failed else [])


def batch_section(records: list[dict], summary: list[dict], config: dict) -> list[str]:
    """Per-problem regret tables and the list of batch sizes that cost quality."""
    lines = [
        "## Cost of batches: best score at equal n_iter",
        "",
        f"`n_iter={config['n_iter']}`, `n_jobs=1`, seeds 0..{config['batch_seeds'] - 1}, "
        "zero-cost synthetic problems. Cells: median regret (f(best) - f(optimum), lower is "
        "better) and, in brackets, that median over RandomizedSearchCV's (1 = random search, "
        "0 = optimum). `default`: each search's default batch size (given after its name); "
        "RandomizedSearchCV, which has no batches, in the first column.",
        "",
    ]
    labels = [str(s) if s is not None else "default" for s in config["batch_sizes"]]
    by_key = {(r["problem"], r["method"], r["batch"]): r for r in summary}
    for problem in config["batch_problems"]:
        rows = [_batch_row(by_key, problem, m, labels) for m in config["batch_methods"]]
        random_search = [_regret_cell(by_key.get((problem, BASELINE, "default")))]
        rows.append([f"`{BASELINE}` (all at once)", *random_search, *[""] * (len(labels) - 1)])
        header = ["method", *(f"batch {b}" for b in labels)]
        lines += [f"### {problem}", "", *markdown_table(header, rows)]
    return lines + _cost_lines(summary) + _error_lines(records)


def _batch_row(by_key: dict, problem: str, method: str, labels: list[str]) -> list[str]:
    default = by_key.get((problem, method, "default"))
    name = f"`{method}`" + (f" (default {default['batch_size']})" if default else "")
    return [name, *(_regret_cell(by_key.get((problem, method, b))) for b in labels)]


def _regret_cell(row: dict | None) -> str:
    if row is None:
        return ""
    return f"{fmt(row['median_regret'], '.3g')} ({fmt(row['normalized'], '.2f')})"


def _cost_lines(summary: list[dict]) -> list[str]:
    costly = sorted(
        (r for r in summary if np.isfinite(r["cost"]) and r["cost"] > COST_THRESHOLD),
        key=lambda r: -r["cost"],
    )
    lines = [
        "Where batches cost quality (median regret higher than with batch size 1 by more than "
        f"{COST_THRESHOLD:.0%} of random search's):",
        "",
    ]
    lines += [
        f"- `{r['method']}` batch {r['batch']} ({r['batch_size']}) on {r['problem']}: "
        f"{fmt(r['normalized'], '.2f')} vs {fmt(r['normalized'] - r['cost'], '.2f')} with "
        f"batch 1 (+{r['cost']:.2f})"
        for r in costly
    ] or ["- nowhere"]
    return [*lines, ""]


def build_report(results: dict) -> list[str]:
    """``report.md``'s lines from the ``results.json`` contents."""
    lines = ["# Parallel efficiency of skhpo's searches", "", *provenance_lines(results["meta"])]
    config = results["config"]
    if "speedup" in results:
        part = results["speedup"]
        lines += speedup_section(part["records"], part["summary"], config)
    if "batch" in results:
        part = results["batch"]
        lines += batch_section(part["records"], part["summary"], config)
    return lines


# -- command line ----------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.parallel", description=__doc__.split("\n")[0]
    )
    add_common_arguments(parser, n_iter=40, methods=SPEEDUP_METHODS)
    parser.add_argument("--seeds", type=int, default=3, help="speedup seeds, 0 .. S-1")
    parser.add_argument("--n-jobs", type=int, default=2, help="compared with n_jobs=1")
    parser.add_argument(
        "--problem",
        default=SPEEDUP_PROBLEM.name,
        choices=[SPEEDUP_PROBLEM.name, *PROBLEMS],
        help="speedup problem",
    )
    parser.add_argument("--batch-seeds", type=int, default=20, help="batch-cost seeds")
    parser.add_argument(
        "--batch-problems",
        nargs="+",
        default=list(BATCH_PROBLEMS),
        choices=[p for p in PROBLEMS if PROBLEMS[p].synthetic],
    )
    parser.add_argument(
        "--parts", nargs="+", default=["speedup", "batch"], choices=["speedup", "batch"]
    )
    return parser


def run(args: argparse.Namespace, command: str) -> dict:
    """Run the parts asked for; the contents of ``results.json``."""
    skhpo_methods = [m for m in args.methods if m != BASELINE]
    config = {
        "problem": args.problem,
        "n_iter": args.n_iter,
        "n_jobs": args.n_jobs,
        "seeds": list(range(args.seeds)),
        "methods": args.methods,
        "batch_seeds": args.batch_seeds,
        "batch_problems": args.batch_problems,
        "batch_methods": skhpo_methods,
        "batch_sizes": list(BATCH_SIZES),
    }
    results: dict[str, Any] = {"config": config}
    started, start = datetime.now(timezone.utc), time.perf_counter()
    if "speedup" in args.parts:
        records = speedup_records(
            args.problem, args.methods, range(args.seeds), args.n_iter, args.n_jobs, log=log
        )
        results["speedup"] = {"records": records, "summary": speedup_summary(records)}
    if "batch" in args.parts:
        records = batch_cost_records(
            args.batch_problems,
            [*skhpo_methods, BASELINE],
            range(args.batch_seeds),
            args.n_iter,
            log=log,
        )
        results["batch"] = {"records": records, "summary": batch_cost_summary(records)}
    results["meta"] = run_meta(command, started, time.perf_counter() - start)
    return results


def main(argv: list[str] | None = None) -> Path | None:
    """Run the benchmark of the command line ``argv``; return the output folder."""
    return command_line("benchmarks.parallel", argv, _parser(), time_search, run, build_report)


if __name__ == "__main__":
    main()
