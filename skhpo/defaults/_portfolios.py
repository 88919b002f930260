"""Portfolios: short ordered lists of settings that worked across many data sets.

Each builder takes the (final) estimator and returns settings with unprefixed
names, best single default first; :mod:`._registry` restricts them to the
estimator's default space (dropping, say, ``criterion`` for a regressor) and
adds the pipeline prefix. Sources, as in :mod:`._spaces`:

* [P19] Probst, Boulesteix & Bischl (2019), JMLR 20(53), Table 3: the
  "optimal defaults", the one setting per algorithm that scored best on
  average over their 38 OpenML classification data sets (mlr's learners,
  which scale the inputs; translated to scikit-learn's names below). The
  figures were written down from the paper without a copy at hand to check
  them against: check them against its Table 3 before relying on the
  attribution (the benchmark validates the settings themselves either way);
* [SKL] scikit-learn's own defaults (where they lie in the default space; a
  data-dependent default such as ``gamma="scale"`` is given for standardised
  inputs with about 30 features);
* [ASK] Auto-sklearn's default configurations (the ``default_value`` of its
  component spaces);
* [G] the order measured on generated data (see below);
* [HCL] Hsu, Chang & Lin (2003); [B12] Bengio (2012); [F02] Friedman (2002),
  "Stochastic gradient boosting": shrinkage 0.1 with half-samples.

The order is measured ([G]: ``python -m benchmarks.portfolio_order``, greedy
forward selection as in Pfisterer et al. 2021, on 8 generated data sets per
task): where [P19] gives an optimal default it stays first (38 real data sets
outweigh 8 generated ones) and the others follow in the measured order;
elsewhere the measured order is used. None of the benchmark's data sets
(``benchmarks/problems.py``) was used to choose or order them; the benchmark
validates them (see ``docs/defaults.rst``).
"""

from __future__ import annotations

from typing import Any

__all__ = ["PORTFOLIO_BUILDERS"]

# gamma="scale" is 1 / (n_features * X.var()): 1/32 on ~30 standardised features.
_SCALE_GAMMA = 2.0**-5


def svc_portfolio(estimator: Any) -> list[dict]:
    return [
        {"kernel": "rbf", "C": 682.478, "gamma": 0.005},  # [P19] svm: cost, gamma
        {"kernel": "rbf", "C": 1.0, "gamma": _SCALE_GAMMA},  # [SKL]
        {"kernel": "rbf", "C": 32.0, "gamma": 2.0**-7},  # [HCL] grid: larger C, smoother kernel
        {"kernel": "linear", "C": 1.0},  # [SKL] C, the kernel [HCL] try first on many features
        {"kernel": "poly", "C": 1.0, "gamma": _SCALE_GAMMA, "degree": 3, "coef0": 0.0},  # [SKL]
    ]


def svr_portfolio(estimator: Any) -> list[dict]:
    # [P19]'s study is classification only: its SVM default, then [SKL]'s.
    return [
        {"C": 682.478, "gamma": 0.005, "epsilon": 0.1},
        {"C": 1.0, "gamma": _SCALE_GAMMA, "epsilon": 0.1},
        {"C": 32.0, "gamma": 2.0**-7, "epsilon": 0.1},  # [HCL] grid point
    ]


def logistic_portfolio(estimator: Any) -> list[dict]:
    # [SKL] C=1 and LogisticRegressionCV's grid points a decade each side, in
    # [G]'s order; [P19] glmnet alpha=0.997, lambda=0.004: lasso-like, with
    # lambda = 1 / (n C), i.e. C ~ 1 for 250 samples (saga only; not in [G]).
    return [
        {"C": 0.1, "l1_ratio": 0.0},
        {"C": 1.0, "l1_ratio": 0.0},
        {"C": 1.0, "l1_ratio": 0.997},
        {"C": 10.0, "l1_ratio": 0.0},
    ]


def ridge_portfolio(estimator: Any) -> list[dict]:
    return [{"alpha": 1.0}, {"alpha": 0.1}, {"alpha": 10.0}]  # [SKL] RidgeCV's alphas, [G]


