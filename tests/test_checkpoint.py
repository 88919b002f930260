"""Checkpoints, resuming, and interrupted searches keep every finished candidate."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from skhpo import BayesSearchCV, Real, TPESearchCV
from skhpo.testing import QuadraticEstimator

X = np.zeros((30, 2))
SPACE = {"a": Real(0, 1), "b": Real(0, 1)}


def _search(cls=TPESearchCV, n_iter=12, **kwargs):
    return cls(QuadraticEstimator(), SPACE, n_iter=n_iter, cv=3, random_state=0, batch_size=3,
               **kwargs)  # fmt: skip


@pytest.fixture
def fits():
    QuadraticEstimator.n_fits = 0
    yield QuadraticEstimator
    QuadraticEstimator.n_fits = 0


@pytest.mark.parametrize("cls", [TPESearchCV, BayesSearchCV])
def test_resumed_search_refits_nothing_and_ends_like_an_uninterrupted_one(tmp_path, fits, cls):
    path = tmp_path / "search.jsonl"
    uninterrupted = _search(cls).fit(X)
    _search(cls, n_iter=6, checkpoint=path).fit(X)
    fits.n_fits = 0
    resumed = _search(cls, checkpoint=path).fit(X)
    assert fits.n_fits == 6 * 3 + 1  # only the 6 new candidates x 3 folds, and the refit
    assert resumed.cv_results_["params"] == uninterrupted.cv_results_["params"]
    np.testing.assert_array_equal(
        resumed.cv_results_["mean_test_score"], uninterrupted.cv_results_["mean_test_score"]
    )
    np.testing.assert_array_equal(resumed.cv_results_["batch"], uninterrupted.cv_results_["batch"])
    assert resumed.best_params_ == uninterrupted.best_params_


def test_checkpoint_is_json_lines_readable_without_skhpo(tmp_path):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["skhpo_checkpoint"] == 1 and lines[0]["search"] == "TPESearchCV"
    assert set(lines[0]["fingerprint"]) == {"estimator", "space", "options", "data"}
    candidates = lines[1:]
    assert len(candidates) == 6 and [c["batch"] for c in candidates] == [0, 0, 0, 1, 1, 1]
    assert all(set(c["params"]) == {"a", "b"} and len(c["splits"]) == 3 for c in candidates)
    first = candidates[0]
    assert first["splits"][0]["test_scores"] == pytest.approx(
        -((first["params"]["a"] - 0.3) ** 2) - (first["params"]["b"] - 0.7) ** 2
    )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (dict(estimator=QuadraticEstimator(delay=0.001)), "different estimator"),
        (dict(param_distributions={"a": Real(0, 2), "b": Real(0, 1)}), "different space"),
        (dict(random_state=1), "different options"),
    ],
)
def test_a_mismatched_checkpoint_is_refused_and_left_untouched(tmp_path, fits, change, match):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    before = path.read_bytes()
    fits.n_fits = 0
    with pytest.raises(ValueError, match=match):
        _search(checkpoint=path).set_params(**change).fit(X)
    assert fits.n_fits == 0
    assert path.read_bytes() == before


def test_other_data_is_refused_before_any_fit(tmp_path, fits):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    before = path.read_bytes()
    fits.n_fits = 0
    with pytest.raises(ValueError, match="other data"):
        _search(checkpoint=path).fit(X + 1)
    assert fits.n_fits == 0 and path.read_bytes() == before


def test_a_corrupted_checkpoint_is_refused_and_left_untouched(tmp_path, fits):
    path = tmp_path / "search.jsonl"
    path.write_text('{"skhpo_checkpoint": 1, "fingerprint": {}}\n{"batch": 0, "row": [0.1,\n')
    before = path.read_bytes()
    with pytest.raises(ValueError, match="not a readable skhpo checkpoint"):
        _search(checkpoint=path).fit(X)
    assert fits.n_fits == 0 and path.read_bytes() == before


def test_without_checkpoint_every_fit_starts_afresh(tmp_path, fits):
    search = _search(n_iter=6)
    search.fit(X)
    search.fit(X)
    assert fits.n_fits == 2 * (6 * 3 + 1)


def test_a_search_killed_mid_run_resumes_from_its_checkpoint(tmp_path, fits):
    path = tmp_path / "search.jsonl"
    script = textwrap.dedent(
        f"""
        import sys
        import numpy as np
        from skhpo import TPESearchCV, Real
        from skhpo.testing import QuadraticEstimator

        def report(state):
            print(state.n_candidates, flush=True)

        TPESearchCV(
            QuadraticEstimator(delay=0.05), {{"a": Real(0, 1), "b": Real(0, 1)}},
            n_iter=30, cv=3, random_state=0, batch_size=3, callbacks=[report],
            checkpoint={str(path)!r},
        ).fit(np.zeros((30, 2)))
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        for line in process.stdout:
            if int(line) >= 9:  # three batches done, the fourth under way
                break
        time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    stored = len(path.read_text().splitlines()) - 1
    assert 9 <= stored < 30
    fits.n_fits = 0
    resumed = TPESearchCV(
        QuadraticEstimator(delay=0.05), SPACE, n_iter=30, cv=3, random_state=0, batch_size=3,
        checkpoint=path,
    ).fit(X)  # fmt: skip
    assert fits.n_fits == (30 - stored) * 3 + 1
    uninterrupted = TPESearchCV(
        QuadraticEstimator(delay=0.05), SPACE, n_iter=30, cv=3, random_state=0, batch_size=3
    ).fit(X)
    assert resumed.cv_results_["params"] == uninterrupted.cv_results_["params"]


def test_keyboard_interrupt_keeps_finished_candidates_and_refits_the_best(fits):
    def interrupt_on_third_batch(state):
        if state.n_candidates == 6:
            raise KeyboardInterrupt

    search = _search(n_iter=30, callbacks=[interrupt_on_third_batch])
    with pytest.warns(UserWarning, match="interrupted: keeping the 6 finished"):
        search.fit(X)
    assert len(search.cv_results_["params"]) == 6
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    assert hasattr(search, "best_estimator_")


def test_keyboard_interrupt_before_anything_finished_propagates(fits):
    class Boom(QuadraticEstimator):
        def fit(self, X, y=None):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        TPESearchCV(Boom(), SPACE, n_iter=6, cv=3).fit(X)
