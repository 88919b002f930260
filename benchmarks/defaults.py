"""Do the ready spaces and portfolios pay? ``param_distributions="auto"`` on the real problems.

For each real problem and seed, on the problem's held-out split and the seed's
shared CV folds, this measures:

* ``defaults``: the problem's estimator as it is (its library defaults);
* ``portfolio-first``: the estimator with ``skhpo.portfolio(estimator)[0]``;
* for each search, ``<search>-auto`` (``param_distributions="auto"``: the
  default space, started from the portfolio) and ``<search>-hand`` (the
  problem's hand-written space of ``benchmarks/problems.py``, no portfolio).

A search runs once with the largest budget; the smaller budgets are read off
its first candidates (what the search had found after that many, i.e. a
search with that ``n_iter`` stopped at its end), the best of them refit on the
training data and scored on the held-out data.

Run from the repository root::

    python -m benchmarks.defaults --seeds 5 --n-iter 10 20 --searches tpe

It writes ``results.jsonl`` (one line per problem, seed and method) and
``report.md`` into ``--out`` (default ``benchmarks/results/defaults-<UTC time>/``).
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.metrics import check_scoring
from sklearn.model_selection import cross_val_score
from threadpoolctl import threadpool_limits

import skhpo

from .problems import PROBLEMS
from .spaces import to_skhpo

SEARCHES = {
    "bayes": skhpo.BayesSearchCV,
    "tpe": skhpo.TPESearchCV,
    "evolution": skhpo.EvolutionarySearchCV,
    "coordinate": skhpo.CoordinateSearchCV,
}


def _has_default_space(problem: Any) -> bool:
    try:
        skhpo.default_space(problem.make_estimator())
    except ValueError:  # e.g. the l1logreg problems' OneVsRestClassifier
        return False
    return True


#: The real problems whose estimator has a ready space ("auto" cannot run on the others).
REAL_PROBLEMS = [name for name, p in PROBLEMS.items() if not p.synthetic and _has_default_space(p)]


def _test_score(problem: Any, estimator: Any, data: tuple) -> float:
    """Held-out score after a fit on all the training data."""
    X_train, X_test, y_train, y_test = data
    fitted = clone(estimator).fit(X_train, y_train)
    return float(check_scoring(fitted, scoring=problem.scoring)(fitted, X_test, y_test))


def _scores(problem: Any, estimator: Any, data: tuple, cv: list) -> tuple[float, float]:
    """Mean CV score on the seed's folds and the held-out score."""
    cv_score = cross_val_score(estimator, data[0], data[2], cv=cv, scoring=problem.scoring)
    return float(np.mean(cv_score)), _test_score(problem, estimator, data)


def _search_records(
    problem: Any, name: str, space: Any, data: tuple, cv: list, seed: int, budgets: list[int]
) -> list[dict]:
    """One search at the largest budget, read at every budget."""
    X_train, _, y_train, _ = data
    search_cls = SEARCHES[name.split("-")[0]]
    estimator = problem.make_estimator()
    search = search_cls(
        estimator,
        space,
        n_iter=max(budgets),
        cv=cv,
        scoring=problem.scoring,
        random_state=seed,
        refit=False,
    )
    start = time.perf_counter()
    search.fit(X_train, y_train)
    wall = time.perf_counter() - start
    results = search.cv_results_
    means = np.where(np.isnan(results["mean_test_score"]), -np.inf, results["mean_test_score"])
    records = []
    for n in budgets:
        best = int(np.argmax(means[:n]))
        params = results["params"][best]
        test = _test_score(problem, clone(estimator).set_params(**params), data)
        records.append(
            {
                "method": name,
                "n_iter": n,
                "best_cv": float(means[best]),
                "test_score": test,
                "best_params": repr(params),
                "wall_time": wall,
            }
        )
    return records


