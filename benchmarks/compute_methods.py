"""Methods of the equal-compute benchmark: one spec table, one runner per kind.

:data:`SPECS` is the single place to add a method. A skhpo method names its
class and the options passed through to it, so ``skhpo-bayes-raced`` is
``BayesSearchCV(..., racing=True)`` and ``skhpo-tpe-halving`` is
``TPESearchCV(..., resource="n_samples")``; :func:`check_available` refuses a
method whose option the installed skhpo does not take, before anything runs.

Every runner returns the candidates it evaluated, in evaluation order, as
:class:`Row`; the fits and the CPU they cost come from the memo's ledger
(:mod:`benchmarks.memo`), never from what the search reports.
"""

from __future__ import annotations

import importlib
import inspect
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring

from . import memo, spaces
from .compute_problems import CostlyProblem
from .methods import halving_candidates

__all__ = ["SPECS", "Row", "Spec", "check_available", "optuna_suggest", "run_method"]


@dataclass(frozen=True)
class Spec:
    """One method of the equal-compute benchmark.

    Attributes
    ----------
    name : str
    kind : {"skhpo", "sklearn-random", "sklearn-halving", "optuna"}
    target : str
        skhpo: the class name.
    options : dict
        Passed through to the search's constructor (skhpo) or sampler/pruner choice (optuna).
    capped : bool
        True: up to ``n_iter_factor * n_iter`` candidates, stopped at the compute
        cap (the most the uncapped runs spent): a method that saves compute per
        candidate spends it on more candidates. False: exactly ``n_iter``
        candidates; these runs set the cap and the budgets.
    stop_at_cap : bool
        Whether fits past the cap are refused. ``HalvingRandomSearchCV`` is sized
        to the compute of ``n_iter`` candidates instead: refused fits would fail
        a whole round, and it raises when every fit of a round fails.
    unraced : str or None
        The uncapped method whose final best score this one should reach.
    n_iter_factor : int
        Candidates of a capped run, in multiples of ``n_iter`` (at most the grid).
    """

    name: str
    kind: str
    target: str = ""
    options: dict = field(default_factory=dict)
    capped: bool = True
    stop_at_cap: bool = True
    unraced: str | None = None
    n_iter_factor: int = 4


#: Every method, by name. Add racing/halving variants here (options pass through).
SPECS: dict[str, Spec] = {
    s.name: s
    for s in [
        Spec("skhpo-bayes", "skhpo", "BayesSearchCV", capped=False),
        Spec("skhpo-tpe", "skhpo", "TPESearchCV", capped=False),
        Spec(
            "skhpo-bayes-raced", "skhpo", "BayesSearchCV", {"racing": True}, unraced="skhpo-bayes"
        ),
        Spec("skhpo-tpe-raced", "skhpo", "TPESearchCV", {"racing": True}, unraced="skhpo-tpe"),
        Spec(
            "skhpo-bayes-halving",
            "skhpo",
            "BayesSearchCV",
            {"resource": "n_samples"},
            unraced="skhpo-bayes",
        ),
        Spec(
            "skhpo-tpe-halving",
            "skhpo",
            "TPESearchCV",
            {"resource": "n_samples"},
            unraced="skhpo-tpe",
        ),
        Spec("sklearn-random", "sklearn-random"),
        Spec("sklearn-halving", "sklearn-halving", stop_at_cap=False),
        Spec("optuna-tpe", "optuna", options={"pruner": None}),
        Spec("optuna-tpe-wilcoxon", "optuna", options={"pruner": "wilcoxon"}),
    ]
}


def missing_option(spec: Spec) -> str | None:
    """Why ``spec`` cannot run with the installed libraries, or None."""
    if spec.kind == "optuna":
        try:
            importlib.import_module("optuna")
        except ImportError as exc:
            return f"optuna is not installed ({exc})"
        return None
    if spec.kind != "skhpo":
        return None
    skhpo = importlib.import_module("skhpo")
    cls = getattr(skhpo, spec.target, None)
    if cls is None:
        return f"skhpo has no {spec.target}"
    accepted = inspect.signature(cls).parameters
    absent = [o for o in spec.options if o not in accepted]
    if absent:
        return (
            f"{spec.name} needs option(s) {', '.join(map(repr, absent))} of skhpo.{spec.target}, "
            f"which the installed skhpo ({skhpo.__file__}) does not take"
        )
    return None


def check_available(names: list[str]) -> None:
    """Raise ``SystemExit`` naming every requested method that cannot run here."""
    reasons = [r for r in (missing_option(SPECS[n]) for n in names) if r]
    if reasons:
        raise SystemExit("cannot run:\n  " + "\n  ".join(reasons))


