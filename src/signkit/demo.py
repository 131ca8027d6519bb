"""The end-to-end demo on built-in synthetic data: does the face help?

Generate signers, train the K-RSL-style logistic regression with hands only and with hands plus
non-manual groups, and a small BiLSTM on hands plus non-manual groups (when the ``train`` extra
is installed), and test on a signer never seen in training.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import numpy as np

from signkit.baselines import FeatureConfig, make_classifier, sequence_features
from signkit.data import synthetic
from signkit.reports.metrics import accuracy, merged_accuracy, subset_accuracy

GROUP_SETS = ("hands", "hands+non_manual")
DEEP_GROUPS = "hands+eyebrows+mouth+head"  # the markers that carry the contrasts, not the whole mesh


@dataclass
class DemoResult:
    model: str
    groups: str
    accuracy: float
    question_pairs: float
    mouth_pair: float
    word_accuracy: float  # statement/question and mouth forms merged
    n_train: int
    n_test: int
    seconds: float


@dataclass
class DemoReport:
    test_signer: str
    results: list[DemoResult] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"test_signer": self.test_signer,
                           "results": [r.__dict__ for r in self.results]}, indent=2)


def _result(model: str, groups: str, truth: np.ndarray, pred: np.ndarray, n_train: int,
            seconds: float) -> DemoResult:
    question = {g for pair in synthetic.QUESTION_PAIRS for g in pair}
    mouth = set(synthetic.NON_MANUAL_PAIRS[-1])
    return DemoResult(model=model, groups=groups, accuracy=accuracy(truth, pred),
                      question_pairs=subset_accuracy(truth, pred, question),
                      mouth_pair=subset_accuracy(truth, pred, mouth),
                      word_accuracy=merged_accuracy(truth, pred, _word),
                      n_train=n_train, n_test=len(truth), seconds=seconds)


def _deep_result(poses: list, test_fold: int, seed: int, out_dir: str | Path | None) -> DemoResult:
    """A small BiLSTM trained like any recipe (``signkit train``), tested on the unseen signer.

    (A BiLSTM reads each frame's keypoints as one vector: quick on a CPU for a demo.)
    """
    import shutil
    import tempfile

    from signkit.data.dataset import Dataset
    from signkit.inference import load_model
    from signkit.training.config import DataConfig, ModelConfig, OptimConfig, Recipe, TrainerConfig
    from signkit.training.run import fold_indices, train

    ds = Dataset("synthetic", poses)
    recipe = Recipe(
        name="demo-bilstm",
        data=DataConfig(dataset="synthetic:demo", split="loso", fold=test_fold, groups=DEEP_GROUPS,
                        length=32, augment=[{"name": "rotate", "min_angle": -0.2, "max_angle": 0.2}]),
        model=ModelConfig(encoder="bilstm", encoder_params={"hidden": 64, "layers": 2}),
        optim=OptimConfig(lr=2e-3),
        trainer=TrainerConfig(max_epochs=30, patience=None, seed=seed)).resolved()
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(out_dir) / "bilstm" if out_dir is not None else Path(tmp) / "bilstm"
        shutil.rmtree(run_dir, ignore_errors=True)  # the demo always starts afresh
        start = time.perf_counter()
        metrics = train(recipe, run_dir, progress_bar=False, dataset=ds)
        run = load_model(run_dir)
        test = fold_indices(ds, recipe)["test"]
        proba = run.predict_proba(run.prepare([poses[i] for i in test]))
    pred = np.array([run.vocabulary[i] for i in proba.argmax(1)])
    n_train = metrics["n_train"] + metrics["n_val"]
    seconds = time.perf_counter() - start
    return _result("BiLSTM (small)", DEEP_GROUPS, ds.glosses[test], pred, n_train, seconds)


def _word(gloss: str) -> str:
    """Merge each non-manual pair into its manual sign (circleq -> circle, wave-aa -> wave)."""
    for a, b in synthetic.NON_MANUAL_PAIRS:
        if gloss in (a, b):
            return a.split("-")[0]
    return gloss


def run_demo(num_signers: int = 5, samples_per_class: int = 12, seed: int = 0,
             out_dir: str | Path | None = None,
             progress: Callable[[str], None] = lambda msg: None) -> DemoReport:
    """Train on all signers but the last, test on the last; one result per group set."""
    progress(f"generating {num_signers} signers x {len(synthetic.CLASSES)} signs "
             f"x {samples_per_class} repetitions")
    poses = synthetic.generate(num_signers, samples_per_class, seed)
    signers = np.array([p.metadata["signer"] for p in poses])
    glosses = np.array([p.metadata["gloss"] for p in poses])
    test_signer = signers[-1]
    train, test = signers != test_signer, signers == test_signer
    report = DemoReport(str(test_signer))
    for groups in GROUP_SETS:
        progress(f"features and logistic regression on {groups}")
        start = time.perf_counter()
        x = sequence_features(poses, FeatureConfig(groups=groups), seed=seed)
        clf = make_classifier("logreg").fit(x[train], glosses[train])
        report.results.append(_result("logistic regression", groups, glosses[test], clf.predict(x[test]),
                                      int(train.sum()), time.perf_counter() - start))
    if find_spec("torch") and find_spec("lightning"):
        progress(f"small BiLSTM on {DEEP_GROUPS} (a few epochs)")
        report.results.append(_deep_result(poses, sorted(set(signers)).index(test_signer), seed, out_dir))
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "demo_results.json").write_text(report.to_json())
    return report
