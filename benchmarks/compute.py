"""The equal-compute benchmark: best CV score found against fit CPU spent.

Examples
--------
::

    python -m benchmarks.compute                          # every problem and method, 5 seeds
    python -m benchmarks.compute --seeds 2 --problems svc-classif
    python -m benchmarks.compute --methods skhpo-bayes skhpo-bayes-raced sklearn-random

Every search tunes a memoising stand-in of the real estimator
(:mod:`benchmarks.memo`) that charges each fit its recorded real CPU time, the
same way for every method. The uncapped methods (skhpo's searches as they are,
``n_iter`` candidates) run first; their largest spend, times ``--cap``, is the
compute every other method may use, with up to ``4 * n_iter`` candidates (a
method that saves compute per candidate spends it on more candidates). Each run
gives its *incumbent curve*: after each candidate completes, the cumulative CPU
charged and the full-CV score of the candidate it would return (the best mean CV
score among candidates scored on every fold; for multi-fidelity searches, among
those at the highest resource reached, re-scored on all the data without charge).
``python -m benchmarks.compute_report DIR`` summarises a results folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections import defaultdict, deque
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, FitFailedWarning
from sklearn.metrics import check_scoring
from threadpoolctl import threadpool_limits

from skhpo.exceptions import BestAtBoundWarning

from . import memo
from .compute_methods import SPECS, Context, Row, check_available, missing_option, run_method
from .compute_problems import COMPUTE_PROBLEMS, DEFAULT_PROBLEMS, CostlyProblem, get_compute_problem
from .environment import revision
from .experiment import failure_reason
from .harness import command_string, finish_run, jsonable, output_folder, run_meta

__all__ = ["incumbent_curve", "main", "run_group"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
DEFAULT_CACHE = RESULTS_DIR / "compute-cache"


def _quiet() -> None:
    """Silence what capped runs and capped estimators emit on purpose, by category."""
    warnings.filterwarnings("ignore", category=FitFailedWarning)  # fits refused at the cap
    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # MLP's 30 epochs
    warnings.filterwarnings("ignore", message=r".*test scores are non-finite")
    warnings.filterwarnings("ignore", message=r".*fits failed")
    # The grids' bounds are fixed on purpose (the fits are memoised over them).
    warnings.filterwarnings("ignore", category=BestAtBoundWarning)
    try:
        import optuna
    except ImportError:
        return
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def rescore(problem: CostlyProblem, params: dict, X, y, folds) -> list[float]:
    """Fold scores of ``params`` on all the training data of each fold, charged to nobody."""
    scorer = check_scoring(problem.memo_estimator(), scoring=problem.scoring)
    scores = []
    with memo.uncharged():
        for train, test in folds:
            model = clone(problem.memo_estimator()).set_params(**params).fit(X[train], y[train])
            scores.append(float(scorer(model, X[test], y[test])))
    return scores


def incumbent_curve(
    rows: list[Row], keys: list, costs: list, names, top: float, full_scores
) -> tuple[list[list[float]], list[float] | None, dict | None]:
    """The incumbent after each completed candidate, against cumulative charged CPU.

    Each row is matched to the ledger's fits of its parameters (as many as it
    has fold scores, the earliest unmatched first); it completes at its last
    fit. Among completed rows scored on every fold and not pruned, at the highest
    resource reached so far (``top``: all the data), the best mean score is the
    incumbent.

    Parameters
    ----------
    full_scores : callable
        ``params -> fold scores`` on all the data (for an incumbent below ``top``).

    Returns
    -------
    points : list of [cpu, score]
        One point each time the incumbent changes.
    folds : list of float or None
        The final incumbent's fold scores on all the data.
    params : dict or None
        The final incumbent.
    """
    ends = np.cumsum(np.asarray(costs, dtype=float))
    fits = defaultdict(deque)
    for i, key in enumerate(keys):
        fits[key].append(i)
    completed = []
    for row in rows:
        scores = np.asarray(row.fold_scores, dtype=float)
        queue = fits[memo.param_key(row.params, names)]
        matched = [queue.popleft() for _ in range(int(np.isfinite(scores).sum())) if queue]
        if matched and np.isfinite(scores).all() and not row.pruned:
            completed.append((max(matched), row))
    completed.sort(key=lambda pair: pair[0])
    points: list[list[float]] = []
    level, best, folds, params = -np.inf, -np.inf, None, None
    for end, row in completed:
        resource = top if row.resource is None else row.resource
        score = float(np.mean(row.fold_scores))
        if resource < level or (resource == level and score <= best):
            continue
        level, best, params = resource, score, row.params
        folds = list(row.fold_scores) if resource >= top else full_scores(row.params)
        points.append([float(ends[end]), float(np.mean(folds))])
    return points, folds, params


def run_one(
    problem: CostlyProblem, method: str, seed: int, n_iter: int, cap: float, cache: Path, data
) -> dict:
    """Run one method on one problem and seed, charged by a fresh ledger; its record."""
    spec = SPECS[method]
    X, y, folds = data
    record = {
        "problem": problem.name, "method": method, "seed": seed, "n_iter": n_iter,
        "capped": spec.capped, "cap": cap if np.isfinite(cap) else None,
        "unraced": spec.unraced, "status": "ok", "reason": None,
    }  # fmt: skip
    reason = missing_option(spec)
    if reason:
        return {**record, "status": "unavailable", "reason": reason}
    start = time.perf_counter()
    ctx = Context(problem, X, y, folds, seed, n_iter)
    with memo.accounting(cache, cap if spec.stop_at_cap else np.inf) as ledger:
        try:
            rows, config = run_method(spec, ctx)
        except Exception as exc:  # noqa: BLE001 - a crashing search is a result to report
            return {**record, "status": "error", "reason": failure_reason(exc)}
    top = float(config.pop("top_resource", len(X)))
    points, best_folds, best_params = incumbent_curve(
        rows, ledger.keys, ledger.costs, problem.space, top,
        lambda params: rescore(problem, params, X, y, folds),
    )  # fmt: skip
    record.update(
        total_cpu=ledger.total,
        curve=points,
        best=points[-1][1] if points else None,
        best_folds=best_folds,
        best_params=best_params,
        n_rows=len(rows),
        n_fits=len(ledger.costs),
        n_pruned=sum(r.pruned for r in rows),
        pruned_params=[r.params for r in rows if r.pruned],
        cache_hits=ledger.hits,
        cache_misses=ledger.misses,
        real_cpu=ledger.real_cpu,
        wall_time=time.perf_counter() - start,
        config=config,
    )
    return jsonable(record)


def run_group(
    problem: str, seed: int, methods: list[str], n_iter: int, cap_factor: float, cache: Path
) -> list[dict]:
    """Run ``methods`` on one problem and seed: the uncapped ones, then the others at the cap.

    The cap is ``cap_factor`` times the most CPU an uncapped run spent (no cap
    without an uncapped run).
    """
    _quiet()
    prob = get_compute_problem(problem)
    with threadpool_limits(limits=1):
        X, y = prob.data()
        data = (X, y, prob.folds(X, y))
        first = [m for m in methods if not SPECS[m].capped]
        records = [run_one(prob, m, seed, n_iter, np.inf, cache, data) for m in first]
        spent = [r["total_cpu"] for r in records if r["status"] == "ok"]
        cap = cap_factor * max(spent) if spent else np.inf
        records += [
            run_one(prob, m, seed, n_iter, cap, cache, data) for m in methods if m not in first
        ]
    return records


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compute", description=__doc__.split("\n")[0]
    )
    problems, methods = " ".join(DEFAULT_PROBLEMS), " ".join(SPECS)
    parser.add_argument(
        "--problems", nargs="+", choices=list(COMPUTE_PROBLEMS), metavar="P",
        help=f"default: {problems}",
    )  # fmt: skip
    parser.add_argument(
        "--methods", nargs="+", choices=list(SPECS), metavar="M",
        help=f"default: those the installed skhpo can run, of {methods}",
    )  # fmt: skip
    parser.add_argument("--seeds", type=int, default=5, help="seeds S .. S+N-1 (default 5)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--n-iter", type=int, default=50, help="candidates of the uncapped runs")
    parser.add_argument(
        "--cap", type=float, default=1.0,
        help="compute of the capped runs, times the most an uncapped run spent (default 1.0)",
    )  # fmt: skip
    parser.add_argument("--jobs", type=int, default=2, help="(problem, seed) groups at once")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="fit cache folder")
    parser.add_argument("--out", type=Path, help="default: results/compute-<time>")
    parser.add_argument("--no-report", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> Path:
    """Run the equal-compute benchmark of command line ``argv``; return the output folder."""
    args = _parser().parse_args(argv)
    if args.methods:
        check_available(args.methods)
        methods = args.methods
    else:
        methods = [m for m in SPECS if missing_option(SPECS[m]) is None]
        skipped = [m for m in SPECS if m not in methods]
        if skipped:
            print(f"not run (option missing here): {', '.join(skipped)}", file=sys.stderr)
    problems = args.problems or DEFAULT_PROBLEMS
    stamp = datetime.now(timezone.utc)
    out = output_folder("compute", args.out, stamp)
    out.mkdir(parents=True, exist_ok=True)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    tasks = [(p, s) for s in seeds for p in problems]  # seed-major: workers take different problems
    command = command_string("benchmarks.compute", argv)
    print(f"{command}: {len(tasks)} jobs on {args.jobs} workers -> {out}", file=sys.stderr)
    git_revision = revision()
    start = time.perf_counter()
    with open(out / "results.jsonl", "w", encoding="utf-8") as results:
        parallel = Parallel(n_jobs=args.jobs, return_as="generator_unordered")
        jobs = (
            delayed(run_group)(p, s, methods, args.n_iter, args.cap, args.cache) for p, s in tasks
        )
        for done, records in enumerate(parallel(jobs), 1):
            for record in records:
                results.write(json.dumps(record) + "\n")
            results.flush()
            statuses = sorted({r["status"] for r in records})
            print(
                f"[{done}/{len(tasks)}] {records[0]['problem']} seed {records[0]['seed']}: "
                f"{', '.join(statuses)}; {time.perf_counter() - start:.0f} s elapsed",
                file=sys.stderr,
            )
    meta = {
        **run_meta(command, stamp, time.perf_counter() - start, git_revision),
        "mode": "compute",
        "jobs": args.jobs,
        "seeds": args.seeds,
        "n_iter": args.n_iter,
        "cap": args.cap,
    }
    from .compute_report import write_report

    return finish_run(out, meta, args.no_report, write_report)


if __name__ == "__main__":
    main()
