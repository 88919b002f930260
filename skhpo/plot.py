"""Plots of fitted searches: convergence, scores per parameter, importance, partial dependence.

Every function takes fitted searches, skhpo's or scikit-learn's
(``GridSearchCV``, ``RandomizedSearchCV``), and draws the metric the search
optimised: ``mean_test_score``, or ``mean_test_<refit>`` with several metrics.
Failed candidates (score ``NaN``) are skipped or marked, never hidden in a
number. The functions draw on ``ax`` when given, else on a new figure, and
return what they drew on.

matplotlib is needed to draw (``pip install skhpo[plot]``), not to import this
module. :func:`~skhpo.importance.parameter_importance` and
:func:`~skhpo.importance.partial_dependence` give the numbers behind
:func:`plot_importance` and :func:`plot_partial_dependence` without matplotlib.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from ._bounds import best_at_bounds
from ._results import Parameter, SearchResults, read_results
from .importance import parameter_importance, parameter_importance_interval, partial_dependence

__all__ = [
    "parameter_importance",
    "parameter_importance_interval",
    "plot_convergence",
    "plot_importance",
    "plot_parameter",
    "plot_parameters",
    "plot_partial_dependence",
]

_MISSING_MATPLOTLIB = "skhpo.plot needs matplotlib: pip install skhpo[plot]"
# Choice labels longer than this are cut, and tick labels longer than _ROTATE_AFTER turned.
_MAX_LABEL = 30
_ROTATE_AFTER = 8
_FAILED_STYLE = {"marker": "x", "color": "tab:red", "s": 25, "linewidths": 1.2}
_ORDER_LABEL = "candidate number (evaluation order)"


def _pyplot() -> Any:
    """``matplotlib.pyplot``, imported on first use (``ImportError`` saying how to get it)."""
    try:
        return importlib.import_module("matplotlib.pyplot")
    except ImportError as exc:
        raise ImportError(_MISSING_MATPLOTLIB) from exc


def _new_axes(ax: Any) -> Any:
    return _pyplot().subplots()[1] if ax is None else ax


def _metric_label(metric: str) -> str:
    return f"mean CV {metric}"


def _name(search: Any) -> str:
    return type(search).__name__


# -- convergence -------------------------------------------------------------------------


def plot_convergence(*searches: Any, ax: Any = None, labels: Any = None) -> Any:
    """Best score so far against the number of candidates evaluated.

    One line per search, the running maximum of its candidates' scores in the
    order of ``cv_results_`` (the order evaluated), failed candidates skipped;
    each candidate's own score is a faint point of the same colour. The title
    names the searches.

    Parameters
    ----------
    *searches : fitted BaseSearchCV
        One or more searches to compare on one axis.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    labels : list of str, optional
        Legend entry of each search; default: the class names.

    Returns
    -------
    matplotlib Axes
        Its ``i``-th line has the running best of the ``i``-th search, y-data
        of shape ``(n_candidates,)`` (``NaN`` until a candidate succeeds).
    """
    if not searches:
        raise TypeError("plot_convergence needs at least one fitted search")
    labels = [_name(s) for s in searches] if labels is None else list(labels)
    if len(labels) != len(searches):
        raise ValueError(f"got {len(labels)} labels for {len(searches)} searches")
    plt = _pyplot()
    results = [read_results(search) for search in searches]
    ax = _new_axes(ax)
    for result, label in zip(results, labels):
        number = np.arange(1, len(result.scores) + 1)
        (line,) = ax.plot(number, _running_best(result.scores), drawstyle="steps-post", label=label)
        ax.scatter(number, result.scores, s=10, alpha=0.3, color=line.get_color(), linewidths=0)
    metrics = " / ".join(dict.fromkeys(_metric_label(r.metric) for r in results))
    ax.set(xlabel="candidates evaluated", ylabel=f"best {metrics} so far")
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.set_title("Convergence of " + " and ".join(map(str, labels)))
    ax.legend()
    return ax


def _running_best(scores: np.ndarray) -> np.ndarray:
    """Running maximum skipping ``NaN``, shape ``(n,)``; ``NaN`` before the first score."""
    return np.fmax.accumulate(scores) if len(scores) else scores


# -- score against each parameter ----------------------------------------------------------


def plot_parameter(search: Any, name: str | None = None, ax: Any = None) -> Any:
    """Score of each candidate against the value of one parameter.

    Numbers are a scatter plot, on a log axis for log-scale parameters
    (``Real`` / ``Integer`` with ``log=True``, ``loguniform``; lists of
    positive numbers spread evenly over two decades or more); points are
    coloured by evaluation order (dark: early), read on the colour bar beside
    the plot; the best candidate is a star. When the best value lies at a bound
    of a numeric range (see :ref:`best-at-bound`), that bound is a dashed red
    line: the optimum may lie outside the range. Unordered choices get one box
    (quartiles of the scores) and the jittered points per choice, labelled with
    the choice (its ``repr`` unless a string). Failed candidates are red crosses
    along the bottom edge. Candidates without the parameter (conditional spaces)
    are left out.

    Parameters
    ----------
    search : fitted BaseSearchCV
    name : str, optional
        The parameter; may be omitted when the search has only one.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ValueError
        If ``name`` is not a parameter of the search (or is omitted and the
        search has several).
    """
    _pyplot()
    results = read_results(search)
    if name is None:
        if len(results.parameters) != 1:
            raise ValueError(
                f"the search has parameters {list(results.parameters)}: say which to plot "
                "with name=..., or use plot_parameters"
            )
        (name,) = results.parameters
    parameter = results.parameter(name)
    ax = _new_axes(ax)
    points = _draw_parameter(ax, results, parameter, getattr(search, "estimator", None))
    _order_colour_bar(points, ax)
    ax.set_title(f"{_name(search)}: {_metric_label(results.metric)} against {name}")
    return ax


def plot_parameters(
    search: Any, names: list[str] | None = None, ncols: int = 3, figsize: Any = None
) -> np.ndarray:
    """:func:`plot_parameter` for several parameters, on a grid sharing the score axis.

    Parameters
    ----------
    search : fitted BaseSearchCV
    names : list of str, optional
        Parameters to plot, default all of them, in the order of the space.
    ncols : int, default=3
        Plots per row.
    figsize : (float, float), optional
        Figure size in inches; default ``(3.6 * ncols, 3 * nrows)``.

    Returns
    -------
    ndarray of matplotlib Axes, shape (len(names),)
        One per parameter; unused cells of the grid are removed. The figure has
        one colour bar (evaluation order) and a title naming the search.
    """
    plt = _pyplot()
    results = read_results(search)
    names = list(results.parameters) if names is None else list(names)
    parameters = [results.parameter(name, "names") for name in names]
    if not parameters:
        raise ValueError("no parameter to plot")
    ncols = min(ncols, len(parameters))
    nrows = -(-len(parameters) // ncols)
    fig, grid = plt.subplots(
        nrows, ncols, squeeze=False, sharey=True, layout="constrained",
        figsize=figsize or (3.6 * ncols, 3.0 * nrows),
    )  # fmt: skip
    for i, (ax, parameter) in enumerate(zip(grid.flat, parameters)):
        points = _draw_parameter(ax, results, parameter, getattr(search, "estimator", None))
        if i % ncols:
            ax.set_ylabel("")
    for ax in grid.flat[len(parameters) :]:
        fig.delaxes(ax)
    axes = np.array(grid.flat[: len(parameters)])
    _order_colour_bar(points, list(axes))
    fig.suptitle(f"{_name(search)}: {_metric_label(results.metric)} against each parameter")
    return axes


def _order_colour_bar(points: Any, ax: Any) -> None:
    """The colour bar reading the evaluation order of ``points``, beside ``ax``."""
    bar = points.figure.colorbar(points, ax=ax, label=_ORDER_LABEL)
    bar.ax.yaxis.set_major_locator(_pyplot().MaxNLocator(integer=True))


def _draw_parameter(
    ax: Any, results: SearchResults, parameter: Parameter, estimator: Any = None
) -> Any:
    """Draw one parameter's plot; return the points coloured by evaluation order."""
    scores = results.scores
    if parameter.categorical:
        positions = results.positions(parameter.name)
        _draw_boxes(ax, positions, scores, len(parameter.choices))
        _set_choice_ticks(ax, parameter.choices)
        present = ~np.isnan(positions)
        x = positions + np.random.default_rng(0).uniform(-0.15, 0.15, len(positions))
    else:
        x = results.values(parameter.name)
        present = ~np.isnan(x)
        if parameter.log:
            ax.set_xscale("log")
    finished = present & np.isfinite(scores)
    number = np.arange(1, len(scores) + 1)
    points = ax.scatter(
        x[finished], scores[finished], c=number[finished], cmap="viridis",
        vmin=1, vmax=max(len(scores), 2), s=16, alpha=0.8, zorder=3,
    )  # fmt: skip
    if finished.any():
        best = np.flatnonzero(finished)[np.argmax(scores[finished])]
        ax.scatter(x[best], scores[best], marker="*", s=160, color="tab:orange",
                   edgecolors="black", linewidths=0.6, zorder=4, label="best")  # fmt: skip
        if not parameter.categorical and results.declared:
            _mark_bound(ax, results, parameter.name, results.params[best], estimator)
    _draw_failed(ax, x[present & ~finished])
    ax.set(xlabel=parameter.name, ylabel=_metric_label(results.metric))
    return points


