"""Peak memory of each search on a large dataset, against RandomizedSearchCV's.

Usage, from the repository root::

    python -m benchmarks.memory                           # 300 MB, n_jobs 2, 3 repeats: ~3 min
    python -m benchmarks.memory --mb 300 --n-jobs 2 --out DIR

Each search (``RandomizedSearchCV`` and skhpo's four, default options) runs in
a fresh process, one after the other. The process builds a float64 dataset of
``--mb`` MiB (Gaussian features, labels from a noisy linear rule), then fits the
search (:func:`memory_problem`: ``SGDClassifier``, ``n_iter=8``, 3-fold CV, the
same ``n_jobs`` and seed for every search, best candidate refit) while a thread
samples, every 50 ms, the memory of the process and of all its descendants
(joblib's loky workers and its resource tracker):

- **Pss** (proportional set size, ``/proc/<pid>/smaps_rollup``), summed over
  the tree: a page shared by k processes counts 1/k in each, so joblib's
  memmap of ``X``, mapped by every worker, counts once in all. The target.
- **Rss**, summed, for reference: it counts a shared page once per process.
- The bytes in joblib's temporary memmapping folders of the process (files on
  tmpfs, which Pss sees only where a process maps them).

Each search's peak Pss is divided by ``RandomizedSearchCV``'s (target <= 1.1);
medians over ``--repeats`` runs. Writes ``results.json`` and ``report.md`` into
``--out`` (default ``benchmarks/results/memory-<UTC time>/``).
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from sklearn.linear_model import SGDClassifier

from .harness import (
    BASELINE,
    COMPARED_METHODS,
    add_common_arguments,
    batches,
    command_line,
    log,
    prepare,
    provenance_lines,
    run_meta,
    run_specs,
)
from .problems import Problem
from .report import fmt, markdown_table
from .spaces import FloatRange

__all__ = [
    "TreeMemorySampler",
    "main",
    "make_data",
    "measure_memory",
    "memory_problem",
    "memory_records",
    "memory_summary",
    "tree_memory",
]

MIB = 2**20
#: A peak Pss over RandomizedSearchCV's that meets the issue's target.
TARGET_RATIO = 1.1
SAMPLE_INTERVAL = 0.05
PROBLEM_DESCRIPTION = (
    "SGDClassifier (elastic net, 5 epochs) on a large random dataset: alpha, l1_ratio"
)


# -- measuring a process tree ----------------------------------------------------------------
def _parents() -> dict[int, int]:
    """pid -> parent pid of every process visible in ``/proc``."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                text = stat.read()
        except OSError:
            continue  # exited meanwhile
        # The command name, in parentheses, may hold spaces: split after it.
        parents[int(entry.name)] = int(text[text.rindex(b")") + 2 :].split()[1])
    return parents


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for pid, parent in _parents().items():
        children.setdefault(parent, []).append(pid)
    tree, queue = [], [root]
    while queue:
        pid = queue.pop()
        tree.append(pid)
        queue.extend(children.get(pid, []))
    return tree


#: Fields of ``/proc/<pid>/smaps_rollup`` summed over a tree, by our name.
ROLLUP_FIELDS = {"Pss": "pss", "Rss": "rss", "Pss_Shmem": "pss_shmem"}


def rollup(pid: int) -> dict[str, int]:
    """Bytes of :data:`ROLLUP_FIELDS` of process ``pid`` (zeros if it is gone)."""
    found = dict.fromkeys(ROLLUP_FIELDS.values(), 0)
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as lines:
            for line in lines:
                key, _, rest = line.partition(":")
                if key in ROLLUP_FIELDS:
                    found[ROLLUP_FIELDS[key]] = int(rest.split()[0]) * 1024  # kB
    except OSError:
        pass
    return found


def joblib_temp_bytes(root: int) -> int:
    """Bytes held by joblib's memmapping folders of process ``root``.

    joblib names them ``joblib_memmapping_folder_<pid>_...`` in
    ``JOBLIB_TEMP_FOLDER``, ``/dev/shm`` or the temporary directory.
    """
    bases = {os.environ.get("JOBLIB_TEMP_FOLDER"), "/dev/shm", tempfile.gettempdir()}
    total = 0
    for base in filter(None, bases):
        for folder in Path(base).glob(f"joblib_memmapping_folder_{root}_*"):
            for path in folder.rglob("*"):
                try:
                    total += path.stat().st_blocks * 512  # allocated, not apparent, size
                except OSError:
                    continue
    return total


