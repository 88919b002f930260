"""Write ``report.md`` and its figures from a results folder.

Usage: ``python -m benchmarks.report RESULTS_DIR`` (``benchmarks.run`` calls it at
the end of a run).
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from itertools import pairwise
from pathlib import Path

import numpy as np

from . import metrics
from .methods import BASELINE, METHODS

__all__ = ["fmt", "load", "markdown_table", "write_report"]

_STATUS_LABELS = {
    "not built yet": "not built",
    "unavailable": "unavailable",
    "skipped": "n/a",
    "error": "error",
}
#: Observation counts between which the scaling table and figure average.
SCALING_EDGES = [0, 25, 50, 100, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000]


def load(folder: Path) -> tuple[list[dict], dict]:
    """The records of ``results.jsonl`` and the ``meta.json`` of a results folder."""
    folder = Path(folder)
    with open(folder / "results.jsonl", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines if line.strip()]
    meta_path = folder / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    return records, meta


def version_differences(records: list[dict]) -> list[str]:
    """For each library whose recorded version differs between rows, which methods
    ran with which version: ``"optuna 5.0.0 (optuna-tpe), 5.1.0 (optuna-gp)"``.

    A library a row does not record (threadpoolctl, recorded since ``run_meta``)
    is not a different version.
    """
    methods_by_version: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for r in records:
        for library, version in (r.get("versions") or {}).items():
            if version:
                methods_by_version[library][version].add(r["method"])
    return [
        f"{library} "
        + ", ".join(f"{v} ({', '.join(sorted(ms))})" for v, ms in sorted(by_version.items()))
        for library, by_version in methods_by_version.items()
        if len(by_version) > 1
    ]


# -- formatting ----------------------------------------------------------------------------
def markdown_table(header: list[str], rows: Iterable[list[str]]) -> list[str]:
    """Lines of a markdown table (and a blank line after it)."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def fmt(value: float | None, spec: str) -> str:
    """``value`` formatted with ``spec`` (never ``-0.0``), or ``-`` when missing or not finite."""
    if value is None or not np.isfinite(value):
        return "-"
    text = format(value, spec)
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.0"


def _cell(runs: list[dict], key: str, spec: str, reducer: Callable = np.mean) -> str:
    """``reducer`` of ``key`` over the successful runs, or why there are none."""
    if not runs:
        return ""
    ok = [r for r in runs if r["status"] == "ok"]
    if not ok:
        return _STATUS_LABELS.get(runs[0]["status"], runs[0]["status"])
    text = fmt(metrics.finite_stat((r.get(key) for r in ok), reducer), spec)
    failed = sum(r["status"] == "error" for r in runs)
    return f"{text} ({failed} failed)" if failed else text


def _interval(runs: list[dict], key: str) -> str:
    """The bootstrap interval of the mean of ``key`` over the successful runs."""
    low, high = metrics.bootstrap_interval((r for r in runs if r["status"] == "ok"), key)
    return f"{fmt(low, '.1f')} to {fmt(high, '.1f')}" if np.isfinite(low) else "-"


def _methods(records: list[dict]) -> list[str]:
    present = {r["method"] for r in records}
    return [m for m in METHODS if m in present]


def _problems(records: list[dict], synthetic: bool | None = None) -> list[str]:
    seen = dict.fromkeys(r["problem"] for r in records)
    return [p for p in seen if synthetic is None or _is_synthetic(records, p) == synthetic]


def _is_synthetic(records: list[dict], problem: str) -> bool:
    return any(r["synthetic"] for r in records if r["problem"] == problem)


def _bold_best(cells: list[str], higher_is_better: bool = True) -> list[str]:
    """Bold the best number among ``cells`` (plain numbers only)."""
    values = []
    for cell in cells:
        try:
            values.append(float(cell))
        except ValueError:
            values.append(np.nan)
    if np.all(np.isnan(values)):
        return cells
    best = np.nanmax(values) if higher_is_better else np.nanmin(values)
    return [f"**{c}**" if v == best else c for c, v in zip(cells, values)]


def _by_column(
    records: list[dict],
    problems: list[str],
    methods: list[str],
    key: str,
    spec: str,
    reducer: Callable = np.mean,
    higher_is_better: bool | None = True,
) -> list[str]:
    """A method x problem table of ``key``, the best of each problem in bold."""
    groups = metrics.group(records, "method", "problem")
    columns = []
    for problem in problems:
        cells = [_cell(groups.get((m, problem), []), key, spec, reducer) for m in methods]
        columns.append(cells if higher_is_better is None else _bold_best(cells, higher_is_better))
    rows = [[f"`{m}`"] + [col[i] for col in columns] for i, m in enumerate(methods)]
    return markdown_table(["method", *problems], rows)


