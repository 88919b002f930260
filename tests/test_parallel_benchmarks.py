"""Smoke tests of ``benchmarks.parallel`` and ``benchmarks.memory`` at tiny sizes.

Structure and sensible values only, no timing assertions: the machine may be busy.
Runs from the repository root (``python -m pytest`` puts it on ``sys.path``).
"""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from benchmarks import harness, memory, parallel
from benchmarks.problems import PROBLEMS

METHODS = parallel.SPEEDUP_METHODS


def _single_threaded(pools: dict) -> bool:
    return all(n == 1 for n in pools.values())


@pytest.fixture(scope="module")
def speedup_records():
    return parallel.speedup_records("branin", METHODS, [0], n_iter=4, isolate=False)


@pytest.fixture(scope="module")
def batch_records():
    methods = [*parallel.SKHPO_METHODS, parallel.BASELINE]
    return parallel.batch_cost_records(["branin"], methods, [0, 1], n_iter=6)


@pytest.fixture(scope="module")
def memory_records():
    return memory.memory_records(METHODS, mb=2, n_jobs=2, n_iter=4, isolate=False)


# -- speedup -----------------------------------------------------------------------------------
def test_speedup_runs_every_method_with_both_n_jobs(speedup_records):
    assert {(r["method"], r["n_jobs"]) for r in speedup_records} == {
        (m, j) for m in METHODS for j in (1, 2)
    }
    for record in speedup_records:
        assert record["status"] == "ok"
        assert record["wall_time"] > 0
        assert record["n_candidates"] == sum(record["batches"]) == 4
        assert _single_threaded(record["threads"]["process"])
        if record["n_jobs"] == 2:
            assert record["threads"]["workers"]
            assert all(_single_threaded(pools) for pools in record["threads"]["workers"])
            assert record["workers_reused"]
    json.dumps(speedup_records, allow_nan=False)


def test_speedup_summary_relates_every_method_to_random_search(speedup_records):
    summary = {row["method"]: row for row in parallel.speedup_summary(speedup_records)}
    assert set(summary) == set(METHODS)
    assert summary[parallel.BASELINE]["ratio"] == pytest.approx(1.0)
    for row in summary.values():
        assert np.isfinite(row["speedup"]) and row["speedup"] > 0
        assert np.isfinite(row["ratio"]) and row["ratio"] > 0
        assert row["same_candidates"]  # skhpo's proposals do not depend on n_jobs
        assert row["within_target"] in (True, False)


def test_children_get_one_thread_per_pool():
    env = harness.single_thread_env()
    assert all(env[name] == "1" for name in harness.THREAD_VARIABLES)
    assert env["PATH"] == os.environ["PATH"]


def test_a_failing_child_becomes_an_error_record():
    record = harness.run_child("benchmarks.no_such_module", {"method": "skhpo-tpe"})
    assert record["status"] == "error"
    assert record["method"] == "skhpo-tpe"
    assert "no_such_module" in record["reason"]


# -- batch cost --------------------------------------------------------------------------------
def test_batch_cost_covers_every_batch_size(batch_records):
    summary = parallel.batch_cost_summary(batch_records)
    keys = {(r["method"], r["batch"]) for r in summary}
    labels = ["default" if b is None else str(b) for b in parallel.BATCH_SIZES]
    assert keys == {(m, b) for m in parallel.SKHPO_METHODS for b in labels} | {
        (parallel.BASELINE, "default")
    }
    minimum = PROBLEMS["branin"].minimum
    for record in batch_records:
        assert record["regret"] >= -1e-9
        assert record["regret"] == pytest.approx(-record["best_cv"] - minimum)
    for row in summary:
        assert row["n_seeds"] == 2
        assert np.isfinite(row["normalized"]) and row["normalized"] >= 0
        if row["batch"] == "1":
            assert row["batch_size"] == 1
            assert row["cost"] == 0


