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
"""

from __future__ import annotations

from sklearn.model_selection._search import BaseSearchCV
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

__all__ = [
    "BaseSearchCV", "HasMethods", "Interval", "StrOptions", "is_all_fits_failed_error",
    "sklearn_select_best_index",
]  # fmt: skip

#: scikit-learn's choice of ``best_index_`` (its ``refit`` callable, or the best rank).
sklearn_select_best_index = BaseSearchCV._select_best_index


def is_all_fits_failed_error(exc: BaseException) -> bool:
    """Whether ``exc`` is scikit-learn's "every fit of this call failed" error."""
    message = str(exc).lstrip()
    return (
        isinstance(exc, ValueError) and message.startswith("All the") and "fits failed" in message
    )
