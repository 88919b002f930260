"""The benchmark harness shared by every mode: run a method, measure it, write the results.

Each mode (:mod:`benchmarks.run`'s quick / full / scaling, :mod:`benchmarks.parallel`,
:mod:`benchmarks.memory`, :mod:`benchmarks.growth`) keeps only what it measures and
reports; this module holds what they share:

- **one search**: :func:`prepare` loads a problem, its seeded CV folds and builds a
  method's search (:func:`build_search`); :func:`timed_fit` fits it, timing wall clock
  and this process's CPU; :func:`batches` reads its batches;
- **processes and threads**: each run in a fresh process whose BLAS / OpenMP pools
  have one thread (:func:`run_specs`, :func:`run_child`, :func:`thread_pools`);
- **records and output**: :func:`jsonable` records, the output folder
  (:func:`output_folder`), ``results.json`` and ``report.md`` (:func:`write_outputs`),
  the run's provenance (:func:`run_meta`, :func:`provenance_lines`);
- **command line**: the arguments every measurement module takes
  (:func:`add_common_arguments`) and its ``main`` (:func:`command_line`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info

from .environment import machine, revision, versions
from .methods import METHODS, Setting, quiet_warnings
from .problems import Problem

__all__ = [
    "BASELINE",
    "COMPARED_METHODS",
    "REPO_ROOT",
    "RESULTS_DIR",
    "SKHPO_METHODS",
    "THREAD_VARIABLES",
    "add_common_arguments",
    "batches",
    "build_search",
    "command_string",
    "command_line",
    "finish_run",
    "jsonable",
    "log",
    "output_folder",
    "prepare",
    "provenance_lines",
    "run_child",
    "run_meta",
    "run_specs",
    "single_thread_env",
    "thread_pools",
    "timed_fit",
    "write_outputs",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
#: The reference of every ratio: scikit-learn's RandomizedSearchCV.
BASELINE = "sklearn-random"
#: skhpo's public searches, from ``skhpo.utils.all_searches`` (via the method table).
SKHPO_METHODS = tuple(
    m.name
    for m in METHODS.values()
    if m.skhpo and m.module == "skhpo" and not m.on_request  # one per search, its defaults
)
#: What the parallel and memory measurements compare: the baseline and skhpo's searches.
COMPARED_METHODS = (BASELINE, *SKHPO_METHODS)
#: Environment variables that size BLAS and OpenMP thread pools.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


# -- records ---------------------------------------------------------------------------------
def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars as Python numbers, NaN as None, tuples as lists
    and anything else unknown as its ``repr``."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return repr(value)


# -- one search ------------------------------------------------------------------------------
def build_search(
    method: str,
    setting: Setting,
    n_jobs: int,
    batch_size: int | None = None,
    refit: bool = False,
) -> Any:
    """The benchmark's search of ``method`` (default options), with ``n_jobs`` and ``refit``.

    ``batch_size`` None keeps the search's default.
    """
    search, _ = METHODS[method].build(setting)
    search.set_params(n_jobs=n_jobs, refit=refit)
    if batch_size is not None:
        search.set_params(batch_size=batch_size)
    return search


def prepare(
    problem: Problem, method: str, seed: int, n_iter: int, n_splits: int | None = None,
    **options: Any,
) -> tuple[Any, Setting]:  # fmt: skip
    """Load ``problem`` and build ``method``'s search on it, seeded by ``seed``.

    The CV folds come from ``seed`` (``n_splits`` of them, else the problem's
    default); ``options`` go to :func:`build_search` (``n_jobs`` defaults to 1).
    Warnings the searches raise on purpose are silenced.

    Returns
    -------
    search : BaseSearchCV, unfitted
    setting : Setting
        Holds the training data ``X``, ``y`` and the folds ``cv``.
    """
    quiet_warnings()
    X, y = problem.load()
    folds = problem.cv_splits(X, y, seed) if n_splits is None else (
        problem.cv_splits(X, y, seed, n_splits))  # fmt: skip
    setting = Setting(problem, n_iter, seed, folds, X, y)
    return build_search(method, setting, **{"n_jobs": 1, **options}), setting


def timed_fit(search: Any, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit ``search``; the seconds it took, of wall clock and of this process's CPU."""
    start, start_cpu = time.perf_counter(), time.process_time()
    search.fit(X, y)
    return time.perf_counter() - start, time.process_time() - start_cpu


def batches(search: Any) -> list[int]:
    """Candidates per ``evaluate_candidates`` call: skhpo's ``batch`` column, else one call."""
    tags = search.cv_results_.get("batch")
    if tags is None:
        return [len(search.cv_results_["params"])]
    return np.unique(np.asarray(tags), return_counts=True)[1].tolist()


# -- processes and threads -------------------------------------------------------------------
def single_thread_env() -> dict[str, str]:
    """This process's environment with every BLAS / OpenMP pool at one thread.

    Set before the child starts: OpenBLAS and OpenMP read them when loaded, and
    joblib's loky workers inherit them.
    """
    return {**os.environ, **dict.fromkeys(THREAD_VARIABLES, "1")}


