"""``signkit train``: one recipe, one fold -> a run folder that alone reloads the model.

Run folder: ``config.yaml`` (resolved recipe), ``vocabulary.json``, ``layout.json`` (a pose run's
selected keypoints), ``splits.json``, ``checkpoints/best.ckpt`` and ``last.ckpt``, ``logs/metrics.csv``,
``tb/`` (TensorBoard) and ``metrics.json`` (test-fold report, epochs, throughput).
"""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from signkit.data.dataset import Dataset, load_dataset, save_vocabulary
from signkit.data.duplicates import dedup_indices
from signkit.data.splits import SPLIT_FILE, make_splits, save_splits
from signkit.errors import ConfigError
from signkit.runs import CHECKPOINTS, CONFIG, LAYOUT, METRICS, VOCAB, begin, finish, is_child_rank
from signkit.training.config import Recipe, TrainerConfig, save_config

__all__ = ["CHECKPOINTS", "CONFIG", "LAYOUT", "METRICS", "VOCAB", "train"]


def _quiet_lightning() -> None:
    """Lightning's tips and the CPU-only notes are noise for our users."""
    for name in ("lightning.pytorch", "lightning.fabric", "lightning"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", ".*does not have many workers.*")
    warnings.filterwarnings("ignore", ".*LeafSpec.*")
    warnings.filterwarnings("ignore", ".*TensorBoard.*")


def fold_indices(ds: Dataset, recipe: Recipe) -> dict[str, list[int]]:
    data = recipe.data
    indices = dedup_indices(ds.samples) if data.dedup else np.arange(len(ds))
    folds = make_splits(ds, data.split, indices, seed=data.split_seed)
    if not 0 <= data.fold < len(folds):
        raise ConfigError(f"data.fold={data.fold} but split {data.split!r} has {len(folds)} folds "
                          f"(0..{len(folds) - 1})")
    return folds[data.fold]


def few_shot(ds: Dataset, indices: list[int], per_class: int, seed: int) -> list[int]:
    """At most ``per_class`` of ``indices`` per (signer, gloss), drawn with ``seed``, in order."""
    rng = np.random.default_rng(seed)
    groups: dict[tuple[str, str], list[int]] = {}
    for i in indices:
        groups.setdefault((ds.signers[i], ds.glosses[i]), []).append(i)
    kept = [i for members in groups.values()
            for i in rng.permutation(members)[:per_class].tolist()]
    return sorted(kept)


def _check_out_dir(out: Path, resume: bool) -> None:
    if resume:
        if not (out / CHECKPOINTS / "last.ckpt").is_file():
            raise ConfigError(f"{out}: nothing to resume (no {CHECKPOINTS}/last.ckpt)")
    elif (out / CONFIG).exists() and not is_child_rank():
        raise ConfigError(f"{out} already holds a run; use --resume to continue it or another folder")


def use_cores(devices: int) -> None:
    """One thread pool per process sized to its share of the cores: oversubscribed OpenMP threads
    make small ops (an LSTM step) tens of times slower, e.g. under DDP on a 2-core machine. The
    affinity mask (not cpu_count) so that `taskset -c 1 signkit train ...` gets one thread."""
    import torch

    torch.set_num_threads(max(1, len(os.sched_getaffinity(0)) // max(devices, 1)))


def lightning_trainer(out: Path, tr: TrainerConfig, monitor: tuple[str, str], extra_callbacks: list,
                      progress_bar: bool, deterministic: bool = True) -> tuple[Any, Any]:
    """The Trainer every run folder is written by (CSV and TensorBoard logs in ``out``) and its
    checkpoint callback (``best`` by ``monitor`` = (metric, min | max), and ``last``)."""
    import lightning as L
    from lightning.pytorch.callbacks import ModelCheckpoint
    from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger

    checkpoint = ModelCheckpoint(dirpath=out / CHECKPOINTS, filename="best", save_last=True,
                                 monitor=monitor[0], mode=monitor[1])
    trainer = L.Trainer(
        max_epochs=tr.max_epochs, accelerator="cpu", devices=tr.devices, strategy=tr.strategy,
        callbacks=[checkpoint, *extra_callbacks], deterministic=deterministic,
        enable_progress_bar=progress_bar, enable_model_summary=False, log_every_n_steps=1,
        logger=[CSVLogger(out, name="logs", version=""), TensorBoardLogger(out, name="tb", version="")])
    return trainer, checkpoint


def train(recipe: Recipe, out_dir: str | Path, resume: bool = False, progress_bar: bool = True,
          dataset: Dataset | None = None) -> dict[str, Any]:
    """Train ``recipe`` on its fold, test the best checkpoint on the fold's test part."""
    import lightning as L
    from lightning.pytorch.callbacks import EarlyStopping
    from torch.utils.data import DataLoader

    from signkit.training.registries import get_modality, get_task

    _quiet_lightning()
    recipe = recipe.resolved()  # defaults per model, also for recipes built in Python
    use_cores(recipe.trainer.devices)
    out = Path(out_dir)
    _check_out_dir(out, resume)
    data, opt, tr = recipe.data, recipe.optim, recipe.trainer
    task, modality = get_task(recipe.task), get_modality(recipe.model.modality)
    L.seed_everything(tr.seed, workers=True, verbose=False)
    ds = dataset if dataset is not None else load_dataset(data.dataset)
    fold = fold_indices(ds, recipe)
    if data.train_per_class:
        fold = {**fold, **{part: few_shot(ds, fold[part], data.train_per_class, data.split_seed)
                           for part in ("train", "val")}}
    glosses = np.asarray(task.targets(ds.samples, recipe), dtype=object)
    vocab = task.vocabulary(glosses.tolist())
    used = sorted(set(fold["train"]) | set(fold["val"]) | set(fold["test"]))
    try:
        prepared = dict(zip(used, modality.prepare([ds.samples[i] for i in used], data), strict=True))
    except ConfigError as exc:
        raise ConfigError(f"{ds.name}: {exc}") from None

    def subset(part: str, train: bool):
        return modality.dataset(task, [prepared[i] for i in fold[part]], glosses[fold[part]].tolist(),
                                vocab, recipe, train, tr.seed)

    train_set = subset("train", True)
    val_set = subset("val", False) if fold["val"] else subset("test", False)
    module = modality.module(task, recipe, [ds.samples[i] for i in used], list(prepared.values()), vocab)
    if not is_child_rank():
        started = begin(out, "train", dataset=ds.name)
        save_config(recipe, out / CONFIG)
        save_vocabulary(vocab, out / VOCAB)
        modality.write_run_files(out, prepared[used[0]])
        save_splits([fold], out / SPLIT_FILE, dataset=ds.name, split=data.split, fold=data.fold)
        task.write_run_files(out, glosses[fold["train"]].tolist())
    callbacks = modality.callbacks(recipe)
    if tr.patience:
        callbacks.append(EarlyStopping(patience=tr.patience, monitor=task.monitor[0], mode=task.monitor[1]))
    trainer, checkpoint = lightning_trainer(out, tr, task.monitor, callbacks, progress_bar)
    loader = DataLoader(train_set, batch_size=opt.batch_size, shuffle=True, num_workers=tr.num_workers,
                        collate_fn=task.collate,
                        drop_last=len(train_set) // tr.devices > opt.batch_size)  # no 1-sample batch
    val_loader = DataLoader(val_set, batch_size=modality.eval_batch, num_workers=tr.num_workers,
                            collate_fn=task.collate)
    start = time.perf_counter()
    trainer.fit(module, loader, val_loader,
                ckpt_path=str(out / CHECKPOINTS / "last.ckpt") if resume else None)
    seconds = time.perf_counter() - start
    if not trainer.is_global_zero:
        return {}
    from signkit.training.predict import load_run

    report = task.evaluate(load_run(out), [prepared[i] for i in fold["test"]],
                           glosses[fold["test"]].tolist(), data.merge)
    epochs = trainer.current_epoch
    metrics = {"name": recipe.name, "task": recipe.task, "dataset": ds.name, "encoder": recipe.model.encoder,
               "modality": recipe.model.modality, "groups": modality.describe(recipe), "split": data.split,
               "fold": data.fold,
               "test_signers": sorted({str(s) for s in ds.signers[fold["test"]]}),
               "n_train": len(fold["train"]), "n_val": len(fold["val"]), "n_test": len(fold["test"]),
               "epochs": epochs, "world_size": trainer.world_size,
               f"best_{task.monitor[0]}": float(checkpoint.best_model_score or 0.0),
               "train_seconds": round(seconds, 1),
               "train_samples_per_s": round(len(train_set) * max(epochs, 1) / seconds, 1) if seconds else 0,
               "parameters": sum(p.numel() for p in module.parameters()), **report}
    (out / METRICS).write_text(json.dumps(metrics, indent=2))
    finish(out, "train", started, dataset=ds.name)
    return metrics
