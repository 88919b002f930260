"""skhpo.plot and skhpo.importance: what is drawn and computed, not just that it runs."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.base import BaseEstimator
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

from skhpo import Integer, Real
from skhpo.importance import (
    parameter_importance,
    parameter_importance_interval,
    partial_dependence,
)
from skhpo.testing import RandomStrategySearchCV

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from skhpo import plot  # noqa: E402

X = np.zeros((4, 1))


class Peaked(BaseEstimator):
    """Scores ``-log10(a / 3) ** 2`` (peak at ``a = 3``), whatever ``b`` and ``c``.

    Fitting fails when ``a > fail_above``.
    """

    def __init__(self, a=1.0, b=0.5, c="x", n=1, fail_above=np.inf):
        self.a = a
        self.b = b
        self.c = c
        self.n = n
        self.fail_above = fail_above

    def fit(self, X, y=None):
        if self.a > self.fail_above:
            raise ValueError(f"a={self.a} is too large")
        return self

    def score(self, X, y=None):
        return -(np.log10(self.a / 3) ** 2)


SPACE = {"a": loguniform(1e-2, 1e2), "b": Real(0, 1), "c": ["x", "y", None]}


def _fit(search):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # failed fits, non-finite scores
        return search.fit(X)


@pytest.fixture(scope="module")
def search():
    """40 random candidates, those with a > 30 failed."""
    return _fit(RandomStrategySearchCV(Peaked(fail_above=30), SPACE, n_iter=40, cv=2,
                                       random_state=0))  # fmt: skip


@pytest.fixture(scope="module")
def sklearn_search():
    space = {"a": loguniform(1e-2, 1e2), "b": Real(0, 1).from_unit(np.linspace(0, 1, 5))}
    return _fit(RandomizedSearchCV(Peaked(), space, n_iter=15, cv=2, random_state=1))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _running_max(scores):
    best, out = -np.inf, []
    for s in scores:
        best = best if np.isnan(s) else max(best, s)
        out.append(np.nan if best == -np.inf else best)
    return np.array(out)


# -- matplotlib is optional ---------------------------------------------------------------


@pytest.mark.slow
def test_importing_skhpo_plot_does_not_import_matplotlib():
    code = "import sys, skhpo.plot; assert 'matplotlib' not in sys.modules, 'imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_matplotlib_gives_install_hint(monkeypatch, search):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    message = r"^skhpo\.plot needs matplotlib: pip install skhpo\[plot\]$"
    for draw in (
        lambda: plot.plot_convergence(search),
        lambda: plot.plot_parameter(search, "a"),
        lambda: plot.plot_parameters(search),
        lambda: plot.plot_importance(search),
        lambda: plot.plot_partial_dependence(search, "a", "b"),
    ):
        with pytest.raises(ImportError, match=message):
            draw()
    assert set(plot.parameter_importance(search)) == {"a", "b", "c"}  # numbers need no plots


# -- convergence ----------------------------------------------------------------------------


def test_convergence_is_running_best_of_each_search(search, sklearn_search):
    scores = search.cv_results_["mean_test_score"]
    assert np.isnan(scores).any() and np.isfinite(scores).any()
    ax = plot.plot_convergence(search, sklearn_search, labels=["skhpo", "sklearn"])
    lines = ax.get_lines()
    assert len(lines) == 2
    for line, fitted in zip(lines, (search, sklearn_search)):
        expected = _running_max(fitted.cv_results_["mean_test_score"])
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(expected) + 1))
        np.testing.assert_array_equal(line.get_ydata(), expected)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["skhpo", "sklearn"]
    assert ax.get_title() == "Convergence of skhpo and sklearn"


def test_convergence_leading_failures_and_multimetric():
    space = {"a": [50.0, 60.0, 3.0, 10.0, 1.0]}
    scoring = {"peak": lambda est, X, y=None: est.score(X), "flat": lambda est, X, y=None: 0.0}
    grid = _fit(GridSearchCV(Peaked(fail_above=30), space, scoring=scoring, refit="peak", cv=2))
    ax = plot.plot_convergence(grid)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), [np.nan, np.nan, 0, 0, 0])
    assert "peak" in ax.get_ylabel()
    with pytest.raises(ValueError, match="labels"):
        plot.plot_convergence(grid, labels=["one", "two"])


# -- score against each parameter -------------------------------------------------------------


def test_parameter_axes_follow_the_space(search, sklearn_search):
    assert plot.plot_parameter(search, "a").get_xscale() == "log"
    assert plot.plot_parameter(search, "b").get_xscale() == "linear"
    assert plot.plot_parameter(sklearn_search, "a").get_xscale() == "log"
    axes = plot.plot_parameters(search)
    assert [ax.get_xlabel() for ax in axes] == ["a", "b", "c"]
    assert [ax.get_xscale() for ax in axes[:2]] == ["log", "linear"]


def test_parameter_points_and_failures(search):
    scores = search.cv_results_["mean_test_score"]
    a = np.array([p["a"] for p in search.cv_results_["params"]])
    ax = plot.plot_parameter(search, "a")
    points = ax.collections[0].get_offsets()
    np.testing.assert_allclose(points, np.column_stack([a, scores])[~np.isnan(scores)])
    (failed,) = [c for c in ax.collections if c.get_label() == "failed"]
    np.testing.assert_allclose(failed.get_offsets()[:, 0], a[np.isnan(scores)])
    assert ax.get_xlim()[1] >= a.max()  # failed candidates are inside the x-range


def test_evaluation_order_has_a_colour_bar_and_plots_have_titles(search):
    scores = search.cv_results_["mean_test_score"]
    ax = plot.plot_parameter(search, "a")
    points = ax.collections[0]
    number = np.arange(1, len(scores) + 1)
    np.testing.assert_array_equal(points.get_array(), number[np.isfinite(scores)])
    assert points.colorbar is not None
    assert points.colorbar.ax.get_ylabel() == "candidate number (evaluation order)"
    assert points.colorbar.vmin == 1 and points.colorbar.vmax == len(scores)
    assert ax.get_title() == "RandomStrategySearchCV: mean CV score against a"

    axes = plot.plot_parameters(search)
    figure = axes[0].figure
    colour_bars = [other for other in figure.axes if other not in list(axes)]
    assert len(colour_bars) == 1  # one for the whole grid
    assert figure.get_suptitle() == "RandomStrategySearchCV: mean CV score against each parameter"
    assert plot.plot_importance(search, confidence=None).get_title() == (
        "RandomStrategySearchCV: parameter importance"
    )
    assert plot.plot_partial_dependence(search, "a", "b", grid=5).get_title() == (
        "RandomStrategySearchCV: partial dependence on a and b"
    )


def _bound_lines(ax):
    return [line for line in ax.get_lines() if line.get_label().startswith("best at")]


def test_best_value_at_a_bound_is_marked(search):
    # The peak of the score, a = 3, is the upper end of the range: the search warns, the plot marks.
    space = {"a": loguniform(1e-2, 3), "b": Real(0, 1)}
    at_bound = RandomStrategySearchCV(Peaked(), space, n_iter=8, cv=2, random_state=0,
                                      initial_params=[{"a": 3.0, "b": 0.5}])  # fmt: skip
    with pytest.warns(
        UserWarning, match=r"best a=3 lies at the upper bound of its range \[0.01, 3\]"
    ):
        at_bound.fit(X)
    axes = plot.plot_parameters(at_bound)
    (line,) = _bound_lines(axes[0])
    assert line.get_label() == "best at upper bound" and line.get_color() == "tab:red"
    np.testing.assert_array_equal(line.get_xdata(), [3.0, 3.0])
    assert _bound_lines(axes[1]) == []  # b is inside its range
    assert _bound_lines(plot.plot_parameter(search, "a")) == []  # the peak is inside (0.01, 100)


def test_inferred_ranges_are_not_marked():
    class LogDraws:  # only rvs: the range is inferred from the values, so its ends say nothing
        def rvs(self, random_state=None):
            return 10 ** random_state.uniform(-3, 3)

    fitted = _fit(RandomizedSearchCV(Peaked(), {"a": LogDraws()}, n_iter=12, cv=2, random_state=0))
    assert _bound_lines(plot.plot_parameter(fitted, "a")) == []


def test_categorical_parameter_shows_choice_labels(search):
    ax = plot.plot_parameter(search, "c")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "None"]
    positions = ax.collections[0].get_offsets()[:, 0]
    assert np.all(np.abs(positions - np.round(positions)) <= 0.15)


def test_parameter_space_is_inferred_without_distributions():
    class LogDraws:  # only rvs: skhpo cannot parse it, so the values tell the scale
        def rvs(self, random_state=None):
            return 10 ** random_state.uniform(-3, 3)

    fitted = _fit(RandomizedSearchCV(Peaked(), {"a": LogDraws(), "c": [(1, 2), "z"]},
                                     n_iter=12, cv=2, random_state=0))  # fmt: skip
    assert plot.plot_parameter(fitted, "a").get_xscale() == "log"
    ax = plot.plot_parameter(fitted, "c")
    first = fitted.cv_results_["params"][0]["c"]  # choices in order of appearance
    labels = ["(1, 2)", "z"] if first == (1, 2) else ["z", "(1, 2)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == labels


def test_unknown_parameter_is_named(search):
    with pytest.raises(ValueError, match=r"'nope'.*\['a', 'b', 'c'\]"):
        plot.plot_parameter(search, "nope")
    with pytest.raises(ValueError, match="plot_parameters"):
        plot.plot_parameter(search)


# -- importance -----------------------------------------------------------------------------------


def test_importance_ranks_informative_above_noise(search):
    importance = parameter_importance(search, random_state=0)
    assert list(importance) == ["a", "b", "c"]
    assert sum(importance.values()) == pytest.approx(1.0)
    assert importance["a"] > 0.8
    assert importance["b"] < 0.1 and importance["c"] < 0.1
    assert parameter_importance(search, random_state=0) == importance


def test_importance_of_a_list_of_dicts_space():
    space = [
        {"c": ["x"], "a": Real(1e-2, 1e2, log=True), "n": Integer(1, 5)},
        {"c": [None], "a": Real(1e-2, 1e2, log=True), "b": Real(0, 1)},
    ]
    fitted = _fit(RandomStrategySearchCV(Peaked(), space, n_iter=30, cv=2, random_state=0))
    importance = parameter_importance(fitted)
    assert list(importance) == ["c", "a", "n", "b"]
    assert sum(importance.values()) == pytest.approx(1.0)
    assert max(importance, key=importance.get) == "a"


@pytest.mark.slow
def test_plot_importance_bars(search):
    importance = parameter_importance(search, random_state=3)
    ax = plot.plot_importance(search, random_state=3)
    widths = [bar.get_width() for bar in ax.patches]
    assert widths == sorted(importance.values(), reverse=True)
    assert ax.get_yticklabels()[0].get_text() == "a"
    # Each bar's error bar spans the bootstrap interval of its parameter.
    interval = parameter_importance_interval(search, random_state=3)
    ordered = sorted(importance, key=importance.get, reverse=True)
    segments = ax.containers[1].lines[2][0].get_segments()
    np.testing.assert_allclose([s[:, 0] for s in segments], [interval[n] for n in ordered])
    np.testing.assert_allclose([s[0, 1] for s in segments], np.arange(3))
    assert ax.get_title().endswith("90% bootstrap intervals")


@pytest.mark.slow
def test_importance_intervals_hold_the_shares_and_follow_the_evidence(search):
    importance = parameter_importance(search)
    interval = parameter_importance_interval(search)
    assert list(interval) == list(importance)
    for name, (low, high) in interval.items():
        assert 0 <= low <= importance[name] <= high <= 1
    assert interval["a"][0] > 0.8 and interval["b"][1] < 0.2  # 40 candidates: a clearly matters
    assert parameter_importance_interval(search) == interval  # seeded
    wider = parameter_importance_interval(search, confidence=0.99)
    assert all(wider[n][0] <= interval[n][0] and wider[n][1] >= interval[n][1] for n in interval)
    # From 8 candidates the forest cannot tell a's effect from b's: a's interval is wide.
    few = _fit(RandomStrategySearchCV(Peaked(), SPACE, n_iter=8, cv=2, random_state=0))
    low, high = parameter_importance_interval(few)["a"]
    assert high - low > 0.5 > interval["a"][1] - interval["a"][0]
    with pytest.raises(ValueError, match=r"confidence must be a float in \(0, 1\), got 1.5"):
        parameter_importance_interval(search, confidence=1.5)


# -- partial dependence ---------------------------------------------------------------------------


def test_partial_dependence_mesh(search):
    ax = plot.plot_partial_dependence(search, "a", "b", grid=12)
    mesh = ax.collections[0]
    assert mesh.get_array().shape == (12, 12)
    corners = mesh.get_coordinates()
    np.testing.assert_allclose([corners[..., 0].min(), corners[..., 0].max()], [1e-2, 1e2])
    np.testing.assert_allclose([corners[..., 1].min(), corners[..., 1].max()], [0, 1], atol=1e-12)
    np.testing.assert_allclose(ax.get_xlim(), [1e-2, 1e2])
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "linear")
    finished = np.isfinite(search.cv_results_["mean_test_score"]).sum()
    assert len(ax.collections[1].get_offsets()) == finished
    # The surrogate learnt the peak at a = 3 and that b does not matter.
    values = partial_dependence(search, "a", "b", grid=12)
    assert values.average.shape == (12, 12)
    peak = values.x_values[np.argmax(values.average.mean(axis=0))]
    assert 1 < peak < 10
    assert np.ptp(values.average, axis=0).max() < 0.2 * np.ptp(values.average)


def test_partial_dependence_of_a_discrete_parameter():
    space = {"a": loguniform(1e-2, 1e2), "n": Integer(1, 5)}
    fitted = _fit(RandomStrategySearchCV(Peaked(), space, n_iter=15, cv=2, random_state=0))
    ax = plot.plot_partial_dependence(fitted, "a", "n", grid=10)
    assert ax.collections[0].get_array().shape == (5, 10)
    np.testing.assert_allclose(ax.get_ylim(), [0.5, 5.5])


def test_partial_dependence_errors_name_the_parameter(search):
    with pytest.raises(ValueError, match="x='nope' is not a parameter"):
        plot.plot_partial_dependence(search, "nope", "b")
    with pytest.raises(ValueError, match="y='c' is categorical"):
        plot.plot_partial_dependence(search, "a", "c")
    with pytest.raises(ValueError, match="different parameters"):
        plot.plot_partial_dependence(search, "a", "a")
