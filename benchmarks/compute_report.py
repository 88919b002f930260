"""Summarise an equal-compute results folder: ``report.md``, ``table.rst`` and curves.

Usage: ``python -m benchmarks.compute_report RESULTS_DIR [--reference skhpo-bayes]
[--merge DIR ...]`` (``benchmarks.compute`` calls it at the end of a run; with
``--merge``, the folders are first merged into ``RESULTS_DIR`` as
``benchmarks.merge`` does).

Budgets are fractions of the reference run's fit CPU (by default the unraced
``skhpo-bayes`` at ``n_iter`` candidates) on the same problem and seed. A run's
score at a budget is its incumbent's full-CV score once that much CPU was
charged. Normalized score, one scale per problem: 0 = the median score of the
first candidate each run completed (a typical configuration), 100 = the best
score any run found on the problem. "Reach" is
the CPU a run needed to get within one standard error (of the fold scores) of
the final best score of the unraced search it is compared with, as a share of
that search's CPU.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

from . import metrics
from .compute_methods import SPECS
from .report import fmt, load, markdown_table

__all__ = ["BUDGETS", "reach", "score_at", "summarise", "write_report"]

#: Equal-compute budgets, as fractions of the reference run's CPU.
BUDGETS = (0.25, 0.5, 1.0)
BASELINE = "sklearn-random"
REFERENCE = "skhpo-bayes"


def score_at(curve: list, cpu: float) -> float:
    """The incumbent's score once ``cpu`` seconds were charged (NaN before the first).

    >>> score_at([[1.0, 0.5], [3.0, 0.7]], 2.0), score_at([[1.0, 0.5]], 0.5)
    (0.5, nan)
    """
    known = [score for spent, score in curve or [] if spent <= cpu * (1 + 1e-9)]
    return float(known[-1]) if known else float("nan")


def reach(curve: list, target: float) -> float:
    """The CPU charged when the incumbent first scored at least ``target`` (inf if never).

    >>> reach([[1.0, 0.5], [3.0, 0.7]], 0.6), reach([[1.0, 0.5]], 0.6)
    (3.0, inf)
    """
    for spent, score in curve or []:
        if score >= target:
            return float(spent)
    return float("inf")


def _standard_error(folds: list | None) -> float:
    folds = np.asarray(folds or [], dtype=float)
    return float(np.std(folds, ddof=1) / np.sqrt(len(folds))) if len(folds) > 1 else 0.0


def summarise(records: list[dict], reference: str = REFERENCE) -> list[dict]:
    """Per-run measures at equal compute, one dict per successful run with a reference.

    Keys: problem, method, seed, ``score@b`` and ``norm@b`` for each budget ``b``
    of :data:`BUDGETS`, ``reach_ref`` (share of the reference's CPU to reach its
    final best within one standard error), ``reach_own`` (the same against the
    method's own unraced search, when it has one), ``cpu_share`` (CPU spent
    over the reference's); against the method's own unraced search, when it has
    one: ``pruned_best`` (whether that search's final best was pruned here) and
    ``worse_final`` (whether this run's final best scores more than one standard
    error below that search's).
    """
    ok = [r for r in records if r["status"] == "ok" and r.get("curve")]
    runs = {(r["problem"], r["method"], r["seed"]): r for r in ok}
    hundred = {}
    for (problem,), group in metrics.group(ok, "problem").items():
        hundred[problem] = max(score for r in group for _, score in r["curve"])
    out = []
    for r in ok:
        ref = runs.get((r["problem"], reference, r["seed"]))
        if ref is None:
            continue
        row = {"problem": r["problem"], "method": r["method"], "seed": r["seed"]}
        for b in BUDGETS:
            row[f"score@{b}"] = score_at(r["curve"], b * ref["total_cpu"])
        row["cpu_share"] = r["total_cpu"] / ref["total_cpu"]
        for name, against in (("reach_ref", ref), ("reach_own", runs.get(
                (r["problem"], r.get("unraced"), r["seed"])))):  # fmt: skip
            if against is None:
                row[name] = float("nan")
                continue
            target = against["best"] - _standard_error(against["best_folds"])
            row[name] = reach(r["curve"], target) / against["total_cpu"]
            if name == "reach_own":
                row["pruned_best"] = against["best_params"] in r.get("pruned_params", [])
                row["worse_final"] = r["best"] < target
        out.append(row)
    zeros = {p: _zero(group) for (p,), group in metrics.group(ok, "problem").items()}
    for (problem,), group in metrics.group(out, "problem").items():
        zero = zeros[problem]
        span = hundred[problem] - zero
        for g in group:
            for b in BUDGETS:
                g[f"norm@{b}"] = 100 * (g[f"score@{b}"] - zero) / span if span > 0 else np.nan
    return out


def _zero(runs: list[dict]) -> float:
    """The 0 of a problem's normalized score: the median score of the first candidate
    each run completed (a typical configuration: most searches start at random).

    One scale per problem for every budget, so curves stay comparable along the
    CPU axis. (Random search's median at a budget, the main benchmark's 0, is
    too close to the best of these ~100-configuration grids, from 25 % of the
    budget on, to give a stable span.)
    """
    firsts = [r["curve"][0][1] for r in runs if r.get("curve")]
    return float(np.median(firsts)) if firsts else float("nan")


def _methods(rows: list[dict]) -> list[str]:
    present = {r["method"] for r in rows}
    return [m for m in SPECS if m in present]


def _median_share(values: list[float]) -> str:
    """Median of shares as a percentage; ``>100%``-style text when not reached."""
    if not values:
        return "-"
    median = float(np.median(values))
    return f"{100 * median:.0f}%" if np.isfinite(median) else "not reached"


def summary_table(rows: list[dict], reference: str = REFERENCE) -> tuple[list[str], list[list]]:
    """Header and rows: one line per method (means over problems and seeds)."""
    header = ["method", *(f"score @ {int(100 * b)}%" for b in BUDGETS),
              f"CPU to reach {reference}'s best", "reached", "CPU to reach own unraced best",
              "CPU spent", "runs"]  # fmt: skip
    lines = []
    for (method,), group in metrics.group(rows, "method").items():
        cells = [f"{metrics.finite_stat(g[f'norm@{b}'] for g in group):.1f}" for b in BUDGETS]
        reached = [g["reach_ref"] for g in group]
        own = [g["reach_own"] for g in group if np.isfinite(g["reach_own"]) or g["reach_own"] > 0]
        lines.append([
            method, *cells, _median_share(reached),
            f"{sum(np.isfinite(reached))}/{len(reached)}",
            _median_share(own) if SPECS.get(method) and SPECS[method].unraced else "-",
            _median_share([g["cpu_share"] for g in group]), str(len(group)),
        ])  # fmt: skip
    order = {m: i for i, m in enumerate(SPECS)}
    return header, sorted(lines, key=lambda line: order.get(line[0], len(order)))


def safety_table(rows: list[dict]) -> tuple[list[str], list[list]]:
    """For methods compared with their own unraced search: how often they lost its best."""
    header = ["method", "unraced", "pruned its best", "final best worse by > 1 SE", "either"]
    lines = []
    for (method,), group in metrics.group(rows, "method").items():
        spec = SPECS.get(method)
        paired = [g for g in group if "pruned_best" in g]
        if spec is None or spec.unraced is None or not paired:
            continue
        pruned = sum(g["pruned_best"] for g in paired)
        worse = sum(g["worse_final"] for g in paired)
        either = sum(g["pruned_best"] or g["worse_final"] for g in paired)
        n = len(paired)
        lines.append([method, spec.unraced, f"{pruned}/{n}", f"{worse}/{n}",
                      f"{either}/{n} ({100 * either / n:.0f}%)"])  # fmt: skip
    return header, lines


def per_problem_table(rows: list[dict], budget: float = 1.0) -> tuple[list[str], list[list]]:
    """Mean normalized score at ``budget`` per method (rows) and problem (columns)."""
    problems = list(dict.fromkeys(r["problem"] for r in rows))
    groups = metrics.group(rows, "method", "problem")
    lines = []
    for method in _methods(rows):
        cells = [
            fmt(
                metrics.finite_stat(g[f"norm@{budget}"] for g in groups.get((method, p), [])), ".1f"
            )
            for p in problems
        ]
        lines.append([method, *cells])
    return ["method", *problems], lines


def rst_table(header: list[str], lines: list[list]) -> list[str]:
    """An RST simple table."""
    cells = [header, *lines]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(header))]
    rule = "  ".join("=" * w for w in widths)

    def text(row: list) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip()

    return [rule, text(header), rule, *(text(line) for line in lines), rule, ""]


def _style(method: str) -> dict:
    """One colour per method; skhpo solid, peers dashed, variants that stop fits early dotted."""
    from matplotlib import colormaps

    names = list(SPECS)
    index = names.index(method) if method in names else len(names)
    early = any(word in method for word in ("raced", "halving", "wilcoxon"))
    solid = "-" if method.startswith("skhpo") else "--"
    return {
        "color": colormaps["tab10"](index % 10),
        "linestyle": ":" if early else solid,
        "linewidth": 2.0 if method.startswith("skhpo") else 1.5,
    }


def curves_figure(records: list[dict], rows: list[dict], path: Path, reference: str) -> None:
    """Mean normalized incumbent score against CPU (share of the reference's), per problem."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():  # early budgets: no incumbent yet in some runs
        warnings.filterwarnings("ignore", message=r"(All-NaN slice|Mean of empty slice)")
        ok = {(r["problem"], r["method"], r["seed"]): r for r in records if r["status"] == "ok"}
        problems = list(dict.fromkeys(r["problem"] for r in rows))
        grid = np.linspace(0.02, 1.0, 50)
        n_cols = min(2, len(problems))
        n_rows = int(np.ceil(len(problems) / n_cols))
        fig, axes = plt.subplots(n_rows, n_cols, figsize=(6 * n_cols, 3.8 * n_rows), squeeze=False)
        for ax, problem in zip(axes.flat, problems):
            seeds = sorted({r["seed"] for r in rows if r["problem"] == problem})
            refs = {s: ok[problem, reference, s]["total_cpu"] for s in seeds}
            zero = _zero([r for (p, _, _), r in ok.items() if p == problem])
            hundred = max(sc for (p, _, _), r in ok.items() if p == problem for _, sc in r["curve"])
            for method in _methods(rows):
                runs = [ok[problem, method, s] for s in seeds if (problem, method, s) in ok]
                if not runs:
                    continue
                values = np.array([[score_at(r["curve"], f * refs[r["seed"]]) for f in grid]
                                   for r in runs])  # fmt: skip
                with np.errstate(invalid="ignore", divide="ignore"):
                    norm = 100 * (values - zero) / (hundred - zero)
                    mean = np.nanmean(np.where(np.isfinite(norm), norm, np.nan), axis=0)
                ax.plot(100 * grid, mean, label=method, **_style(method))
            ax.set_title(problem)
            ax.set_xlabel(f"fit CPU, % of {reference}'s (n_iter candidates)")
            ax.set_ylabel("normalized score (mean over seeds)")
            ax.set_ylim(-100, 110)  # below -100: far behind; the early budgets of a few runs
            ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(problems) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(folder: Path, reference: str = REFERENCE) -> Path:
    """Write ``report.md``, ``table.rst`` and ``compute-curves.png`` into ``folder``."""
    folder = Path(folder)
    records, meta = load(folder)
    rows = summarise(records, reference)
    header, lines = summary_table(rows, reference)
    p_header, p_lines = per_problem_table(rows)
    failed = [r for r in records if r["status"] != "ok"]
    machine = meta.get("machine", {})
    text = [
        "# skhpo benchmark: equal compute",
        "",
        f"- **Command** (repository root): `{meta.get('command', '?')}`",
        f"- **Started** {meta.get('started', '?')}; wall time "
        f"{meta.get('wall_time', float('nan')) / 60:.1f} min with `--jobs {meta.get('jobs', '?')}`",
        f"- **Machine**: {machine.get('cpu', '?')}, {machine.get('nproc', '?')} CPUs",
        "- **Versions**: "
        + ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items() if v),
        f"- **Checkout**: git `{meta.get('revision') or 'unknown'}`",
        f"- **Problems**: {', '.join(dict.fromkeys(r['problem'] for r in records))}; "
        f"**seeds**: {', '.join(map(str, sorted({r['seed'] for r in records})))}; "
        f"`n_iter` = {meta.get('n_iter', '?')}, cap = {meta.get('cap', '?')}",
        "",
        __doc__.split("\n\n", 2)[2].strip(),
        "",
        "## Side by side (normalized score: mean over problems and seeds; CPU: median)",
        "",
        *markdown_table(header, lines),
        "## Against the unraced search (racing / halving variants)",
        "",
        *markdown_table(*safety_table(rows)),
        f"## Normalized score at 100% of {reference}'s CPU, per problem",
        "",
        *markdown_table(p_header, p_lines),
        "## Runs",
        "",
        *markdown_table(
            ["method", "candidates", "fits", "pruned", "cache hits", "real CPU s"],
            [
                [
                    m,
                    *(
                        f"{np.median([r[k] for r in g]):.0f}"
                        for k in ("n_rows", "n_fits", "n_pruned", "cache_hits", "real_cpu")
                    ),
                ]
                for (m,), g in metrics.group(
                    [r for r in records if r["status"] == "ok"], "method"
                ).items()
            ],
        ),
        "Medians per run. Real CPU: what this process spent on fits the cache did not hold.",
        "",
        "![curves](compute-curves.png)",
        "",
    ]
    if failed:
        text += ["## Runs that did not complete", ""]
        text += [f"- {r['problem']} / {r['method']} / seed {r['seed']}: {r['status']}: "
                 f"{r['reason']}" for r in failed]  # fmt: skip
        text.append("")
    (folder / "report.md").write_text("\n".join(text), encoding="utf-8")
    rst = [*rst_table(header, lines), "", *rst_table(p_header, p_lines)]
    (folder / "table.rst").write_text("\n".join(rst), encoding="utf-8")
    if rows:
        curves_figure(records, rows, folder / "compute-curves.png", reference)
    return folder / "report.md"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compute_report")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--reference", default=REFERENCE)
    parser.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="first merge these result folders into FOLDER (a later one's runs win)",
    )
    args = parser.parse_args(argv)
    if args.merge:
        from .merge import merge

        merge(args.folder, args.merge, report=lambda out: write_report(out, args.reference))
    print(write_report(args.folder, args.reference), file=sys.stderr)


if __name__ == "__main__":
    main()
