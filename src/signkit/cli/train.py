"""``signkit train``, ``crossval``, ``ensemble``, ``models`` and ``predict``: the deep models
(``train`` extra)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from signkit.cli.console import console, err_console, print_table, progress_bar
from signkit.errors import ConfigError

RecipeArg = Annotated[Path, typer.Argument(help="Recipe YAML (data, model, optim, trainer)")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help="Override a recipe field, e.g. --set data.groups=hands+mouth (repeatable)")]
# What train and pretrain share: where the run goes, resuming it, and DDP over CPU processes.
RunOpt = Annotated[Path, typer.Option("-o", "--out", help="Run folder")]
ResumeOpt = Annotated[bool, typer.Option(help="Continue an interrupted run in OUT")]
DevicesOpt = Annotated[int | None, typer.Option(help="CPU processes (with --strategy ddp)")]
StrategyOpt = Annotated[str | None, typer.Option(help="auto, ddp (gloo on CPU), ...")]


def _recipe(recipe: Path, overrides: list[str] | None, devices: int | None, strategy: str | None):
    from signkit.extras import require

    require("torch", "train")
    require("lightning", "train")
    from signkit.training.config import load_recipe

    extra = list(overrides or [])
    if devices is not None:
        extra.append(f"trainer.devices={devices}")
    if strategy is not None:
        extra.append(f"trainer.strategy={strategy}")
    return load_recipe(recipe, extra)


def _print_metrics(title: str, metrics: dict, markdown: Path) -> None:
    from signkit.reports.metrics import METRIC_NAMES

    table = Table(title=escape(title))
    for k in METRIC_NAMES:
        if k in metrics:
            table.add_column(METRIC_NAMES[k], justify="right")
    table.add_column("epochs", justify="right")
    table.add_row(*[f"{100 * metrics[k]:.2f}" for k in METRIC_NAMES if k in metrics], str(metrics["epochs"]))
    print_table(table, markdown=markdown)


def train(
    recipe: RecipeArg,
    out: RunOpt,
    overrides: SetOpt = None,
    resume: ResumeOpt = False,
    devices: DevicesOpt = None,
    strategy: StrategyOpt = None,
) -> None:
    """Train a deep model from a recipe on one fold; the run folder alone reloads it."""
    from signkit.training.run import train as run_train

    metrics = run_train(_recipe(recipe, overrides, devices, strategy), out, resume=resume)
    if metrics:  # only the first process of a DDP run reports
        _print_metrics(f"{metrics['encoder']} on {metrics['groups']}, test fold {metrics['fold']} "
                       f"(signers {', '.join(metrics['test_signers'])})", metrics, out / "metrics.md")
        console.print(f"run folder: {out}")


def pretrain(
    recipe: RecipeArg,
    out: RunOpt,
    overrides: SetOpt = None,
    resume: ResumeOpt = False,
    devices: DevicesOpt = None,
    strategy: StrategyOpt = None,
) -> None:
    """Self-supervised pretraining (task dpc, masked or contrastive) on a corpus's windows; a
    fine-tuning recipe starts from the run with model.init_from."""
    from signkit.training.pretrain import pretrain as run_pretrain

    summary = run_pretrain(_recipe(recipe, overrides, devices, strategy), out, resume=resume)
    if summary:
        console.print(f"{summary['task']} with {summary['encoder']} on {summary['groups']}: "
                      f"{summary['epochs']} epochs of {summary['windows_per_epoch']} windows from "
                      f"{summary['corpus_videos']} videos, best held-out loss {summary['best_val_loss']:.4f}"
                      f", {summary['train_seconds']:.0f} s")
        console.print(f"run folder: {out}")


def crossval(
    recipe: RecipeArg,
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for one run per fold")],
    overrides: SetOpt = None,
    repeats: Annotated[int, typer.Option(help="Repeat the split with seeds +0, +1, ...")] = 1,
) -> None:
    """Every fold of the recipe's split (LOSO: every signer), mean and std; re-run to resume."""
    from signkit.training.crossval import crossval as run_crossval

    with progress_bar("runs", transient=True) as bar:
        task = bar.add_task("cross-validation", total=None)
        result = run_crossval(_recipe(recipe, overrides, None, None), out, repeats,
                              on_run=lambda done, total, m: bar.update(task, completed=done, total=total,
                                                                       description=escape(m)))
    _crossval_table(f"{result['encoder']} on {result['groups']}, {result['split']} "
                    f"({result['folds']} folds x {repeats})", result, out / "summary.md")
    console.print(f"runs and summary: {out / 'summary.json'}, {out / 'summary.md'}")


def _crossval_table(title: str, result: dict, markdown: Path) -> None:
    table = Table(title=escape(title))
    for name in result["table"]:
        table.add_column(name, justify="right")
    table.add_row(*result["table"].values())
    print_table(table, markdown=markdown)


