"""Ready search spaces for the common scikit-learn estimators.

Each builder takes the (final) estimator and returns ``param_distributions``
with unprefixed names; :mod:`._registry` picks the builder and adds the
pipeline prefix. Bounds cite where they come from:

* [P19] Probst, Boulesteix & Bischl (2019), "Tunability: importance of
  hyperparameters of machine learning algorithms", JMLR 20(53), Table 1
  (the ranges of their 38-data-set study);
* [ASK] Auto-sklearn's component spaces (Feurer et al. 2015, 2022;
  ``autosklearn/pipeline/components/*``), which use scikit-learn's names;
* [HCL] Hsu, Chang & Lin, "A practical guide to support vector
  classification" (2003): the exponentially growing grid for C and gamma;
* [B12] Bengio (2012), "Practical recommendations for gradient-based
  training of deep architectures": learning rate first and on a log scale,
  momentum, mini-batch size; Kingma & Ba (2015) for Adam's fixed betas;
* [SKL] scikit-learn's own ``*CV`` estimators and docs.

Ranges that depend on the data are expressed so that they do not need it:
``max_features`` as a fraction of the features (scikit-learn reads a float in
(0, 1] so); ``n_neighbors`` up to 30 [P19], valid whenever a training fold
holds at least 30 samples (a candidate asking for more neighbours than a fold
has fails and scores ``error_score``); ``min_samples_leaf`` of boosting
up to 200 [ASK], which on a few hundred samples means very few splits (a
poor but valid candidate).
"""

from __future__ import annotations

from typing import Any

from sklearn.base import is_classifier

from ..space import Integer, Real

__all__ = ["MLP_ORDER", "SPACE_BUILDERS"]

# [HCL]: C in 2^-5..2^15 and gamma in 2^-15..2^3 on scaled inputs, log scale.
_SVM_C = Real(2.0**-5, 2.0**15, log=True)
_SVM_GAMMA = Real(2.0**-15, 2.0**3, log=True)
# One alpha for the penalised linear models, log scale: RidgeCV's (0.1, 1, 10)
# widened to LogisticRegressionCV's eight decades (Cs=10 spans 1e-4..1e4).
_PENALTY = Real(1e-4, 1e4, log=True)
# Lasso / elastic net: alpha_max = max|X'y| / n scales with y, so the range is
# wide (1e-5..1e2 on standardised X and y of unit scale) [SKL LassoCV's path
# spans three decades below alpha_max].
_L1_ALPHA = Real(1e-5, 1e2, log=True)
# [P19] glmnet's alpha (scikit-learn's l1_ratio) over [0, 1].
_L1_RATIO = Real(0.0, 1.0)


def svc_space(estimator: Any) -> list[dict]:
    """Conditional on the kernel: C for every kernel, gamma for rbf and poly.

    The rbf sub-space comes first (the kernel [HCL] recommends trying first);
    poly's degree 2..5 is [P19]'s range, its coef0 in [0, 1].
    """
    return [
        {"kernel": ["rbf"], "C": _SVM_C, "gamma": _SVM_GAMMA},
        {"kernel": ["linear"], "C": _SVM_C},
        {
            "kernel": ["poly"], "C": _SVM_C, "gamma": _SVM_GAMMA,
            "degree": [2, 3, 4, 5], "coef0": Real(0.0, 1.0),
        },
    ]  # fmt: skip


def svr_space(estimator: Any) -> dict:
    """rbf SVR: C and gamma as SVC [HCL]; epsilon 1e-3..1 log [ASK].

    epsilon is in units of ``y``: scale the target (e.g. with
    ``TransformedTargetRegressor``) for the range to fit.
    """
    return {"C": _SVM_C, "gamma": _SVM_GAMMA, "epsilon": Real(1e-3, 1.0, log=True)}


def logistic_space(estimator: Any) -> dict:
    """C over LogisticRegressionCV's eight decades; l1_ratio only with saga.

    The elastic-net mix needs the ``saga`` solver (and, before scikit-learn
    1.8, ``penalty="elasticnet"``): with any other setting it is left out.
    """
    space: dict = {"C": _PENALTY}
    penalty = getattr(estimator, "penalty", "deprecated")
    if estimator.solver == "saga" and penalty in ("elasticnet", "deprecated"):
        space["l1_ratio"] = _L1_RATIO
    return space


def ridge_space(estimator: Any) -> dict:
    return {"alpha": _PENALTY}


def lasso_space(estimator: Any) -> dict:
    return {"alpha": _L1_ALPHA}


def elastic_net_space(estimator: Any) -> dict:
    return {"alpha": _L1_ALPHA, "l1_ratio": _L1_RATIO}


def _sgd_space(losses: list[str]) -> list[dict]:
    """[ASK]'s SGD space: alpha 1e-7..1e-1 log; l1_ratio only for elasticnet."""
    alpha = Real(1e-7, 1e-1, log=True)
    return [
        {"loss": losses, "penalty": ["l2", "l1"], "alpha": alpha},
        {"loss": losses, "penalty": ["elasticnet"], "alpha": alpha, "l1_ratio": _L1_RATIO},
    ]


def sgd_classifier_space(estimator: Any) -> list[dict]:
    return _sgd_space(["hinge", "log_loss", "modified_huber"])


def sgd_regressor_space(estimator: Any) -> list[dict]:
    return _sgd_space(["squared_error", "huber", "epsilon_insensitive"])


