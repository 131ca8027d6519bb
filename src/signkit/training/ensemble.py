"""Ensembles: trained runs of one vocabulary whose class probabilities are averaged.

``write_ensemble`` copies each member's config, vocabulary, layout and best checkpoint under
``OUT/members/N`` and writes ``OUT/ensemble.json``, so the folder alone reloads the ensemble and
:func:`signkit.inference.load_model` reads it as one model (``signkit predict`` and
``signkit evaluate`` use it unchanged). Each member reads poses its own way (its preprocessing,
groups and input features). ``ensemble_crossval`` does this fold by fold for ``signkit crossval``
folders and tests each fold's ensemble on that fold's test samples.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from signkit.data.dataset import load_dataset, read_vocabulary, save_vocabulary
from signkit.data.splits import SPLIT_FILE, split_from_file
from signkit.errors import ConfigError
from signkit.pose.pose import Pose
from signkit.reports.metrics import format_summary, summarise
from signkit.runs import ENSEMBLE, METRICS, SUMMARY, VOCAB, find_kind, now, write_info
from signkit.training.config import read_config
from signkit.training.predict import LoadedRun, load_run, proba_report, run_files


@dataclass
class EnsembleRun:
    """Several runs used as one model: the mean of their class probabilities."""

    members: list[LoadedRun]
    task = "classify"

    @property
    def vocabulary(self) -> list[str]:
        return self.members[0].vocabulary

    @property
    def merge(self) -> str | None:
        return self.members[0].merge

    def read_input(self, path: Path) -> Pose:
        return self.members[0].read_input(path)

    def prepare(self, poses: list[Pose]) -> list[Pose]:
        """The poses unchanged: each member prepares them its own way in :meth:`predict_proba`."""
        return list(poses)

    def predict_proba(self, poses: list[Pose], batch: int = 256) -> np.ndarray:
        """``(N, classes)`` mean of the members' probabilities."""
        return np.mean([m.predict_proba(m.prepare(poses), batch) for m in self.members], axis=0)


def load_ensemble(run_dir: str | Path) -> EnsembleRun:
    run = Path(run_dir)
    members = json.loads((run / ENSEMBLE).read_text())["members"]
    return EnsembleRun([load_run(run / m["path"]) for m in members])


def load_trained(run_dir: str | Path, checkpoint: str = "best") -> LoadedRun | EnsembleRun:
    """A run folder of ``signkit train`` or an ensemble folder of ``signkit ensemble`` (PyTorch);
    :func:`signkit.inference.load_model` reads exported folders too."""
    if find_kind(run_dir) == "ensemble":
        return load_ensemble(run_dir)
    return load_run(run_dir, checkpoint)  # names the missing file of anything else


def write_ensemble(run_dirs: Sequence[str | Path], out_dir: str | Path) -> Path:
    """Copy the runs' files into ``out_dir`` as one ensemble (an existing ensemble there is
    replaced). The runs must share a vocabulary, in the same order."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and find_kind(out) != "ensemble":
        raise ConfigError(f"{out}: exists and is not an ensemble folder; choose another -o")
    if len(run_dirs) < 2:
        raise ConfigError("an ensemble needs at least two runs")
    runs = [Path(d) for d in run_dirs]
    files = [run_files(run) for run in runs]  # config, vocabulary, best checkpoint[, layout]
    for run, (config, *_) in zip(runs, files, strict=True):
        if (task := read_config(config).task) != "classify":
            raise ConfigError(f"{run}: a {task} run; an ensemble averages the class probabilities of "
                              "classification runs")
    vocabularies = [read_vocabulary(f[1]) for f in files]
    for run, vocabulary in zip(runs[1:], vocabularies[1:], strict=True):
        if vocabulary != vocabularies[0]:
            raise ConfigError(f"{run}: its vocabulary differs from {runs[0]}'s; an ensemble "
                              "averages probabilities of the same classes")
    shutil.rmtree(out / "members", ignore_errors=True)
    members = []
    for i, (run, paths) in enumerate(zip(runs, files, strict=True)):
        dest = out / "members" / str(i)
        for path in paths:
            (dest / path.relative_to(run)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest / path.relative_to(run))
        members.append({"path": f"members/{i}", "source": str(run)})
    save_vocabulary(vocabularies[0], out / VOCAB)
    (out / ENSEMBLE).write_text(json.dumps({"members": members}, indent=2))
    write_info(out, "ensemble", members=[m["source"] for m in members])
    return out


def _folds(crossval_dir: Path) -> list[str]:
    return sorted(p.name for p in crossval_dir.glob("repeat*_fold*") if p.is_dir())


def is_crossval(path: str | Path) -> bool:
    return bool(_folds(Path(path)))


def ensemble_crossval(crossval_dirs: Sequence[str | Path], out_dir: str | Path,
                      on_fold: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """One ensemble per fold of finished ``signkit crossval`` folders, each tested on its fold's
    test samples (which every member must share); ``OUT/summary.json`` as crossval writes it."""
    dirs, out = [Path(d) for d in crossval_dirs], Path(out_dir)
    folds = _folds(dirs[0])
    unfinished = [str(d / f) for d in dirs for f in folds if not (d / f / METRICS).is_file()]
    unfinished += [f"{d} (folds {', '.join(_folds(d))})" for d in dirs[1:] if _folds(d) != folds]
    if not folds or unfinished:
        raise ConfigError(f"not finished crossval runs of the same folds: {', '.join(unfinished) or dirs[0]}")
    dataset = cache(load_dataset)
    started = now()
    runs = []
    for fold in folds:
        on_fold(f"ensemble: {fold}")
        members = [d / fold for d in dirs]
        tests = [split_from_file(m / SPLIT_FILE)[0]["test"] for m in members]
        test = tests[0]
        if any(t != test for t in tests):
            raise ConfigError(f"{', '.join(map(str, members))}: the runs were tested on different samples")
        ensemble = load_ensemble(write_ensemble(members, out / fold))
        first = json.loads((members[0] / METRICS).read_text())
        ds = dataset(first["dataset"])
        proba = ensemble.predict_proba([ds.samples[i] for i in test])
        report = proba_report(proba, ensemble.vocabulary, [ds.glosses[i] for i in test], ensemble.merge)
        metrics = {"fold": first["fold"], "test_signers": first["test_signers"], "n_test": len(test),
                   **report}
        shutil.copy2(members[0] / SPLIT_FILE, out / fold / SPLIT_FILE)
        (out / fold / METRICS).write_text(json.dumps(metrics, indent=2))
        runs.append(metrics)
    summary = summarise(runs)
    result = {"name": "ensemble", "members": [str(d) for d in dirs], "dataset": first["dataset"],
              "folds": len(folds), "summary": summary, "table": format_summary(summary), "runs": runs}
    (out / SUMMARY).write_text(json.dumps(result, indent=2))
    write_info(out, "ensemble_crossval", started=started, members=[str(d) for d in dirs])
    return result
