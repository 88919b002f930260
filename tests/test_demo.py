"""The demo (``python -m skhpo.demo``): its numbers come from the searches it runs."""

from __future__ import annotations

import numpy as np

from skhpo import demo


def _results(bayes_cv, rand_cv, bayes_test, rand_test, bayes_curves, rand_curves):
    def one(cv, test, curves):
        return {
            "cv": np.array(cv),
            "test": np.array(test),
            "seconds": np.ones(len(cv)),
            "curves": np.array(curves, dtype=float),
            "best_params": [{"kernelridge__alpha": np.float64(0.5), "selectkbest__k": 3}] * len(cv),
        }

    return {
        "BayesSearchCV": one(bayes_cv, bayes_test, bayes_curves),
        "RandomizedSearchCV": one(rand_cv, rand_test, rand_curves),
    }


def test_best_so_far_follows_evaluation_order_and_counts_failures_as_worst():
    cv_results = {"mean_test_score": np.array([0.2, np.nan, 0.5, 0.4, 0.7])}
    np.testing.assert_array_equal(demo.best_so_far(cv_results), [0.2, 0.2, 0.5, 0.5, 0.7])


def test_candidates_to_reach_counts_from_one():
    curve = demo.best_so_far({"mean_test_score": [0.1, 0.3, 0.3, 0.6, 0.2]})
    assert demo.candidates_to_reach(curve, 0.1) == 1
    assert demo.candidates_to_reach(curve, 0.3) == 2
    assert demo.candidates_to_reach(curve, 0.5) == 4
    assert demo.candidates_to_reach(curve, 0.61) is None


def test_summary_prints_what_the_results_say():
    # Bayes reaches random's final score (0.6, 0.5, 0.9) after 3, 2 and never (budget 4).
    bayes_curves = [[0.1, 0.4, 0.6, 0.7], [0.2, 0.5, 0.5, 0.5], [0.1, 0.2, 0.3, 0.8]]
    rand_curves = [[0.3, 0.6, 0.6, 0.6], [0.4, 0.4, 0.4, 0.5], [0.9, 0.9, 0.9, 0.9]]
    results = _results(
        [0.7, 0.5, 0.8], [0.6, 0.5, 0.9], [0.71, 0.52, 0.9], [0.6, 0.5, 0.8],
        bayes_curves, rand_curves,
    )  # fmt: skip
    text = demo.summary(results, seeds=(10, 11, 12))
    rows = {line[:22].strip(): line[22:].split() for line in text.splitlines()[1:5]}
    assert rows["BayesSearchCV"][:3] == ["0.6667", "±", f"{np.std([0.7, 0.5, 0.8], ddof=1):.4f}"]
    assert rows["Bayes - random"][0] == f"{np.mean([0.1, 0.0, -0.1]):+.4f}"
    assert rows["Bayes - random"][3] == f"{np.mean([0.11, 0.02, 0.1]):+.4f}"
    assert rows["Bayes ahead on"] == ["1", "of", "3", "seeds", "3", "of", "3", "seeds"]
    # Seeds where Bayes is not ahead are named, by their seed number.
    assert "Seed 11: Bayes' best CV R2 is not above random search's (+0.0000)" in text
    assert "Seed 12: Bayes' best CV R2 is not above random search's (-0.1000)" in text
    assert "held-out R2 is not above" not in text
    # Median of 3, 2 and "more than 4" is 3.
    flat = " ".join(text.split())
    assert "final (4-candidate) best CV R2 after 3 candidates" in flat
    assert "per seed: 3, 2, never" in flat
    assert "alpha=0.5, k=3" in text and "np.float64" not in text


