"""Every fold (and repeat) of a recipe's split, each a run folder, with mean and std; resumable."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from signkit.data.dataset import load_dataset
from signkit.reports.metrics import METRIC_NAMES, format_summary, summarise
from signkit.runs import CHECKPOINTS, METRICS, SUMMARY, begin, finish
from signkit.training.config import Recipe
from signkit.training.run import train


def count_folds(ds, recipe: Recipe) -> int:
    from signkit.data.splits import make_splits

    return len(make_splits(ds, recipe.data.split, seed=recipe.data.split_seed))


def crossval(recipe: Recipe, out_dir: str | Path, repeats: int = 1, progress_bar: bool = False,
             on_run: Callable[[int, int, str], None] = lambda done, total, m: None) -> dict[str, Any]:
    """Train every fold x repeat (split seed + r); finished runs are read back, unfinished resumed.
    ``on_run(runs done, runs in all, message)`` reports progress."""
    out = Path(out_dir)
    ds = load_dataset(recipe.data.dataset)
    folds = count_folds(ds, recipe)
    started = begin(out, "crossval", dataset=ds.name)
    runs = []
    for r in range(repeats):
        for f in range(folds):
            data = recipe.data.model_copy(update={"fold": f, "split_seed": recipe.data.split_seed + r})
            rec = recipe.model_copy(update={"data": data})
            run_dir = out / f"repeat{r}_fold{f}"
            on_run(len(runs), repeats * folds,
                   f"{recipe.name}: repeat {r + 1}/{repeats}, fold {f + 1}/{folds}")
            if (run_dir / METRICS).is_file():
                runs.append(json.loads((run_dir / METRICS).read_text()))
                continue
            resume = (run_dir / CHECKPOINTS / "last.ckpt").is_file()
            runs.append(train(rec, run_dir, resume=resume, progress_bar=progress_bar, dataset=ds))
    summary = summarise(runs)
    result = {"name": recipe.name, "dataset": ds.name, "encoder": recipe.model.encoder,
              "groups": recipe.data.groups, "split": recipe.data.split, "repeats": repeats,
              "folds": folds, "summary": summary, "table": format_summary(summary),
              "runs": [{k: r[k] for k in ("fold", "test_signers", "epochs", "train_seconds",
                                          *(m for m in METRIC_NAMES if m in r))} for r in runs]}
    (out / SUMMARY).write_text(json.dumps(result, indent=2))
    finish(out, "crossval", started, dataset=ds.name)
    on_run(len(runs), repeats * folds, f"{recipe.name}: done")
    return result