def tree_memory(root: int) -> dict[str, int]:
    """Memory of ``root`` and its descendants, in bytes.

    Returns
    -------
    dict
        ``pss``, ``rss`` and ``pss_shmem`` summed over the tree; ``processes``;
        ``temp``: joblib's memmapping files of ``root``; ``footprint``:
        ``pss - pss_shmem + temp``, private memory plus joblib's files counted
        once whether or not a process maps them at this instant.
    """
    pids = process_tree(root)
    total = {key: sum(rollup(pid)[key] for pid in pids) for key in ROLLUP_FIELDS.values()}
    temp = joblib_temp_bytes(root)
    footprint = total["pss"] - total["pss_shmem"] + temp
    return {**total, "processes": len(pids), "temp": temp, "footprint": footprint}


class TreeMemorySampler:
    """Peak memory of a process tree, sampled in a background thread.

    Use as a context manager; the peaks (each the largest value of one
    quantity of :func:`tree_memory` over the samples) are in ``peak``.

    Parameters
    ----------
    root : int or None
        The tree's root; None: this process.
    interval : float
        Seconds between samples.
    """

    def __init__(self, root: int | None = None, interval: float = SAMPLE_INTERVAL) -> None:
        self.root = os.getpid() if root is None else root
        self.interval = interval
        self.peak: dict[str, int] = {}
        self.n_samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> None:
        """Take one sample now."""
        for key, value in tree_memory(self.root).items():
            self.peak[key] = max(self.peak.get(key, 0), value)
        self.n_samples += 1

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeMemorySampler:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


# -- one search ------------------------------------------------------------------------------
def make_data(mb: float, n_features: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A float64 ``X`` of about ``mb`` MiB (Gaussian) and labels from a noisy linear rule.

    Drawn in place: no temporary copy of ``X`` raises the baseline.
    """
    n_samples = max(60, int(mb * MIB) // (8 * n_features))
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    w = rng.standard_normal(n_features)
    y = (X @ w + rng.standard_normal(n_samples) > 0).astype(np.int64)
    return X, y


def memory_problem(X: np.ndarray, y: np.ndarray) -> Problem:
    """A cheap linear model on ``(X, y)``: a few epochs of elastic-net SGD.

    Its fits are short and copy nothing beyond the training fold that
    scikit-learn's CV slices out of ``X``, so the search's own memory shows.
    """
    return Problem(
        "sgd-large",
        PROBLEM_DESCRIPTION,
        lambda: SGDClassifier(penalty="elasticnet", max_iter=5, tol=None, random_state=0),
        {"alpha": FloatRange(1e-6, 1e-1, log=True), "l1_ratio": FloatRange(0.0, 1.0)},
        lambda: (X, y),
    )


def measure_memory(
    method: str,
    mb: float,
    n_jobs: int,
    n_iter: int = 8,
    seed: int = 0,
    n_features: int = 100,
    repeat: int = 0,
) -> dict:
    """Fit one search on a new dataset of ``mb`` MiB while sampling this process tree.

    ``repeat`` only labels the record (which of several runs of the same search).

    Meant for a fresh process (:func:`memory_records`): everything this process
    ever allocated counts.

    Returns
    -------
    dict
        The run's record: ``before`` (memory with the data built, before
        ``fit``), ``peak`` (during ``fit``), ``after`` (``fit`` done), each as
        :func:`tree_memory` gives it, the data's size and the search's batches.
    """
    X, y = make_data(mb, n_features, seed)
    search, _ = prepare(memory_problem(X, y), method, seed, n_iter, n_jobs=n_jobs, refit=True)
    gc.collect()
    before = tree_memory(os.getpid())
    start = time.perf_counter()
    with TreeMemorySampler() as sampler:
        search.fit(X, y)
    wall = time.perf_counter() - start
    return {
        "experiment": "memory",
        "status": "ok",
        "method": method,
        "mb": mb,
        "n_jobs": n_jobs,
        "n_iter": n_iter,
        "seed": seed,
        "n_features": n_features,
        "repeat": repeat,
        "n_samples": len(X),
        "data_bytes": X.nbytes,
        "before": before,
        "peak": sampler.peak,
        "after": tree_memory(os.getpid()),
        "n_samples_taken": sampler.n_samples,
        "wall_time": wall,
        "n_candidates": len(search.cv_results_["params"]),
        "batches": batches(search),
        "maxrss_self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


# -- every search ----------------------------------------------------------------------------
def memory_records(
    methods: Iterable[str],
    mb: float,
    n_jobs: int,
    n_iter: int = 8,
    repeats: int = 1,
    isolate: bool = True,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Every method's run, ``repeats`` times, interleaved (repeat, method).

    With ``isolate`` (the measurement), each run is a fresh process
    (:func:`~benchmarks.harness.run_child`); without, it runs here (tests).
    """
    specs = [
        {"method": method, "mb": mb, "n_jobs": n_jobs, "n_iter": n_iter, "repeat": repeat}
        for repeat in range(repeats)
        for method in methods
    ]
    return run_specs("benchmarks.memory", specs, measure_memory, isolate, log, _describe)


