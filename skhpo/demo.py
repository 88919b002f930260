"""Bayesian search against random search, same budget: ``python -m skhpo.demo``.

The job: a pipeline that keeps the ``k`` features most correlated with the target
and fits an RBF kernel ridge on them, tuned over ``k`` (1 to 10) and the kernel
ridge's ``alpha`` and ``gamma`` (each over several decades, log scale), on
scikit-learn's Friedman #1 regression data (10 features, 5 of them noise; 600
training rows, 2,000 held-out rows that neither search sees). Good settings lie
in a small corner of that space, where random draws rarely land.

:class:`~skhpo.BayesSearchCV` and scikit-learn's
:class:`~sklearn.model_selection.RandomizedSearchCV` get the same pipeline, the
same ``param_distributions`` (only the class name differs), the same number of
candidates and the same CV splits, once per seed. The demo prints, computed from
those runs:

- each search's best CV R² and held-out R², mean ± standard deviation over the
  seeds, and the paired difference (same seed, same splits) with its spread and
  the seeds on which Bayes is ahead (any seed where it is not is named);
- the best CV R² so far against the number of candidates (median over seeds),
  drawn in the terminal;
- after how many candidates ``BayesSearchCV`` had reached the score
  ``RandomizedSearchCV`` ended with (from the rows of ``cv_results_``, in the
  order they were evaluated).

It runs in well under a minute on two cores. ``--png FILE`` also saves the curves
as a picture when matplotlib is installed.
"""

from __future__ import annotations

import argparse
import textwrap
import time
import warnings
from collections import Counter

import numpy as np
from scipy.stats import loguniform, randint
from sklearn.datasets import make_friedman1
from sklearn.feature_selection import SelectKBest, f_regression
from sklearn.kernel_ridge import KernelRidge
from sklearn.model_selection import KFold, RandomizedSearchCV
from sklearn.pipeline import make_pipeline

from ._searches import BayesSearchCV
from .exceptions import BestAtBoundWarning

SPACE = {
    "selectkbest__k": randint(1, 11),
    "kernelridge__alpha": loguniform(1e-3, 1e3),
    "kernelridge__gamma": loguniform(1e-6, 1e3),
}
SEARCHES = {"BayesSearchCV": BayesSearchCV, "RandomizedSearchCV": RandomizedSearchCV}
N_ITER, N_SPLITS, SEEDS = 40, 5, (0, 1, 2, 3, 4)


def make_data(n_train=600, n_test=2000):
    """Friedman #1 data: ``(X_train, X_test, y_train, y_test)``."""
    X, y = make_friedman1(n_samples=n_train + n_test, noise=1.0, random_state=0)
    return X[:n_train], X[n_train:], y[:n_train], y[n_train:]


def make_pipeline_to_tune():
    """The estimator both searches tune."""
    return make_pipeline(SelectKBest(f_regression), KernelRidge(kernel="rbf"))


def best_so_far(cv_results):
    """Best mean CV score after each candidate, in evaluation order; a failed fit counts as -inf."""
    scores = np.asarray(cv_results["mean_test_score"], dtype=float)
    return np.maximum.accumulate(np.nan_to_num(scores, nan=-np.inf))


def candidates_to_reach(curve, target):
    """Candidates ``curve`` (from :func:`best_so_far`) took to reach ``target``; None if never."""
    reached = np.flatnonzero(np.asarray(curve) >= target)
    return int(reached[0]) + 1 if reached.size else None