def lasso_portfolio(estimator: Any) -> list[dict]:
    # [SKL] alpha=1 and a decade at a time down LassoCV's path, in [G]'s order
    # (alpha=1 leaves no feature on standardised targets).
    return [{"alpha": 0.01}, {"alpha": 0.001}, {"alpha": 1.0}, {"alpha": 0.1}]


def elastic_net_portfolio(estimator: Any) -> list[dict]:
    # [SKL] the default and ElasticNetCV's advice (l1_ratio near 1), in [G]'s order.
    return [
        {"alpha": 0.01, "l1_ratio": 0.99},
        {"alpha": 1.0, "l1_ratio": 0.5},
        {"alpha": 0.1, "l1_ratio": 0.5},
        {"alpha": 0.1, "l1_ratio": 0.9},
    ]


def sgd_classifier_portfolio(estimator: Any) -> list[dict]:
    return [  # in [G]'s order
        {"loss": "hinge", "penalty": "l2", "alpha": 1e-4},  # [SKL]
        {"loss": "hinge", "penalty": "elasticnet", "alpha": 1e-4, "l1_ratio": 0.15},  # [SKL]
        {"loss": "log_loss", "penalty": "l2", "alpha": 1e-4},  # [ASK] default
        {"loss": "modified_huber", "penalty": "l2", "alpha": 1e-4},
    ]


def sgd_regressor_portfolio(estimator: Any) -> list[dict]:
    return [  # in [G]'s order
        {"loss": "squared_error", "penalty": "elasticnet", "alpha": 1e-4, "l1_ratio": 0.15},
        {"loss": "squared_error", "penalty": "l2", "alpha": 1e-4},  # [SKL]
        {"loss": "huber", "penalty": "l2", "alpha": 1e-4},
    ]


def knn_portfolio(estimator: Any) -> list[dict]:
    # [P19] kknn: k=30 with kknn's distance-weighting kernel.
    return [
        {"n_neighbors": 30, "weights": "distance", "p": 2},
        {"n_neighbors": 10, "weights": "distance", "p": 1},  # [G]'s best on generated data
        {"n_neighbors": 5, "weights": "uniform", "p": 2},  # [SKL]
        {"n_neighbors": 1, "weights": "uniform", "p": 2},  # [ASK] default
    ]


def tree_portfolio(estimator: Any) -> list[dict]:
    return [
        # [P19] rpart: maxdepth 21, minsplit 24, minbucket 12 (cp 0: no pruning).
        {"max_depth": 21, "min_samples_split": 24, "min_samples_leaf": 12, "criterion": "gini"},
        # rpart's own defaults (minsplit 20, minbucket 7, maxdepth 30).
        {"max_depth": 30, "min_samples_split": 20, "min_samples_leaf": 7, "criterion": "gini"},
        {"max_depth": 5, "min_samples_split": 2, "min_samples_leaf": 1, "criterion": "entropy"},
        # [SKL]: grown out (no depth limit: 30 is one on small data).
        {"max_depth": 30, "min_samples_split": 2, "min_samples_leaf": 1, "criterion": "gini"},
    ]


def forest_portfolio(estimator: Any) -> list[dict]:
    return [
        # [P19] ranger: mtry = p^0.257 (a fraction of 0.1..0.15 for 13-60
        # features), sampling without replacement, min.node.size 1.
        {"max_features": 0.12, "min_samples_split": 2, "min_samples_leaf": 1,
         "bootstrap": False, "criterion": "gini"},
        # [ASK] entropy (then [G]'s order).
        {"max_features": 0.5, "min_samples_split": 2, "min_samples_leaf": 1,
         "bootstrap": True, "criterion": "entropy"},
        # [SKL] classifier ("sqrt": about 0.2 of 25 features) and regressor (1.0).
        {"max_features": 0.2, "min_samples_split": 2, "min_samples_leaf": 1,
         "bootstrap": True, "criterion": "gini"},
        {"max_features": 1.0, "min_samples_split": 2, "min_samples_leaf": 1,
         "bootstrap": True, "criterion": "gini"},
        # Larger leaves for noisy data.
        {"max_features": 0.33, "min_samples_split": 2, "min_samples_leaf": 5,
         "bootstrap": True, "criterion": "gini"},
    ]  # fmt: skip


