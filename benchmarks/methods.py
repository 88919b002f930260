"""One small adapter per tuning method: build the search, fit it, read its trace.

Every search runs with ``n_jobs=1`` on the CV splits it is given and the same
budget of ``n_iter`` candidates; how each peer is set to meet that budget is in
its adapter's docstring and in ``benchmarks/README.md``. Peers are imported
lazily: one that is missing or fails to import is reported as
``unavailable: <reason>`` instead of stopping the benchmark.
"""

from __future__ import annotations

import importlib
import inspect
import math
import random
import warnings
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import is_classifier
from sklearn.model_selection._search import BaseSearchCV

from skhpo._compat import is_all_fits_failed_error
from skhpo.utils import all_searches

from . import spaces
from .problems import Problem

__all__ = [
    "METHODS",
    "Method",
    "Setting",
    "Skip",
    "Trace",
    "ga_population",
    "get_method",
    "halving_candidates",
    "halving_schedule",
    "quiet_warnings",
]


class Skip(Exception):
    """A method does not apply to a setting (e.g. no grid fits the budget)."""


@dataclass
class Setting:
    """Everything one search is built from.

    Attributes
    ----------
    problem : Problem
    n_iter : int
        Budget: candidates to evaluate.
    seed : int
        Seed of the search (the CV splits come from the same seed).
    cv : list of (train, test) index arrays
        The folds, shared by every method of this problem and seed.
    X, y : ndarray
        Training data (the held-out test set is not here).
    timing_only : bool
        Only the search's time matters (scaling mode).
    """

    problem: Problem
    n_iter: int
    seed: int
    cv: list
    X: np.ndarray
    y: np.ndarray
    timing_only: bool = False

    def common(self) -> dict:
        """Options every BaseSearchCV-like search takes in the benchmark."""
        return {
            "cv": list(self.cv),
            "scoring": self.problem.scoring,
            "n_jobs": 1,
            "error_score": np.nan,
            "refit": True,
        }


@dataclass
class Trace:
    """What a fitted search evaluated, in evaluation order.

    Attributes
    ----------
    scores : ndarray or None
        Mean CV score of each row; None when rows were scored on subsamples
        (successive halving) and are not comparable.
    n_candidates : int
        Rows reported by the search.
    n_unique : int
        Distinct parameter settings among them.
    n_evaluated : int
        Candidates actually cross-validated (duplicates served from a cache are not).
    fit_score_time : float
        Seconds spent fitting and scoring, summed over evaluated candidates and folds.
    """

    scores: np.ndarray | None
    n_candidates: int
    n_unique: int
    n_evaluated: int
    fit_score_time: float


def param_key(params: dict) -> tuple:
    """A hashable key of a parameter dict (numpy scalars and Python numbers alike)."""
    return tuple(
        sorted((k, repr(v.item() if isinstance(v, np.generic) else v)) for k, v in params.items())
    )


def trace_from_rows(
    scores: Any,
    params: list[dict],
    times: Any,
    *,
    cached_duplicates: bool = False,
    comparable: bool = True,
) -> Trace:
    """A :class:`Trace` from per-row scores, parameters and fit+score seconds (all folds).

    With ``cached_duplicates``, a repeated setting was not re-evaluated: its time
    counts once and it is not an evaluated candidate.
    """
    keys = [param_key(p) for p in params]
    times = np.nan_to_num(np.asarray(times, dtype=float))
    first = np.zeros(len(keys), dtype=bool)
    seen: set = set()
    for i, key in enumerate(keys):
        first[i] = key not in seen
        seen.add(key)
    counted = first if cached_duplicates else np.ones(len(keys), dtype=bool)
    return Trace(
        scores=np.asarray(scores, dtype=float) if comparable else None,
        n_candidates=len(keys),
        n_unique=len(seen),
        n_evaluated=int(counted.sum()),
        fit_score_time=float(times[counted].sum()),
    )