def _mark_bound(ax: Any, results: SearchResults, name: str, best: dict, estimator: Any) -> None:
    """A dashed red line at the bound of ``name``'s range where the best value lies."""
    hit = best_at_bounds(results.space, best, estimator).get(name)
    if hit is not None:
        ax.axvline(hit.bound, color="tab:red", linestyle="--", linewidth=1.5, zorder=2,
                   label=f"best at {hit.side} bound")  # fmt: skip
        ax.legend(fontsize="small")


def _draw_boxes(ax: Any, positions: np.ndarray, scores: np.ndarray, n_choices: int) -> None:
    """One box of the finished scores per choice that has some."""
    finished = np.isfinite(scores) & ~np.isnan(positions)
    groups = [scores[finished & (positions == k)] for k in range(n_choices)]
    used = [k for k, group in enumerate(groups) if len(group)]
    if used:
        ax.boxplot(
            [groups[k] for k in used], positions=used, widths=0.5, showfliers=False,
            manage_ticks=False, medianprops={"color": "black"}, zorder=2,
        )  # fmt: skip
    ax.set_xlim(-0.5, n_choices - 0.5)


def _set_choice_ticks(ax: Any, choices: tuple) -> None:
    labels = [_choice_label(choice) for choice in choices]
    ticks = ax.set_xticks(np.arange(len(choices)), labels=labels)
    if max(map(len, labels)) > _ROTATE_AFTER:
        for tick in ticks:
            tick.label1.set(rotation=30, horizontalalignment="right", rotation_mode="anchor")