# -- sections --------------------------------------------------------------------------------
def _provenance(meta: dict, records: list[dict]) -> list[str]:
    machine, versions = meta.get("machine", {}), meta.get("versions", {})
    bench = [r for r in records if r.get("experiment", "benchmark") == "benchmark"]
    seeds = sorted({r["seed"] for r in bench})
    budgets = sorted({r["n_iter"] for r in bench})
    minutes = meta.get("wall_time", float("nan")) / 60
    lines = [
        f"# skhpo benchmark: `{meta.get('mode', '?')}` mode",
        "",
        f"- **Command** (repository root): `{meta.get('command', '?')}`",
        f"- **Started** {meta.get('started', '?')}; **wall time** {minutes:.1f} min with "
        f"`--jobs {meta.get('jobs', '?')}` (each (problem, seed) group runs all its methods "
        "one after the other in one single-threaded worker)",
        f"- **Machine**: {machine.get('cpu', '?')}, {machine.get('nproc', '?')} CPUs, "
        f"{machine.get('platform', '?')}",
        "- **Versions**: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v),
        *(
            f"- **Versions that differ between rows** (merged with `--mixed-versions`): {d}"
            for d in version_differences(records)
        ),
        f"- **Checkout**: git `{meta.get('revision') or 'unknown'}` (skhpo installed editable)",
        "- **Not installed**: " + (", ".join(k for k, v in versions.items() if not v) or "none"),
    ]
    if bench:
        lines += [
            f"- **Problems**: {', '.join(_problems(bench))}",
            f"- **Seeds**: {', '.join(map(str, seeds))} (CV folds and search seeds); "
            f"**budgets** (`n_iter`): {', '.join(map(str, budgets))}",
        ]
    return [*lines, ""]


_HOW_TO_READ = """## How to read this report

- **Normalized score**: 0 = the median best CV score of scikit-learn's
  `RandomizedSearchCV` at the same budget, 100 = the best CV score ever seen on
  the problem in this run (the known optimum for synthetic problems). Higher is
  better; below 0 is worse than the median random search. Mean over seeds.
  The **90% bootstrap interval** of the real problems' mean resamples the
  seeds of each problem: methods whose intervals overlap widely are not told
  apart by this many seeds.
- **Rank**: 1 = best CV score among the methods on the same problem, seed and
  budget; averaged.
- **Overhead per candidate**: (wall time of `fit` - refit time - fit and score
  time of every evaluated candidate from `cv_results_`) / evaluated candidates,
  in ms, median over seeds. Measured in this run, side by side.
- **Test score**: the refit best model on a held-out 25 % split that no search
  sees. **Regret**: f(best) - f(optimum) on synthetic problems (lower is better).
- `sklearn-halving` gets the same compute (candidates x samples fitted), not
  the same number of candidates; its best is re-scored with full CV on the
  shared folds; it is `n/a` on synthetic problems, whose score ignores the
  samples. `sklearn-grid` runs only where a grid of >= 3 values per range fits
  the budget. GA rows include cached repeats: see the candidates table.
- Cells say `not built` (a skhpo search whose strategy does not exist yet),
  `unavailable` (the peer does not import), `n/a` (does not apply) or `error`
  (the search crashed; reasons below). See `benchmarks/README.md` for details.
"""


def _status(records: list[dict]) -> list[str]:
    lines = ["## Methods", ""]
    rows = []
    for method in _methods(records):
        runs = [r for r in records if r["method"] == method]
        ok = sum(r["status"] == "ok" for r in runs)
        library = METHODS[method].library
        recorded = next(iter(runs))["versions"]
        # A row from before its library's version was recorded says so, not "missing".
        version = recorded.get(library) or (
            "not installed" if library in recorded else "not recorded"
        )
        notes = sorted({f"{r['status']}: {r['reason']}" for r in runs if r["status"] != "ok"})
        problems = sorted({r["problem"] for r in runs if r["status"] == "error"})
        if problems:
            notes.append("errors on: " + ", ".join(problems))
        configs = sorted({json.dumps(r["config"], sort_keys=True) for r in runs if r["config"]})
        config = "; ".join(c.strip("{}").replace('"', "") for c in configs[:4])
        rows.append(
            [
                f"`{method}`",
                f"{library} {version}",
                f"{ok}/{len(runs)}",
                "<br>".join(notes) or "ok",
                config,
            ]
        )
    return lines + markdown_table(["method", "library", "runs ok", "status", "configuration"], rows)


