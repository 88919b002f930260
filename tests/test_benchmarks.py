"""The benchmark harness itself (seconds; needs only skhpo and scikit-learn).

Runs from the repository root (``python -m pytest`` puts it on ``sys.path``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.model_selection import RandomizedSearchCV

from benchmarks import methods, spaces
from benchmarks.experiment import run_one
from benchmarks.problems import PROBLEMS
from benchmarks.report import write_report

FIELDS = {
    "problem",
    "method",
    "seed",
    "n_iter",
    "status",
    "reason",
    "best_cv",
    "test_score",
    "regret",
    "overhead_per_candidate",
    "wall_time",
    "n_candidates",
    "n_unique",
    "curve",
    "versions",
}


@pytest.mark.parametrize("method", ["sklearn-random", "skhpo-random"])
def test_run_one_gives_a_complete_record(method):
    record = run_one("branin", method, seed=0, n_iter=5)
    assert FIELDS <= set(record)
    assert record["status"] == "ok", record["reason"]
    assert record["n_candidates"] == record["n_unique"] == 5
    assert len(record["curve"]) == 5
    assert record["curve"] == sorted(record["curve"])
    assert record["best_cv"] == pytest.approx(record["curve"][-1])
    assert record["regret"] >= 0
    assert record["regret"] == pytest.approx(-record["best_cv"] - PROBLEMS["branin"].minimum)
    assert np.isfinite(record["overhead_per_candidate"])
    assert record["versions"]["scikit-learn"]
    json.dumps(record, allow_nan=False)


def test_identical_splits_and_seeds_give_identical_runs():
    first, second = (run_one("mixed-int-cat", "sklearn-random", 1, 5) for _ in range(2))
    assert first["curve"] == second["curve"]


class _Unbuilt(RandomizedSearchCV):
    def fit(self, X, y=None, **params):
        raise NotImplementedError("not built yet")


def test_failures_become_records(monkeypatch):
    unbuilt = methods.RandomSearch("unbuilt", "skhpo", skhpo=True)
    monkeypatch.setattr(unbuilt, "build", lambda s: (_Unbuilt(s.problem.make_estimator(), {}), {}))
    missing = methods.RandomSearch("missing", "nope", requires=("no_such_module_xyz",))
    monkeypatch.setitem(methods.METHODS, "unbuilt", unbuilt)
    monkeypatch.setitem(methods.METHODS, "missing", missing)
    assert run_one("branin", "unbuilt", 0, 5)["status"] == "not built yet"
    record = run_one("branin", "missing", 0, 5)
    assert record["status"] == "unavailable"
    assert "no_such_module_xyz" in record["reason"]
    grid = run_one("hartmann6", "sklearn-grid", 0, 5)
    assert grid["status"] == "skipped"


def test_spaces_translate_consistently():
    space = PROBLEMS["svc-kernels-digits"].space
    flat = spaces.flatten(space)
    assert flat["svc__kernel"].values == ("linear", "rbf", "poly")
    assert len(spaces.subspaces(spaces.to_sklearn(space))) == 3
    assert spaces.to_grid(PROBLEMS["branin"].space, 30) == {
        "x1": list(np.linspace(-5, 10, 5)),
        "x2": list(np.linspace(0, 15, 5)),
    }
    assert spaces.to_grid(PROBLEMS["hartmann6"].space, 100) is None
    draws = [spaces.LogUniformInt(1, 50).rvs(np.random.RandomState(i)) for i in range(200)]
    assert min(draws) == 1 and max(draws) <= 50


def test_report_is_written(tmp_path):
    methods_run = ("sklearn-random", "skhpo-random", "skhpo-coordinate")
    records = [run_one("branin", m, seed, 5) for m in methods_run for seed in (0, 1)]
    with open(tmp_path / "results.jsonl", "w") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    report = write_report(tmp_path).read_text()
    assert "Normalized score" in report and "`skhpo-random`" in report
    assert "| `skhpo-coordinate` - `sklearn-random` |" in report  # head to head, paired


def test_bootstrap_interval_covers_the_mean_and_weights_problems_equally():
    from benchmarks.metrics import bootstrap_interval

    records = [{"problem": "a", "x": v} for v in (0.0, 10.0, 20.0, 30.0, 40.0)]
    records += [{"problem": "b", "x": 5.0} for _ in range(5)] + [{"problem": "b", "x": None}]
    low, high = bootstrap_interval(records, "x")
    mean = (20.0 * 5 + 5.0 * 5) / 10
    assert low < mean < high
    # Problem b never varies: the spread is a's alone, halved by b's weight.
    assert high - low < 20.0
    # A constant key has a zero-width interval; no finite values, NaN.
    assert bootstrap_interval(records[5:], "x") == (5.0, 5.0)
    assert all(np.isnan(bootstrap_interval([{"problem": "c", "x": None}], "x")))


def test_paired_differences_match_runs_by_problem_seed_and_budget():
    from benchmarks.metrics import paired_differences

    def run(method, problem, seed, x, status="ok"):
        return {"method": method, "problem": problem, "seed": seed, "n_iter": 50,
                "status": status, "best_cv": 0.0, "x": x}  # fmt: skip

    records = [
        run("a", "p", 0, 3.0), run("b", "p", 0, 1.0),  # a pair: +2
        run("a", "p", 1, 5.0), run("b", "p", 1, 7.0),  # a pair: -2
        run("a", "q", 0, 1.0), run("b", "p", 2, 1.0),  # no partner
        run("a", "q", 1, 1.0), run("b", "q", 1, 0.0, status="error"),  # b failed
        run("a", "r", 0, None), run("b", "r", 0, 1.0),  # no value
    ]  # fmt: skip
    pairs = paired_differences(records, "a", "b", "x")
    assert [(p["problem"], p["seed"], p["difference"]) for p in pairs] == [
        ("p", 0, 2.0),
        ("p", 1, -2.0),
    ]
    assert paired_differences(records, "b", "a", "x")[0]["difference"] == -2.0


def test_merge_compares_only_the_versions_both_folders_record(tmp_path):
    from benchmarks.merge import merge

    folders = []
    for seed, (name, versions) in enumerate(
        (("a", {"numpy": "2"}), ("b", {"numpy": "2", "threadpoolctl": "3"}), ("c", {"numpy": "1"}))
    ):
        folder = tmp_path / name
        folder.mkdir()
        record = run_one("branin", "sklearn-random", seed, 5)  # rows a later one cannot replace
        del record["versions"]  # a row from before rows carried their versions
        (folder / "results.jsonl").write_text(json.dumps(record) + "\n")
        (folder / "meta.json").write_text(json.dumps({"command": name, "versions": versions}))
        folders.append(folder)
    merge(tmp_path / "ab", folders[:2])
    with pytest.raises(ValueError, match="different library versions"):
        merge(tmp_path / "ac", [folders[0], folders[2]])


def test_merge_checks_each_rows_versions_and_reports_mixed_ones(tmp_path):
    from benchmarks.merge import merge

    folders = []
    for name, method, optuna in (("a", "sklearn-random", "5.0.0"), ("b", "skhpo-random", "5.1.0")):
        folder = tmp_path / name
        folder.mkdir()
        record = run_one("branin", method, 0, 5)
        record["versions"] = {**record["versions"], "optuna": optuna}
        (folder / "results.jsonl").write_text(json.dumps(record) + "\n")  # no meta.json
        folders.append(folder)
    with pytest.raises(ValueError, match=r"optuna 5\.0\.0 \(sklearn-random\), 5\.1\.0"):
        merge(tmp_path / "strict", folders)
    report = merge(tmp_path / "mixed", folders, mixed_versions=True).read_text()
    assert "differ between rows" in report
    assert "optuna 5.0.0 (sklearn-random), 5.1.0 (skhpo-random)" in report


def test_merge_keeps_one_row_per_run_later_folders_winning(tmp_path):
    from benchmarks.merge import merge

    first, second = tmp_path / "a", tmp_path / "b"
    for folder, seeds in ((first, (0, 1)), (second, (1,))):
        folder.mkdir()
        records = [run_one("branin", "sklearn-random", s, 5) for s in seeds]
        records += [run_one("branin", "skhpo-random", s, 5) for s in seeds]
        for r in records:
            r["origin"] = folder.name
        (folder / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
        (folder / "meta.json").write_text(json.dumps({"command": f"run {folder.name}"}))
    merge(tmp_path / "out", [first, second], methods=["sklearn-random"])
    rows = [json.loads(x) for x in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert sorted((r["seed"], r["origin"]) for r in rows) == [(0, "a"), (1, "b")]
    assert {r["method"] for r in rows} == {"sklearn-random"}
    meta = json.loads((tmp_path / "out" / "meta.json").read_text())
    assert meta["command"] == "run a`, then `run b"
    assert (tmp_path / "out" / "report.md").exists()
    merge(tmp_path / "only0", [first, second], seeds=[0])
    rows = [json.loads(x) for x in (tmp_path / "only0" / "results.jsonl").read_text().splitlines()]
    assert {r["seed"] for r in rows} == {0} and len(rows) == 2
    merge(tmp_path / "none", [first, second], problems=["hartmann6"])
    assert (tmp_path / "none" / "results.jsonl").read_text() == ""


class _ListOptimizer:
    """Asks the given parameter dicts in turn and keeps what it is told."""

    def __init__(self, candidates):
        self.candidates, self.told = list(candidates), []

    def ask(self):
        return self.candidates[len(self.told)]

    def tell(self, score):
        self.told.append(score)


def test_ask_and_tell_peers_are_scored_like_every_search():
    from skhpo.testing import QuadraticEstimator

    candidates = [{"a": 0.1, "b": 0.2}, {"a": 0.9, "b": 0.7}, {"a": 0.3, "b": 0.6}]
    optimizer = _ListOptimizer(candidates)
    search = methods.AskTellSearchCV(
        QuadraticEstimator(fail_above=0.8), lambda: optimizer, n_iter=3, cv=3, error_score=np.nan
    )
    search.fit(np.zeros((9, 2)))  # every fit of the second candidate fails
    assert search.cv_results_["params"] == [candidates[0], candidates[2]]
    told = np.array(optimizer.told)
    assert np.isnan(told[1]) and np.isfinite(told[[0, 2]]).all()
    np.testing.assert_allclose(told[[0, 2]], search.cv_results_["mean_test_score"])
    assert search.best_params_ == candidates[2]


def test_gaussian_process_peers_run_only_when_named():
    from benchmarks.run import MODES, ON_REQUEST, _parser, _tasks

    assert {"hebo", "optuna-gp", "smac"} <= set(ON_REQUEST)
    default = _tasks(_parser().parse_args(["--mode", "quick"]), MODES["quick"])
    assert not set(ON_REQUEST) & {m for task in default for m in task[2]}
    named = _tasks(_parser().parse_args(["--methods", "hebo"]), MODES["quick"])
    assert {m for task in named for m in task[2]} == {"hebo"}


def test_a_failed_fit_is_the_worst_loss_so_far_for_a_minimising_peer():
    assert methods._loss(0.8, []) == -0.8
    assert methods._loss(float("nan"), [-0.8, -0.5]) == -0.5
    assert methods._loss(float("nan"), []) == 0.0


@pytest.mark.parametrize("problem", ["l1logreg-iris", "l1logreg-wine"])
def test_l1_logistic_problems_are_plateaus(problem):
    record = run_one(problem, "sklearn-random", seed=0, n_iter=12)
    assert record["status"] == "ok", record["reason"]
    scores = np.round(record["scores"], 12)
    assert len(np.unique(scores)) < len(scores)  # settings tie


def test_selection_noise_floor_compares_every_candidate_with_its_own_holdout():
    from benchmarks.selection import unselected_error

    run = {
        "fold_scores": [[0.8, 0.9], [0.5, 0.7], [np.nan, 0.6]],
        "holdout_scores": [0.75, 0.7, 0.9],  # the third has no mean CV score: left out
    }
    assert unselected_error(run) == pytest.approx((0.1 + 0.1) / 2)


def test_sequential_bayes_method_passes_its_batch_size():
    record = run_one("branin", "skhpo-bayes-seq", 0, 6)
    assert record["status"] == "ok" and record["n_evaluated"] == 6
    assert record["config"]["options"] == {"batch_size": 1}
    assert run_one("branin", "skhpo-bayes", 0, 6)["config"]["options"] == "defaults"


def test_peer_ranks_ranks_one_skhpo_method_against_the_peers_only():
    from benchmarks.peer_ranks import peer_table

    def row(method, seed, best_cv):
        return {"problem": "p", "method": method, "seed": seed, "n_iter": 50, "status": "ok",
                "synthetic": False, "best_cv": best_cv}  # fmt: skip

    records = [row("sklearn-random", s, 0.0) for s in (0, 1)]
    records += [row("hebo", 0, 0.9), row("hebo", 1, 0.5)]
    records += [row("skhpo-bayes", 0, 1.0), row("skhpo-bayes", 1, 1.0)]
    records += [row("skhpo-bayes-seq", 0, 2.0), row("skhpo-bayes-seq", 1, 2.0)]  # not ranked
    lines = peer_table(records, "skhpo-bayes")
    assert lines[0].startswith("2 (problem, seed) pairs")
    assert lines[1].split()[0] == "skhpo-bayes" and "mean rank 1.00" in lines[1]
    assert "mean rank 2.00" in lines[2] and lines[2].startswith("hebo")
    # normalized: 0 = random's median 0.0, 100 = best seen 2.0 (seq's rows count there)
    assert "skhpo-bayes - hebo: +15.0" in "\n".join(lines)  # 50 against (45 + 25) / 2
    # Ranked by the held-out score, HEBO is first; the normalized scores stay the CV's.
    for r in records:
        r["test_score"] = {"hebo": 0.8, "skhpo-bayes": 0.7}.get(r["method"], 0.0)
    by_test = peer_table(records, "skhpo-bayes", rank_by="test_score")
    assert "ranked by test_score" in by_test[0]
    assert by_test[1].startswith("hebo") and "mean rank 1.00" in by_test[1]
    assert "skhpo-bayes - hebo: +15.0" in "\n".join(by_test)


def test_report_tells_a_library_not_installed_from_one_not_recorded(tmp_path):
    record = run_one("branin", "sklearn-random", 0, 5)
    for versions, said in (({"scikit-learn": None}, "not installed"), ({}, "not recorded")):
        record["versions"] = versions
        (tmp_path / "results.jsonl").write_text(json.dumps(record) + "\n")
        assert f"| `sklearn-random` | scikit-learn {said} |" in write_report(tmp_path).read_text()


def test_overhead_table_divides_within_each_group():
    from benchmarks.peer_ranks import overhead_table

    def row(method, seed, overhead):
        return {"problem": "p", "method": method, "seed": seed, "n_iter": 50, "status": "ok",
                "overhead_per_candidate": overhead}  # fmt: skip

    # A loaded machine doubles both methods' overhead in seed 1: the ratio stays 2.
    records = [row("skhpo-bayes", 0, 0.002), row("hebo", 0, 0.001)]
    records += [row("skhpo-bayes", 1, 0.004), row("hebo", 1, 0.002)]
    lines = overhead_table(records, "skhpo-bayes")
    assert lines[0].startswith("overhead per candidate, 2 ")
    assert lines[2].startswith("hebo") and "median 2, largest 2" in lines[2]
    assert "3.00 ms" in lines[1]


def test_continuation_benchmark_counts_what_promoted_rows_could_continue():
    from benchmarks.continuation import continuable_share, same_results

    # Candidate a: rungs 10, 30, 90; b: 10 only; c entered at the top (90).
    results = {
        "params": [{"x": "a", "n": 10}, {"x": "b", "n": 10}, {"x": "a", "n": 30},
                   {"x": "a", "n": 90}, {"x": "c", "n": 90}],
        "n_resources": [10, 10, 30, 90, 90],
        "iter": np.array([0, 0, 1, 2, 2]),
        "split0_test_score": np.array([0.1, 0.2, 0.3, np.nan, 0.5]),
    }  # fmt: skip
    assert continuable_share(results, "n") == pytest.approx((10 + 30) / 230)
    assert same_results(results, dict(results))
    moved = dict(results, split0_test_score=np.array([0.1, 0.2, 0.3, np.nan, 0.6]))
    assert not same_results(results, moved)