@dataclass
class Row:
    """One candidate as evaluated: its parameters, fold scores (NaN: not fitted), whether
    it was stopped early, and the resource it was evaluated with (None: full)."""

    params: dict
    fold_scores: list
    pruned: bool = False
    resource: float | None = None


@dataclass
class Context:
    """What a runner needs."""

    problem: CostlyProblem
    X: np.ndarray
    y: np.ndarray
    folds: list
    seed: int
    n_iter: int

    def common(self) -> dict:
        return {
            "cv": list(self.folds),
            "scoring": self.problem.scoring,
            "n_jobs": 1,
            "error_score": np.nan,
            "refit": False,
        }


def _rows_from_cv_results(search: Any, n_splits: int) -> list[Row]:
    results = search.cv_results_
    folds = np.column_stack(
        [np.asarray(results[f"split{k}_test_score"], dtype=float) for k in range(n_splits)]
    )
    pruned = np.asarray(results.get("pruned", np.zeros(len(folds), dtype=bool)), dtype=bool)
    resources = results.get("n_resources")
    return [
        Row(
            dict(params),
            folds[i].tolist(),
            bool(pruned[i]),
            None if resources is None else float(resources[i]),
        )
        for i, params in enumerate(results["params"])
    ]


def _run_skhpo(spec: Spec, ctx: Context) -> tuple[list[Row], dict]:
    cls = getattr(importlib.import_module("skhpo"), spec.target)
    n_iter = _n_iter(spec, ctx)
    search = cls(
        ctx.problem.memo_estimator(),
        spaces.to_skhpo(ctx.problem.space),
        n_iter=n_iter,
        random_state=ctx.seed,
        **ctx.common(),
        **spec.options,
    )
    search.fit(ctx.X, ctx.y)
    top = getattr(search, "max_resources_", len(ctx.X))
    return _rows_from_cv_results(search, len(ctx.folds)), {"n_iter": n_iter, "top_resource": top}


def _n_iter(spec: Spec, ctx: Context) -> int:
    if not spec.capped:
        return ctx.n_iter
    return min(spec.n_iter_factor * ctx.n_iter, ctx.problem.grid_size)


class UniformChoice:
    """One of ``values``, uniformly, through ``rvs`` (as a scipy distribution).

    Given only lists, ``RandomizedSearchCV`` samples the grid without replacement,
    and once ``n_iter`` nears the grid's size its candidates come nearly in grid
    order, the same for every seed; an ``rvs`` makes it draw every parameter
    independently (with replacement), in a random order.
    """

    def __init__(self, values: tuple) -> None:
        self.values = list(values)

    def rvs(self, random_state: Any = None) -> Any:
        rng = (
            np.random.RandomState(random_state)
            if not hasattr(random_state, "randint")
            else random_state
        )
        return self.values[rng.randint(len(self.values))]


def _run_sklearn_random(spec: Spec, ctx: Context) -> tuple[list[Row], dict]:
    from sklearn.model_selection import RandomizedSearchCV

    n_iter = _n_iter(spec, ctx)
    search = RandomizedSearchCV(
        ctx.problem.memo_estimator(),
        {name: UniformChoice(c.values) for name, c in ctx.problem.space.items()},
        n_iter=n_iter,
        random_state=ctx.seed,
        **ctx.common(),
    )
    search.fit(ctx.X, ctx.y)
    return _rows_from_cv_results(search, len(ctx.folds)), {"n_iter": n_iter}