def knn_space(estimator: Any) -> dict:
    """k in 1..30 on a log scale [P19]; weights and the Minkowski p of [ASK]."""
    return {
        "n_neighbors": Integer(1, 30, log=True),
        "weights": ["uniform", "distance"],
        "p": [1, 2],
    }


def tree_space(estimator: Any) -> dict:
    """[P19]'s rpart ranges: maxdepth 1..30, minsplit and minbucket up to 60.

    Split and leaf sizes on a log scale (a change from 1 to 2 matters as much
    as one from 30 to 60); the criterion for classifiers only (the
    regressors' alternatives are many times slower).
    """
    space: dict = {
        "max_depth": Integer(1, 30),
        "min_samples_split": Integer(2, 60, log=True),
        "min_samples_leaf": Integer(1, 60, log=True),
    }
    if is_classifier(estimator):
        space["criterion"] = ["gini", "entropy"]
    return space


def forest_space(estimator: Any) -> dict:
    """[ASK]'s random forest / extra trees space, ``max_features`` a fraction.

    The number of trees is not tuned: more trees never hurt on average and its
    tunability is the lowest of the forest's parameters [P19]; it stays at the
    estimator's value.
    """
    space: dict = {
        "max_features": Real(0.05, 1.0),
        "min_samples_split": Integer(2, 20),
        "min_samples_leaf": Integer(1, 20),
        "bootstrap": [True, False],
    }
    if is_classifier(estimator):
        space["criterion"] = ["gini", "entropy"]
    return space


def gradient_boosting_space(estimator: Any) -> dict:
    """[P19]'s xgboost ranges in scikit-learn's names.

    eta 2^-10..1 (log), max_depth up to 10 (their 15 is rarely useful with
    scikit-learn's default 100 stages), subsample from 0.2, max_features
    (colsample) from 0.1; rounds 20..500 on a log scale, searched together with
    the learning rate they trade off against.
    """
    return {
        "learning_rate": Real(2.0**-10, 1.0, log=True),
        "n_estimators": Integer(20, 500, log=True),
        "max_depth": Integer(1, 10),
        "subsample": Real(0.2, 1.0),
        "min_samples_leaf": Integer(1, 60, log=True),
        "max_features": Real(0.1, 1.0),
    }


def hist_gradient_boosting_space(estimator: Any) -> dict:
    """[ASK]'s HistGradientBoosting space plus [P19]'s colsample as max_features.

    The number of iterations stays at the estimator's (early stopping, on by
    default above 10 000 samples, chooses it).
    """
    return {
        "learning_rate": Real(0.01, 1.0, log=True),
        "max_leaf_nodes": Integer(3, 2047, log=True),
        "min_samples_leaf": Integer(1, 200, log=True),
        "l2_regularization": Real(1e-10, 1.0, log=True),
        "max_features": Real(0.1, 1.0),
    }


#: Hidden layers as (units,) * depth: 1 to 3 layers of 64 to 256 units [ASK's
#: 1..3 layers of 16..264], and scikit-learn's default (100,).
HIDDEN_LAYERS = [(64,), (100,), (256,), (64, 64), (128, 128), (256, 256), (128, 128, 128)]


def mlp_space(estimator: Any) -> list[dict]:
    """Adam or SGD with momentum, parameters listed in the order to tune them [B12].

    Learning rate first (log scale), then momentum (SGD only), the hidden
    layers (units and depth), the learning-rate schedule (SGD only), the
    mini-batch size, then the weight decay and activation. Adam's
    ``beta_1=0.9, beta_2=0.999, epsilon=1e-8`` are left at the estimator's
    values (Kingma & Ba's, which scikit-learn uses). SGD's learning rate range
    sits a decade higher than Adam's, whose updates are normalised.
    """
    hidden = {"hidden_layer_sizes": HIDDEN_LAYERS}
    # [B12]: 32 is a good default, useful sizes from tens to a few hundred.
    batch = {"batch_size": Integer(16, 512, log=True)}
    rest = {"alpha": Real(1e-7, 1e-1, log=True), "activation": ["relu", "tanh"]}
    return [
        {
            "solver": ["adam"],
            "learning_rate_init": Real(1e-4, 1e-1, log=True),
            **hidden, **batch, **rest,
        },
        {
            "solver": ["sgd"],
            "learning_rate_init": Real(1e-3, 1.0, log=True),
            "momentum": Real(0.5, 0.99),
            **hidden,
            "learning_rate": ["constant", "invscaling", "adaptive"],
            **batch, **rest,
        },
    ]  # fmt: skip


#: The order in which to tune an MLP's parameters [B12] (CoordinateSearchCV's
#: default order for MLPs).
MLP_ORDER = [
    "learning_rate_init", "momentum", "hidden_layer_sizes", "learning_rate",
    "batch_size", "alpha", "activation", "solver",
]  # fmt: skip


SPACE_BUILDERS = {
    "svc": svc_space,
    "svr": svr_space,
    "logistic": logistic_space,
    "ridge": ridge_space,
    "lasso": lasso_space,
    "elastic_net": elastic_net_space,
    "sgd_classifier": sgd_classifier_space,
    "sgd_regressor": sgd_regressor_space,
    "knn": knn_space,
    "tree": tree_space,
    "forest": forest_space,
    "gradient_boosting": gradient_boosting_space,
    "hist_gradient_boosting": hist_gradient_boosting_space,
    "mlp": mlp_space,
}
