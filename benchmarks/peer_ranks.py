"""One skhpo method against the peers: normalized score, mean rank, paired differences.

Usage::

    python -m benchmarks.peer_ranks RESULTS_DIR --ours skhpo-bayes-seq [--n-iter 50]

A merged report ranks every method it holds together, so two settings of one
search push each other down. This ranks ``--ours`` against the methods that are
not skhpo's, on the real problems' (problem, seed) pairs where every one of them
finished (a method that failed on a whole problem, like scikit-optimize on
tuple-valued choices, is left out of that problem's pairs), and prints each
peer's paired difference from it with a 95 % interval (1.96 standard errors).
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.stats import rankdata

from .methods import BASELINE, METHODS
from .metrics import add_normalized_scores
from .report import load

__all__ = ["peer_table"]


def peer_table(records: list[dict], ours: str, n_iter: int = 50) -> list[str]:
    """Lines of the table: per method, normalized score, mean rank, pairs; then differences."""
    rows = [
        r
        for r in records
        if r.get("n_iter") == n_iter and r.get("status") == "ok" and not r["synthetic"]
    ]
    add_normalized_scores(rows, BASELINE)
    methods = [ours, *sorted({r["method"] for r in rows if not METHODS[r["method"]].skhpo})]
    by_pair: dict[tuple, dict] = defaultdict(dict)
    for r in rows:
        if r["method"] in methods:
            by_pair[r["problem"], r["seed"]][r["method"]] = r
    # A method missing from a whole problem (it cannot run there) does not void the problem.
    absent = {(m, p) for m in methods for p in {k[0] for k in by_pair}
              if not any(m in v for k, v in by_pair.items() if k[0] == p)}  # fmt: skip
    pairs = [k for k, v in by_pair.items()
             if all(m in v or (m, k[0]) in absent for m in methods)]  # fmt: skip
    lines = [f"{len(pairs)} (problem, seed) pairs; {ours} ranked against {len(methods) - 1} peers"]
    ranks: dict[str, list] = defaultdict(list)
    for k in pairs:
        present = [m for m in methods if m in by_pair[k]]
        for m, rank in zip(present, rankdata([-by_pair[k][m]["best_cv"] for m in present])):
            ranks[m].append(rank)
    for m in sorted(methods, key=lambda m: np.mean(ranks[m])):
        scores = [by_pair[k][m]["normalized"] for k in pairs if m in by_pair[k]]
        lines.append(
            f"{m:16s} normalized {np.mean(scores):6.1f}  mean rank {np.mean(ranks[m]):4.2f}"
            f"  pairs {len(scores)}"
        )
    for m in methods[1:]:
        d = np.array([by_pair[k][ours]["normalized"] - by_pair[k][m]["normalized"]
                      for k in pairs if m in by_pair[k]])  # fmt: skip
        half = 1.96 * d.std(ddof=1) / np.sqrt(len(d))
        lines.append(f"{ours} - {m}: {d.mean():+.1f} +- {half:.1f} (n={len(d)})")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.peer_ranks", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ours", default="skhpo-bayes")
    parser.add_argument("--n-iter", type=int, default=50)
    args = parser.parse_args(argv)
    records, _ = load(args.folder)
    print("\n".join(peer_table(records, args.ours, args.n_iter)))


if __name__ == "__main__":
    main()
