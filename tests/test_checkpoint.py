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
from sklearn.exceptions import FitFailedWarning

from skhpo import (
    BayesSearchCV,
    Real,
    TPESearchCV,
)  # fmt: skip
from skhpo._checkpoint import legacy_options_hash
from skhpo._evaluation import CrossValidationEvaluator
from skhpo.testing import QuadraticEstimator
from skhpo.utils import all_searches

X = np.zeros((30, 2))
SPACE = {"a": Real(0, 1), "b": Real(0, 1)}


# Resuming warns how many candidates came from the file (tested on its own).
pytestmark = pytest.mark.filterwarnings("ignore:Resumed")


def _search(cls=TPESearchCV, n_iter=12, **kwargs):
    kwargs = {"estimator": QuadraticEstimator(), "random_state": 0, "batch_size": 3, **kwargs}
    return cls(param_distributions=SPACE, n_iter=n_iter, cv=3, **kwargs)


@pytest.mark.parametrize("cls", [TPESearchCV, BayesSearchCV])
def test_resumed_search_refits_nothing_and_ends_like_an_uninterrupted_one(tmp_path, counter, cls):
    path = tmp_path / "search.jsonl"
    uninterrupted = _search(cls).fit(X)
    _search(cls, n_iter=6, checkpoint=path).fit(X)
    counter.n_fits = 0
    resumed = _search(cls, checkpoint=path).fit(X)
    assert counter.n_fits == 6 * 3 + 1  # only the 6 new candidates x 3 folds, and the refit
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
def test_a_mismatched_checkpoint_is_refused_and_left_untouched(tmp_path, counter, change, match):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    before = path.read_bytes()
    counter.n_fits = 0
    with pytest.raises(ValueError, match=match):
        _search(checkpoint=path).set_params(**change).fit(X)
    assert counter.n_fits == 0
    assert path.read_bytes() == before


def test_other_data_is_refused_before_any_fit(tmp_path, counter):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    before = path.read_bytes()
    counter.n_fits = 0
    with pytest.raises(ValueError, match=r"other data.*\(X, y, groups\) or the CV splits differ"):
        _search(checkpoint=path).fit(X + 1)
    assert counter.n_fits == 0 and path.read_bytes() == before


def test_a_corrupted_checkpoint_is_refused_and_left_untouched(tmp_path, counter):
    path = tmp_path / "search.jsonl"
    path.write_text('{"skhpo_checkpoint": 1, "fingerprint": {}}\n{"batch": 0, "row": [0.1,\n')
    before = path.read_bytes()
    with pytest.raises(ValueError, match="not a readable skhpo checkpoint"):
        _search(checkpoint=path).fit(X)
    assert counter.n_fits == 0 and path.read_bytes() == before


def test_without_checkpoint_every_fit_starts_afresh(tmp_path, counter):
    search = _search(n_iter=6)
    search.fit(X)
    search.fit(X)
    assert counter.n_fits == 2 * (6 * 3 + 1)


@pytest.mark.slow
def test_a_search_killed_mid_run_resumes_from_its_checkpoint(tmp_path, counter):
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
    counter.n_fits = 0
    resumed = TPESearchCV(
        QuadraticEstimator(delay=0.05), SPACE, n_iter=30, cv=3, random_state=0, batch_size=3,
        checkpoint=path,
    ).fit(X)  # fmt: skip
    assert counter.n_fits == (30 - stored) * 3 + 1
    uninterrupted = TPESearchCV(
        QuadraticEstimator(delay=0.05), SPACE, n_iter=30, cv=3, random_state=0, batch_size=3
    ).fit(X)
    assert resumed.cv_results_["params"] == uninterrupted.cv_results_["params"]


def test_keyboard_interrupt_keeps_finished_candidates_and_refits_the_best(counter):
    def interrupt_on_third_batch(state):
        if state.n_candidates == 6:
            raise KeyboardInterrupt

    search = _search(n_iter=30, callbacks=[interrupt_on_third_batch])
    with pytest.warns(UserWarning, match="interrupted: keeping the 6 finished"):
        search.fit(X)
    assert len(search.cv_results_["params"]) == 6
    assert search.best_params_ == search.cv_results_["params"][search.best_index_]
    assert hasattr(search, "best_estimator_")


