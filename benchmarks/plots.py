"""The report's figures (PNG, matplotlib's Agg backend): convergence, overhead, scaling."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import metrics
from .methods import METHODS

__all__ = ["convergence", "overhead", "scaling"]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _style(method: str) -> dict:
    """The same colour for a method in every figure; skhpo solid, others dashed."""
    from matplotlib import colormaps

    names = list(METHODS)
    index = names.index(method) if method in names else len(names)
    return {
        "color": colormaps["tab20"](index % 20),
        "linestyle": "-" if method.startswith("skhpo") else "--",
        "linewidth": 1.6,
    }


def _mean_curve(curves: list[list]) -> np.ndarray:
    """Pointwise mean over seeds, up to the shortest curve."""
    length = min(len(c) for c in curves)
    return np.nanmean(np.array([np.asarray(c[:length], dtype=float) for c in curves]), axis=0)


def convergence(records: list[dict], problem: str, n_iter: int, path: Path) -> None:
    """Mean best-so-far score (or regret for synthetic problems) against candidates.

    Searches without a comparable per-candidate curve (successive halving, whose
    rows are scored on subsamples, and grids, whose order is arbitrary) appear
    as one marker: their final best, at their budget.
    """
    plt = _pyplot()
    runs = [r for r in records if r["problem"] == problem and r["n_iter"] == n_iter]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    synthetic = any(r["synthetic"] for r in runs)
    early = []
    # Synthetic problems plot regret, -score - minimum; real ones the score.
    sign, shift = (-1.0, -runs[0]["minimum"]) if synthetic else (1.0, 0.0)
    for (method,), group in metrics.group(runs, "method").items():
        ok = [r for r in group if r["status"] == "ok"]
        if not ok:
            continue
        if method in ("sklearn-halving", "sklearn-grid") or any(r["curve"] is None for r in ok):
            x = np.mean([min(r["n_candidates"], r["n_iter"]) for r in ok])
            y = sign * np.mean([r["best_cv"] for r in ok]) + shift
            marker = "o" if "halving" in method else "s"
            style = {**_style(method), "linestyle": "none", "marker": marker}
            ax.plot([x], [y], label=f"{method} (final)", **style)
            continue
        curve = sign * _mean_curve([r["curve"] for r in ok]) + shift
        if synthetic:
            curve = np.maximum(curve, 1e-9)  # an exact optimum (regret 0) stays on a log axis
        ax.plot(np.arange(1, len(curve) + 1), curve, label=method, **_style(method))
        early.append(curve[min(4, len(curve) - 1)])
    if synthetic:
        ax.set_yscale("log")
        ax.set_ylabel("regret (mean over seeds, log)")
    else:
        ax.set_ylabel("best CV score so far (mean over seeds)")
        if early:  # zoom past the first few candidates, where the curves differ
            ax.set_ylim(bottom=min(early))
    ax.set_xlabel("candidates evaluated")
    ax.set_title(f"{problem}, n_iter={n_iter}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def overhead(summary: dict[str, dict[str, float]], path: Path) -> None:
    """Horizontal bars: median overhead per candidate (ms) of each method, per problem kind.

    ``summary`` maps a method to ``{"real": ms, "synthetic": ms}``.
    """
    plt = _pyplot()
    methods = list(summary)
    kinds = ["real", "synthetic"]
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(methods) + 1.2))
    y = np.arange(len(methods))
    for i, kind in enumerate(kinds):
        values = [summary[m].get(kind, np.nan) for m in methods]
        ax.barh(y + (i - 0.5) * 0.4, values, height=0.4, label=f"{kind} problems")
    ax.set_yticks(y, methods)
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel("optimizer overhead per candidate (ms, median over runs, log)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def scaling(profiles: dict[str, tuple[list, list]], title: str, path: Path) -> None:
    """Seconds per candidate against observations so far, one line per method (log-log)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for method, (ends, seconds) in profiles.items():
        if ends:
            ax.plot(ends, seconds, marker=".", label=method, **_style(method))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("observations so far")
    ax.set_ylabel("seconds per candidate (log)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