def gradient_boosting_portfolio(estimator: Any) -> list[dict]:
    return [
        # [P19] xgboost: subsample 0.839, colsample 0.752, a slow learning rate
        # with many rounds (their 0.018 x 4168 rounds, here 0.05 x 500).
        {"learning_rate": 0.05, "n_estimators": 500, "max_depth": 4, "subsample": 0.839,
         "min_samples_leaf": 2, "max_features": 0.752},
        # Slow and shallow, with subsampling ([G]: second).
        {"learning_rate": 0.02, "n_estimators": 300, "max_depth": 2, "subsample": 0.8,
         "min_samples_leaf": 10, "max_features": 0.5},
        # [SKL]
        {"learning_rate": 0.1, "n_estimators": 100, "max_depth": 3, "subsample": 1.0,
         "min_samples_leaf": 1, "max_features": 1.0},
        # [F02]: shrinkage 0.1 with half-samples.
        {"learning_rate": 0.1, "n_estimators": 100, "max_depth": 3, "subsample": 0.5,
         "min_samples_leaf": 1, "max_features": 1.0},
    ]  # fmt: skip


def hist_gradient_boosting_portfolio(estimator: Any) -> list[dict]:
    return [
        # [SKL] = [ASK] default (and LightGBM's): l2 0 is the range's 1e-10.
        {"learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 20,
         "l2_regularization": 1e-10, "max_features": 1.0},
        # [P19] xgboost's colsample 0.752 with some L2 (their lambda ~1).
        {"learning_rate": 0.1, "max_leaf_nodes": 31, "min_samples_leaf": 20,
         "l2_regularization": 1.0, "max_features": 0.752},
        {"learning_rate": 0.05, "max_leaf_nodes": 15, "min_samples_leaf": 10,
         "l2_regularization": 0.1, "max_features": 0.5},
        {"learning_rate": 0.2, "max_leaf_nodes": 63, "min_samples_leaf": 5,
         "l2_regularization": 1e-10, "max_features": 1.0},
    ]  # fmt: skip


def mlp_portfolio(estimator: Any) -> list[dict]:
    adam = {"solver": "adam", "alpha": 1e-4, "activation": "relu"}
    return [
        # [B12]: mini-batches of 32 with Adam's default learning rate (Kingma & Ba).
        {**adam, "learning_rate_init": 1e-3, "hidden_layer_sizes": (100,), "batch_size": 32},
        # [B12] SGD with Nesterov momentum 0.9, lr 0.01 ([G]: second).
        {"solver": "sgd", "learning_rate_init": 0.01, "momentum": 0.9,
         "hidden_layer_sizes": (100,), "learning_rate": "constant", "batch_size": 32,
         "alpha": 1e-4, "activation": "relu"},
        # [SKL] (batch_size "auto" is min(200, n_samples)).
        {**adam, "learning_rate_init": 1e-3, "hidden_layer_sizes": (100,), "batch_size": 200},
        # Deeper and wider with a smaller rate (deeper networks need smaller rates).
        {**adam, "learning_rate_init": 3e-4, "hidden_layer_sizes": (128, 128), "batch_size": 32},
    ]  # fmt: skip


PORTFOLIO_BUILDERS = {
    "svc": svc_portfolio,
    "svr": svr_portfolio,
    "logistic": logistic_portfolio,
    "ridge": ridge_portfolio,
    "lasso": lasso_portfolio,
    "elastic_net": elastic_net_portfolio,
    "sgd_classifier": sgd_classifier_portfolio,
    "sgd_regressor": sgd_regressor_portfolio,
    "knn": knn_portfolio,
    "tree": tree_portfolio,
    "forest": forest_portfolio,
    "gradient_boosting": gradient_boosting_portfolio,
    "hist_gradient_boosting": hist_gradient_boosting_portfolio,
    "mlp": mlp_portfolio,
}