def _headline(records: list[dict], methods: list[str], n_iter: int) -> list[str]:
    rows = []
    for method in methods:
        runs = [r for r in records if r["method"] == method]
        real = [r for r in runs if not r["synthetic"]]
        synth = [r for r in runs if r["synthetic"]]
        rows.append(
            [
                f"`{method}`",
                _cell(real, "normalized", ".1f"),
                _interval(real, "normalized"),
                _cell(synth, "normalized", ".1f"),
                _cell(runs, "normalized", ".1f"),
                _cell(runs, "rank", ".2f"),
                _cell(real, "overhead_per_candidate_ms", ".2f", np.median),
                _cell(synth, "overhead_per_candidate_ms", ".2f", np.median),
                _cell(runs, "wall_time", ".2f"),
            ]
        )
    header = [
        "method",
        "normalized (real)",
        "real: 90% bootstrap interval",
        "normalized (synthetic)",
        "normalized (all)",
        "mean rank",
        "overhead ms/cand. (real)",
        "overhead ms/cand. (synthetic)",
        "wall s/run",
    ]
    return [f"### Headline, n_iter = {n_iter}", "", *markdown_table(header, rows)]


def _verdicts(records: list[dict], methods: list[str], n_iter: int) -> list[str]:
    """Sentences naming every problem where a skhpo search is beaten, and by whom."""
    lines = [f"### Where skhpo wins and loses, n_iter = {n_iter}", ""]
    scores = {
        key: metrics.finite_stat(r.get("normalized") for r in runs if r["status"] == "ok")
        for key, runs in metrics.group(records, "method", "problem").items()
    }
    overheads = {
        key: metrics.finite_stat(
            (r.get("overhead_per_candidate_ms") for r in runs if r["status"] == "ok"), np.median
        )
        for key, runs in metrics.group(records, "method").items()
    }
    contenders = [m for m in methods if m != "skhpo-random"]
    for method in [m for m in contenders if METHODS[m].skhpo]:
        for problem in _problems(records):
            mine = scores.get((method, problem), np.nan)
            if not np.isfinite(mine):
                continue
            others = {m: scores.get((m, problem), np.nan) for m in contenders if m != method}
            others = {m: s for m, s in others.items() if np.isfinite(s)}
            best = max(others, key=others.get) if others else None
            if best is None:
                continue
            if mine >= others[best]:
                verdict = f"**wins** ({fmt(mine, '.1f')}; next {best} {fmt(others[best], '.1f')})"
            else:
                beaten_by = sorted(
                    (m for m, s in others.items() if s > mine), key=lambda m: -others[m]
                )
                verdict = (
                    f"**loses** ({fmt(mine, '.1f')}) to {', '.join(beaten_by)} "
                    f"(best {best} {fmt(others[best], '.1f')})"
                )
            if mine < 0:
                verdict += "; worse than median random search"
            lines.append(f"- `{method}` on {problem}: {verdict}")
        base = overheads.get((BASELINE,), np.nan)
        own = overheads.get((method,), np.nan)
        if np.isfinite(own) and np.isfinite(base) and base > 0:
            lines.append(
                f"- `{method}` overhead: {own:.2f} ms/candidate, {own / base:.0f}x "
                f"`{BASELINE}`'s {base:.2f} ms (median over all runs)"
            )
    return [*lines, ""]