def run(data, *, n_iter=N_ITER, n_splits=N_SPLITS, seeds=SEEDS, n_jobs=-1):
    """Fit every search once per seed.

    Returns ``{search name: {"cv": (n_seeds,), "test": (n_seeds,), "seconds": (n_seeds,),
    "curves": (n_seeds, n_iter), "best_params": [dict per seed],
    "at_bound": [message of each BestAtBoundWarning]}}``.
    """
    X_train, X_test, y_train, y_test = data
    results = {}
    for name, search_class in SEARCHES.items():
        runs, at_bound = [], []
        for seed in seeds:
            cv = KFold(n_splits, shuffle=True, random_state=seed)  # the same splits for both
            search = search_class(
                make_pipeline_to_tune(), SPACE, n_iter=n_iter, cv=cv, n_jobs=n_jobs,
                random_state=seed,
            )  # fmt: skip
            start = time.perf_counter()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", BestAtBoundWarning)
                search.fit(X_train, y_train)
            seconds = time.perf_counter() - start
            at_bound.extend(_keep_bound_warnings(caught))
            runs.append(
                (search.best_score_, search.score(X_test, y_test), seconds,
                 best_so_far(search.cv_results_), search.best_params_)
            )  # fmt: skip
        cv_scores, test_scores, seconds, curves, params = zip(*runs)
        results[name] = {
            "cv": np.array(cv_scores, dtype=float),
            "test": np.array(test_scores, dtype=float),
            "seconds": np.array(seconds),
            "curves": np.array(curves),
            "best_params": list(params),
            "at_bound": at_bound,
        }
    return results


def _keep_bound_warnings(caught):
    """Messages of the bound warnings among ``caught``; any other warning is shown as usual."""
    messages = []
    for w in caught:
        if issubclass(w.category, BestAtBoundWarning):
            messages.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return messages


def _spread(values, sign=""):
    """``mean ± std`` over seeds (sample standard deviation), as plain text."""
    values = np.asarray(values, dtype=float)
    std = values.std(ddof=1) if values.size > 1 else 0.0
    return f"{values.mean():{sign}.4f} ± {std:.4f}"


def _params_text(params):
    return ", ".join(f"{name.split('__')[-1]}={float(params[name]):.3g}" for name in sorted(params))


def summary(results, seeds=SEEDS):
    """The comparison as text: scores, paired differences, and when Bayes caught up."""
    bayes, rand = results["BayesSearchCV"], results["RandomizedSearchCV"]
    n_iter = bayes["curves"].shape[1]
    diff = {key: bayes[key] - rand[key] for key in ("cv", "test")}
    ahead = {key: f"{int((d > 0).sum())} of {len(seeds)} seeds" for key, d in diff.items()}
    lines = [f"{'':22s}{'best CV R2':>18s}{'held-out R2':>20s}{'s / search':>12s}"]
    lines += [
        f"{name:22s}{_spread(res['cv']):>18s}{_spread(res['test']):>20s}"
        f"{res['seconds'].mean():12.1f}"
        for name, res in results.items()
    ]
    lines.append(
        f"{'Bayes - random':22s}{_spread(diff['cv'], '+'):>18s}{_spread(diff['test'], '+'):>20s}"
    )
    lines.append(f"{'Bayes ahead on':22s}{ahead['cv']:>18s}{ahead['test']:>20s}")
    paragraphs = [
        f"Seed {seed}: Bayes' {label} is not above random search's ({d:+.4f})."
        for key, label in (("cv", "best CV R2"), ("test", "held-out R2"))
        for seed, d in zip(seeds, diff[key])
        if d <= 0
    ]
    paragraphs.append(
        f"Best parameters, seed {seeds[0]}: Bayes {_params_text(bayes['best_params'][0])}; "
        f"random {_params_text(rand['best_params'][0])}."
    )
    reached = [candidates_to_reach(b, r[-1]) for b, r in zip(bayes["curves"], rand["curves"])]
    per_seed = ", ".join("never" if n is None else str(n) for n in reached)
    # A seed where Bayes never got there counts as more than the budget.
    median = np.median([n_iter + 1 if n is None else n for n in reached])
    target = f"RandomizedSearchCV's final ({n_iter}-candidate) best CV R2"
    if median <= n_iter:
        paragraphs.append(
            f"BayesSearchCV reached {target} after {median:g} candidates "
            f"(median over {len(seeds)} seeds; per seed: {per_seed})."
        )
    else:
        paragraphs.append(f"BayesSearchCV did not reach {target} on most seeds ({per_seed}).")
    for name, res in results.items():
        counts = Counter(message.split(" lies at")[0] for message in res.get("at_bound", []))
        if counts:
            found = "; ".join(f"{text} ({n} of {len(seeds)} seeds)" for text, n in counts.items())
            paragraphs.append(
                f"{name} warned that its best value lay at a bound of the range searched "
                f"(skhpo's BestAtBoundWarning: the optimum may lie outside): {found}. In "
                "real work, widen such a range, unless the bound is a real limit (k=10 is "
                "every feature); here the space stays the same for both searches."
            )
    return "\n".join(lines + [""] + [textwrap.fill(text, 88) for text in paragraphs])