@dataclass
class Method:
    """A tuning method: how to build, fit and read one search.

    Attributes
    ----------
    name : str
        Identifier on the command line and in results.
    library : str
        Distribution name whose version is reported.
    requires : tuple of str
        Modules imported before use; failing imports make the method unavailable.
    skhpo : bool
        Whether this is one of skhpo's searches (its ``NotImplementedError``
        means "not built yet").
    multi_fidelity : bool
        Whether rows are scored on subsamples: the best candidate is then
        re-scored with full CV on the shared folds before comparing.
    cached_duplicates : bool
        Whether a repeated candidate gets a row without being evaluated again.
    on_request : bool
        Run only when named in ``--methods`` (the Gaussian-process peers, whose
        optimiser alone costs up to seconds per candidate).
    """

    name: str
    library: str
    requires: tuple[str, ...] = ()
    skhpo: bool = False
    multi_fidelity: bool = False
    cached_duplicates: bool = False
    on_request: bool = False

    def unavailable(self) -> str | None:
        """Why the method cannot run here, or None if it can."""
        for module in self.requires:
            try:
                importlib.import_module(module)
            except Exception as exc:  # noqa: BLE001 - any import failure is reported, not raised
                return f"{type(exc).__name__}: {exc}"
        return None

    def build(self, setting: Setting) -> tuple[Any, dict]:
        """The unfitted search and a dict describing its configuration."""
        raise NotImplementedError

    def fit(self, search: Any, setting: Setting) -> None:
        """Fit ``search`` on the setting's training data."""
        search.fit(setting.X, setting.y)

    def trace(self, search: Any) -> Trace:
        """Rows of a fitted BaseSearchCV-like search (``cv_results_`` in evaluation order)."""
        results = search.cv_results_
        times = (np.asarray(results["mean_fit_time"]) + np.asarray(results["mean_score_time"])) * (
            search.n_splits_
        )
        return trace_from_rows(
            results["mean_test_score"],
            results["params"],
            times,
            cached_duplicates=self.cached_duplicates,
            comparable=not self.multi_fidelity,
        )


# -- skhpo ---------------------------------------------------------------------------------
@dataclass
class SkhpoMethod(Method):
    """One of skhpo's searches with its default options, or with ``options`` set."""

    class_name: str = ""
    module: str = "skhpo"
    options: dict = field(default_factory=dict)

    def unavailable(self) -> str | None:
        reason = super().unavailable()
        if reason is None and not hasattr(importlib.import_module(self.module), self.class_name):
            reason = f"{self.module} has no {self.class_name}"
        return reason

    def build(self, setting: Setting) -> tuple[Any, dict]:
        cls = getattr(importlib.import_module(self.module), self.class_name)
        search = cls(
            setting.problem.make_estimator(),
            spaces.to_skhpo(setting.problem.space),
            n_iter=setting.n_iter,
            random_state=setting.seed,
            **self.options,
            **setting.common(),
        )
        return search, {
            "class": f"{self.module}.{self.class_name}",
            "options": self.options or "defaults",
        }


# -- scikit-learn ----------------------------------------------------------------------------
@dataclass
class RandomSearch(Method):
    """scikit-learn's ``RandomizedSearchCV``: the baseline of the normalized score."""

    def build(self, setting: Setting) -> tuple[Any, dict]:
        from sklearn.model_selection import RandomizedSearchCV

        search = RandomizedSearchCV(
            setting.problem.make_estimator(),
            spaces.to_sklearn(setting.problem.space),
            n_iter=setting.n_iter,
            random_state=setting.seed,
            **setting.common(),
        )
        return search, {}


@dataclass
class GridSearch(Method):
    """scikit-learn's ``GridSearchCV`` on the finest grid that fits the budget."""

    def build(self, setting: Setting) -> tuple[Any, dict]:
        from sklearn.model_selection import GridSearchCV

        grid = spaces.to_grid(setting.problem.space, setting.n_iter)
        if grid is None:
            raise Skip(f"no grid of >= 3 values per range fits {setting.n_iter} candidates")
        grids = spaces.subspaces(grid)
        size = sum(math.prod(len(v) for v in g.values()) for g in grids)
        search = GridSearchCV(setting.problem.make_estimator(), grid, **setting.common())
        return search, {"grid_size": size}