def _head_to_head(records: list[dict], methods: list[str], n_iter: int) -> list[str]:
    """Each skhpo search against each other contender, run by run on shared seeds."""
    contenders = [m for m in methods if m != "skhpo-random"]
    ours = [m for m in contenders if METHODS[m].skhpo]
    by_kind = {kind: [r for r in records if r["synthetic"] == kind] for kind in (False, True)}
    rows = []
    for i, method in enumerate(ours):
        for other in [m for m in contenders if m != method and m not in ours[:i]]:
            best = metrics.paired_differences(records, method, other, "best_cv")
            if not best:  # never run on the same problem and seed
                continue
            cells = [f"`{method}` - `{other}`"]
            for kind in by_kind.values():  # real, then synthetic
                pairs = metrics.paired_differences(kind, method, other, "normalized")
                mean = metrics.finite_stat(p["difference"] for p in pairs)
                low, high = metrics.bootstrap_interval(pairs, "difference")
                interval = f"{fmt(low, '.1f')} to {fmt(high, '.1f')}" if pairs else "-"
                cells += [fmt(mean, "+.1f") if pairs else "-", interval, str(len(pairs))]
            wins = sum(p["difference"] > 0 for p in best)
            losses = sum(p["difference"] < 0 for p in best)
            cells.append(f"{wins} / {len(best) - wins - losses} / {losses}")
            rows.append(cells)
    if not rows:
        return []
    header = [
        "pair",
        "real: mean difference",
        "90% interval",
        "runs",
        "synthetic: mean difference",
        "90% interval",
        "runs",
        "best CV: wins / ties / losses",
    ]
    return [
        f"#### Head to head, n_iter = {n_iter}",
        "",
        "Normalized score of the first method minus the second's, run by run on the "
        "seeds both ran (same folds); the interval resamples those pairs per problem. "
        "An interval that holds 0 means these seeds do not tell the two apart.",
        "",
        *markdown_table(header, rows),
    ]


def _budget_table(records: list[dict], methods: list[str]) -> list[str]:
    rows = []
    for method in methods:
        ok = [r for r in records if r["method"] == method and r["status"] == "ok"]
        if not ok:
            continue
        rows.append(
            [f"`{method}`"]
            + [
                fmt(metrics.finite_stat(r[key] for r in ok), ".1f")
                for key in (
                    "n_candidates",
                    "n_unique",
                    "n_evaluated",
                    "fit_score_time",
                    "wall_time",
                )
            ]
        )
    header = ["method", "rows", "unique", "evaluated", "fit+score s", "wall s"]
    return ["#### Candidates and time per run (mean)", "", *markdown_table(header, rows)]


def _budget_section(records: list[dict], n_iter: int, folder: Path, figures: bool) -> list[str]:
    runs = [r for r in records if r["n_iter"] == n_iter]
    methods = _methods(runs)
    real, synth = _problems(runs, False), _problems(runs, True)
    lines = _headline(runs, methods, n_iter) + _verdicts(runs, methods, n_iter)
    lines += _head_to_head(runs, methods, n_iter)
    lines += [f"#### Normalized score per problem (mean over seeds), n_iter = {n_iter}", ""]
    lines += _by_column(runs, real + synth, methods, "normalized", ".1f")
    if real:
        lines += ["#### Best CV score (mean)", ""]
        lines += _by_column(runs, real, methods, "best_cv", ".4f")
        lines += ["#### Held-out test score of the refit best model (mean)", ""]
        lines += _by_column(runs, real, methods, "test_score", ".4f")
    if synth:
        lines += ["#### Regret to the known optimum (mean; lower is better)", ""]
        lines += _by_column(runs, synth, methods, "regret", ".3g", higher_is_better=False)
    lines += ["#### Overhead per candidate, ms (median over seeds; lower is better)", ""]
    lines += _by_column(
        runs,
        real + synth,
        methods,
        "overhead_per_candidate_ms",
        ".2f",
        np.median,
        higher_is_better=False,
    )
    lines += _budget_table(runs, methods)
    if figures:
        lines += ["#### Convergence", ""]
        for problem in real + synth:
            name = f"convergence-{problem}-{n_iter}.png"
            _plots().convergence(runs, problem, n_iter, folder / name)
            lines += [f"![{problem}]({name})", ""]
    return lines


def _overhead_figure(records: list[dict], folder: Path) -> list[str]:
    summary = {}
    for method in _methods(records):
        ok = [r for r in records if r["method"] == method and r["status"] == "ok"]
        if ok:
            summary[method] = {
                kind: metrics.finite_stat(
                    (r["overhead_per_candidate_ms"] for r in ok if r["synthetic"] == synth),
                    np.median,
                )
                for kind, synth in (("real", False), ("synthetic", True))
            }
    if not summary:
        return []
    _plots().overhead(summary, folder / "overhead.png")
    return ["## Overhead per candidate, all budgets", "", "![overhead](overhead.png)", ""]


