"""Two versions of skhpo on the same equal-compute runs, paired run by run.

Usage: ``python -m benchmarks.compute_compare --before DIR [DIR ...] --after DIR
[DIR ...] [--methods M ...] [--out FILE]``. Each ``DIR`` is a results folder of
``benchmarks.compute`` (``results.jsonl``); the ``--before`` folders were run
with one checkout, the ``--after`` folders with another, on the same problems,
seeds and fit cache (so every fit is charged the same CPU in both). The
compared ``--methods`` (default: the halving searches) are renamed
``<method>@before`` and ``<method>@after``; every other method is taken from
the ``--before`` folders. One scale of normalized scores over all runs
(:func:`benchmarks.compute_report.summarise`), then, per problem and over all:
each method's mean at each budget, and after minus before per (problem, seed),
mean ± 1.96 standard errors with the number of runs higher and lower.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from .compute_report import BUDGETS, summarise
from .metrics import normal_interval

__all__ = ["compare", "main"]

HALVING = ("skhpo-bayes-halving", "skhpo-tpe-halving")


def _load(folders: list[Path], methods: tuple, tag: str, others: bool) -> list[dict]:
    records, seen = [], set()
    for folder in folders:
        for line in (folder / "results.jsonl").read_text().splitlines():
            record = json.loads(line)
            compared = record["method"] in methods
            if not compared and not others:
                continue
            if compared:
                record["method"] = f"{record['method']}@{tag}"
            key = (record["problem"], record["method"], record["seed"])
            if key not in seen:  # the first folder that has a run wins
                seen.add(key)
                records.append(record)
    return records


def _interval(d: np.ndarray) -> str:
    d = d[np.isfinite(d)]
    if not len(d):
        return "-"
    mean, half = normal_interval(d)
    return f"{mean:+.1f} ± {half:.1f} (+{(d > 0.05).sum()}/-{(d < -0.05).sum()})"


def compare(before: list[Path], after: list[Path], methods: tuple = HALVING) -> list[str]:
    """Markdown lines: mean normalized score per method and budget, and paired differences."""
    rows = summarise(_load(before, methods, "before", True) + _load(after, methods, "after", False))
    runs = {(r["problem"], r["method"], r["seed"]): r for r in rows}
    budgets = " | ".join(f"@ {b:.0%}" for b in BUDGETS)
    lines = []
    for problem in [*sorted({r["problem"] for r in rows}), "all problems"]:
        chosen = [r for r in rows if problem in ("all problems", r["problem"])]
        lines += [f"### {problem}", "", f"| method | runs | {budgets} |",
                  "|---|---|" + "---|" * len(BUDGETS)]  # fmt: skip
        for method in sorted({r["method"] for r in chosen}):
            mine = [r for r in chosen if r["method"] == method]
            means = " | ".join(f"{np.nanmean([r[f'norm@{b}'] for r in mine]):.1f}" for b in BUDGETS)
            lines.append(f"| {method} | {len(mine)} | {means} |")
        lines.append("")
        for method in methods:
            pairs = [
                (runs[(p, m, s)], runs[(p, f"{method}@before", s)])
                for (p, m, s) in runs
                if m == f"{method}@after" and (p, f"{method}@before", s) in runs
                and problem in ("all problems", p)
            ]  # fmt: skip
            if pairs:
                diffs = [
                    _interval(np.array([a[f"norm@{b}"] - o[f"norm@{b}"] for a, o in pairs]))
                    for b in BUDGETS
                ]
                lines.append(f"{method}, after minus before ({len(pairs)} runs): " + "; ".join(
                    f"@ {b:.0%} {d}" for b, d in zip(BUDGETS, diffs)) + "  ")  # fmt: skip
        lines.append("")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, nargs="+", required=True)
    parser.add_argument("--after", type=Path, nargs="+", required=True)
    parser.add_argument("--methods", nargs="+", default=list(HALVING))
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    text = "\n".join(compare(args.before, args.after, tuple(args.methods))) + "\n"
    if args.out:
        args.out.write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
