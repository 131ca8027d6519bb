"""Repeated-split experiments with the classical baseline, and feature-group ablations.

``run_baseline`` trains the scikit-learn pipeline on every fold of every repeat and reports the
mean and standard deviation over all of them (as the K-RSL paper's Table 3); ``run_ablation``
does that for several articulator-group sets (its Table 4).
"""

from __future__ import annotations

import csv
import json
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from signkit.baselines.classifiers import make_classifier
from signkit.baselines.features import FeatureConfig, sequence_features
from signkit.data.dataset import Dataset, save_vocabulary
from signkit.data.duplicates import dedup_indices
from signkit.data.splits import SPLIT_FILE, make_splits, save_splits
from signkit.errors import ConfigError, PoseFileError
from signkit.reports import metrics as M
from signkit.reports.metrics import METRIC_NAMES, format_summary, merge_fn, summarise
from signkit.reports.plots import ablation_png
from signkit.reports.tables import write_confusion, write_evaluation
from signkit.runs import BASELINE_INFO, BASELINE_MODEL, METRICS, PICKLED_BASELINE, VOCAB, now, write_info


@dataclass
class BaselineConfig:
    groups: str = "hands"
    split: str = "loso"
    repeats: int = 1
    classifier: str = "logreg"
    classifier_params: dict[str, Any] = field(default_factory=dict)
    length: int = 30
    sampling: str = "uniform"
    merge: str | None = None
    dedup: bool = False
    seed: int = 0
    # transforms before the groups are selected (None: fill gaps, centre on the shoulders)
    preprocess: list[str | dict[str, Any]] | None = None