def test_keyboard_interrupt_before_anything_finished_propagates(counter):
    class Boom(QuadraticEstimator):
        def fit(self, X, y=None):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        TPESearchCV(Boom(), SPACE, n_iter=6, cv=3).fit(X)


ALL_SEARCHES = [cls for _, cls in all_searches()]


def _rows(search):
    return len(search.cv_results_["params"])


def _same_results(a, b):
    assert a.cv_results_["params"] == b.cv_results_["params"]
    np.testing.assert_array_equal(a.cv_results_["batch"], b.cv_results_["batch"])
    np.testing.assert_array_equal(
        a.cv_results_["mean_test_score"], b.cv_results_["mean_test_score"]
    )


@pytest.mark.parametrize("cls", ALL_SEARCHES)
def test_a_smaller_n_iter_restores_the_first_n_iter_candidates_and_keeps_the_file(
    tmp_path, counter, cls
):
    # The first n_iter stored candidates are exactly what a search with that n_iter
    # evaluates; the rest of the file stays for a later, longer run.
    path = tmp_path / "search.jsonl"
    _search(cls, n_iter=12, checkpoint=path).fit(X)
    before = path.read_bytes()
    resumed = _search(cls, n_iter=10, checkpoint=path).fit(X)
    assert _rows(resumed) == 10
    _same_results(resumed, _search(cls, n_iter=10).fit(X))
    assert path.read_bytes() == before


@pytest.mark.parametrize("cls", ALL_SEARCHES)
@pytest.mark.parametrize("batch_size", [None, 4])
def test_a_search_extended_through_its_checkpoint_matches_an_uninterrupted_one(
    tmp_path, counter, cls, batch_size
):
    # n_iter=6 ends within a batch: the extension completes that batch before the
    # strategy hears of it, as the uninterrupted search does.
    path = tmp_path / "search.jsonl"
    make = lambda n_iter, **kw: cls(  # noqa: E731
        QuadraticEstimator(), SPACE, n_iter=n_iter, cv=3, random_state=0,
        batch_size=batch_size, **kw,
    )  # fmt: skip
    make(6, checkpoint=path).fit(X)
    counter.n_fits = 0
    extended = make(9, checkpoint=path).fit(X)
    assert counter.n_fits == 3 * 3 + 1
    _same_results(extended, make(9).fit(X))
    assert len(path.read_text().splitlines()) == 1 + 9


def test_resuming_says_how_many_candidates_came_from_the_file(tmp_path):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    with pytest.warns(UserWarning, match=r"Resumed 6 candidates from checkpoint .*search\.jsonl"):
        _search(n_iter=9, checkpoint=path).fit(X)
    with pytest.warns(UserWarning, match=r"Resumed 3 candidates .*the first 3 of the 9"):
        _search(n_iter=3, checkpoint=path).fit(X)


def test_a_refused_checkpoint_names_the_option_and_both_values(tmp_path):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    with pytest.raises(ValueError, match="option batch_size: file has 3, this search has 4"):
        _search(checkpoint=path, batch_size=4).fit(X)
    with pytest.raises(ValueError, match=r"option random_state: file has 0, this search has 1"):
        _search(checkpoint=path, random_state=1).fit(X)
    with pytest.raises(ValueError, match=r"file: QuadraticEstimator\(\), this search: "
                                         r"QuadraticEstimator\(delay=0.001\)"):  # fmt: skip
        _search(checkpoint=path, estimator=QuadraticEstimator(delay=0.001)).fit(X)
    with pytest.raises(ValueError, match="written by TPESearchCV, this is a BayesSearchCV"):
        _search(BayesSearchCV, checkpoint=path).fit(X)


def test_a_file_of_the_first_release_is_still_read(tmp_path, counter):
    # Its header holds one hash of every option together, and no described values.
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    del header["described"]
    header["fingerprint"]["options"] = legacy_options_hash(_search())
    path.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    with pytest.raises(ValueError, match="predates per-option records"):
        _search(checkpoint=path, batch_size=4).fit(X)
    counter.n_fits = 0
    assert _rows(_search(n_iter=9, checkpoint=path).fit(X)) == 9
    assert counter.n_fits == 3 * 3 + 1