def halving_plan(
    n_candidates: int, n_samples: int, budget: int, min_resources: int, factor: int = 3
) -> tuple[int, int]:
    """``(n_candidates, min_resources)`` of successive halving that fits at most ``budget``
    samples in all, the first round as large as that allows.

    Up to ``n_candidates`` first-round candidates (a finite grid may hold fewer than
    :func:`benchmarks.methods.halving_candidates` asks for; then the first round
    grows instead, so the search still spends the compute of ``budget`` samples
    rather than a small part of it). Rounds follow scikit-learn's schedule.

    >>> halving_plan(99, 4000, 50 * 4000, 60)
    (99, 1010)
    """
    best = min_resources
    for r0 in range(min_resources, n_samples + 1):
        rounds = min(
            1 + math.floor(math.log(n_candidates, factor)),
            1 + math.floor(math.log(n_samples // r0, factor)),
        )
        total = sum(math.ceil(n_candidates / factor**i) * r0 * factor**i for i in range(rounds))
        if total > budget:
            break
        best = r0
    return n_candidates, best


def _run_sklearn_halving(spec: Spec, ctx: Context) -> tuple[list[Row], dict]:
    """``HalvingRandomSearchCV`` (factor 3) at the compute of ``n_iter`` candidates.

    As in :class:`benchmarks.methods.HalvingSearch` (the most first-round
    candidates whose rounds fit no more samples than ``n_iter`` candidates on all
    the data, first round at least 3x scikit-learn's "smallest"), but with at most
    the grid's candidates and the first round then enlarged (:func:`halving_plan`).
    Compute is planned in samples, not seconds: a fit's cost is not linear in them.
    """
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    estimator = ctx.problem.memo_estimator()
    smallest = 2 * len(ctx.folds) * (len(np.unique(ctx.y)) if is_classifier(estimator) else 1)
    n_candidates, r0, _ = halving_candidates(ctx.n_iter, len(ctx.X), 3 * smallest, 3)
    n_candidates, r0 = halving_plan(
        min(n_candidates, ctx.problem.grid_size), len(ctx.X), ctx.n_iter * len(ctx.X), r0
    )
    search = HalvingRandomSearchCV(
        estimator,
        spaces.to_sklearn(ctx.problem.space),
        n_candidates=n_candidates,
        factor=3,
        min_resources=r0,
        random_state=ctx.seed,
        return_train_score=False,
        **ctx.common(),
    )
    search.fit(ctx.X, ctx.y)
    config = {"n_candidates": n_candidates, "min_resources": r0, "top_resource": len(ctx.X)}
    return _rows_from_cv_results(search, len(ctx.folds)), config


def optuna_suggest(trial: Any, name: str, choice: spaces.Choice) -> Any:
    """One value of ``choice``: an ordered index for numbers (as skhpo orders number
    lists), an unordered category otherwise."""
    values = choice.values
    if all(spaces._is_number(v) for v in values):
        return values[trial.suggest_int(name, 0, len(values) - 1)]
    return values[trial.suggest_categorical(name, list(range(len(values))))]


def _run_optuna(spec: Spec, ctx: Context) -> tuple[list[Row], dict]:
    """Optuna TPE (``TPESampler(seed)``, Optuna's defaults) on a per-fold objective.

    Each trial fits the folds one by one in a shuffled order (as the
    ``WilcoxonPruner`` documentation advises), reports each fold's score with the
    fold's index as the step and, with the pruner, stops when
    ``trial.should_prune()``; a stopped trial returns the mean of its folds so far
    (the documented way to tell TPE about it) and is marked pruned.
    """
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if spec.options.get("pruner") == "wilcoxon":
        pruner = optuna.pruners.WilcoxonPruner()
    else:  # create_study's default would be a MedianPruner
        pruner = optuna.pruners.NopPruner()
    sampler = optuna.samplers.TPESampler(seed=ctx.seed)
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    scorer = check_scoring(ctx.problem.memo_estimator(), scoring=ctx.problem.scoring)
    rng = np.random.default_rng(ctx.seed)
    rows: list[Row] = []

    def objective(trial: Any) -> float:
        params = {n: optuna_suggest(trial, n, c) for n, c in ctx.problem.space.items()}
        row = Row(params, [math.nan] * len(ctx.folds))
        rows.append(row)
        for k in rng.permutation(len(ctx.folds)):
            train, test = ctx.folds[k]
            model = clone(ctx.problem.memo_estimator()).set_params(**params)
            try:
                model.fit(ctx.X[train], ctx.y[train])
            except memo.BudgetExhausted:
                trial.study.stop()
                raise optuna.TrialPruned() from None  # not a failure: the run is over
            row.fold_scores[k] = float(scorer(model, ctx.X[test], ctx.y[test]))
            trial.report(row.fold_scores[k], int(k))
            if trial.should_prune():
                row.pruned = True
                break
        return float(np.nanmean(row.fold_scores))

    n_trials = _n_iter(spec, ctx)
    study.optimize(objective, n_trials=n_trials)
    return rows, {"n_trials": n_trials, "pruner": spec.options.get("pruner")}


_RUNNERS = {
    "skhpo": _run_skhpo,
    "sklearn-random": _run_sklearn_random,
    "sklearn-halving": _run_sklearn_halving,
    "optuna": _run_optuna,
}


def run_method(spec: Spec, ctx: Context) -> tuple[list[Row], dict]:
    """Run ``spec`` in ``ctx``: its rows in evaluation order and its configuration."""
    return _RUNNERS[spec.kind](spec, ctx)
