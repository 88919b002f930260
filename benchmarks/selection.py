"""Which candidate to choose, and how good it is: the ``selection`` rules on a holdout.

Each run splits a problem's data into a training part, which the search sees,
and a holdout part, which no search sees. One search (TPE or Bayes, ``refit=False``)
is run on the training part; then every candidate is refit on the whole training
part and scored on the holdout. Since the rules only read ``cv_results_``, every
rule is applied to the same search, so rules are compared paired, run by run.

Recorded per run and rule: the holdout score of the chosen candidate, its mean
CV score (``best_score_``), the corrected estimate (``best_score_corrected_``),
and both estimates it is made of: leave-one-fold-out selection and Tibshirani &
Tibshirani's correction.

Problems: real datasets bundled with scikit-learn (a 30% stratified holdout,
drawn anew for each seed), and small noisy synthetic ones (100-150 training
rows; the holdout is 5000 fresh rows of the same distribution), including a
pure-noise one where every candidate's true accuracy is 0.5.

Run from the repository root::

    python -m benchmarks.selection --seeds 30 --out benchmarks/results/latest-selection
    python -m benchmarks.selection --report benchmarks/results/latest-selection

The first writes ``runs.jsonl`` (one line per problem, search and seed) and the
report ``report.md``; the second rewrites the report of a finished run.
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats
from sklearn import datasets
from sklearn.base import clone
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score, train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC, SVR
from sklearn.tree import DecisionTreeClassifier
from threadpoolctl import threadpool_limits

from skhpo import BayesSearchCV, Categorical, Integer, Real, TPESearchCV
from skhpo._bo.inputs import GPInputs
from skhpo._selection import (
    SELECTIONS,
    corrected_score,
    fold_scores,
    leave_one_fold_out_score,
    select_index,
    tibshirani_corrected_score,
)  # fmt: skip
from skhpo.space import SearchSpace

N_SPLITS = 5
#: Candidates (the best by mean CV score) re-scored on freshly shuffled folds.
N_RESCORED = 5
SEARCHES = {"tpe": TPESearchCV, "bayes": BayesSearchCV}


@dataclass(frozen=True)
class Problem:
    name: str
    noisy: bool
    make_estimator: Callable[[], Any]
    space: dict
    data: Callable[[int], tuple]  # seed -> X_train, X_holdout, y_train, y_holdout
    classification: bool = True
    scoring: str | None = None


def _real(loader: Callable, classification: bool = True) -> Callable[[int], tuple]:
    def data(seed: int) -> tuple:
        X, y = loader(return_X_y=True)
        return train_test_split(X, y, test_size=0.3, random_state=seed,
                                stratify=y if classification else None)  # fmt: skip

    return data


def _synthetic_classification(n_train: int, flip_y: float, pure_noise: bool = False):
    def data(seed: int) -> tuple:
        X, y = datasets.make_classification(
            n_train + 5000, n_features=20, n_informative=4, n_redundant=2,
            flip_y=flip_y, class_sep=0.8, random_state=1000 + seed,
        )  # fmt: skip
        if pure_noise:  # labels independent of X: every candidate's true accuracy is 0.5
            y = np.random.default_rng(2000 + seed).integers(0, 2, len(y))
        return X[:n_train], X[n_train:], y[:n_train], y[n_train:]

    return data


def _synthetic_regression(n_train: int, noise: float):
    def data(seed: int) -> tuple:
        X, y = datasets.make_friedman1(n_train + 5000, n_features=10, noise=noise,
                                       random_state=1000 + seed)  # fmt: skip
        return X[:n_train], X[n_train:], y[:n_train], y[n_train:]

    return data


_SVC_SPACE = {"svc__C": Real(1e-2, 1e3, log=True), "svc__gamma": Real(1e-4, 1.0, log=True)}
_TREE_SPACE = {
    "max_depth": Integer(1, 20),
    "min_samples_leaf": Integer(1, 30, log=True),
    "max_features": Real(0.1, 1.0),
    "criterion": Categorical(["gini", "entropy"]),
}
PROBLEMS = {
    p.name: p
    for p in [
        Problem("svc-breast-cancer", False, lambda: make_pipeline(StandardScaler(), SVC()),
                _SVC_SPACE, _real(datasets.load_breast_cancer)),
        Problem("tree-wine", False, lambda: DecisionTreeClassifier(random_state=0),
                _TREE_SPACE, _real(datasets.load_wine)),
        Problem("knn-diabetes", False,
                lambda: make_pipeline(StandardScaler(), KNeighborsRegressor()),
                {"kneighborsregressor__n_neighbors": Integer(1, 100, log=True),
                 "kneighborsregressor__weights": Categorical(["uniform", "distance"]),
                 "kneighborsregressor__p": Categorical([1, 2])},
                _real(datasets.load_diabetes, classification=False), classification=False),
        Problem("knn-digits", False, KNeighborsClassifier,
                {"n_neighbors": Integer(1, 50, log=True),
                 "weights": Categorical(["uniform", "distance"]), "p": Categorical([1, 2])},
                _real(datasets.load_digits)),
        Problem("svc-noisy-100", True, lambda: make_pipeline(StandardScaler(), SVC()),
                _SVC_SPACE, _synthetic_classification(100, 0.2)),
        Problem("tree-noisy-150", True, lambda: DecisionTreeClassifier(random_state=0),
                _TREE_SPACE, _synthetic_classification(150, 0.1)),
        Problem("svr-friedman-noisy-80", True, lambda: make_pipeline(StandardScaler(), SVR()),
                {"svr__C": Real(1e-2, 1e3, log=True), "svr__gamma": Real(1e-4, 1.0, log=True),
                 "svr__epsilon": Real(1e-3, 3.0, log=True)},
                _synthetic_regression(80, 3.0), classification=False),
        Problem("svc-pure-noise-100", True, lambda: make_pipeline(StandardScaler(), SVC()),
                _SVC_SPACE, _synthetic_classification(100, 0.0, pure_noise=True)),
    ]
}  # fmt: skip


def run_one(problem: Problem, search_name: str, seed: int, n_iter: int) -> dict:
    """One search on one seed: what every rule needs, stored raw so that the report
    applies the rules as they are in the code (per-fold scores, coordinates,
    holdout scores of every candidate, and the top ``N_RESCORED`` re-scored on
    fresh folds)."""
    X, X_hold, y, y_hold = problem.data(seed)
    search = SEARCHES[search_name](
        problem.make_estimator(), problem.space, n_iter=n_iter, cv=_cv(problem, seed),
        refit=False, scoring=problem.scoring, random_state=seed, selection="best",
    )  # fmt: skip
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search.fit(X, y)
        results = search.cv_results_
        holdout = [_holdout_score(problem, params, X, y, X_hold, y_hold)
                   for params in results["params"]]  # fmt: skip
        top = np.argsort(-results["mean_test_score"], kind="stable")[:N_RESCORED]
        fresh = _cv(problem, seed + 10_000)
        rescored = [
            cross_val_score(clone(problem.make_estimator()).set_params(**results["params"][i]),
                            X, y, cv=fresh, scoring=problem.scoring).tolist()
            for i in top
        ]  # fmt: skip
    space = SearchSpace(problem.space)
    features = GPInputs(space)(space.encode(results["params"]))
    return {
        "problem": problem.name, "noisy": problem.noisy, "search": search_name, "seed": seed,
        "n_iter": n_iter, "wall_time": time.perf_counter() - start,
        "fold_scores": fold_scores(results, "score").tolist(),
        "features": features.tolist(), "holdout_scores": holdout,
        "rescored_rows": top.tolist(), "rescored": rescored,
    }  # fmt: skip


def _cv(problem: Problem, seed: int) -> Any:
    splitter = StratifiedKFold if problem.classification else KFold
    return splitter(N_SPLITS, shuffle=True, random_state=seed)


def rule_outcomes(run: dict) -> dict:
    """Per rule: the chosen row, its holdout score, best_score_ and the estimates."""
    scores = np.array(run["fold_scores"])
    features = np.array(run["features"])
    holdout = np.array(run["holdout_scores"])
    means = scores.mean(axis=1)
    results = {f"split{k}_test_score": scores[:, k] for k in range(scores.shape[1])}
    results["rank_test_score"] = stats.rankdata(-np.nan_to_num(means, nan=-np.inf), "min")
    out = {}
    for rule in SELECTIONS:
        index = select_index(results, "score", rule, features)
        out[rule] = {
            "index": index, "holdout": float(holdout[index]), "best_score": float(means[index]),
            "corrected": corrected_score(results, "score", rule, index, features),
            "lofo": leave_one_fold_out_score(results, "score", rule, features),
            "tibshirani": tibshirani_corrected_score(results, "score", index),
        }  # fmt: skip
    # Re-scoring the top candidates on fresh folds: the best mean over both sets of folds.
    rows = np.array(run["rescored_rows"])
    both = np.hstack([scores[rows], np.array(run["rescored"])]).mean(axis=1)
    index = int(rows[np.argmax(both)])
    out["rescore"] = {
        "index": index, "holdout": float(holdout[index]), "best_score": float(means[index]),
        "corrected": float("nan"), "lofo": float("nan"), "tibshirani": float("nan"),
    }  # fmt: skip
    return out


def unselected_error(run: dict) -> float:
    """Mean absolute difference between each candidate's mean CV score and its holdout
    score, over every candidate of the run with both: the error of a CV estimate that
    no selection biased."""
    means = np.array(run["fold_scores"], dtype=float).mean(axis=1)
    holdout = np.array(run["holdout_scores"], dtype=float)
    both = np.isfinite(means) & np.isfinite(holdout)
    return float(np.mean(np.abs(means[both] - holdout[both])))


def _holdout_score(problem: Problem, params: dict, X, y, X_hold, y_hold) -> float:
    from sklearn.metrics import check_scoring

    estimator = clone(problem.make_estimator()).set_params(**params).fit(X, y)
    return float(check_scoring(estimator, problem.scoring)(estimator, X_hold, y_hold))


# -- the report ------------------------------------------------------------------------------
def paired_interval(diffs: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t interval of paired differences."""
    diffs = np.asarray(diffs, dtype=float)
    mean = diffs.mean()
    if len(diffs) < 2 or diffs.std(ddof=1) == 0:
        return mean, mean, mean
    half = stats.t.ppf(0.5 + level / 2, len(diffs) - 1) * diffs.std(ddof=1) / np.sqrt(len(diffs))
    return mean, mean - half, mean + half