def test_summary_says_so_when_bayes_does_not_catch_up():
    results = _results(
        [0.1, 0.1], [0.9, 0.9], [0.1, 0.1], [0.9, 0.9],
        [[0.1, 0.1], [0.0, 0.1]], [[0.9, 0.9], [0.1, 0.2]],
    )  # fmt: skip
    flat = " ".join(demo.summary(results, seeds=(0, 1)).split())
    assert "did not reach RandomizedSearchCV's final (2-candidate) best CV R2" in flat
    assert "(never, never)" in flat


def test_text_chart_puts_each_curve_on_its_rows():
    curves = {"Bayes": np.array([0.0, 0.5, 1.0, 1.0]), "Random": np.array([0.0, 0.5, 0.5, 0.5])}
    lines = demo.text_chart(curves, height=3, floor_candidate=1).splitlines()
    plot = [line.split("|", 1)[1] for line in lines[:3]]
    assert lines[0].split("|")[0].strip() == "1.000" and lines[2].split("|")[0].strip() == "0.000"
    assert plot == ["  BB", " *RR", "*   "]
    assert "B = Bayes, R = Random, * = both" in lines[-1]


def test_run_fits_every_search_on_every_seed():
    data = demo.make_data(n_train=80, n_test=40)
    results = demo.run(data, n_iter=6, n_splits=2, seeds=(0, 1), n_jobs=1)
    assert list(results) == ["BayesSearchCV", "RandomizedSearchCV"]
    for res in results.values():
        assert res["cv"].shape == res["test"].shape == res["seconds"].shape == (2,)
        assert res["curves"].shape == (2, 6)
        assert np.all(np.diff(res["curves"], axis=1) >= 0)
        assert set(res["best_params"][0]) == set(demo.SPACE)
    # RandomizedSearchCV keeps the best mean CV score: the curve ends there.
    rand = results["RandomizedSearchCV"]
    np.testing.assert_allclose(rand["curves"][:, -1], rand["cv"])


def test_main_prints_the_comparison(monkeypatch, capsys, tmp_path):
    make_data = demo.make_data
    monkeypatch.setattr(demo, "make_data", lambda: make_data(n_train=80, n_test=40))
    monkeypatch.setattr(demo, "N_ITER", 6)
    monkeypatch.setattr(demo, "N_SPLITS", 2)
    monkeypatch.setattr(demo, "SEEDS", (0, 1))
    png = tmp_path / "curves.png"
    demo.main(["--png", str(png)])
    out = capsys.readouterr().out
    assert "80 training rows, 40 held out" in out
    assert "6 candidates\nx 2-fold CV per search, 2 seeds" in out
    assert "Bayes ahead on" in out and "of 2 seeds" in out
    assert "B = BayesSearchCV, R = RandomizedSearchCV" in out
    assert "np.float64" not in out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "--png needs matplotlib" in out
    else:
        assert f"Saved {png}." in out and png.stat().st_size > 0


def test_summary_counts_the_bound_warnings_per_parameter():
    results = _results([0.7, 0.5], [0.6, 0.5], [0.7, 0.5], [0.6, 0.5],
                       [[0.1, 0.7], [0.2, 0.5]], [[0.3, 0.6], [0.4, 0.5]])  # fmt: skip
    message = "best kernelridge__alpha=0.001 lies at the lower bound of its range [0.001, 1000]"
    results["BayesSearchCV"]["at_bound"] = [message, message]
    flat = " ".join(demo.summary(results, seeds=(0, 1)).split())
    assert "BayesSearchCV warned" in flat and "RandomizedSearchCV warned" not in flat
    assert "best kernelridge__alpha=0.001 (2 of 2 seeds)" in flat


def test_bound_warnings_are_kept_and_the_others_shown():
    import warnings

    from skhpo.exceptions import BestAtBoundWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.warn("best a=1 lies at the upper bound", BestAtBoundWarning)
        warnings.warn("something else", RuntimeWarning)
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        kept = demo._keep_bound_warnings(caught)
    assert kept == ["best a=1 lies at the upper bound"]
    assert [str(w.message) for w in shown] == ["something else"]