def test_a_search_seeded_with_a_random_state_instance_resumes(tmp_path, counter):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path, random_state=np.random.RandomState(0)).fit(X)
    counter.n_fits = 0
    resumed = _search(n_iter=9, checkpoint=path, random_state=np.random.RandomState(0)).fit(X)
    assert counter.n_fits == 3 * 3 + 1
    _same_results(resumed, _search(n_iter=9, random_state=np.random.RandomState(0)).fit(X))


@pytest.mark.filterwarnings("ignore:One or more of the test scores")
def test_resuming_a_file_whose_every_fit_failed_raises_scikit_learns_error(tmp_path, counter):
    path = tmp_path / "search.jsonl"
    failing = QuadraticEstimator(fail_above=-1.0)
    with pytest.raises(ValueError, match="fits failed"), pytest.warns(FitFailedWarning):
        _search(n_iter=6, checkpoint=path, estimator=failing).fit(X)
    counter.n_fits = 0
    with pytest.raises(ValueError, match=r"All the \d+ fits failed"):
        _search(n_iter=6, checkpoint=path, estimator=failing).fit(X)
    assert counter.n_fits == 0


DAMAGES = {
    "header not an object": lambda h, r: ([1, 2], r),
    "no fingerprint": lambda h, r: ({k: v for k, v in h.items() if k != "fingerprint"}, r),
    "fingerprint a list": lambda h, r: ({**h, "fingerprint": []}, r),
    "options a number": lambda h, r: ({**h, "fingerprint": {**h["fingerprint"], "options": 3}}, r),
    "record a list": lambda h, r: (h, [[1], *r[1:]]),
    "no row": lambda h, r: (h, [{k: v for k, v in r[0].items() if k != "row"}, *r[1:]]),
    "row of strings": lambda h, r: (h, [{**r[0], "row": ["a", "b"]}, *r[1:]]),
    "batch a string": lambda h, r: (h, [{**r[0], "batch": "0"}, *r[1:]]),
    "splits an object": lambda h, r: (h, [{**r[0], "splits": {}}, *r[1:]]),
    "no splits": lambda h, r: (h, [{k: v for k, v in r[0].items() if k != "splits"}, *r[1:]]),
    "test_scores a string": lambda h, r: (
        h,
        [{**r[0], "splits": [{**s, "test_scores": "x"} for s in r[0]["splits"]]}, *r[1:]],
    ),
    "failed a number": lambda h, r: (h, [{**r[0], "failed": 1}, *r[1:]]),
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_checkpoint_of_valid_json_but_damaged_structure_is_refused_untouched(
    tmp_path, counter, damage
):
    path = tmp_path / "search.jsonl"
    _search(n_iter=6, checkpoint=path).fit(X)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    header, records = damage(lines[0], lines[1:])
    path.write_text("\n".join(json.dumps(x) for x in [header, *records]) + "\n")
    before = path.read_bytes()
    counter.n_fits = 0
    with pytest.raises(ValueError, match="is not a readable skhpo checkpoint"):
        _search(checkpoint=path).fit(X)
    assert counter.n_fits == 0 and path.read_bytes() == before


@pytest.mark.parametrize(
    ("where", "match"),
    [("missing/search.jsonl", "does not exist"), ("", "must be the path of a file"),
     (".", "is a directory")],
)  # fmt: skip
def test_a_checkpoint_that_cannot_be_written_is_refused_before_any_fit(
    tmp_path, counter, monkeypatch, where, match
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValueError, match=f"checkpoint.*{match}"):
        _search(checkpoint=where).fit(X)
    assert counter.n_fits == 0
    assert os.listdir(tmp_path) == [] and os.listdir(tmp_path.parent).count("search.jsonl") == 0


@pytest.mark.skipif(os.name == "nt", reason="POSIX permission bits")
def test_the_file_keeps_its_mode_and_a_new_one_gets_the_umask_mode(tmp_path):
    path = tmp_path / "search.jsonl"
    umask = os.umask(0o027)
    try:
        _search(n_iter=3, checkpoint=path).fit(X)
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o640
    path.chmod(0o604)
    _search(n_iter=6, checkpoint=path).fit(X)
    assert path.stat().st_mode & 0o777 == 0o604


def test_two_searches_cannot_share_one_checkpoint(tmp_path, counter):
    path = tmp_path / "search.jsonl"
    refusals = []

    def start_another(state):
        if state.n_candidates == 3:
            n_fits = counter.n_fits
            with pytest.raises(ValueError, match="in use by another search") as refused:
                _search(n_iter=6, checkpoint=path).fit(X)
            refusals.append((str(refused.value), counter.n_fits - n_fits))

    first = _search(n_iter=9, checkpoint=path, callbacks=[start_another]).fit(X)
    [(message, fitted)] = refusals
    assert f"process {os.getpid()}" in message and fitted == 0
    assert len(path.read_text().splitlines()) == 1 + 9 == 1 + _rows(first)
    assert not os.path.exists(f"{path}.lock")  # released at the end of fit


def test_the_lock_is_released_on_errors_and_ctrl_c(tmp_path, counter):
    path = tmp_path / "search.jsonl"
    with pytest.raises(ValueError, match="above fail_above"):
        _search(n_iter=6, checkpoint=path, error_score="raise",
                estimator=QuadraticEstimator(fail_above=-1.0)).fit(X)  # fmt: skip
    assert not os.path.exists(f"{path}.lock")

    def interrupt(state):
        raise KeyboardInterrupt

    with pytest.warns(UserWarning, match="interrupted"):
        _search(n_iter=6, checkpoint=tmp_path / "other.jsonl", callbacks=interrupt).fit(X)
    assert not os.path.exists(f"{tmp_path / 'other.jsonl'}.lock")


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path, counter):
    path = tmp_path / "search.jsonl"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock = {"pid": dead.pid, "host": __import__("socket").gethostname()}
    (tmp_path / "search.jsonl.lock").write_text(json.dumps(lock))
    assert _rows(_search(n_iter=6, checkpoint=path).fit(X)) == 6
    assert not os.path.exists(f"{path}.lock")


