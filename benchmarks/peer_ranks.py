"""One skhpo method against the peers: normalized score, mean rank, paired differences.

Usage::

    python -m benchmarks.peer_ranks RESULTS_DIR --ours skhpo-bayes-seq [--n-iter 50]
    python -m benchmarks.peer_ranks RESULTS_DIR --ours skhpo-bayes --rank-by test_score
    python -m benchmarks.peer_ranks RESULTS_DIR --ours skhpo-bayes --overhead

A merged report ranks every method it holds together, so two settings of one
search push each other down. This ranks ``--ours`` against the methods that are
not skhpo's, on the real problems' (problem, seed) pairs where every one of them
finished (a method that failed on a whole problem, like scikit-optimize on
tuple-valued choices, is left out of that problem's pairs), and prints each
peer's paired difference from it with a 95 % interval (1.96 standard errors).
``--overhead`` prints each method's median overhead per candidate and
``--ours``'s overhead divided by each other method's within the same (problem,
seed) group, the comparison a shared machine allows.
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

import numpy as np

from . import metrics
from .methods import BASELINE, METHODS
from .report import load

__all__ = ["overhead_table", "peer_table"]


def peer_table(
    records: list[dict], ours: str, n_iter: int = 50, rank_by: str = "best_cv"
) -> list[str]:
    """Lines of the table: per method, normalized score, mean rank, pairs; then differences.

    The ranks are of ``rank_by`` (``"test_score"``: the refit winner's score on the
    problem's held-out data); the normalized scores and differences stay the best CV
    score's.
    """
    rows = [
        r
        for r in records
        if r.get("n_iter") == n_iter and r.get("status") == "ok" and not r["synthetic"]
    ]
    # Normalized against every row (the 100 is the best any method saw), ranked among ours
    # and the peers only.
    metrics.add_normalized_scores(rows, BASELINE)
    methods = [ours, *sorted({r["method"] for r in rows if not METHODS[r["method"]].skhpo})]
    rows = [r for r in rows if r["method"] in methods]
    # A method missing from a whole problem (it cannot run there) does not void the problem.
    on_problem = {
        p: {r["method"] for r in runs} for (p,), runs in metrics.group(rows, "problem").items()
    }
    pairs = {
        key: runs
        for key, runs in metrics.group(rows, "problem", "seed").items()
        if {r["method"] for r in runs} == on_problem[key[0]] and ours in on_problem[key[0]]
    }
    rows = [r for runs in pairs.values() for r in runs]
    metrics.add_ranks(rows, rank_by)
    lines = [
        f"{len(pairs)} (problem, seed) pairs; {ours} ranked by {rank_by} against "
        f"{len(methods) - 1} peers"
    ]
    by_method = metrics.group(rows, "method")
    for (method,), runs in sorted(
        by_method.items(), key=lambda kv: np.mean([r["rank"] for r in kv[1]])
    ):
        lines.append(
            f"{method:16s} normalized {np.mean([r['normalized'] for r in runs]):6.1f}"
            f"  mean rank {np.mean([r['rank'] for r in runs]):4.2f}  pairs {len(runs)}"
        )
    for method in methods[1:]:
        d = np.array(
            [p["difference"] for p in metrics.paired_differences(rows, ours, method, "normalized")]
        )
        mean, half = metrics.normal_interval(d)
        lines.append(f"{ours} - {method}: {mean:+.1f} +- {half:.1f} (n={len(d)})")
    return lines


def overhead_table(records: list[dict], ours: str) -> list[str]:
    """Median overhead per candidate of each method, and ``ours``'s divided by each
    other method's in the same (problem, seed) group: median and largest.

    Wall-clock overhead moves with the machine's load, so only ratios within a
    group (its methods run one after the other in one worker) compare fairly.
    """
    rows = [r for r in records if r.get("status") == "ok" and r.get("overhead_per_candidate")]
    groups = metrics.group(rows, "problem", "seed", "n_iter")
    lines = [f"overhead per candidate, {len(groups)} (problem, seed, n_iter) groups"]
    for (method,), runs in metrics.group(rows, "method").items():
        median = 1000 * np.median([r["overhead_per_candidate"] for r in runs])
        line = f"{method:16s} {median:9.2f} ms"
        if method != ours:
            ratios = [
                by[ours] / by[method]
                for by in (
                    {r["method"]: r["overhead_per_candidate"] for r in g} for g in groups.values()
                )
                if ours in by and method in by
            ]
            line += f"   {ours} / it: median {np.median(ratios):.3g}, largest {max(ratios):.3g}"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer_ranks", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ours", default="skhpo-bayes")
    parser.add_argument("--n-iter", type=int, default=50)
    parser.add_argument(
        "--overhead", action="store_true", help="overhead ratios within each group instead"
    )
    parser.add_argument(
        "--rank-by",
        choices=["best_cv", "test_score"],
        default="best_cv",
        help="what the ranks are of: the best CV score, or the held-out score",
    )
    args = parser.parse_args(argv)
    records, _ = load(args.folder)
    table = (
        overhead_table
        if args.overhead
        else partial(peer_table, n_iter=args.n_iter, rank_by=args.rank_by)
    )
    print("\n".join(table(records, args.ours)))


if __name__ == "__main__":
    main()