def halving_schedule(
    n_candidates: int, n_samples: int, min_resources: int, factor: int
) -> tuple[int, list[tuple[int, int]]]:
    """Rounds of successive halving that "exhausts" the samples, with a floor.

    As scikit-learn's ``min_resources="exhaust"``: the first round gets as many
    samples as lets the last one use (nearly) all, but never fewer than
    ``min_resources``; then scikit-learn's schedule
    (``_search_successive_halving.py``).

    Returns
    -------
    first_round_samples : int
        To pass as ``min_resources``.
    rounds : list of (candidates, samples)
    """
    n_required = 1 + math.floor(math.log(n_candidates, factor))
    r0 = max(min_resources, n_samples // factor ** (n_required - 1))
    n_possible = 1 + math.floor(math.log(n_samples // r0, factor))
    rounds, remaining = [], n_candidates
    for itr in range(min(n_required, n_possible)):
        rounds.append((remaining, min(int(factor**itr * r0), n_samples)))
        remaining = math.ceil(remaining / factor)
    return r0, rounds


def halving_candidates(
    n_iter: int, n_samples: int, min_resources: int, factor: int = 3
) -> tuple[int, int, float]:
    """Successive halving at the compute of ``n_iter`` candidates on all ``n_samples``.

    The most first-round candidates whose rounds (:func:`halving_schedule`) fit
    no more samples in total than ``n_iter`` candidates on all samples would.

    Returns
    -------
    n_candidates : int
    first_round_samples : int
    compute_share : float
        Samples fitted over those of ``n_iter`` full candidates (<= 1).
    """
    budget = n_iter * n_samples
    best = (1, n_samples, 1 / n_iter)
    for c in range(2, budget // min_resources + 1):
        r0, rounds = halving_schedule(c, n_samples, min_resources, factor)
        total = sum(n * r for n, r in rounds)
        if total <= budget:
            best = (c, r0, total / budget)
    return best


@dataclass
class HalvingSearch(Method):
    """scikit-learn's ``HalvingRandomSearchCV`` (factor 3) at the same compute.

    Not the same number of candidates: ``n_candidates`` and ``min_resources`` come
    from :func:`halving_candidates`, with a floor of 3x scikit-learn's "smallest"
    first round (``2 * n_splits * n_classes``): at the smallest, a subsample of a
    shared fold can hold one class and every first-round fit fails. Rows are
    scored on subsamples, so the best candidate is re-scored with full CV on the
    shared folds (``multi_fidelity``). Skipped on synthetic problems, whose score
    does not depend on the samples (its extra candidates would be free), except
    when only timing (scaling mode).
    """

    multi_fidelity: bool = True
    factor: int = 3
    floor: int = 3

    def build(self, setting: Setting) -> tuple[Any, dict]:
        from sklearn.experimental import enable_halving_search_cv  # noqa: F401
        from sklearn.model_selection import HalvingRandomSearchCV

        if setting.problem.synthetic and not setting.timing_only:
            raise Skip("a synthetic score ignores the samples: subsampled candidates are free")
        estimator = setting.problem.make_estimator()
        smallest = 2 * len(setting.cv)
        if is_classifier(estimator):
            smallest *= len(np.unique(setting.y))
        n_candidates, r0, share = halving_candidates(
            setting.n_iter, len(setting.X), self.floor * smallest, self.factor
        )
        search = HalvingRandomSearchCV(
            estimator,
            spaces.to_sklearn(setting.problem.space),
            n_candidates=n_candidates,
            factor=self.factor,
            min_resources=r0,
            random_state=setting.seed,
            return_train_score=False,
            **setting.common(),
        )
        config = {"n_candidates": n_candidates, "min_resources": r0, "factor": self.factor}
        return search, {**config, "compute_share": round(share, 2)}


# -- scikit-optimize ------------------------------------------------------------------------
@dataclass
class SkoptSearch(Method):
    """scikit-optimize's ``BayesSearchCV`` with its defaults (``n_points=1``).

    A conditional space is skopt's list of ``(sub-space, n)`` with the budget split
    evenly, one optimiser per sub-space.
    """

    def build(self, setting: Setting) -> tuple[Any, dict]:
        from skopt import BayesSearchCV

        space = spaces.to_skopt(setting.problem.space, setting.n_iter)
        search = BayesSearchCV(
            setting.problem.make_estimator(),
            space,
            n_iter=setting.n_iter,
            n_points=1,
            random_state=setting.seed,
            **setting.common(),
        )
        config = {"n_points": 1}
        if isinstance(space, list):
            config["sub_space_budgets"] = [n for _, n in space]
        return search, config


# -- Optuna ----------------------------------------------------------------------------------
@dataclass
class OptunaSearch(Method):
    """optuna-integration's ``OptunaSearchCV`` with a seeded sampler.

    ``TPESampler``: ``multivariate=False`` is the classic independent TPE;
    ``multivariate=True`` is what ``TPESampler()`` does by default since Optuna 5.
    ``gp=True``: ``GPSampler`` (Optuna's Gaussian-process Bayesian optimisation,
    which needs PyTorch) with its defaults. A conditional space is flattened
    (:func:`benchmarks.spaces.flatten`).
    """

    multivariate: bool = False
    gp: bool = False

    def build(self, setting: Setting) -> tuple[Any, dict]:
        import optuna
        from optuna_integration import OptunaSearchCV

        if self.gp:
            _single_threaded_torch()
            sampler = optuna.samplers.GPSampler(seed=setting.seed)
            described = "GPSampler()"
        else:
            sampler = optuna.samplers.TPESampler(seed=setting.seed, multivariate=self.multivariate)
            described = f"TPESampler(multivariate={self.multivariate})"
        study = optuna.create_study(direction="maximize", sampler=sampler)
        search = OptunaSearchCV(
            setting.problem.make_estimator(),
            spaces.to_optuna(setting.problem.space),
            n_trials=setting.n_iter,
            study=study,
            random_state=setting.seed,
            **setting.common(),
        )
        return search, {"sampler": described}

    def trace(self, search: Any) -> Trace:
        # OptunaSearchCV.cv_results_ has no "params": read the trials, in order.
        trials = search.trials_
        scores = [np.nan if t.value is None else t.value for t in trials]
        times = [
            (t.user_attrs.get("mean_fit_time", 0.0) + t.user_attrs.get("mean_score_time", 0.0))
            * search.n_splits_
            for t in trials
        ]
        return trace_from_rows(scores, [t.params for t in trials], times)


# -- ask-and-tell peers (HEBO, SMAC3) -----------------------------------------------------------
def _single_threaded_torch() -> None:
    """One PyTorch thread, as every other method runs (threadpoolctl does not reach it)."""
    import torch

    torch.set_num_threads(1)


class AskTellSearchCV(BaseSearchCV):
    """scikit-learn's ``BaseSearchCV`` driven by an ask-and-tell optimiser.

    For peers that are not scikit-learn searches: each of ``n_iter`` rounds asks
    ``make_optimizer()`` for one parameter dict, cross-validates it through
    ``BaseSearchCV`` (same folds, scoring, ``error_score`` and refit as every other
    method) and tells the optimiser its mean CV score. A candidate whose every fold
    failed is told NaN and has no row: scikit-learn keeps no row of a call whose
    every fit failed.
    """

    def __init__(
        self,
        estimator: Any,
        make_optimizer: Any,
        n_iter: int,
        *,
        scoring: Any = None,
        n_jobs: int | None = None,
        refit: bool = True,
        cv: Any = None,
        error_score: Any = np.nan,
    ) -> None:
        super().__init__(
            estimator, scoring=scoring, n_jobs=n_jobs, refit=refit, cv=cv, error_score=error_score
        )
        self.make_optimizer = make_optimizer
        self.n_iter = n_iter

    def _run_search(self, evaluate_candidates: Any) -> None:
        optimizer = self.make_optimizer()
        for _ in range(self.n_iter):
            params = optimizer.ask()
            try:
                score = float(evaluate_candidates([params])["mean_test_score"][-1])
            except ValueError as exc:
                # scikit-learn raises when every fit of a call failed, and keeps no row of
                # it: the optimiser is told NaN and the search goes on.
                if not is_all_fits_failed_error(exc):
                    raise
                score = float("nan")
            optimizer.tell(score)


class _Labels:
    """Choices as string labels (peers that want strings) and back to their values."""

    def __init__(self, space: dict) -> None:
        self.values = {n: p.values for n, p in space.items() if isinstance(p, spaces.Choice)}

    def labels(self, name: str) -> list[str]:
        return [str(i) for i in range(len(self.values[name]))]

    def decode(self, params: dict) -> dict:
        """Python values of a peer's parameter dict (numpy scalars and labels undone)."""
        out = {}
        for name, value in params.items():
            value = value.item() if isinstance(value, np.generic) else value
            out[name] = self.values[name][int(value)] if name in self.values else value
        return out


def _loss(score: float, losses: list[float]) -> float:
    """A minimiser's loss for a CV score: a failed fit counts as the worst loss so far."""
    if np.isfinite(score):
        return -score
    return max(losses) if losses else 0.0


#: HEBO's parameter type by (real, log scale).
_HEBO_TYPES = {
    (True, False): "num",
    (True, True): "pow",
    (False, False): "int",
    (False, True): "pow_int",
}


class _HeboOptimizer:
    """HEBO (``hebo.optimizers.hebo.HEBO``, defaults) as ask and tell, one candidate at a time."""

    def __init__(self, space: dict, seed: int) -> None:
        import torch
        from hebo.design_space.design_space import DesignSpace
        from hebo.optimizers.hebo import HEBO

        _single_threaded_torch()
        np.random.seed(seed)  # noqa: NPY002 - HEBO draws from numpy's and torch's global generators
        torch.manual_seed(seed)
        self.names = _Labels(space)
        self.ints = {n for n, p in space.items() if isinstance(p, spaces.IntRange)}
        params = []
        for name, p in space.items():
            if isinstance(p, spaces.Choice):
                params.append({"name": name, "type": "cat", "categories": self.names.labels(name)})
            else:
                kind = _HEBO_TYPES[isinstance(p, spaces.FloatRange), p.log]
                params.append({"name": name, "type": kind, "lb": p.low, "ub": p.high})
        self.optimizer = HEBO(DesignSpace().parse(params), scramble_seed=seed)
        self.losses: list[float] = []

    def ask(self) -> dict:
        self.suggestion = self.optimizer.suggest(n_suggestions=1)
        params = self.names.decode(self.suggestion.iloc[0].to_dict())
        return {n: round(v) if n in self.ints else v for n, v in params.items()}

    def tell(self, score: float) -> None:
        loss = _loss(score, self.losses)
        self.losses.append(loss)
        self.optimizer.observe(self.suggestion, np.array([[loss]]))


class _SmacOptimizer:
    """SMAC3's ``HyperparameterOptimizationFacade`` (defaults) as ask and tell."""

    def __init__(self, space: dict, seed: int, n_iter: int) -> None:
        import tempfile

        from ConfigSpace import Categorical, ConfigurationSpace, Float, Integer
        from smac import HyperparameterOptimizationFacade, Scenario

        self.names = _Labels(space)
        config_space = ConfigurationSpace(seed=seed)
        for name, p in space.items():
            if isinstance(p, spaces.Choice):
                config_space.add(Categorical(name, self.names.labels(name)))
            elif isinstance(p, spaces.FloatRange):
                config_space.add(Float(name, (p.low, p.high), log=p.log))
            else:
                config_space.add(Integer(name, (p.low, p.high), log=p.log))
        self._folder = tempfile.TemporaryDirectory(prefix="smac-")
        scenario = Scenario(
            config_space,
            deterministic=True,
            n_trials=n_iter,
            seed=seed,
            output_directory=Path(self._folder.name),
        )
        # Only ask and tell are used: SMAC never calls the target function.
        self.optimizer = HyperparameterOptimizationFacade(
            scenario, _never_called, overwrite=True, logging_level=40
        )
        self.losses: list[float] = []

    def ask(self) -> dict:
        self.trial = self.optimizer.ask()
        return self.names.decode(dict(self.trial.config))

    def tell(self, score: float) -> None:
        from smac.runhistory.dataclasses import TrialValue

        loss = _loss(score, self.losses)
        self.losses.append(loss)
        self.optimizer.tell(self.trial, TrialValue(cost=loss))


def _never_called(config: Any, seed: int = 0) -> float:
    raise AssertionError("SMAC's target function is not used: the search asks and tells")


@dataclass
class AskTellPeer(Method):
    """A peer optimiser that is not a scikit-learn search, run by :class:`AskTellSearchCV`.

    ``optimizer`` is ``"hebo"`` (HEBO 0.3, the NeurIPS 2020 black-box challenge's
    winner, defaults) or ``"smac"`` (SMAC3's hyperparameter-optimisation facade: a
    random forest surrogate, defaults). A conditional space is flattened
    (:func:`benchmarks.spaces.flatten`); a failed fit counts as the worst loss so far.
    """

    optimizer: str = "hebo"

    def build(self, setting: Setting) -> tuple[Any, dict]:
        space, seed, n_iter = spaces.flatten(setting.problem.space), setting.seed, setting.n_iter
        if self.optimizer == "hebo":
            make = partial(_HeboOptimizer, space, seed)
        else:
            make = partial(_SmacOptimizer, space, seed, n_iter)
        search = AskTellSearchCV(setting.problem.make_estimator(), make, n_iter, **setting.common())
        return search, {"optimizer": self.optimizer, "options": "defaults"}


# -- sklearn-genetic-opt ------------------------------------------------------------------------
def ga_population(n_iter: int, rows_per_generation: int) -> tuple[int, int]:
    """Population ``P`` and generations ``G >= 1`` whose ``P * (1 + rows_per_generation * G)``
    rows come close to ``n_iter`` without exceeding it.

    The population closest to ``sqrt(rows_per_generation * n_iter)`` that reaches
    95 % of ``n_iter`` (else 90 %, else 80 %), the smaller one on ties.

    >>> ga_population(30, 2), ga_population(100, 2), ga_population(100, 1)
    ((6, 2), (14, 3), (10, 9))
    """
    target = max(2, round(math.sqrt(rows_per_generation * n_iter)))
    sizes = sorted(range(2, n_iter + 1), key=lambda size: (abs(size - target), size))
    for share in (0.95, 0.9, 0.8):
        for size in sizes:
            generations = (n_iter // size - 1) // rows_per_generation
            if (
                generations >= 1
                and size * (1 + rows_per_generation * generations) >= share * n_iter
            ):
                return size, generations
    return 2, max(1, (n_iter // 2 - 1) // rows_per_generation)


@dataclass
class GeneticSearch(Method):
    """sklearn-genetic-opt's ``GASearchCV``.

    0.14+ (Python >= 3.12): ``random_state`` and ``eaDifferentialEvolution``,
    ``P * (1 + G)`` rows. 0.12 (the newest on Python 3.11): no ``random_state``,
    so the space is built first and Python's and numpy's global generators are
    seeded right before ``fit``; its ``eaMuPlusLambda`` gives ``P * (1 + 2G)``
    rows. Repeated individuals get a row but are served from a cache, so its
    evaluated candidates are the unique ones. A conditional space is flattened.
    """

    cached_duplicates: bool = True

    @staticmethod
    def _seeded() -> bool:
        """Whether this sklearn-genetic-opt takes ``random_state`` (0.14+)."""
        from sklearn_genetic import GASearchCV

        return "random_state" in inspect.signature(GASearchCV).parameters

    def build(self, setting: Setting) -> tuple[Any, dict]:
        from sklearn_genetic import GASearchCV

        grid = spaces.to_ga(setting.problem.space)  # before seeding: 0.12 reseeds `random`
        if self._seeded():
            options, rows_per_generation = (
                {"random_state": setting.seed, "algorithm": "eaDifferentialEvolution"},
                1,
            )
        else:
            options, rows_per_generation = {"algorithm": "eaMuPlusLambda"}, 2
        size, generations = ga_population(setting.n_iter, rows_per_generation)
        search = GASearchCV(
            setting.problem.make_estimator(),
            param_grid=grid,
            population_size=size,
            generations=generations,
            verbose=False,
            **options,
            **setting.common(),
        )
        return search, {"population_size": size, "generations": generations, **options}

    def fit(self, search: Any, setting: Setting) -> None:
        if not self._seeded():
            random.seed(setting.seed)
            np.random.seed(setting.seed)  # noqa: NPY002 - GASearchCV 0.12 draws from it
        search.fit(setting.X, setting.y)


# -- the registry ------------------------------------------------------------------------------
_SKHPO = ("skhpo",)

#: Method names that differ from the rule of ``skhpo_method_name``, kept so that
#: stored results keep their meaning.
_LEGACY_NAMES = {"EvolutionarySearchCV": "skhpo-evolution"}


def skhpo_method_name(class_name: str) -> str:
    """The benchmark's name of one of skhpo's searches (``BayesSearchCV``: ``skhpo-bayes``)."""
    legacy = _LEGACY_NAMES.get(class_name)
    return legacy or "skhpo-" + class_name.removesuffix("SearchCV").lower()


_SKOPT = ("skopt",)
_OPTUNA = ("optuna", "optuna_integration")
_GA = ("sklearn_genetic", "deap")

#: Every method, skhpo's first, then the baselines, then the peers.
METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        *(
            SkhpoMethod(skhpo_method_name(name), "skhpo", _SKHPO, skhpo=True, class_name=name)
            for name, _ in all_searches()
        ),
        SkhpoMethod(
            "skhpo-random",
            "skhpo",
            _SKHPO,
            skhpo=True,
            class_name="RandomStrategySearchCV",
            module="skhpo.testing",
        ),
        # The peers propose one candidate at a time here (n_jobs=1); this is the Bayes
        # search in that setting, as the docs advise when fits cannot run in parallel.
        SkhpoMethod(
            "skhpo-bayes-seq",
            "skhpo",
            _SKHPO,
            skhpo=True,
            class_name="BayesSearchCV",
            options={"batch_size": 1},
            on_request=True,
        ),
        RandomSearch("sklearn-random", "scikit-learn"),
        GridSearch("sklearn-grid", "scikit-learn"),
        HalvingSearch("sklearn-halving", "scikit-learn"),
        SkoptSearch("skopt-bayes", "scikit-optimize", _SKOPT),
        OptunaSearch("optuna-tpe", "optuna", _OPTUNA, multivariate=False),
        OptunaSearch("optuna-tpe-mv", "optuna", _OPTUNA, multivariate=True),
        OptunaSearch("optuna-gp", "optuna", (*_OPTUNA, "torch"), gp=True, on_request=True),
        AskTellPeer("hebo", "hebo", ("hebo", "torch"), optimizer="hebo", on_request=True),
        AskTellPeer("smac", "smac", ("smac",), optimizer="smac", on_request=True),
        GeneticSearch("ga", "sklearn-genetic-opt", _GA),
    ]
}
#: The baseline of the normalized score.
BASELINE = "sklearn-random"


def get_method(name: str) -> Method:
    """The method called ``name``.

    Raises
    ------
    KeyError
        With the list of known names.
    """
    try:
        return METHODS[name]
    except KeyError:
        raise KeyError(f"unknown method {name!r}; known: {', '.join(METHODS)}") from None


def quiet_warnings() -> None:
    """Silence the known noise of the peers and of capped estimators, narrowly.

    Optuna logs one line per trial and warns once per search and once per trial
    (see ``benchmarks/README.md``); MLP and saga hit their capped iterations on
    purpose. Each is silenced by its category and message, nothing else.
    """
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    try:
        import optuna
    except ImportError:
        return
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings(
        "ignore",
        category=optuna.exceptions.ExperimentalWarning,
        message=r"OptunaSearchCV is experimental",
    )
    warnings.filterwarnings(
        "ignore",
        category=FutureWarning,
        message=r"`optuna\.terminator` module has been deprecated",
    )
    warnings.filterwarnings(
        "ignore",
        category=UserWarning,
        message=r"Choices for a categorical distribution should be a tuple of None",
    )