def test_parallel_writes_json_and_report(tmp_path, speedup_records, batch_records):
    config = {
        "problem": "branin",
        "n_iter": 4,
        "n_jobs": 2,
        "seeds": [0],
        "methods": list(METHODS),
        "batch_seeds": 2,
        "batch_problems": ["branin"],
        "batch_methods": list(parallel.SKHPO_METHODS),
        "batch_sizes": list(parallel.BATCH_SIZES),
    }
    results = {
        "config": config,
        "speedup": {
            "records": speedup_records,
            "summary": parallel.speedup_summary(speedup_records),
        },
        "batch": {"records": batch_records, "summary": parallel.batch_cost_summary(batch_records)},
        "meta": harness.run_meta("python -m benchmarks.parallel", _now(), 1.0),
    }
    harness.write_outputs(tmp_path, results, parallel.build_report(results))
    saved = json.loads((tmp_path / "results.json").read_text())
    assert set(saved) == {"config", "speedup", "batch", "meta"}
    report = (tmp_path / "report.md").read_text()
    assert "## Speedup of n_jobs=2 over n_jobs=1" in report
    assert "## Cost of batches" in report
    assert all(f"`{m}`" in report for m in METHODS)


def test_parallel_command_line_batch_part(tmp_path):
    argv = [
        "--parts",
        "batch",
        "--n-iter",
        "4",
        "--batch-seeds",
        "1",
        "--batch-problems",
        "branin",
        "--methods",
        "sklearn-random",
        "skhpo-tpe",
        "--out",
        str(tmp_path),
    ]
    assert parallel.main(argv) == tmp_path
    saved = json.loads((tmp_path / "results.json").read_text())
    assert {r["method"] for r in saved["batch"]["records"]} == {"sklearn-random", "skhpo-tpe"}
    assert "python -m benchmarks.parallel --parts batch" in (tmp_path / "report.md").read_text()


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


# -- memory ------------------------------------------------------------------------------------
def test_make_data_has_the_requested_size():
    X, y = memory.make_data(3, n_features=20)
    assert X.dtype == np.float64 and X.shape[1] == 20
    assert X.nbytes == pytest.approx(3 * memory.MIB, rel=1e-3)
    assert set(np.unique(y)) == {0, 1}


def test_sampler_sees_an_allocation():
    before = memory.tree_memory(os.getpid())
    assert 0 < before["pss"] <= before["rss"]
    assert before["processes"] >= 1
    with memory.TreeMemorySampler(interval=0.01) as sampler:
        block = np.ones(64 * memory.MIB // 8)  # touched, so resident
        sampler.sample()
        del block
    assert sampler.peak["pss"] >= before["pss"] + 48 * memory.MIB
    assert sampler.n_samples >= 3


@pytest.mark.slow
def test_memory_runs_every_method(memory_records):
    assert [r["method"] for r in memory_records] == list(METHODS)
    for record in memory_records:
        assert record["status"] == "ok"
        assert record["n_candidates"] == sum(record["batches"]) == 4
        assert 0 < record["before"]["pss"] <= record["peak"]["pss"] <= record["peak"]["rss"]
        assert record["peak"]["processes"] >= 3  # this process and two loky workers
    summary = {r["method"]: r for r in memory.memory_summary(memory_records)}
    assert set(summary) == set(METHODS)
    assert summary[parallel.BASELINE]["ratio"] == pytest.approx(1.0)
    for row in summary.values():
        assert row["peak_pss"] > 0
        assert np.isfinite(row["ratio"]) and row["ratio"] > 0
        assert np.isfinite(row["rss_ratio"]) and row["rss_ratio"] > 0


@pytest.mark.slow
def test_a_memory_run_in_a_fresh_process():
    # n_jobs=1 keeps it short: the run above counts loky workers already.
    spec = {"method": "skhpo-bayes", "mb": 2, "n_jobs": 1, "n_iter": 4}
    record = harness.run_child("benchmarks.memory", spec)
    assert record["status"] == "ok", record.get("reason")
    assert record["peak"]["pss"] > record["before"]["pss"] > 0
    assert record["peak"]["processes"] == 1


@pytest.mark.slow
def test_memory_writes_json_and_report(tmp_path, memory_records):
    results = {
        "config": {"mb": 2, "n_jobs": 2, "n_iter": 4, "repeats": 1, "methods": list(METHODS)},
        "records": memory_records,
        "summary": memory.memory_summary(memory_records),
        "meta": harness.run_meta("python -m benchmarks.memory --mb 2", _now(), 1.0),
    }
    harness.write_outputs(tmp_path, results, memory.build_report(results))
    saved = json.loads((tmp_path / "results.json").read_text())
    assert len(saved["summary"]) == len(METHODS)
    report = (tmp_path / "report.md").read_text()
    assert "### Ratios to RandomizedSearchCV" in report
    assert all(f"`{m}`" in report for m in METHODS)
