"""scikit-learn pipelines (scaling + classifier), registered by name."""

from __future__ import annotations

from typing import Any

from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from signkit.registry import Registry

CLASSIFIERS: Registry[Any] = Registry("classifier")
CLASSIFIERS.register("logreg")(
    lambda **kw: LogisticRegression(**{"solver": "lbfgs", "C": 0.1, "max_iter": 500, **kw}))
CLASSIFIERS.register("svm")(lambda **kw: SVC(**{"kernel": "rbf", "probability": True, **kw}))
CLASSIFIERS.register("random_forest")(
    lambda **kw: RandomForestClassifier(**{"n_estimators": 300, **kw}))


def make_classifier(name: str = "logreg", **params: Any) -> Pipeline:
    """``StandardScaler`` followed by the named classifier (L2 logistic regression by default)."""
    return make_pipeline(StandardScaler(), CLASSIFIERS.get(name)(**params))