def _choice_label(choice: Any) -> str:
    label = choice if isinstance(choice, str) else repr(choice)
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _draw_failed(ax: Any, x: np.ndarray) -> None:
    """Red crosses at ``x`` along the bottom edge of the axes, inside the x-range."""
    if len(x):
        ax.scatter(x, np.zeros(len(x)), transform=ax.get_xaxis_transform(), clip_on=False,
                   zorder=4, label="failed", **_FAILED_STYLE)  # fmt: skip
        ax.update_datalim(np.column_stack([x, np.zeros(len(x))]), updatey=False)
        ax.autoscale_view()


# -- importance ------------------------------------------------------------------------------


def plot_importance(
    search: Any, ax: Any = None, random_state: Any = 0, confidence: float | None = 0.9
) -> Any:
    """Horizontal bars of :func:`~skhpo.importance.parameter_importance`, largest on top.

    Each bar carries the bootstrap interval of
    :func:`~skhpo.importance.parameter_importance_interval` as an error bar.

    Parameters
    ----------
    search : fitted BaseSearchCV
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted.
    random_state : int, RandomState instance or None, default=0
        Seed of the surrogate forest and its shuffles.
    confidence : float or None, default=0.9
        Probability covered by the intervals; None draws none (about 1 s faster).

    Returns
    -------
    matplotlib Axes
        One bar per parameter, its width the parameter's share (the shares sum
        to 1); ``ax.containers[1]``, when intervals are drawn, is their
        ``ErrorbarContainer``.
    """
    _pyplot()
    importance = parameter_importance(search, random_state=random_state)
    names = sorted(importance, key=importance.get, reverse=True)
    position = np.arange(len(names))
    ax = _new_axes(ax)
    ax.barh(position, [importance[name] for name in names], color="tab:blue")
    title = f"{_name(search)}: parameter importance"
    if confidence is not None:
        interval = parameter_importance_interval(search, confidence, random_state)
        low, high = np.array([interval[name] for name in names]).T
        ax.errorbar((low + high) / 2, position, xerr=(high - low) / 2, fmt="none",
                    ecolor="black", capsize=3, label=f"{confidence:.0%} interval")  # fmt: skip
        title += f", {confidence:.0%} bootstrap intervals"
    ax.set_yticks(position, labels=names)
    ax.invert_yaxis()
    ax.set(xlabel="share of importance", xlim=(0, 1), title=title)
    return ax


