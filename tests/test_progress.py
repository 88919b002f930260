"""What ``verbose`` prints: one header per fit, one rounded progress line per batch."""

from __future__ import annotations

import re

import numpy as np
import pytest

from skhpo import Real
from skhpo._progress import format_value, progress_line
from skhpo.callbacks import SearchState
from skhpo.testing import QuadraticEstimator, RandomStrategySearchCV

X = np.zeros((12, 2))
SPACE = {"a": Real(0, 1), "b": Real(0, 1)}
LINE = re.compile(
    r"^\[skhpo\] (\d+)/10 candidates, best (-?[\d.e-]+) \(a=([\d.e-]+), b=([\d.e-]+)\), "
    r"[\d.]+s elapsed, ~\d+s left$"
)


def _search(estimator=None, **options):
    options = {"n_iter": 10, "batch_size": 3, "cv": 3, "random_state": 0, **options}
    return RandomStrategySearchCV(estimator or QuadraticEstimator(), SPACE, **options)


def test_header_once_and_one_progress_line_per_batch(capsys):
    search = _search(verbose=1).fit(X)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "Fitting 3 folds for each of up to 10 candidates, in batches of 3, totalling up to 30 fits"
    )
    assert sum(line.startswith("Fitting") for line in lines) == 1  # 4 batches, one header
    progress = [LINE.match(line) for line in lines[1:]]
    assert all(progress) and len(progress) == 4
    assert [int(m[1]) for m in progress] == [3, 6, 9, 10]
    # The last line shows the search's best candidate, rounded to 4 significant digits.
    last = progress[-1]
    assert float(last[2]) == pytest.approx(search.best_score_, rel=1e-3)
    assert float(last[3]) == pytest.approx(search.best_params_["a"], rel=1e-3)
    assert len(last[3].replace("0.", "").lstrip("0")) <= 4
    assert search.verbose == 1  # restored after each batch


def test_per_fit_messages_of_higher_verbosity_are_kept(capsys):
    _search(verbose=3, n_iter=4, batch_size=2).fit(X)
    out = capsys.readouterr().out
    assert out.count("Fitting") == 1
    assert out.count("[CV 1/3] END") == 4  # scikit-learn's line per fit, with its fold


def test_silent_without_verbose(capsys):
    _search().fit(X)
    assert capsys.readouterr().out == ""


def test_verbose_is_restored_when_a_batch_raises():
    search = _search(QuadraticEstimator(fail_above=-1), verbose=1, error_score="raise")
    with pytest.raises(ValueError, match="above fail_above"):
        search.fit(X)
    assert search.verbose == 1


def test_progress_line_rounds_numbers_and_keeps_other_values():
    state = SearchState(
        n_candidates=24, n_iter=50, scores=np.array([0.1]), best_score=0.971234567,
        best_params={"C": 999.9999999999998, "gamma": 0.00121234, "degree": 3,
                     "kernel": "rbf", "class_weight": None},
        elapsed=12.34, cv_results={},
    )  # fmt: skip
    assert progress_line(state, 13.4) == (
        "[skhpo] 24/50 candidates, best 0.9712 (C=1000, gamma=0.001212, degree=3, "
        "kernel=rbf, class_weight=None), 12.3s elapsed, ~13s left"
    )
    assert progress_line(state, None).endswith("12.3s elapsed")
    long = state.__class__(**{**state.__dict__, "elapsed": 3725.0})
    assert progress_line(long, 250.0).endswith("1h02m elapsed, ~4m10s left")


def test_progress_line_before_any_finished_candidate():
    state = SearchState(3, 10, np.full(3, np.nan), np.nan, None, 1.0, {})
    assert progress_line(state, 2.0) == (
        "[skhpo] 3/10 candidates, no finished candidate yet, 1.0s elapsed, ~2s left"
    )


def test_long_values_are_cut():
    assert format_value(np.float32(0.123456)) == "0.1235"
    assert format_value(np.int64(7)) == "7"
    assert len(format_value("x" * 100)) == 40
