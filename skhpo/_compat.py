"""The only module that touches scikit-learn's private search machinery.

skhpo builds on ``BaseSearchCV`` and its ``_run_search(evaluate_candidates)``
extension point, and declares its parameters' constraints with scikit-learn's
parameter validation (``Interval``), as scikit-learn's own searches do.  Two
more private details are relied on, both here and both covered by tests that
fail loudly if scikit-learn changes them:

* ``BaseSearchCV._format_results(candidate_params, n_splits, out, more_results)``
  turns per-fit outputs into ``cv_results_``; skhpo wraps it to keep rows of
  batches that scikit-learn refused to record (every fit failed) and rows
  restored from a checkpoint or a warm start. The behaviour built on it (and on
  the pre-release callback API) lives in one place: ``_seam.FitSeam``.
* ``BaseSearchCV._select_best_index(refit, refit_metric, results)``, a static
  method that ``fit`` calls as ``self._select_best_index(...)`` once the search
  is done (scikit-learn 1.6 to 1.9), picks ``best_index_``; skhpo's searches
  override it to apply their ``selection`` rule (``_selection.choose_winner``)
  and keep scikit-learn's own for a callable ``refit``.
* ``evaluate_candidates`` raises ``ValueError("All the N fits failed...")`` when
  every fit of one call failed (scikit-learn >= 1.1); a sequential search must
  survive that and raise only when every fit of the whole search failed.
* Fold racing (``racing``) fits folds itself with ``_fit_and_score``, on the
  data, arguments and ``Parallel`` of ``BaseSearchCV.fit``, read from the
  closure of ``evaluate_candidates`` (``fit_locals``); a search whose rows were
  added without an ``evaluate_candidates`` call rebinds ``fit``'s ``results``
  and gives ``all_out`` its first per-fold result. ``tests/test_racing.py``
  fails if those names change; racing is then refused with a clear message.
"""

from __future__ import annotations

from inspect import signature
from typing import Any

from sklearn.model_selection._search import BaseSearchCV
from sklearn.model_selection._validation import (
    _fit_and_score,
    _insert_error_scores,
    _warn_or_raise_about_fit_failures,
)  # fmt: skip
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = [
    "BaseSearchCV", "HasMethods", "Interval", "StrOptions", "fit_and_score", "fit_locals",
    "insert_error_scores", "is_all_fits_failed_error", "sklearn_select_best_index",
    "warn_or_raise_about_fit_failures",
]  # fmt: skip

#: scikit-learn's choice of ``best_index_`` (its ``refit`` callable, or the best rank).
sklearn_select_best_index = BaseSearchCV._select_best_index

#: What fold racing reads of ``BaseSearchCV.fit``'s local state, through the
#: closure of its ``evaluate_candidates`` (scikit-learn 1.6 to 1.9 have them all):
#: the data, the estimator, ``_fit_and_score``'s arguments, the open ``Parallel``,
#: the split parameters, and the per-fit records ``fit`` reads after the search.
FIT_LOCALS = (
    "X", "y", "base_estimator", "fit_and_score_kwargs", "parallel", "routed_params",
    "results", "all_out",
)  # fmt: skip
insert_error_scores = _insert_error_scores
warn_or_raise_about_fit_failures = _warn_or_raise_about_fit_failures
_TAKES_CALLBACKS = "callback_ctx" in signature(_fit_and_score).parameters


def is_all_fits_failed_error(exc: BaseException) -> bool:
    """Whether ``exc`` is scikit-learn's "every fit of this call failed" error."""
    message = str(exc).lstrip()
    return (
        isinstance(exc, ValueError) and message.startswith("All the") and "fits failed" in message
    )


def fit_locals(evaluate_candidates: Any) -> dict | None:
    """The cells of ``BaseSearchCV.fit``'s locals named in ``FIT_LOCALS``, or None
    when this scikit-learn's ``evaluate_candidates`` does not close over them all."""
    code = getattr(evaluate_candidates, "__code__", None)
    names = getattr(code, "co_freevars", ())
    if not set(FIT_LOCALS) <= set(names):
        return None
    cells = dict(zip(names, evaluate_candidates.__closure__))
    return {name: cells[name] for name in FIT_LOCALS}


def fit_and_score(*args: Any, caller: Any = None, callback_ctx: Any = None, **kwargs: Any) -> dict:
    """scikit-learn's ``_fit_and_score``, passing the callback context where it takes one
    (scikit-learn >= 1.9)."""
    if _TAKES_CALLBACKS:
        kwargs.update(caller=caller, callback_ctx=callback_ctx)
    return _fit_and_score(*args, **kwargs)
