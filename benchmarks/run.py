"""The benchmark's command line: run, write ``results.jsonl`` and ``meta.json``, report.

Examples
--------
::

    python -m benchmarks.run --mode quick               # ~10 minutes on 2 cores
    python -m benchmarks.run --mode full --jobs 2       # ~1.5 h: every problem, 5 seeds
    python -m benchmarks.run --mode scaling             # overhead up to 1000 observations
    python -m benchmarks.run --mode quick --methods skhpo-bayes sklearn-random --seeds 2

Work is split into one job per (problem, seed): all methods of a problem and
seed run one after the other in the same worker, so they are timed under the
same conditions; ``--jobs`` such groups run at once (each single-threaded).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from joblib import Parallel, delayed

from .environment import revision
from .experiment import run_group
from .harness import command_string, finish_run, output_folder, run_meta
from .methods import METHODS
from .problems import PROBLEMS, QUICK_PROBLEMS, SCALING_PROBLEM

__all__ = ["MODES", "SCALING_CAPS", "main"]

#: Budget of the scaling experiment (``--n-iter`` overrides it in ``--mode scaling``).
SCALING_N_ITER = 1000
#: Methods run only when named (Gaussian-process peers, seconds per candidate).
ON_REQUEST = [name for name, method in METHODS.items() if method.on_request]
#: Methods whose scaling run stops earlier: scikit-optimize's overhead grows to
#: seconds per candidate (about 2 minutes for 100 candidates here).
SCALING_CAPS = {"skopt-bayes": 200}


@dataclass(frozen=True)
class Mode:
    """What one ``--mode`` runs by default."""

    problems: list[str]
    seeds: int
    n_iters: list[int]
    benchmark: bool = True
    scaling: bool = False
    #: Budgets run by only some methods (default: every budget, every method).
    budget_methods: dict[int, list[str]] | None = None


MODES = {
    "quick": Mode(QUICK_PROBLEMS, seeds=3, n_iters=[30]),
    # n_iter=50 for every method; n_iter=100 for the evolutionary comparison
    # only (the GA peer and the random baseline): the whole grid at 100 would
    # take about twice as long again on 2 cores.
    "full": Mode(
        list(PROBLEMS),
        seeds=5,
        n_iters=[50, 100],
        budget_methods={100: ["skhpo-evolution", "ga", "sklearn-random", "skhpo-random"]},
    ),
    "scaling": Mode(
        [SCALING_PROBLEM], seeds=1, n_iters=[SCALING_N_ITER], benchmark=False, scaling=True
    ),
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--mode", choices=list(MODES), default="quick")
    parser.add_argument("--out", type=Path, help="output folder (default: results/<mode>-<time>)")
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=list(METHODS),
        metavar="METHOD",
        help=f"methods to run (default: all but {', '.join(ON_REQUEST)}): {', '.join(METHODS)}",
    )
    parser.add_argument(
        "--problems",
        nargs="+",
        choices=list(PROBLEMS),
        metavar="PROBLEM",
        help=f"problems (default: the mode's): {', '.join(PROBLEMS)}",
    )
    parser.add_argument("--seeds", type=int, help="number of seeds, 0 .. N-1")
    parser.add_argument(
        "--first-seed", type=int, default=0, help="first seed (default 0): seeds S .. S+N-1"
    )
    parser.add_argument("--n-iter", type=int, nargs="+", help="budgets (candidates per search)")
    parser.add_argument("--jobs", type=int, default=2, help="(problem, seed) groups run at once")
    parser.add_argument("--no-report", action="store_true", help="write results only")
    return parser


def _tasks(args: argparse.Namespace, mode: Mode) -> list[tuple]:
    """``(problem, seed, methods, n_iters, clock)`` groups, the longest first."""
    methods = args.methods or [name for name, m in METHODS.items() if not m.on_request]
    n_seeds = args.seeds if args.seeds is not None else mode.seeds
    seeds = range(args.first_seed, args.first_seed + n_seeds)
    tasks = []
    if mode.scaling:
        n_iter = max(args.n_iter) if args.n_iter and not mode.benchmark else SCALING_N_ITER
        problem = args.problems[0] if args.problems and not mode.benchmark else SCALING_PROBLEM
        for method in sorted(methods, key=lambda m: m not in SCALING_CAPS):
            tasks.append(
                (problem, 0, [method], [min(n_iter, SCALING_CAPS.get(method, n_iter))], True)
            )
    if mode.benchmark:
        problems = args.problems or mode.problems
        n_iters = args.n_iter or mode.n_iters
        real_first = sorted(problems, key=lambda p: PROBLEMS[p].synthetic)
        restrict = {} if args.methods or args.n_iter else (mode.budget_methods or {})
        for n_iter in n_iters:
            chosen = [m for m in methods if m in restrict.get(n_iter, methods)]
            tasks += [(p, seed, chosen, [n_iter], False) for p in real_first for seed in seeds]
    return tasks


def _run_task(problem: str, seed: int, methods: list, n_iters: list, clock: bool) -> list[dict]:
    records = run_group(problem, seed, methods, n_iters, clock=clock)
    for record in records:
        record["experiment"] = "scaling" if clock else "benchmark"
    return records


def main(argv: list[str] | None = None) -> Path:
    """Run the benchmark described by the command line ``argv``; return the output folder."""
    args = _parser().parse_args(argv)
    mode = MODES[args.mode]
    stamp = datetime.now(timezone.utc)
    out = output_folder(args.mode, args.out, stamp)
    out.mkdir(parents=True, exist_ok=True)
    tasks = _tasks(args, mode)
    command = command_string("benchmarks.run", argv)
    print(f"{command}: {len(tasks)} jobs on {args.jobs} workers -> {out}", file=sys.stderr)
    git_revision = revision()  # before the run: the code that runs
    start = time.perf_counter()
    done = 0
    with open(out / "results.jsonl", "w", encoding="utf-8") as results:
        parallel = Parallel(n_jobs=args.jobs, return_as="generator_unordered")
        for records in parallel(delayed(_run_task)(*task) for task in tasks):
            done += 1
            for record in records:
                results.write(json.dumps(record) + "\n")
            results.flush()
            first = records[0]
            statuses = sorted({r["status"] for r in records})
            what = f"{first['method']} on " if first.get("experiment") == "scaling" else ""
            print(
                f"[{done}/{len(tasks)}] {what}{first['problem']} seed {first['seed']}: "
                f"{len(records)} runs ({', '.join(statuses)}), "
                f"{time.perf_counter() - start:.0f} s elapsed",
                file=sys.stderr,
            )
    meta = {
        **run_meta(command, stamp, time.perf_counter() - start, git_revision),
        "mode": args.mode,
        "jobs": args.jobs,
        "seeds": args.seeds if args.seeds is not None else mode.seeds,
        "scaling_caps": SCALING_CAPS if mode.scaling else {},
    }
    from .report import write_report

    return finish_run(out, meta, args.no_report, write_report)


if __name__ == "__main__":
    main()