def _describe(record: dict) -> str:
    what = f"{record['method']} (repeat {record.get('repeat', 0)})"
    if record["status"] != "ok":
        return f"{what}: {record['status']}: {record.get('reason')}"
    return f"{what}: peak Pss {record['peak']['pss'] / MIB:.0f} MiB, {record['wall_time']:.1f} s"


def _median_of(runs: list[dict], phase: str, key: str) -> float:
    return float(np.median([r[phase][key] for r in runs])) / MIB


def _increase(record: dict) -> int:
    """Bytes of Pss that ``fit`` added at its peak."""
    return record["peak"]["pss"] - record["before"]["pss"]


def memory_summary(records: list[dict], baseline: str = BASELINE) -> list[dict]:
    """One row per method: median peaks (MiB) and ratios to ``baseline``'s.

    ``ratio``: peak Pss over the baseline's; ``increase_ratio``: the same for
    the increase during ``fit`` (peak minus before), which leaves out the data
    and the interpreter that every run holds alike; ``rss_ratio`` and
    ``footprint_ratio`` for the other measures of :func:`tree_memory`.
    """
    groups: dict[str, list[dict]] = {}
    for r in records:
        if r["status"] == "ok":
            groups.setdefault(r["method"], []).append(r)
    rows = [_memory_row(method, runs) for method, runs in groups.items()]
    reference = next((r for r in rows if r["method"] == baseline), None)
    for row in rows:
        for key, ref in _RATIOS.items():
            base = reference[ref] if reference else float("nan")
            row[key] = row[ref] / base if base > 0 else float("nan")
        row["within_target"] = bool(row["ratio"] <= TARGET_RATIO) if reference else None
    return rows


#: Ratio to the baseline -> the median it divides.
_RATIOS = {
    "ratio": "peak_pss",
    "increase_ratio": "increase",
    "rss_ratio": "peak_rss",
    "footprint_ratio": "peak_footprint",
}


def _memory_row(method: str, runs: list[dict]) -> dict:
    """Medians (MiB) over the runs of one method."""
    return {
        "method": method,
        "runs": len(runs),
        "before_pss": _median_of(runs, "before", "pss"),
        "peak_pss": _median_of(runs, "peak", "pss"),
        "peak_pss_runs": [r["peak"]["pss"] / MIB for r in runs],
        "increase": float(np.median([_increase(r) for r in runs])) / MIB,
        "peak_rss": _median_of(runs, "peak", "rss"),
        "peak_footprint": _median_of(runs, "peak", "footprint"),
        "peak_temp": _median_of(runs, "peak", "temp"),
        "processes": max(r["peak"]["processes"] for r in runs),
        "batches": runs[0]["batches"],
    }