# -- partial dependence ----------------------------------------------------------------------


def plot_partial_dependence(
    search: Any, x: str, y: str, ax: Any = None, grid: int = 30, random_state: Any = 0
) -> Any:
    """Map of the predicted score over two numeric parameters, with the candidates.

    Colours are :func:`~skhpo.importance.partial_dependence`: the surrogate
    forest's score averaged over the finished candidates' other parameters,
    on a ``grid x grid`` mesh (fewer cells along a discrete parameter with
    fewer values), in the parameters' own units, with log axes for log-scale
    parameters. White dots are the finished candidates that have both
    parameters, red crosses the failed ones.

    Parameters
    ----------
    search : fitted BaseSearchCV
    x, y : str
        Two numeric parameters, on the horizontal and vertical axis.
    ax : matplotlib Axes, optional
        Where to draw; a new figure when omitted. A colour bar is added beside it.
    grid : int, default=30
        Cells per parameter.
    random_state : int, RandomState instance or None, default=0
        Seed of the surrogate forest.

    Returns
    -------
    matplotlib Axes
        ``ax.collections[0]`` is the mesh: its array has shape ``(n_y, n_x)``,
        ``(grid, grid)`` for continuous parameters, and the axis limits are the
        parameters' ranges.

    Raises
    ------
    ValueError
        Naming the parameter, if ``x`` or ``y`` is unknown or categorical (see
        :func:`~skhpo.importance.partial_dependence`).
    """
    _pyplot()
    results = read_results(search)
    dependence = partial_dependence(search, x, y, grid, random_state)
    px, py = results.parameter(x), results.parameter(y)
    x_edges = _edges(dependence.x_values, px.log)
    y_edges = _edges(dependence.y_values, py.log)
    ax = _new_axes(ax)
    mesh = ax.pcolormesh(x_edges, y_edges, dependence.average, cmap="viridis", shading="flat")
    ax.figure.colorbar(mesh, ax=ax, label=f"predicted {_metric_label(results.metric)}")
    xs, ys = results.values(x), results.values(y)
    both = ~np.isnan(xs) & ~np.isnan(ys)
    finished = both & np.isfinite(results.scores)
    ax.scatter(xs[finished], ys[finished], s=16, color="white", edgecolors="black",
               linewidths=0.6, label="evaluated")  # fmt: skip
    failed = both & ~finished
    if failed.any():
        ax.scatter(xs[failed], ys[failed], label="failed", **_FAILED_STYLE)
    ax.set(xscale="log" if px.log else "linear", yscale="log" if py.log else "linear")
    ax.set(xlim=(x_edges[0], x_edges[-1]), ylim=(y_edges[0], y_edges[-1]), xlabel=x, ylabel=y)
    ax.set_title(f"{_name(search)}: partial dependence on {x} and {y}")
    return ax


def _edges(centres: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around increasing grid values, midway on the axis scale.

    Parameters
    ----------
    centres : ndarray of shape (k,)
    log : bool
        Midway in log space.

    Returns
    -------
    ndarray of shape (k + 1,)
        For a grid even in a range's unit scale, the outer edges are the range's bounds.
    """
    t = np.log(centres) if log else np.asarray(centres, dtype=float)
    if len(t) == 1:
        inner, half = np.empty(0), np.array([0.5])
    else:
        inner = (t[1:] + t[:-1]) / 2
        half = np.array([inner[0] - t[0], t[-1] - inner[-1]])
    edges = np.concatenate([[t[0] - half[0]], inner, [t[-1] + half[-1]]])
    return np.exp(edges) if log else edges