def text_chart(curves, height=12, floor_candidate=5):
    """Draw best-so-far curves (``{label: (n_candidates,)}``, one letter per curve) in text.

    One column per candidate. The vertical range starts at the lowest curve's value after
    ``floor_candidate`` candidates, so the early, very poor candidates do not flatten the
    interesting part; values below it sit on the bottom row.
    """
    values = np.array(list(curves.values()))
    n = values.shape[1]
    low = values[:, min(floor_candidate, n) - 1].min()
    high = values.max()
    span = high - low if high > low else 1.0
    rows = np.clip(np.round((values - low) / span * (height - 1)), 0, height - 1).astype(int)
    grid = [[" "] * n for _ in range(height)]
    for letter, row in zip((label[0] for label in curves), rows):
        for column, r in enumerate(row):
            cell = grid[height - 1 - r][column]
            grid[height - 1 - r][column] = letter if cell in (" ", letter) else "*"
    labels = {0: f"{high:.3f}", height - 1: f"{low:.3f}"}
    lines = [f"{labels.get(i, ''):>7s} |{''.join(row)}" for i, row in enumerate(grid)]
    ticks = "".join(f"{c:<10d}" for c in range(10, n + 1, 10)).rstrip()
    lines += [f"{'':7s} +{'-' * n}", f"{'':7s}  1{'':8s}{ticks}  candidates"]
    legend = ", ".join(f"{label[0]} = {label}" for label in curves)
    return "\n".join([*lines, f"{'':9s}{legend}, * = both"])


def save_png(results, path):
    """Save the median best-so-far curves to ``path``; False if matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(6, 4))
    # As in the text chart: start the axis after a few candidates, not at the first poor ones.
    bottom = min(np.median(res["curves"], axis=0)[:5][-1] for res in results.values())
    for name, res in results.items():
        curves = res["curves"]
        x = np.arange(1, curves.shape[1] + 1)
        ax.plot(x, np.median(curves, axis=0), label=f"{name} (median)")
        ax.fill_between(x, curves.min(axis=0), curves.max(axis=0), alpha=0.2)
    top = max(res["curves"].max() for res in results.values())
    margin = 0.05 * (top - bottom)
    ax.set(xlabel="candidates", ylabel="best CV R2 so far", ylim=(bottom, top + margin))
    ax.legend()
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skhpo.demo", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--png", metavar="FILE", help="also save the curves as a picture")
    args = parser.parse_args(argv)
    data = make_data()
    print(
        f"BayesSearchCV against RandomizedSearchCV: the same pipeline, space, budget and CV\n"
        f"splits. Tuning SelectKBest(k) + KernelRidge(rbf: alpha, gamma) on Friedman #1 data\n"
        f"(10 features, 5 of them noise; {len(data[0])} training rows, {len(data[1])} held out), "
        f"{N_ITER} candidates\nx {N_SPLITS}-fold CV per search, {len(SEEDS)} seeds. "
        "Scores are R2 (1 is perfect); ± is the\nstandard deviation over seeds.\n",
        flush=True,
    )
    results = run(data, n_iter=N_ITER, n_splits=N_SPLITS, seeds=SEEDS)
    print(summary(results, SEEDS))
    print("\nBest CV R2 so far, median over seeds:")
    print(text_chart({name: np.median(res["curves"], axis=0) for name, res in results.items()}))
    if args.png:
        saved = save_png(results, args.png)
        print(
            f"\nSaved {args.png}." if saved else "\n--png needs matplotlib, which is not installed."
        )


if __name__ == "__main__":
    main()