def _fit_quietly(pipeline: Any, x: np.ndarray, y: np.ndarray) -> None:
    """Fit, without a ConvergenceWarning per fold: lbfgs often stops at the default iteration
    cap here, and the fold's accuracy already says how well it did."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipeline.fit(x, y)


def run_baseline(ds: Dataset, cfg: BaselineConfig, out_dir: str | Path | None = None,
                 progress: Callable[[str], None] = lambda m: None,
                 on_fold: Callable[[int, int], None] = lambda done, total: None) -> dict[str, Any]:
    """Train and test on every fold of ``cfg.repeats`` seeded splits; returns metrics per run
    and their mean/std, and writes them (with splits, vocabulary, confusion) to ``out_dir``.
    ``progress(message)`` says what runs; ``on_fold(folds done, folds in all)`` counts."""
    started = now()
    merge = merge_fn(cfg.merge)
    indices = dedup_indices(ds.samples) if cfg.dedup else np.arange(len(ds))
    glosses, signers = ds.glosses, ds.signers
    vocab = ds.vocabulary
    feat_cfg = FeatureConfig(groups=cfg.groups, length=cfg.length, sampling=cfg.sampling,
                             preprocess=cfg.preprocess)
    features = None
    runs, all_splits = [], {}
    cm = np.zeros((len(vocab), len(vocab)), dtype=np.int64)
    for r in range(cfg.repeats):
        seed = cfg.seed + r
        if features is None or cfg.sampling != "uniform":
            progress(f"{cfg.groups}: features (repeat {r + 1}/{cfg.repeats})")
            features = sequence_features(ds.samples, feat_cfg, seed=seed)
        folds = make_splits(ds, cfg.split, indices, seed=seed)
        all_splits[f"repeat{r}"] = folds
        for f, fold in enumerate(folds):
            progress(f"{cfg.groups}: repeat {r + 1}/{cfg.repeats}, fold {f + 1}/{len(folds)}")
            # No hyper-parameter search here, so validation samples are trained on too.
            train = np.array(fold["train"] + fold["val"], dtype=np.int64)
            test = np.array(fold["test"], dtype=np.int64)
            clf = make_classifier(cfg.classifier, **cfg.classifier_params)
            _fit_quietly(clf, features[train], glosses[train])
            pred = clf.predict(features[test])
            proba = clf.predict_proba(features[test]) if hasattr(clf, "predict_proba") else None
            report = M.classification_report(glosses[test], pred, proba, list(clf.classes_), merge)
            cm += M.confusion(glosses[test], pred, vocab)
            runs.append({"repeat": r, "fold": f, "n_train": len(train), "n_test": len(test),
                         "test_signers": sorted(set(signers[test].tolist())), **report})
            on_fold(len(runs), cfg.repeats * len(folds))
    result = {"dataset": ds.name, "config": asdict(cfg), "vocabulary": vocab,
              "n_samples": len(ds), "n_used": len(indices), "runs": runs,
              "summary": summarise(runs)}
    if out_dir is not None:
        _write_outputs(Path(out_dir), result, cm, all_splits)
        progress(f"{cfg.groups}: final model on all {len(indices)} samples")
        final = make_classifier(cfg.classifier, **cfg.classifier_params)
        _fit_quietly(final, features[indices], glosses[indices])
        save_model(Path(out_dir), final, feat_cfg, vocab)
        write_info(out_dir, "baseline", started=started, dataset=ds.name)
    return result




def save_model(out: Path, pipeline: Any, feat_cfg: FeatureConfig, vocab: list[str]) -> Path:
    """The fitted pipeline (skops, which loads without running code) and, beside it as JSON, its
    feature settings and vocabulary: enough to evaluate later."""
    import skops.io

    path = out / BASELINE_MODEL
    skops.io.dump(pipeline, path)
    info = {"features": asdict(feat_cfg), "vocabulary": vocab}
    (out / BASELINE_INFO).write_text(json.dumps(info, indent=2))
    return path


def _trusted(type_name: str) -> bool:
    # The registered classifiers are scikit-learn pipelines of NumPy arrays; anything else in the
    # file (a function, a class of another package) is what a crafted file would call.
    return type_name.split(".")[0] in ("sklearn", "numpy")


def load_model(run_dir: str | Path) -> tuple[Any, dict[str, Any]]:
    """A saved baseline's pipeline and its ``model.json``; a file naming any type outside
    scikit-learn and NumPy is refused before anything in it is built."""
    import skops.io

    run_dir = Path(run_dir)
    path = run_dir / BASELINE_MODEL
    if not path.exists():
        if (run_dir / PICKLED_BASELINE).exists():
            raise PoseFileError(run_dir / PICKLED_BASELINE, "a pickled baseline (older signkit); pickles can "
                                "run code when opened, so signkit does not: run `signkit baseline` again")
        raise PoseFileError(path, "no saved baseline model in this run folder")
    try:
        untrusted = skops.io.get_untrusted_types(file=path)
    except Exception as exc:  # a zip that is not one, a missing schema, ...
        raise PoseFileError(path, f"not a readable skops file ({exc.__class__.__name__}: {exc})") from None
    refused = [t for t in untrusted if not _trusted(t)]
    if refused:
        raise PoseFileError(path, f"refusing to load: it names types outside scikit-learn and NumPy "
                                  f"({', '.join(refused[:5])})")
    try:
        pipeline = skops.io.load(path, trusted=untrusted)
        info = json.loads((run_dir / BASELINE_INFO).read_text())
        FeatureConfig(**info["features"])
        info["vocabulary"] = [str(g) for g in info["vocabulary"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PoseFileError(run_dir, f"not a complete baseline folder ({exc.__class__.__name__}: {exc})") \
            from None
    return pipeline, info


def evaluate_saved(run_dir: str | Path, ds: Dataset, merge: str | None = None,
                   out_dir: str | Path | None = None) -> dict[str, Any]:
    """Evaluate a saved baseline (``run_dir/model.skops``) on another dataset of its classes."""
    pipeline, saved = load_model(run_dir)
    unknown = sorted(set(ds.vocabulary) - set(saved["vocabulary"]))
    if unknown:
        raise ConfigError(f"{ds.name} has glosses the model never saw: {', '.join(unknown[:10])}")
    x = sequence_features(ds.samples, FeatureConfig(**saved["features"]))
    pred = pipeline.predict(x)
    proba = pipeline.predict_proba(x) if hasattr(pipeline, "predict_proba") else None
    report = M.classification_report(ds.glosses, pred, proba, list(pipeline.classes_),
                                     merge_fn(merge))
    if out_dir is not None:
        write_evaluation(Path(out_dir), ds.name, report, ds.glosses, pred, saved["vocabulary"],
                         f"{Path(run_dir).name} on {ds.name}")
    return report


def _write_outputs(out: Path, result: dict[str, Any], cm: np.ndarray, splits: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    vocab = result["vocabulary"]
    (out / METRICS).write_text(json.dumps(result, indent=2))
    save_vocabulary(vocab, out / VOCAB)
    save_splits([f for folds in splits.values() for f in folds], out / SPLIT_FILE,
                dataset=result["dataset"], repeats=list(splits))
    write_confusion(out, cm, vocab, f"{result['config']['groups']} ({result['config']['split']})")


def run_ablation(ds: Dataset, group_sets: Sequence[str], cfg: BaselineConfig,
                 out_dir: str | Path, progress: Callable[[str], None] = lambda m: None,
                 on_fold: Callable[[int, int], None] = lambda done, total: None) -> list[dict[str, Any]]:
    """``run_baseline`` for each group set; writes ``ablation.md``, ``ablation.csv`` and
    ``ablation.png`` (bars with standard-deviation error bars)."""
    out = Path(out_dir)
    results = []
    for i, groups in enumerate(group_sets):
        sub_cfg = BaselineConfig(**{**asdict(cfg), "groups": groups})
        folds_done = lambda done, total, i=i: on_fold(i * total + done, len(group_sets) * total)  # noqa: E731
        results.append(run_baseline(ds, sub_cfg, out / groups.replace("+", "_"), progress, folds_done))
    metrics = [k for k in METRIC_NAMES if k in results[0]["summary"]]
    header = ["groups", *[METRIC_NAMES[k] for k in metrics]]
    rows = [[r["config"]["groups"], *format_summary(r["summary"]).values()] for r in results]
    with (out / "ablation.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["groups", *[f"{k}_{s}" for k in metrics for s in ("mean", "std")]])
        for r in results:
            w.writerow([r["config"]["groups"], *[f"{r['summary'][k][s]:.4f}" for k in metrics
                                                for s in ("mean", "std")]])
    runs = len(results[0]["runs"])
    md = [f"Dataset `{ds.name}`, split `{cfg.split}`, {runs} runs, classifier `{cfg.classifier}`, "
          f"{cfg.length} frames ({cfg.sampling}); mean ± std in %.", "",
          "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    md += ["| " + " | ".join(row) + " |" for row in rows]
    (out / "ablation.md").write_text("\n".join(md) + "\n")
    bars = [k for k in ("top1", "merged_top1") if k in metrics]
    ablation_png([r["config"]["groups"] for r in results],
                 {METRIC_NAMES[k]: [r["summary"][k]["mean"] for r in results] for k in bars},
                 {METRIC_NAMES[k]: [r["summary"][k]["std"] for r in results] for k in bars},
                 out / "ablation.png", title=f"{ds.name} ({cfg.split})")
    return results
