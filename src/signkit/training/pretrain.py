"""``signkit pretrain``: a self-supervised strategy (``task: dpc | masked | contrastive``) over random
windows of a corpus, into a run folder; and ``model.init_from``, which starts a fine-tuning run's
encoder from such a folder.

Run folder: ``config.yaml``, ``layout.json`` (the selected keypoints), ``checkpoints/best.ckpt`` and
``last.ckpt``, ``logs/metrics.csv``, ``tb/`` and ``pretrain.json`` (windows, epochs, losses).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from signkit.errors import ConfigError
from signkit.runs import PRETRAIN, begin, finish
from signkit.training.config import DataConfig, Recipe, save_config
from signkit.training.run import (
    CHECKPOINTS,
    CONFIG,
    LAYOUT,
    _check_out_dir,
    _quiet_lightning,
    lightning_trainer,
    use_cores,
)


def corpus_path(recipe: Recipe) -> Path:
    loader, _, path = recipe.data.dataset.partition(":")
    if loader != "corpus":
        raise ConfigError(f"pretraining reads a corpus: data.dataset must be corpus:FILE.h5, "
                          f"got {recipe.data.dataset!r} (build one with `signkit corpus build`)")
    return Path(path)


class PretrainWindows:
    """A torch-style dataset: window ``i`` of the corpus, preprocessed, as the strategy's tensors
    (its augmentation drawn from ``(seed, i)`` too, so a resumed run sees the same windows)."""

    def __init__(self, windows: Any, cfg: DataConfig, module_class: type, params: dict[str, Any],
                 train: bool, seed: int):
        from signkit.training.pretraining.base import strategy_params
        from signkit.transforms import build_transforms

        self.windows, self.cfg, self.module_class = windows, cfg, module_class
        self.params = strategy_params(module_class, params)
        self.preprocess = build_transforms(cfg.preprocess) if cfg.preprocess else None
        self.augment = build_transforms(cfg.augment, seed=seed) if train and cfg.augment else None
        self.train, self.seed = train, seed

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, i: int) -> Any:
        rng = np.random.default_rng((self.seed, i))
        pose = self.windows[i]
        if self.preprocess is not None:
            pose = self.preprocess(pose)
        return self.module_class.inputs(pose, self.cfg, rng, self.augment, self.params)


class EpochSampler:
    """Epoch ``e`` reads windows ``e * size`` to ``(e + 1) * size``: new windows every epoch, in any
    worker process (Lightning calls ``set_epoch`` before each epoch)."""

    def __init__(self, size: int):
        self.size, self.epoch = size, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        return iter(range(self.epoch * self.size, (self.epoch + 1) * self.size))


def pretrain(recipe: Recipe, out_dir: str | Path, resume: bool = False, progress_bar: bool = True
             ) -> dict[str, Any]:
    """Train ``recipe``'s strategy on its corpus; the best checkpoint is the lowest held-out loss."""
    import lightning as L
    from torch.utils.data import DataLoader

    from signkit.corpus import WindowDataset
    from signkit.models.graph import selection_edges
    from signkit.training.registries import get_task

    _quiet_lightning()
    recipe = recipe.resolved()
    task = get_task(recipe.task)
    if not task.pretraining:
        raise ConfigError(f"task {recipe.task!r} is not a pretraining task (dpc, masked, contrastive); "
                          "use `signkit train`")
    out = Path(out_dir)
    _check_out_dir(out, resume)
    data, pre, tr = recipe.data, recipe.pretrain, recipe.trainer
    L.seed_everything(tr.seed, workers=True, verbose=False)
    path = corpus_path(recipe)
    train_windows = WindowDataset(path, data.groups, pre.min_frames, pre.max_frames,
                                  pre.windows_per_epoch, tr.seed, dims=data.dims)
    val_windows = WindowDataset(path, data.groups, pre.min_frames, pre.max_frames, pre.val_windows,
                                tr.seed + 1_000_003, dims=data.dims)
    layout = train_windows.layout
    module_class = task.module_class()
    train_set = PretrainWindows(train_windows, data, module_class, pre.params, True, tr.seed)
    val_set = PretrainWindows(val_windows, data, module_class, pre.params, False, tr.seed)
    edges = selection_edges(layout, np.arange(len(layout))).tolist()
    module = task.module(recipe, len(layout), edges, [])
    use_cores(tr.devices)
    started = begin(out, "pretrain", corpus=str(path))
    save_config(recipe, out / CONFIG)
    (out / LAYOUT).write_text(json.dumps(layout.to_dict()))

    trainer, checkpoint = lightning_trainer(out, tr, module_class.monitor, [], progress_bar,
                                            deterministic=False)
    batch = recipe.optim.batch_size
    loader = DataLoader(train_set, batch_size=batch, sampler=EpochSampler(len(train_set)),
                        num_workers=tr.num_workers, drop_last=len(train_set) > batch)
    val_loader = DataLoader(val_set, batch_size=batch, num_workers=tr.num_workers)
    start = time.perf_counter()
    last = str(out / CHECKPOINTS / "last.ckpt") if resume else None
    trainer.fit(module, loader, val_loader, ckpt_path=last)
    seconds = time.perf_counter() - start
    if not trainer.is_global_zero:
        return {}
    summary = {"name": recipe.name, "task": recipe.task, "encoder": recipe.model.encoder,
               "corpus": str(path), "groups": data.groups, "corpus_videos": len(train_windows.videos),
               "skipped_videos": train_windows.skipped, "windows_per_epoch": len(train_set),
               "epochs": trainer.current_epoch, "best_val_loss": float(checkpoint.best_model_score or 0.0),
               "train_seconds": round(seconds, 1),
               "parameters": sum(p.numel() for p in module.model.encoder.parameters())}
    (out / PRETRAIN).write_text(json.dumps(summary, indent=2))
    finish(out, "pretrain", started, corpus=str(path))
    return summary