def run_child(module: str, spec: dict) -> dict:
    """Run ``python -m module --child SPEC`` in a fresh process and return its record.

    The child prints its record as the last line of its output. A child that
    fails gives ``{**spec, "status": "error", "reason": ...}`` instead of raising,
    so that one crash does not lose a long run.
    """
    done = subprocess.run(
        [sys.executable, "-m", module, "--child", json.dumps(spec)],
        cwd=REPO_ROOT,
        env=single_thread_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        errors = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = errors[-1] if errors else f"exit code {done.returncode}"
        return {**spec, "status": "error", "reason": reason[:300]}
    return json.loads(lines[-1])


def run_specs(
    module: str,
    specs: list[dict],
    measure: Callable[..., dict],
    isolate: bool,
    log: Callable[[str], None] | None,
    describe: Callable[[dict], str],
) -> list[dict]:
    """``measure(**spec)`` for every spec, in order: each in a fresh process
    (``python -m module --child``, :func:`run_child`) with ``isolate``, else here."""
    records = []
    for spec in specs:
        record = run_child(module, spec) if isolate else measure(**spec)
        records.append(record)
        if log is not None:
            log(describe(record))
    return records


def thread_pools() -> dict[str, int]:
    """Threads of each BLAS / OpenMP library loaded in this process.

    Also ``sklearn_openmp``: the OpenMP threads scikit-learn's Cython code
    (HistGradientBoosting) will use.
    """
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    pools: dict[str, int] = {}
    for info in threadpool_info():
        api = info["internal_api"]
        pools[api] = max(pools.get(api, 0), int(info["num_threads"]))
    pools["sklearn_openmp"] = int(_openmp_effective_n_threads())
    return pools


# -- output ----------------------------------------------------------------------------------
def output_folder(name: str, out: Path | None, started: datetime | None = None) -> Path:
    """``out``, else ``benchmarks/results/<name>-<UTC time>/``."""
    started = started or datetime.now(timezone.utc)
    return out or RESULTS_DIR / f"{name}-{started:%Y%m%d-%H%M%S}"


def command_string(module: str, argv: Sequence[str] | None) -> str:
    """The command line that ran ``module`` with ``argv`` (None: this process's)."""
    return f"python -m {module} " + shlex.join(sys.argv[1:] if argv is None else argv)


def run_meta(
    command: str, started: datetime, wall_time: float, git_revision: str | None = None
) -> dict:
    """Command, start, wall time, machine, versions and checkout of a run.

    ``git_revision``: the checkout read when the run started (the code that ran);
    None reads it now.
    """
    found = versions()
    try:
        found = {**found, "threadpoolctl": metadata.version("threadpoolctl")}
    except metadata.PackageNotFoundError:
        pass
    return {
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "wall_time": wall_time,
        "machine": machine(),
        "versions": {k: v for k, v in found.items() if v},
        "revision": revision() if git_revision is None else git_revision,
    }


def provenance_lines(meta: dict) -> list[str]:
    """The report's header bullets: command, start, machine, versions, checkout."""
    host = meta["machine"]
    return [
        f"- **Command** (repository root): `{meta['command']}`",
        f"- **Started** {meta['started']}; **wall time** {meta['wall_time'] / 60:.1f} min",
        f"- **Machine**: {host['cpu']}, {host['nproc']} usable CPUs, {host['platform']}",
        "- **Versions**: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()),
        f"- **Checkout**: git `{meta.get('revision') or 'unknown'}` (skhpo installed editable)",
        "",
    ]


def write_outputs(out: Path, results: dict, report: list[str]) -> None:
    """``results.json`` (strict JSON: NaN as null) and ``report.md`` in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    text = json.dumps(jsonable(results), indent=1, allow_nan=False)
    (out / "results.json").write_text(text + "\n", encoding="utf-8")
    (out / "report.md").write_text("\n".join(report) + "\n", encoding="utf-8")


def finish_run(out: Path, meta: dict, no_report: bool, write_report: Any) -> Path:
    """Write ``meta.json`` in ``out``, then the report unless ``no_report``; say where."""
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if not no_report:
        write_report(out)
    print(f"done in {meta['wall_time']:.0f} s: {out}", file=sys.stderr)
    return out


# -- command line ----------------------------------------------------------------------------
def log(message: str) -> None:
    """Progress, on stderr (stdout of a child is its record)."""
    print(message, file=sys.stderr, flush=True)


def add_common_arguments(
    parser: argparse.ArgumentParser,
    n_iter: int,
    methods: Sequence[str],
    default_methods: Sequence[str] | None = None,
) -> argparse.ArgumentParser:
    """``--n-iter``, ``--out``, ``--methods`` (of ``methods``) and the hidden ``--child``."""
    parser.add_argument("--n-iter", type=int, default=n_iter, help="candidates per search")
    parser.add_argument("--out", type=Path, help="output folder")
    parser.add_argument(
        "--methods",
        nargs="+",
        default=list(methods if default_methods is None else default_methods),
        choices=methods,
        metavar="METHOD",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one run, by run_child
    return parser


def command_line(
    module: str,
    argv: list[str] | None,
    parser: argparse.ArgumentParser,
    measure: Callable[..., dict],
    run: Callable[[argparse.Namespace, str], dict],
    build_report: Callable[[dict], list[str]],
) -> Path | None:
    """The ``main`` of a measurement module: one child run (``--child SPEC``, whose
    record goes to stdout), or the whole measurement written to ``--out``."""
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(jsonable(measure(**json.loads(args.child)))))
        return None
    out = output_folder(module.rsplit(".", 1)[-1], args.out)
    results = run(args, command_string(module, argv))
    write_outputs(out, results, build_report(results))
    print(f"done in {results['meta']['wall_time']:.0f} s: {out}", file=sys.stderr)
    return out