def _scaling_section(records: list[dict], meta: dict, folder: Path, figures: bool) -> list[str]:
    runs = [r for r in records if r.get("experiment") == "scaling"]
    if not runs:
        return []
    problem = runs[0]["problem"]
    reached = max((r["n_candidates"] or 0 for r in runs if r["status"] == "ok"), default=0)
    largest = max(r["n_iter"] for r in runs)
    edges = [e for e in SCALING_EDGES if e < largest] + [largest]
    profiles, rows = {}, []
    for run in runs:
        method = run["method"]
        if run["status"] != "ok":
            label = _STATUS_LABELS.get(run["status"], run["status"])
            rows.append([f"`{method}`", label] + [""] * (len(edges) - 2))
            continue
        profiles[method] = metrics.scaling_profile(run["times"], SCALING_EDGES)
        ends, seconds = metrics.scaling_profile(run["times"], edges)
        cells = dict(zip(ends, seconds))
        rows.append(
            [f"`{method}` ({run['n_evaluated']} evaluated)"]
            + [fmt(cells.get(end, np.nan) * 1000, ".3g") for end in edges[1:]]
        )
    caps = meta.get("scaling_caps", {})
    lines = [
        "## Scaling: overhead as observations grow",
        "",
        f"One search per method on `{problem}`, seed 0, up to {largest} candidates"
        f" ({reached} rows at most). The objective costs nothing, so the time between"
        " two evaluations is the search's: proposing candidates plus the per-candidate"
        " cross-validation machinery that every method shares (the floor, about"
        " `sklearn-random`'s value). Milliseconds per candidate, averaged between the"
        " observation counts heading each column."
        + (
            f" Capped budgets: {', '.join(f'{k} at {v}' for k, v in caps.items())}." if caps else ""
        ),
        "",
        *markdown_table(["method"] + [f"{a}-{b}" for a, b in pairwise(edges)], rows),
    ]
    lines += _scaling_cpu_table([r for r in runs if r.get("cpu_times") is not None], edges)
    if figures and profiles:
        title = f"{problem}: seconds per candidate vs observations"
        _plots().scaling(profiles, title, folder / "scaling.png")
        lines += ["![scaling](scaling.png)", ""]
    return lines


def _scaling_cpu_table(runs: list[dict], edges: list[int]) -> list[str]:
    """The scaling table in CPU time, for the runs that recorded it."""
    if not runs:
        return []
    rows = []
    for run in runs:
        ends, seconds = metrics.scaling_profile(run["cpu_times"], edges)
        cells = dict(zip(ends, seconds))
        rows.append(
            [f"`{run['method']}`"]
            + [fmt(cells.get(end, np.nan) * 1000, ".3g") for end in edges[1:]]
        )
    return [
        "The same in the search process's CPU time, for the runs that recorded it "
        "(wall-clock figures also count whatever else the machine was running):",
        "",
        *markdown_table(["method"] + [f"{a}-{b}" for a, b in pairwise(edges)], rows),
    ]


# -- figures -----------------------------------------------------------------------------
def _plots():
    from . import plots  # imports matplotlib: only when figures are drawn

    return plots


def _has_matplotlib() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


# -- entry points ------------------------------------------------------------------------------
def write_report(folder: Path) -> Path:
    """Write ``report.md`` (and PNG figures when matplotlib is installed) into ``folder``.

    Parameters
    ----------
    folder : path
        A results folder with ``results.jsonl`` (and ``meta.json``).

    Returns
    -------
    path : Path
        The report's path.
    """
    folder = Path(folder)
    records, meta = load(folder)
    for r in records:
        overhead = r.get("overhead_per_candidate")
        r["overhead_per_candidate_ms"] = None if overhead is None else 1000 * overhead
    bench = [r for r in records if r.get("experiment", "benchmark") == "benchmark"]
    metrics.add_normalized_scores(bench, BASELINE)
    metrics.add_ranks(bench)
    figures = _has_matplotlib()
    lines = [*_provenance(meta, records), _HOW_TO_READ]
    if not figures:
        lines += ["*matplotlib is not installed: no figures.*", ""]
    if bench:
        lines += _status(bench)
        lines += ["## Results", ""]
        for n_iter in sorted({r["n_iter"] for r in bench}):
            lines += _budget_section(bench, n_iter, folder, figures)
        if figures:
            lines += _overhead_figure(bench, folder)
    lines += _scaling_section(records, meta, folder, figures)
    path = folder / "report.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchmarks.report RESULTS_DIR")
    print(write_report(Path(sys.argv[1])))