def report(runs: list[dict], default: str) -> str:
    for run in runs:
        run["rules"] = rule_outcomes(run)
    all_rules = list(runs[0]["rules"])
    lines = ["# Selection rules on a holdout no search saw", ""]
    lines += [f"{len(runs)} runs: problems x searches x seeds "
              f"({sorted({r['search'] for r in runs})}, n_iter={runs[0]['n_iter']}, "
              f"{N_SPLITS}-fold CV).", ""]  # fmt: skip
    lines += [
        "## Holdout score of the chosen candidate, rule minus `best` (argmax)",
        "",
        "Mean difference and paired 95% t interval over runs (higher is better).",
        "",
    ]
    rules = [r for r in all_rules if r != "best"]
    lines += ["| problems | runs | " + " | ".join(rules) + " |",
              "|---|---|" + "---|" * len(rules)]  # fmt: skip
    groups = {"all": runs, "real": [r for r in runs if not r["noisy"]],
              "noisy": [r for r in runs if r["noisy"]]}  # fmt: skip
    for problem in sorted({r["problem"] for r in runs}):
        groups[problem] = [r for r in runs if r["problem"] == problem]
    for name, group in groups.items():
        cells = []
        for rule in rules:
            d = [r["rules"][rule]["holdout"] - r["rules"]["best"]["holdout"] for r in group]
            m, lo, hi = paired_interval(d)
            cells.append(f"{m:+.4f} [{lo:+.4f}, {hi:+.4f}]")
        lines.append(f"| {name} | {len(group)} | " + " | ".join(cells) + " |")
    lines += ["", "## Estimates of the chosen candidate's holdout score", "",
              "Mean absolute error against the holdout score, and mean signed error "
              "(estimate minus holdout; positive is optimistic). The noise floor is the "
              "same error for candidates nobody chose: each candidate's mean CV score "
              "against its own holdout score, averaged over every candidate of the run "
              "(there is no selection to correct, so this much error is the noise of one "
              "CV estimate against one holdout, which no correction of the chosen "
              "candidate's score removes).", ""]  # fmt: skip
    for rule in SELECTIONS:
        lines += [f"### selection=\"{rule}\"", "",
                  "| problems | best_score_ MAE | corrected MAE | ratio | leave-one-fold-out MAE "
                  "| Tibshirani MAE | best_score_ bias | corrected bias | noise floor |",
                  "|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for name, group in groups.items():
            hold = np.array([r["rules"][rule]["holdout"] for r in group])
            errors = {key: np.array([r["rules"][rule][key] for r in group]) - hold
                      for key in ("best_score", "corrected", "lofo", "tibshirani")}  # fmt: skip
            mae = {k: np.mean(np.abs(e)) for k, e in errors.items()}
            lines.append(
                f"| {name} | {mae['best_score']:.4f} | {mae['corrected']:.4f} | "
                f"{mae['corrected'] / mae['best_score']:.2f} | {mae['lofo']:.4f} | "
                f"{mae['tibshirani']:.4f} | {errors['best_score'].mean():+.4f} | "
                f"{errors['corrected'].mean():+.4f} | "
                f"{np.mean([unselected_error(r) for r in group]):.4f} |"
            )
        lines.append("")
    lines += [f"Default rule: `{default}`.", ""]
    return "\n".join(lines)


def default_selection() -> str:
    """The searches' default ``selection``."""
    import inspect

    return inspect.signature(TPESearchCV).parameters["selection"].default


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/latest-selection"))
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--n-iter", type=int, default=40)
    parser.add_argument("--problems", nargs="*", default=list(PROBLEMS))
    parser.add_argument("--searches", nargs="*", default=list(SEARCHES))
    parser.add_argument("--report", type=Path, default=None, help="rewrite this run's report")
    args = parser.parse_args(argv)
    if args.report is not None:
        runs = [json.loads(line) for line in (args.report / "runs.jsonl").open()]
        (args.report / "report.md").write_text(report(runs, default_selection()))
        return
    # One BLAS thread: the GP fits are tiny, and threads fighting over 2 shared cores
    # made each one hundreds of times slower.
    threadpool_limits(1)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "runs.jsonl"
    done = set()
    if path.exists():
        for line in path.open():
            r = json.loads(line)
            done.add((r["problem"], r["search"], r["seed"]))
    with path.open("a") as f:
        for seed in range(args.seeds):
            for name in args.problems:
                for search in args.searches:
                    if (name, search, seed) in done:
                        continue
                    record = run_one(PROBLEMS[name], search, seed, args.n_iter)
                    f.write(json.dumps(record) + "\n")
                    f.flush()
                    print(f"{name} {search} seed {seed}: {record['wall_time']:.1f}s", flush=True)
    runs = [json.loads(line) for line in path.open()]
    (args.out / "report.md").write_text(report(runs, default_selection()))


if __name__ == "__main__":
    main()
