"""The text every search's docstring shares: the common parameters and attributes.

:func:`skhpo._declare.complete_docstring` inserts it into each public search's
own docstring when the class is defined.
"""

__all__ = ["ATTRIBUTES", "COMMON_PARAMETERS"]

COMMON_PARAMETERS = """
    Parameters
    ----------
    estimator : estimator object
        The estimator to tune; cloned, never changed.
    param_distributions : dict, list of dicts or None, default=None
        The search space, as ``GridSearchCV`` and ``RandomizedSearchCV`` accept it:
        parameter names (``step__param`` in a pipeline) mapped to a list / tuple /
        1-D array of choices (numbers are ordered choices, anything else
        unordered), a scipy.stats distribution (``loguniform`` is a log-scale
        range), or a :class:`~skhpo.Real`, :class:`~skhpo.Integer` or
        :class:`~skhpo.Categorical`. A list of dicts is a choice among
        sub-spaces (e.g. one per kernel). Give it here or as ``param_grid``.
        ``"auto"``: :func:`~skhpo.default_space` of the estimator, searched from
        its :func:`~skhpo.portfolio` unless ``initial_params`` is given.
    param_grid : dict, list of dicts, "auto" or None, default=None
        Another name for ``param_distributions``, ``GridSearchCV``'s, so that
        ``GridSearchCV(estimator, param_grid=grid, ...)`` becomes a search by
        changing only the class name. ``fit`` raises a ``ValueError`` unless
        exactly one of the two is given.
    n_iter : int, default=50
        Number of candidates evaluated (rows of ``cv_results_``); fewer only when
        a finite space is exhausted. With ``resource``, distinct candidates (a
        candidate has a row on each rung it reached).
    scoring, n_jobs, refit, cv, verbose, pre_dispatch, error_score, return_train_score
        As in :class:`~sklearn.model_selection.GridSearchCV`. With several
        metrics, ``refit`` may be a metric name, a callable or False, as there;
        when it is a name, that metric is the one the search optimises.
        ``verbose >= 1`` also prints progress after each batch.
    objective : str or None, default=None
        With several metrics and ``refit`` a callable or False, the name of the
        metric whose mean CV score the search optimises; None: the first metric
        of ``scoring``. With ``refit`` a metric name, leave it None (or give the
        same name). A name that is not a metric of ``scoring``, or an objective
        with a single metric, is refused (``ValueError``) before any fit; for a
        callable ``scoring`` that returns a dict, after its first batch.
    random_state : int, RandomState instance or None, default=None
        Seed of the search: the same seed, data, space and options give the
        same candidates in the same order, whatever ``n_jobs`` or joblib backend.
    batch_size : int or None, default=None
        Candidates proposed together and evaluated in one parallel round
        (``batch_size x n_splits`` fits dispatched at once). None: the
        strategy's default, {default_batch_size}.
    initial_params : list of dict or None, default=None
        Candidates evaluated first (e.g. settings known to work), each a dict
        naming every parameter of one sub-space. Validated before any fit.
        ``"portfolio"``: the settings of :func:`~skhpo.portfolio` that lie in
        the space (see :doc:`/defaults`).
    max_time : float or None, default=None
        Seconds after which no new batch starts.
    callbacks : callable, list of callables or None, default=None
        Called after each batch with a :class:`~skhpo.callbacks.SearchState`;
        one returning True stops the search (see :mod:`skhpo.callbacks`).
    checkpoint : str, path or None, default=None
        A JSON-lines file where every finished candidate (parameters and
        per-fold results) is saved, atomically, after each batch. Fitting again
        with the same file resumes: finished candidates are not fitted again
        and a seeded search proposes what an uninterrupted one would have. A file
        written by another estimator, space, options, data or CV splits is
        refused (``ValueError``), naming what differs, and left untouched.
        ``n_iter``, ``n_jobs``, ``max_time``, ``callbacks`` and ``verbose`` may
        change between runs; with a smaller ``n_iter`` the first ``n_iter``
        stored candidates are restored and the file keeps the rest. A lock file
        (``<path>.lock``) keeps a second search from writing the same file at
        the same time. Without it, every ``fit`` starts afresh.
    warm_start_from : fitted search, dict or None, default=None
        Results of an earlier search (any fitted scikit-learn or skhpo search,
        or its ``cv_results_``) to learn from: its candidates that lie in this
        search's space are told to the strategy before it proposes anything and
        are never evaluated again. Their scores must be comparable (same data,
        CV and scoring).
    include_warm_start : bool, default=False
        Also put those candidates in ``cv_results_`` (as the first rows, in
        addition to the ``n_iter`` evaluated ones), so that the best of both
        searches is refit. Needs the same number of CV splits.
    racing : bool or float, default=False
        Fold racing (see :doc:`/racing`). False: every candidate is scored on
        every fold. True (a confidence of 0.95) or a float in (0, 1), the
        confidence: a candidate's folds are scored in stages (2, 4, 8, ... folds,
        then all), and after each stage a one-sided paired t-test against the
        best candidate scored on every fold so far stops it if it is worse at
        that confidence; its other folds are never fitted. Its
        ``cv_results_`` row keeps NaN for those folds, means and stds over the
        folds scored, ``True`` in a ``pruned`` column, and ranks after every
        candidate scored on all folds, so it is never ``best_index_``. Needs at
        least 3 CV splits: with fewer, ``fit`` refuses it (``ValueError``)
        before any fit.
    resource : str or None, default=None
        None: every candidate is fitted with all the data. ``"n_samples"``, or the
        name of an estimator parameter that sets training effort (``max_iter``,
        ``n_estimators``...): successive halving, as in scikit-learn's
        ``HalvingRandomSearchCV``, with the new candidates proposed by this
        search's strategy (see :doc:`/halving`). Candidates enter at the lowest
        rung (``min_resources``; a few, and all once the cheap rungs are found
        to mislead, at ``max_resources``); the best ``1 / factor`` of each rung go up to
        the next, up to ``max_resources``. ``n_iter`` then counts distinct
        candidates: ``cv_results_`` has one row per candidate and rung, with
        ``iter`` (the rung) and ``n_resources`` columns, and the best candidate
        (``best_index_``) is one scored at ``max_resources``. A parameter
        resource is set in each row's ``params``; with ``"n_samples"`` the
        training part of each CV split is subsampled and test folds stay whole.
        After ``max_time`` or a stopping callback, the best candidate of the
        highest rung reached is still taken up, one rung per batch, to
        ``max_resources``. A promoted candidate is fitted again from scratch (no
        ``warm_start`` continuation). Not combined with ``warm_start_from``.
    min_resources : int, "smallest" or "exhaust", default="exhaust"
        The resource of the lowest rung, as in ``HalvingRandomSearchCV``:
        "smallest" is ``2 * n_splits * n_classes`` samples for ``"n_samples"``,
        1 for a parameter; "exhaust" the largest start that lets ``n_iter``
        candidates be halved down to one at ``max_resources``. Only with
        ``resource``.
    max_resources : int or "auto", default="auto"
        The resource of the highest rung (the full resource: the best is scored
        and refit with it). "auto": the number of samples, only with
        ``"n_samples"``. Only with ``resource``.
    factor : float > 1, default=3
        Each rung promotes its best ``1 / factor`` to the next, whose resource
        is ``factor`` times larger. Only with ``resource``.
    selection : {{"best", "lcb", "smoothed"}}, default="best"
        How the winner (``best_index_``) is chosen among the candidates scored
        on every fold: ``"best"``, the highest mean CV score, exactly
        ``GridSearchCV``'s choice; ``"lcb"``, the highest mean less one standard
        error over the folds; ``"smoothed"``, the highest score of a Gaussian
        process fitted to the candidates' scores, which discounts a lone lucky
        one. A callable ``refit`` chooses instead. See :doc:`/overfitting`.
    {strategy_parameters}"""

ATTRIBUTES = """
    Attributes
    ----------
    cv_results_ : dict of numpy arrays
        As in ``GridSearchCV``, one row per candidate in the order evaluated,
        plus ``batch``: the index of the batch that evaluated each row (and,
        with ``racing``, ``pruned``: whether it was stopped early; with
        ``resource``, ``iter`` and ``n_resources``).
    best_estimator_, best_score_, best_params_, best_index_, scorer_, n_splits_, \
refit_time_, multimetric_, classes_, n_features_in_, feature_names_in_
        As in ``GridSearchCV`` (``best_index_`` by ``selection``; ``best_score_``
        is the chosen candidate's mean CV score).
    best_score_corrected_ : float
        An estimate of the chosen candidate's score on unseen data, corrected for
        the optimism of choosing the best of many noisy CV scores (Tibshirani &
        Tibshirani's correction for ``"best"``, leave-one-fold-out selection for
        the other rules). Set whenever ``best_score_`` is (not with a callable
        ``refit``). See :doc:`/overfitting`.
"""
