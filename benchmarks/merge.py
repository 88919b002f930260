"""Merge result folders into one and report it.

Usage::

    python -m benchmarks.merge OUT_DIR IN_DIR [IN_DIR ...] [--methods M ...] [--n-iter N ...]
        [--seeds S ...] [--problems P ...] [--mixed-versions]

A long benchmark rarely runs in one go: a full run split over sessions, five
more seeds run later, one method rerun after a change. Merging keeps one row
per (problem, method, seed, n_iter): a later folder replaces the rows of an
earlier one, so a rerun method supersedes its old results. ``--methods``,
``--n-iter``, ``--seeds`` and ``--problems`` keep only those rows (to compare a subset over
more seeds, or to fold a rerun into a report of fewer seeds). The
merged ``meta.json`` lists every folder's command and revision in order. The
runs must share their library versions, since a report states one set, unless
``--mixed-versions`` is given (a peer measured later, after an upgrade): then
the report names, for each library whose version differs, which methods ran
with which version.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .report import load, version_differences, write_report

__all__ = ["merge"]


def merge(
    out: Path,
    folders: list[Path],
    methods: list[str] | None = None,
    n_iters: list[int] | None = None,
    seeds: list[int] | None = None,
    report=write_report,
    mixed_versions: bool = False,
    problems: list[str] | None = None,
) -> Path:
    """Write the merged ``results.jsonl``, ``meta.json`` and report into ``out``.

    ``report(out)`` writes the report (the equal-compute benchmark passes its own).
    ``mixed_versions`` allows rows run with different library versions; the
    report then lists them (``report.version_differences``).

    Raises
    ------
    ValueError
        If the kept rows ran with different library versions (each row's own
        ``versions``, else its folder's) and ``mixed_versions`` is False.
    """
    rows: dict[tuple, dict] = {}
    metas = []
    for folder in folders:
        records, meta = load(folder)
        metas.append(meta)
        for r in records:
            if (
                (methods is None or r["method"] in methods)
                and (n_iters is None or r["n_iter"] in n_iters)
                and (seeds is None or r["seed"] in seeds)
                and (problems is None or r["problem"] in problems)
            ):
                rows[r["problem"], r["method"], r["seed"], r["n_iter"]] = {
                    "versions": meta.get("versions", {}),  # rows before per-row versions
                    **r,
                }
    differences = version_differences(list(rows.values()))
    if differences and not mixed_versions:
        raise ValueError(
            "the folders ran with different library versions ("
            + "; ".join(differences)
            + "); report them apart, or pass mixed_versions=True (--mixed-versions) to "
            "merge them and have the report say which methods ran with which"
        )
    merged = dict(metas[0])
    merged.update(
        command="`, then `".join(m.get("command", "?") for m in metas),
        wall_time=sum(m.get("wall_time", 0.0) for m in metas),
        revision=", ".join(str(m.get("revision")) for m in metas),
    )
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.jsonl", "w", encoding="utf-8") as lines:
        lines.writelines(json.dumps(r) + "\n" for r in rows.values())
    (out / "meta.json").write_text(json.dumps(merged, indent=1), encoding="utf-8")
    return report(out)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.merge", description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--methods", nargs="+")
    parser.add_argument("--n-iter", type=int, nargs="+", dest="n_iters")
    parser.add_argument("--seeds", type=int, nargs="+")
    parser.add_argument("--problems", nargs="+")
    parser.add_argument(
        "--mixed-versions",
        action="store_true",
        help="merge rows run with different library versions (the report lists them)",
    )
    args = parser.parse_args(argv)
    print(
        merge(
            args.out,
            args.folders,
            args.methods,
            args.n_iters,
            args.seeds,
            mixed_versions=args.mixed_versions,
            problems=args.problems,
        )
    )


if __name__ == "__main__":
    main()