def run(
    problems: list[str], seeds: list[int], budgets: list[int], searches: list[str], out: Path
) -> list[dict]:
    """Every measurement, written to ``out/results.jsonl`` as it is made."""
    out.mkdir(parents=True, exist_ok=True)
    records = []
    with open(out / "results.jsonl", "a") as sink:
        for problem_name in problems:
            problem = PROBLEMS[problem_name]
            data = problem.split()
            for seed in seeds:
                cv = problem.cv_splits(data[0], data[2], seed)
                estimator = problem.make_estimator()
                first = skhpo.portfolio(estimator)[0]
                rows = []
                for method, est in (
                    ("defaults", estimator),
                    ("portfolio-first", clone(estimator).set_params(**first)),
                ):
                    cv_score, test = _scores(problem, est, data, cv)
                    rows += [
                        {"method": method, "n_iter": n, "best_cv": cv_score, "test_score": test}
                        for n in budgets
                    ]
                for name in searches:
                    rows += _search_records(
                        problem, f"{name}-auto", "auto", data, cv, seed, budgets
                    )
                    rows += _search_records(
                        problem, f"{name}-hand", to_skhpo(problem.space), data, cv, seed, budgets
                    )
                for row in rows:
                    row.update(problem=problem_name, seed=seed)
                    sink.write(json.dumps(row) + "\n")
                sink.flush()
                records += rows
                print(f"[defaults] {problem_name} seed {seed} done", flush=True)
    return records


def report(records: list[dict], searches: list[str]) -> str:
    """Markdown: mean held-out score per problem, method and budget; the win counts."""
    lines = []
    problems = list(dict.fromkeys(r["problem"] for r in records))
    budgets = sorted({r["n_iter"] for r in records})
    seeds = sorted({r["seed"] for r in records})

    def mean(problem: str, method: str, n: int, key: str = "test_score") -> float:
        values = [
            r[key]
            for r in records
            if r["problem"] == problem and r["method"] == method and r["n_iter"] == n
        ]
        # Rounded as printed: settings that differ negligibly (l2 1e-10 against 0) tie.
        return round(float(np.mean(values)), 4) if values else float("nan")

    lines.append(
        f"Seeds {seeds[0]}..{seeds[-1]} ({len(seeds)}); held-out score, mean over seeds "
        "(higher is better; log loss and R2 as scikit-learn's scorers give them).\n"
    )
    for n in budgets:
        methods = ["defaults", "portfolio-first"] + [
            f"{s}-{kind}" for s in searches for kind in ("auto", "hand")
        ]
        lines.append(f"\n### n_iter = {n}\n")
        lines.append("| problem | " + " | ".join(methods) + " |")
        lines.append("|---" * (len(methods) + 1) + "|")
        for p in problems:
            cells = [f"{mean(p, m, n):.4f}" for m in methods]
            lines.append(f"| {p} | " + " | ".join(cells) + " |")
        for s in searches:
            auto = [mean(p, f"{s}-auto", n) for p in problems]
            hand = [mean(p, f"{s}-hand", n) for p in problems]
            default = [mean(p, "defaults", n) for p in problems]
            beats_hand = sum(a > h for a, h in zip(auto, hand))
            beats_default = sum(a > d for a, d in zip(auto, default))
            cv_hand = sum(
                mean(p, f"{s}-auto", n, "best_cv") > mean(p, f"{s}-hand", n, "best_cv")
                for p in problems
            )
            lines.append(
                f"\n{s}-auto beats {s}-hand on {beats_hand}/{len(problems)} problems "
                f"(held-out; {cv_hand}/{len(problems)} on best CV score) and the defaults on "
                f"{beats_default}/{len(problems)}."
            )
    n = budgets[0]
    first, first_cv, ties = (
        sum(compare(mean(p, "portfolio-first", n, key), mean(p, "defaults", n, key))
            for p in problems)
        for compare, key in ((float.__gt__, "test_score"), (float.__gt__, "best_cv"),
                             (float.__eq__, "test_score"))
    )  # fmt: skip
    lines.append(
        f"\nThe portfolio's first setting alone beats the defaults on {first}/{len(problems)} "
        f"problems held-out ({ties} equal) and on {first_cv}/{len(problems)} by CV score."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", nargs="+", default=REAL_PROBLEMS, choices=REAL_PROBLEMS)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--n-iter", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--searches", nargs="+", default=["tpe"], choices=list(SEARCHES))
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report of --out's results.jsonl"
    )
    args = parser.parse_args(argv)
    out = args.out or Path("benchmarks/results") / time.strftime(
        "defaults-%Y%m%dT%H%M%S", time.gmtime()
    )
    if args.report_only:
        records = [json.loads(line) for line in open(out / "results.jsonl")]
    else:
        seeds = list(range(args.first_seed, args.first_seed + args.seeds))
        warnings.simplefilter("ignore")  # convergence warnings of the capped estimators
        with threadpool_limits(1):
            records = run(args.problems, seeds, sorted(args.n_iter), args.searches, out)
    text = report(records, args.searches)
    (out / "report.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
