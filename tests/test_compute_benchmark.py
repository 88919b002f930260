"""The equal-compute benchmark harness (``python -m benchmarks.compute``) on a tiny problem.

Runs from the repository root (``python -m pytest`` puts it on ``sys.path``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.base import clone

from benchmarks import memo
from benchmarks.compute import incumbent_curve, main
from benchmarks.compute_methods import SPECS, Row, Spec, check_available
from benchmarks.compute_problems import TINY
from benchmarks.compute_report import reach, score_at


def test_harness_runs_end_to_end(tmp_path):
    out = main(["--problems", TINY.name, "--seeds", "2", "--n-iter", "6", "--jobs", "1",
                "--cache", str(tmp_path / "cache"), "--out", str(tmp_path / "out")])  # fmt: skip
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    runnable = [m for m in SPECS if not check_missing(m)]
    assert {(r["method"], r["seed"]) for r in records} == {(m, s) for m in runnable for s in (0, 1)}
    assert all(r["status"] == "ok" for r in records), [r["reason"] for r in records]
    by_run = {(r["method"], r["seed"]): r for r in records}
    for r in records:
        spent = [cpu for cpu, _ in r["curve"]]
        assert spent == sorted(spent) and spent[-1] <= r["total_cpu"]
        assert r["best"] == r["curve"][-1][1] and len(r["best_folds"]) == 5
    for seed in (0, 1):
        reference = by_run["skhpo-bayes", seed]
        assert reference["n_rows"] == 6 and reference["n_fits"] == 30
        cap = max(by_run[m, seed]["total_cpu"] for m in ("skhpo-bayes", "skhpo-tpe"))
        random = by_run["sklearn-random", seed]
        assert random["cap"] == pytest.approx(cap)
        # Stopped at the cap: it spent it, and refused every fit once there.
        assert random["total_cpu"] >= cap and random["n_rows"] > random["n_fits"] / 5
    report = (out / "report.md").read_text()
    assert "| skhpo-bayes |" in report and "score @ 25%" in report
    assert (out / "compute-curves.png").stat().st_size > 0
    assert "skhpo-tpe" in (out / "table.rst").read_text()


def check_missing(method):
    from benchmarks.compute_methods import missing_option

    return missing_option(SPECS[method])


def test_memo_charges_the_recorded_cpu_of_a_cached_fit(tmp_path):
    X, y = TINY.data()
    train, test = TINY.folds(X, y)[0]
    params = {"C": 1.0, "fit_intercept": True}
    with memo.accounting(tmp_path) as ledger:
        first = clone(TINY.memo_estimator()).set_params(**params).fit(X[train], y[train])
        proba = first.predict_proba(X[test])
        second = clone(TINY.memo_estimator()).set_params(**params).fit(X[train], y[train])
        assert np.array_equal(second.predict_proba(X[test]), proba)
    assert (ledger.misses, ledger.hits) == (1, 1)
    assert ledger.costs[0] == pytest.approx(ledger.costs[1]) and ledger.costs[0] > 0
    assert ledger.real_cpu == pytest.approx(ledger.costs[0])
    assert ledger.keys[0] == ledger.keys[1] == memo.param_key(params, TINY.space)
    real = TINY.make_estimator().set_params(**params).fit(X[train][:, 1:], y[train])
    np.testing.assert_allclose(proba, real.predict_proba(X[test][:, 1:]), rtol=1e-5)
    # A fit on other rows is another fit; a row it was trained on cannot be predicted.
    with memo.accounting(tmp_path, cap=1e-12) as capped:  # the first fit reaches it
        model = clone(TINY.memo_estimator()).set_params(**params).fit(X[test], y[test])
        with pytest.raises(ValueError, match="not trained on"):
            model.predict(X[test])
        with pytest.raises(memo.BudgetExhausted):
            clone(TINY.memo_estimator()).set_params(**params).fit(X[train], y[train])
    assert capped.misses == 1 and len(capped.costs) == 1


def test_a_method_whose_option_skhpo_lacks_is_refused_by_name(monkeypatch):
    spec = Spec("skhpo-bayes-bogus", "skhpo", "BayesSearchCV", {"no_such_option": True})
    monkeypatch.setitem(SPECS, spec.name, spec)
    with pytest.raises(SystemExit, match=r"'no_such_option' of skhpo\.BayesSearchCV"):
        check_available(["skhpo-bayes", spec.name])
    check_available(["skhpo-bayes", "sklearn-random"])


def test_incumbent_curve_follows_completions_pruning_and_resources():
    names = ["a"]

    def key(a):
        return memo.param_key({"a": a}, names)

    # Candidates 1 and 2 are raced fold by fold, interleaved; 2 is pruned after one fold.
    keys = [key(1), key(2), key(1), key(3), key(3)]
    costs = [1.0, 1.0, 1.0, 2.0, 2.0]
    rows = [
        Row({"a": 1}, [0.5, 0.7], resource=30),
        Row({"a": 2}, [0.9, np.nan], pruned=True, resource=30),
        Row({"a": 3}, [0.6, 0.5], resource=50),  # a higher resource: the incumbent anyway
        Row({"a": 1}, [0.9, 0.9], resource=30),  # a lower resource than the incumbent's
    ]
    full = {1: [0.55, 0.55], 3: [0.4, 0.4]}
    points, folds, params = incumbent_curve(
        rows, keys, costs, names, 100, lambda params: full[params["a"]]
    )
    # Candidate 1 completes at its second fit (3 s), candidate 3 at its second (7 s);
    # below the top resource, each is re-scored on all the data.
    assert points == [[3.0, 0.55], [7.0, 0.4]]
    assert params == {"a": 3} and folds == [0.4, 0.4]
    assert score_at(points, 6.9) == 0.55 and reach(points, 0.5) == 3.0
    # At the top resource (None), rows are their own full-data scores.
    rows = [Row({"a": 1}, [0.5, 0.7]), Row({"a": 3}, [0.6, 0.5])]
    assert incumbent_curve(rows, keys, costs, names, 100, None)[0] == [[3.0, 0.6]]


def test_summary_measures_budgets_reach_and_lost_bests():
    from benchmarks.compute_report import safety_table, summarise

    def run(method, seed, curve, best_params, pruned=(), folds=(0.8, 0.8)):
        return {"problem": "p", "method": method, "seed": seed, "status": "ok",
                "curve": curve, "total_cpu": curve[-1][0], "best": curve[-1][1],
                "best_folds": list(folds), "best_params": best_params,
                "pruned_params": list(pruned),
                "unraced": "skhpo-bayes" if method == "skhpo-bayes-raced" else None}  # fmt: skip

    records = [
        run("skhpo-bayes", 0, [[10.0, 0.5], [100.0, 0.8]], {"a": 1}),
        run("sklearn-random", 0, [[20.0, 0.4], [100.0, 0.6]], {"a": 2}),
        # Raced: reaches 0.8 at 40 s (40 % of the reference's CPU), never prunes a=1.
        run("skhpo-bayes-raced", 0, [[5.0, 0.6], [40.0, 0.8]], {"a": 1}, pruned=[{"a": 3}]),
        run("skhpo-bayes", 1, [[50.0, 0.9]], {"a": 1}, folds=(0.8, 1.0)),
        run("sklearn-random", 1, [[30.0, 0.5]], {"a": 2}),
        # Raced on seed 1: pruned the unraced best and ends more than 1 SE (0.1) below it.
        run("skhpo-bayes-raced", 1, [[20.0, 0.7]], {"a": 4}, pruned=[{"a": 1}]),
    ]
    rows = {(r["method"], r["seed"]): r for r in summarise(records)}
    raced = rows["skhpo-bayes-raced", 0]
    assert raced["score@0.25"] == 0.6 and raced["score@0.5"] == 0.8
    assert raced["reach_own"] == raced["reach_ref"] == 0.4 and raced["cpu_share"] == 0.4
    assert not raced["pruned_best"] and not raced["worse_final"]
    assert (
        rows["skhpo-bayes-raced", 1]["pruned_best"] and rows["skhpo-bayes-raced", 1]["worse_final"]
    )
    assert rows["skhpo-bayes-raced", 1]["reach_own"] == np.inf
    # One scale per problem: 0 = the median first score (0.55), 100 = the best (0.9).
    assert rows["skhpo-bayes", 1]["norm@1.0"] == pytest.approx(100.0)
    assert rows["sklearn-random", 0]["norm@1.0"] == pytest.approx(100 * 0.05 / 0.35)
    _, lines = safety_table(list(rows.values()))
    assert lines == [["skhpo-bayes-raced", "skhpo-bayes", "1/2", "1/2", "1/2 (50%)"]]


def test_random_search_order_depends_on_the_seed_even_over_the_whole_grid(tmp_path):
    # Given only lists, RandomizedSearchCV samples without replacement: at n_iter
    # near the grid's size, nearly in grid order for every seed.
    from benchmarks.compute_methods import Context, run_method

    X, y = TINY.data()
    orders = []
    for seed in (0, 1):
        ctx = Context(TINY, X, y, TINY.folds(X, y), seed, n_iter=TINY.grid_size)
        with memo.accounting(tmp_path):
            rows, config = run_method(SPECS["sklearn-random"], ctx)
        assert config["n_iter"] == TINY.grid_size == len(rows)
        orders.append([memo.param_key(r.params, TINY.space) for r in rows[:6]])
    assert orders[0] != orders[1]


def test_compare_pairs_two_checkouts_run_by_run(tmp_path):
    from benchmarks.compute_compare import compare

    def run(method, seed, curve):
        return {"problem": "p", "method": method, "seed": seed, "status": "ok",
                "curve": curve, "total_cpu": 100.0, "best": curve[-1][1],
                "best_folds": [0.8], "best_params": {}, "pruned_params": [],
                "unraced": "skhpo-bayes"}  # fmt: skip

    before, after = tmp_path / "before", tmp_path / "after"
    for folder, late in ((before, 0.6), (after, 0.8)):
        folder.mkdir()
        records = [run("skhpo-bayes", s, [[10.0, 0.5], [100.0, 1.0]]) for s in (0, 1)]
        # The halving search reaches ``late`` at 30 % of the reference's CPU, 1.0 at the end.
        records += [
            run("skhpo-bayes-halving", s, [[5.0, 0.5], [30.0, late], [90.0, 1.0]]) for s in (0, 1)
        ]
        (folder / "results.jsonl").write_text("\n".join(map(json.dumps, records)))
    text = "\n".join(compare([before], [after], ("skhpo-bayes-halving",)))
    # One scale over both: 0 = 0.5, 100 = 1.0; at 50 %: before 20, after 60, paired +40.
    assert "| skhpo-bayes-halving@before | 2 | 0.0 | 20.0 | 100.0 |" in text
    assert "| skhpo-bayes-halving@after | 2 | 0.0 | 60.0 | 100.0 |" in text
    assert "@ 50% +40.0 ± 0.0 (+2/-0)" in text
    # The plain search comes from the before folders only, once per seed.
    assert "| skhpo-bayes | 2 |" in text