# -- report ----------------------------------------------------------------------------------
def build_report(results: dict) -> list[str]:
    """``report.md``'s lines from the ``results.json`` contents."""
    config, summary = results["config"], results["summary"]
    ok = [r for r in results["records"] if r["status"] == "ok"]
    data = ok[0] if ok else {}
    lines = [
        "# Peak memory of skhpo's searches against RandomizedSearchCV's",
        "",
        *provenance_lines(results["meta"]),
        f"Data: float64 `X` of {data.get('data_bytes', 0) / MIB:.0f} MiB "
        f"({data.get('n_samples', '?')} x {data.get('n_features', '?')}); "
        f"{PROBLEM_DESCRIPTION}; `n_iter={config['n_iter']}`, 3-fold CV, "
        f"`n_jobs={config['n_jobs']}`, refit; each run a fresh process; medians over "
        f"{config['repeats']} runs. Memory of the process and its descendants (loky workers, "
        f"resource trackers), sampled every {SAMPLE_INTERVAL * 1000:.0f} ms. "
        f"Target: peak Pss <= {TARGET_RATIO} x RandomizedSearchCV's.",
        "",
        "### Ratios to RandomizedSearchCV",
        "",
        *_ratio_table(summary),
        "### Peaks (MiB)",
        "",
        *_peak_table(summary),
        "`Pss`: proportional set size summed over the tree (a page shared by k processes "
        "counts 1/k in each); `increase`: peak Pss minus Pss before `fit` (data and "
        "interpreter excluded); `Rss`: resident set size summed (shared pages once per "
        "process); `footprint`: Pss without shared memory, plus joblib's memmapping files "
        "(tmpfs; Pss counts them only where a process maps them at that instant); `joblib "
        "temp`: those files; `batches`: candidates per `evaluate_candidates` call.",
        "",
    ]
    failed = [r for r in results["records"] if r["status"] != "ok"]
    return lines + [f"- error: {_describe(r)}" for r in failed]


def _ratio_table(summary: list[dict]) -> list[str]:
    header = ["method", "peak Pss", "increase", "peak Rss", "footprint", f"Pss <= {TARGET_RATIO}"]
    target = {True: "yes", False: "**no**", None: "-"}
    rows = [
        [f"`{r['method']}`", *(fmt(r[k], ".3f") for k in _RATIOS), target[r["within_target"]]]
        for r in summary
    ]
    return markdown_table(header, rows)


def _peak_table(summary: list[dict]) -> list[str]:
    header = ["method", "batches", "processes", "Pss before fit", "peak Pss", "peak Pss, each run",
              "increase", "peak Rss", "peak footprint", "joblib temp"]  # fmt: skip
    keys = ["before_pss", "peak_pss", "peak_pss_runs", "increase", "peak_rss", "peak_footprint",
            "peak_temp"]  # fmt: skip
    rows = [
        [f"`{r['method']}`", "+".join(map(str, r["batches"])), str(r["processes"])]
        + [", ".join(fmt(v, ".0f") for v in np.atleast_1d(r[k])) for k in keys]
        for r in summary
    ]
    return markdown_table(header, rows)


# -- command line ----------------------------------------------------------------------------
def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.memory", description=__doc__.split("\n")[0]
    )
    add_common_arguments(parser, n_iter=8, methods=COMPARED_METHODS)
    parser.add_argument("--mb", type=float, default=300, help="size of X in MiB")
    parser.add_argument("--n-jobs", type=int, default=2, help="n_jobs of every search")
    parser.add_argument("--repeats", type=int, default=3, help="runs per search")
    return parser


def run(args: argparse.Namespace, command: str) -> dict:
    """Measure every method; the contents of ``results.json``."""
    config = {
        "mb": args.mb,
        "n_jobs": args.n_jobs,
        "n_iter": args.n_iter,
        "repeats": args.repeats,
        "methods": args.methods,
    }
    started, start = datetime.now(timezone.utc), time.perf_counter()
    records = memory_records(args.methods, args.mb, args.n_jobs, args.n_iter, args.repeats, log=log)
    return {
        "config": config,
        "records": records,
        "summary": memory_summary(records),
        "meta": run_meta(command, started, time.perf_counter() - start),
    }


def main(argv: list[str] | None = None) -> Path | None:
    """Run the measurement of the command line ``argv``; return the output folder."""
    return command_line("benchmarks.memory", argv, _parser(), measure_memory, run, build_report)


if __name__ == "__main__":
    main()