def ensemble(
    runs: Annotated[list[Path], typer.Argument(help="Run folders of signkit train, or signkit "
                                                    "crossval folders (then fold by fold)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the ensemble")],
) -> None:
    """Average trained models' probabilities: one run folder for predict and evaluate, or, from
    crossval folders, one per fold, each tested on its fold (mean and std)."""
    from signkit.extras import require

    require("torch", "train")
    from signkit.errors import ConfigError, PoseFileError
    from signkit.training.ensemble import ensemble_crossval, is_crossval, write_ensemble

    for run in runs:
        if not run.is_dir():
            raise PoseFileError(run, "no such folder")
    kinds = {is_crossval(r) for r in runs}
    if len(kinds) > 1:
        raise ConfigError("give either run folders or crossval folders, not both")
    if kinds == {True}:
        with console.status("ensemble") as status:
            result = ensemble_crossval(runs, out, on_fold=lambda m: status.update(escape(m)))
        _crossval_table(f"ensemble of {len(runs)} crossval runs ({result['folds']} folds)", result,
                        out / "summary.md")
    else:
        write_ensemble(runs, out)
    console.print(f"ensemble folder: {out}")


def _summary(cls: type) -> str:
    """First line of the module docstring: what the model is."""
    import sys

    return (sys.modules[cls.__module__].__doc__ or "").strip().splitlines()[0]


def models() -> None:
    """List the registered encoders, decoders and sequence heads."""
    from signkit.extras import require

    require("torch", "train")
    from signkit.models import DECODERS, ENCODERS, HEADS

    table = Table(title="encoders")
    for col in ("name", "default decoder", "batch", "lr", "description"):
        table.add_column(col)
    for name, cls in ENCODERS.items():
        d = getattr(cls, "defaults", {})
        table.add_row(name, d.get("decoder", "linear"), str(d.get("batch_size", "")),
                      f"{d.get('lr', '')}", _summary(cls))
    print_table(table)
    console.print("decoders: " + ", ".join(f"{n} ({(c.__doc__ or '').strip().splitlines()[0]})"
                                           for n, c in DECODERS.items()))
    console.print("sequence heads (task: ctc): " + ", ".join(
        f"{n} ({(c.__doc__ or '').strip().splitlines()[0]})" for n, c in HEADS.items()))


def predict(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by signkit train or ensemble")],
    files: Annotated[list[Path], typer.Argument(help="Pose files (.pose, .npy, ...); videos for a "
                                                     "video model")],
    top: Annotated[int, typer.Option(help="How many glosses to list")] = 5,
    eaf: Annotated[Path | None, typer.Option(help="CTC and tagging runs: the glosses or markers as "
                                                  "an ELAN file (a folder for several files)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file and line (file, "
                                                         "glosses with probabilities or times)")] = False,
) -> None:
    """The most probable glosses for each pose file (or video, for a video model), with
    probabilities; for a continuous (CTC) run, the gloss sequence with start and end times; for a
    tagging run, the marker segments with start and end times. One
    line per file, never wrapped. An exported folder runs without torch."""
    from signkit.inference import load_model, top_k
    from signkit.training.registries import get_task

    run = load_model(run_dir)
    task = get_task(run.task)
    for path in files:
        pose = run.read_input(path)
        tiers = task.timed(run, pose)  # None: one label per sample
        if tiers is None and eaf is not None:
            raise ConfigError("--eaf needs a run with timed output (task: ctc or tag)")
        if tiers is not None:
            target = eaf if eaf is None or len(files) == 1 else eaf / f"{path.stem}.eaf"
            _print_timed(path, tiers, target, as_json)
            continue
        ranked = top_k(run, pose, top)
        if as_json:
            print(json.dumps({"file": str(path), "glosses": [{"gloss": g, "probability": round(p, 6)}
                                                             for g, p in ranked]}, ensure_ascii=False))
        else:  # soft_wrap: one line per file whatever the terminal's width, for programs reading it
            console.print(escape(f"{path}: ") + ", ".join(f"{escape(g)} {100 * p:.1f} %" for g, p in ranked),
                          soft_wrap=True)


def _print_timed(path: Path, tiers: dict[str, list[tuple[str, float, float]]], eaf: Path | None,
                 as_json: bool) -> None:
    """One line per file: each tier's values with their times (a CTC run's one tier: glosses)."""
    from signkit.data.elan import write_eaf

    if as_json:
        print(json.dumps({"file": str(path), **{
            "glosses" if tier == "gloss" else tier: [{"gloss" if tier == "gloss" else "value": v,
                                                      "start": round(a, 3), "end": round(b, 3)}
                                                     for v, a, b in spans]
            for tier, spans in tiers.items()}}, ensure_ascii=False))
    else:
        listed = "; ".join(", ".join(escape(f"{v} {a:.2f}-{b:.2f} s") for v, a, b in spans) or
                           ("(no gloss)" if tier == "gloss" else f"(no {escape(tier)} marker)")
                           for tier, spans in tiers.items())
        console.print(escape(f"{path}: ") + listed, soft_wrap=True)
    if eaf is not None:
        eaf.parent.mkdir(parents=True, exist_ok=True)
        written = write_eaf(tiers, eaf, author="signkit predict")
        (err_console if as_json else console).print(f"wrote {written}")