def _interrupting_between_scoring_and_recording(monkeypatch, on_batch, interrupt):
    original = CrossValidationEvaluator._batch_scores

    def batch_scores(self, batch):
        if batch == on_batch:
            interrupt()
        return original(self, batch)

    monkeypatch.setattr(CrossValidationEvaluator, "_batch_scores", batch_scores)


@pytest.mark.skipif(not hasattr(signal, "raise_signal"), reason="needs signal.raise_signal")
def test_ctrl_c_after_a_batch_was_scored_waits_until_it_is_recorded(tmp_path, counter, monkeypatch):
    path = tmp_path / "search.jsonl"
    _interrupting_between_scoring_and_recording(
        monkeypatch, 2, lambda: signal.raise_signal(signal.SIGINT)
    )
    search = _search(n_iter=30, checkpoint=path)
    with pytest.warns(UserWarning, match="keeping the 9 finished"):
        search.fit(X)
    assert _rows(search) == 9 == len(path.read_text().splitlines()) - 1


def test_an_interrupt_before_a_batch_is_recorded_drops_it_everywhere(
    tmp_path, counter, monkeypatch
):
    # A KeyboardInterrupt raised in code (not a Ctrl-C, which waits): the batch is
    # lost as the warning says, and cv_results_, the warning and the file agree.
    path = tmp_path / "search.jsonl"

    def interrupt():
        raise KeyboardInterrupt

    _interrupting_between_scoring_and_recording(monkeypatch, 2, interrupt)
    search = _search(n_iter=30, checkpoint=path)
    with pytest.warns(UserWarning, match="keeping the 6 finished"):
        search.fit(X)
    assert _rows(search) == 6 == len(path.read_text().splitlines()) - 1
    assert search.cv_results_["batch"].tolist() == [0, 0, 0, 1, 1, 1]
