"""The ``signkit`` command line: thin commands over the library.

Errors a user can cause print as one line on stderr with a non-zero exit; set
``SIGNKIT_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.markup import escape
from rich.table import Table

from signkit import safe_yaml
from signkit.cli.annotate import app as annotate_app
from signkit.cli.console import console, err_console, print_table, progress_bar
from signkit.cli.corpus import app as corpus_app
from signkit.cli.deploy import export, recognize
from signkit.cli.extract import extract
from signkit.cli.nonmanual import app as nonmanual_app
from signkit.cli.train import crossval, ensemble, models, predict, pretrain, train
from signkit.errors import SignkitError

# Markdown: the docstrings' line breaks are soft, so Rich wraps help sentences at the terminal's width.
app = typer.Typer(help="signkit: sign language processing toolkit.", no_args_is_help=True,
                  rich_markup_mode="markdown", pretty_exceptions_enable=False, add_completion=False)
app.command()(extract)
app.add_typer(annotate_app, name="annotate")
app.add_typer(corpus_app, name="corpus")
app.add_typer(nonmanual_app, name="nonmanual")
for _command in (train, pretrain, crossval, ensemble, models, predict, export, recognize):
    app.command()(_command)


def _load(path: Path, fps: float | None = None):
    from signkit.pose.io import load

    poses = load(path)
    if fps:
        for p in poses:
            p.fps = fps
    return poses


@app.command()
def info(file: Annotated[Path, typer.Argument(
        help="A .pose, .npz, .npy, OpenFace .csv or OpenPose folder")]) -> None:
    """Frames, fps, layout and per-group detection rate of a pose file or collection."""
    poses = _load(file)
    first = poses[0]
    table = Table(title=escape(str(file)), show_header=False)
    if len(poses) == 1:
        table.add_row("frames", str(first.num_frames))
        table.add_row("fps", f"{first.fps:g}" + (" (assumed)" if first.metadata.get("fps_assumed") else ""))
        table.add_row("duration", f"{first.duration:.2f} s")
        if first.width:
            table.add_row("frame size", f"{first.width} x {first.height}")
    else:
        lengths = np.array([len(p) for p in poses])
        table.add_row("poses", str(len(poses)))
        table.add_row("frames per pose", f"min {lengths.min()}, median {np.median(lengths):g}, "
                                         f"max {lengths.max()}")
        glosses = {p.metadata.get("gloss") for p in poses} - {None}
        signers = {p.metadata.get("signer") for p in poses} - {None}
        table.add_row("glosses", str(len(glosses)))
        if signers:
            table.add_row("signers", ", ".join(map(str, sorted(signers))))
    table.add_row("dimensions", str(first.num_dims))
    table.add_row("layout", first.layout.describe())
    if first.channels:
        table.add_row("channels", ", ".join(f"{k} ({v.shape[1]})" for k, v in first.channels.items()))
    print_table(table)
    rates = Table(title="frames with the group detected")
    rates.add_column("group")
    rates.add_column("rate", justify="right")
    for g, r in _mean_detection_rates(poses).items():
        rates.add_row(g, f"{100 * r:.1f} %")
    print_table(rates)


def _mean_detection_rates(poses) -> dict[str, float]:
    """Mean over poses of each group's detection rate, articulator groups in their usual order."""
    from signkit.pose.articulators import GROUPS

    groups = sorted(poses[0].layout.groups,
                    key=lambda g: (g not in GROUPS, GROUPS.index(g) if g in GROUPS else 0, g))
    per_pose = [p.detection_rate() for p in poses]
    return {g: float(np.mean([r[g] for r in per_pose])) for g in groups}


@app.command()
def transforms() -> None:
    """List the registered pose transforms, their parameters and defaults (for recipes)."""
    import inspect

    from signkit.transforms import TRANSFORMS

    table = Table(title="transforms (data.preprocess, data.augment, data.features)")
    for col in ("name", "parameters", "description"):
        table.add_column(col)
    for name, cls in TRANSFORMS.items():
        params = ", ".join(p.name if p.default is inspect.Parameter.empty else f"{p.name}={p.default!r}"
                           for p in inspect.signature(cls).parameters.values())
        summary = " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())
        table.add_row(name, escape(params), escape(summary))
    print_table(table)


@app.command()
def convert(
    src: Annotated[Path, typer.Argument(help="Input: .pose, .npz, .npy or OpenPose folder")],
    dst: Annotated[Path, typer.Argument(help="Output: .pose, .npy, OpenPose folder, or a folder "
                                             "of .pose files + manifest.csv for collections")],
    fps: Annotated[float | None, typer.Option(help="Frame rate to record (inputs without one)")] = None,
) -> None:
    """Convert between pose formats."""
    from signkit.data.manifest import write_pose_dir
    from signkit.pose.io import write_pose

    poses = _load(src, fps)
    if len(poses) == 1:
        write_pose(poses[0], dst)
        console.print(f"wrote {dst}")
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("writing", total=len(poses))
        manifest = write_pose_dir(poses, dst, lambda i: bar.advance(task))
    console.print(f"wrote {len(poses)} .pose files and {manifest}")


@app.command()
def visualize(
    file: Annotated[str, typer.Argument(help="A pose file; with --all, also a dataset (LOADER:PATH, "
                                             "e.g. synthetic:4x6)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="OUT.mp4, OUT.gif or OUT.png; a "
                                                                "folder with --all")],
    groups: Annotated[str, typer.Option(help="Groups to draw, e.g. hands+mouth")] = "all",
    index: Annotated[int, typer.Option(help="Which pose of a collection")] = 0,
    frame: Annotated[int | None, typer.Option(help="Frame drawn in a png (default: middle)")] = None,
    size: Annotated[int, typer.Option(help="Image width in pixels")] = 512,
    video: Annotated[Path | None, typer.Option(help="Draw over the frames of this source video")] = None,
    crop: Annotated[str | None, typer.Option(help="Crop box x,y,w,h used at extraction")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every pose of the collection or dataset as an "
                                                       "mp4 in OUTPUT, listed with its gloss and "
                                                       "signer in manifest.csv (a video_dir dataset)")
                     ] = False,
) -> None:
    """Draw the skeleton with articulator groups in different colours (over the video with --video)."""
    from signkit.visualize import write_visualization

    if every:
        _visualize_all(file, output, size, groups)
        return
    poses = _load(Path(file))
    if not 0 <= index < len(poses):
        raise SignkitError(f"{file}: --index {index} is outside 0..{len(poses) - 1}")
    pose = poses[index].select(groups)
    if video is None:
        write_visualization(pose, output, size=size, frame=frame)
    else:
        from signkit.visualize.overlay import write_overlay

        write_overlay(pose, video, output, crop=crop, frame=frame)
    console.print(f"wrote {output}")


def _visualize_all(spec: str, out: Path, size: int, groups: str) -> None:
    from signkit.data.dataset import load_dataset
    from signkit.visualize.render import write_video_dir

    poses = _load(Path(spec)) if Path(spec).exists() else load_dataset(spec).samples
    with progress_bar("videos") as bar:
        task = bar.add_task("drawing", total=len(poses))
        manifest = write_video_dir(poses, out, size, groups, lambda i: bar.update(task, completed=i + 1))
    console.print(f"wrote {len(poses)} videos and {manifest} (dataset video_dir:{out})")


@app.command()
def demo(
    out: Annotated[Path, typer.Option(help="Folder for results (and data with --save-data)")] = Path(
        "demo_out"),
    signers: Annotated[int, typer.Option(help="Synthetic signers (the last one is the test signer)")] = 5,
    repetitions: Annotated[int, typer.Option(help="Repetitions of each sign per signer")] = 12,
    seed: Annotated[int, typer.Option()] = 0,
    save_data: Annotated[bool, typer.Option(help="Also write the synthetic corpus as .pose files")] = False,
) -> None:
    """End to end on built-in data: hands only vs hands + non-manual on an unseen signer."""
    from signkit.demo import run_demo

    with console.status("demo") as status:
        report = run_demo(signers, repetitions, seed, out, progress=lambda m: status.update(m))
    table = Table(title=f"Test signer {report.test_signer} (unseen in training)",
                  caption="Q/S: question/statement pairs; word acc.: pairs merged into one word")
    table.add_column("model", no_wrap=True)
    table.add_column("groups", no_wrap=True)
    for col in ("accuracy", "Q/S pairs", "mouth pair", "word acc.", "train/test"):
        table.add_column(col, justify="right")
    for r in report.results:
        table.add_row(r.model, r.groups, f"{100 * r.accuracy:.1f} %", f"{100 * r.question_pairs:.1f} %",
                      f"{100 * r.mouth_pair:.1f} %", f"{100 * r.word_accuracy:.1f} %",
                      f"{r.n_train}/{r.n_test}")
    print_table(table, markdown=out / "demo_results.md")
    hands, both = report.results[0], report.results[1]
    console.print(f"Non-manual features add {100 * (both.question_pairs - hands.question_pairs):+.1f} "
                  f"points on question/statement pairs. Results: {out / 'demo_results.json'}, "
                  f"{out / 'demo_results.md'}")
    if save_data:
        from signkit.data.manifest import write_pose_dir
        from signkit.data.synthetic import generate

        manifest = write_pose_dir(generate(signers, repetitions, seed), out / "data")
        console.print(f"synthetic corpus: {manifest}")


data_app = typer.Typer(help="Inspect datasets and build continuous sequences.", no_args_is_help=True,
                       rich_markup_mode="markdown")
app.add_typer(data_app, name="data")

def _dataset_help() -> str:
    from signkit.data.dataset import DATASETS

    return (f"LOADER:PATH, e.g. krsl20:data/krsl20.npz or synthetic:5x12 (loaders: "
            f"{', '.join(DATASETS)})")


DatasetArg = Annotated[str, typer.Argument(help=_dataset_help())]


@data_app.command("check")
def data_check(
    dataset: DatasetArg,
    tolerance: Annotated[float, typer.Option(help="Near-duplicate RMS tolerance (fraction of "
                                                  "the coordinate spread)")] = 1e-3,
) -> None:
    """Samples per class and signer, lengths, detection rates, exact and near duplicates."""
    from collections import Counter

    from signkit.data.dataset import load_dataset
    from signkit.data.duplicates import exact_duplicate_groups, near_duplicate_groups

    with console.status(f"loading {dataset}"):
        ds = load_dataset(dataset)
    glosses, signers = ds.glosses, ds.signers
    # Continuous samples (a gloss sequence each): count the glosses they hold, not the sequences.
    sequences = [g.split() for g in glosses.tolist()]
    continuous = any(len(q) > 1 for q in sequences)
    names = sorted(set(signers.tolist()))
    counts = Counter((g, sgn) for q, sgn in zip(sequences, signers.tolist(), strict=True) for g in q)
    vocabulary = sorted({g for q in sequences for g in q})
    what = (f"{len(ds)} sequences of {min(map(len, sequences))}-{max(map(len, sequences))} glosses, "
            f"{len(vocabulary)} glosses" if continuous else f"{len(ds)} samples, {len(vocabulary)} glosses")
    table = Table(title=escape(f"{dataset}: {what}"),
                  caption="glosses over all sequences" if continuous else None)
    table.add_column("gloss")
    for s_name in names:
        table.add_column(f"signer {s_name}" if s_name else "samples", justify="right")
    for g in vocabulary:
        table.add_row(escape(g), *[str(counts[(g, s_name)]) for s_name in names])
    print_table(table)
    lengths = np.array([len(p) for p in ds.samples])
    console.print(f"frames per sample: min {lengths.min()}, median {np.median(lengths):g}, "
                  f"mean {lengths.mean():.1f}, max {lengths.max()}")
    console.print("detection rate: " + ", ".join(
        f"{g} {100 * r:.1f} %" for g, r in _mean_detection_rates(ds.samples).items()))
    with console.status("looking for duplicates"):
        exact = exact_duplicate_groups(ds.samples)
        near = near_duplicate_groups(ds.samples, tolerance)
    n_exact = sum(len(g) - 1 for g in exact)
    n_near = sum(len(g) - 1 for g in near)
    cross = sum(len({signers[i] for i in g}) > 1 for g in exact)
    console.print(f"exact duplicates: {n_exact} samples repeat another ({len(exact)} groups, "
                  f"{cross} of them across signers); near duplicates: {n_near} "
                  f"({len(near)} groups). Use --dedup in baseline/ablate to drop them.")


def _range(text: str, option: str) -> tuple[int, int]:
    """``"2-6"`` (or ``"3"``) -> ``(2, 6)``."""
    low, _, high = text.partition("-")
    try:
        return int(low), int(high or low)
    except ValueError:
        raise SignkitError(f"{option} {text!r}: expected LOW-HIGH frames, e.g. 2-6") from None


@data_app.command("chain")
def data_chain(
    dataset: DatasetArg,
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the .pose files and manifest.csv")],
    min_signs: Annotated[int, typer.Option("--min", help="Fewest signs per sequence")] = 2,
    max_signs: Annotated[int, typer.Option("--max", help="Most signs per sequence")] = 6,
    per_signer: Annotated[int, typer.Option(help="Sequences per signer")] = 100,
    seed: Annotated[int, typer.Option()] = 0,
    transition: Annotated[str, typer.Option(help="Interpolated frames between two signs, LOW-HIGH")] = "2-6",
    rest: Annotated[str, typer.Option(help="Rest frames (nothing detected) between two signs, "
                                           "LOW-HIGH")] = "0-0",
) -> None:
    """Continuous sequences from isolated signs: random samples of ONE signer joined in order
    with interpolated transitions; a pose_dir dataset (gloss: the sequence; spans: each sign's
    frames) for task: ctc recipes."""
    from rich.progress import Progress

    from signkit.data.chain import chain_dataset
    from signkit.data.dataset import load_dataset
    from signkit.data.manifest import write_pose_dir

    transitions, rests = _range(transition, "--transition"), _range(rest, "--rest")
    with console.status(f"loading {dataset}"):
        ds = load_dataset(dataset)
    with Progress(console=console, transient=True) as bar:
        n = per_signer * len(set(ds.signers.tolist()))
        task = bar.add_task("chaining", total=n)
        seqs = chain_dataset(ds, min_signs, max_signs, per_signer, seed, transitions, rests,
                             lambda i: bar.update(task, completed=i))
        task = bar.add_task("writing", total=n)
        manifest = write_pose_dir(seqs, out, lambda i: bar.advance(task), extra=("spans", "sources"))
    lengths = np.array([len(p) for p in seqs])
    console.print(f"{len(seqs)} sequences of {min_signs}-{max_signs} signs, {lengths.min()}-{lengths.max()} "
                  f"frames (median {np.median(lengths):g}): {manifest}")


def _preprocess_steps(text: str | None) -> list[str | dict] | None:
    """``--preprocess`` as a YAML list of transforms, checked before any data is read."""
    from signkit.transforms import build_transforms

    if text is None:
        return None
    steps = safe_yaml.loads(text, "--preprocess")
    if not isinstance(steps, list):
        raise SignkitError("--preprocess: a YAML list of transforms, e.g. "
                           "'[{name: interpolate, max_gap: 5}, order_hands]'")
    try:
        build_transforms(steps)
    except SignkitError as exc:
        raise SignkitError(f"--preprocess: {exc}") from None
    return steps


@contextmanager
def _fold_progress():
    """A progress bar over the folds of baseline and ablate, with ETA: yields the two callbacks
    of :func:`run_baseline` (what runs; folds done of all)."""
    with progress_bar("folds", transient=True) as bar:
        task = bar.add_task("features", total=None)
        yield (lambda m: bar.update(task, description=escape(m)),
               lambda done, total: bar.update(task, completed=done, total=total))


def _split_for(ds, split: str) -> str:
    """Leave-one-signer-out (the default) on a dataset with one signer falls back to the random
    split, saying so."""
    signers = set(ds.signers.tolist())
    if split == "loso" and len(signers) < 2:
        console.print(f"{escape(ds.name)} has {len(signers)} signer: leave-one-signer-out is impossible, "
                      "so the split is random, stratified by gloss (--split random chooses it)")
        return "random"
    return split


def _baseline_config(groups: str, split: str, repeats: int, classifier: str, length: int,
                     sampling: str, merge: str | None, dedup: bool, seed: int,
                     preprocess: str | None = None):
    from signkit.baselines.experiment import BaselineConfig
    from signkit.baselines.features import SAMPLERS

    if sampling not in SAMPLERS:
        raise SignkitError(f"--sampling must be one of {', '.join(SAMPLERS)}, not {sampling!r}")
    return BaselineConfig(groups=groups, split=split, repeats=repeats, classifier=classifier,
                          length=length, sampling=sampling, merge=merge, dedup=dedup, seed=seed,
                          preprocess=_preprocess_steps(preprocess))


SplitOpt = Annotated[str, typer.Option(help="krsl, loso, random, or a split .json file")]
RepeatsOpt = Annotated[int, typer.Option(help="Repeated seeded splits (mean and std over all)")]
ClassifierOpt = Annotated[str, typer.Option(help="logreg, svm or random_forest")]
LengthOpt = Annotated[int, typer.Option(help="Frames per sample after sampling")]
SamplingOpt = Annotated[str, typer.Option(help="uniform or krsl (K-RSL fixed-length sampling)")]
MergeOpt = Annotated[str | None, typer.Option(help="Merge classes for a second accuracy: "
                                                   "'s/q$//' or a CSV of gloss,merged")]
DedupOpt = Annotated[bool, typer.Option(help="Drop exact and near duplicates before splitting")]
PreprocessOpt = Annotated[str | None, typer.Option(
    help="Transforms before the groups are selected, a YAML list as in a recipe's data.preprocess, "
         "e.g. '[{name: interpolate, max_gap: 5}, drop_resting_hand, order_hands]' "
         "(default: fill gaps, centre on the shoulders)")]
OutOpt = Annotated[Path, typer.Option("-o", "--out", help="Output folder")]


@app.command()
def baseline(
    dataset: DatasetArg,
    groups: Annotated[str, typer.Option(help="Articulator groups, e.g. hands+mouth")] = "hands",
    split: SplitOpt = "loso", repeats: RepeatsOpt = 1, classifier: ClassifierOpt = "logreg",
    length: LengthOpt = 30, sampling: SamplingOpt = "uniform", merge: MergeOpt = None,
    dedup: DedupOpt = False, seed: int = 0, preprocess: PreprocessOpt = None,
    out: OutOpt = Path("runs/baseline"),
) -> None:
    """Classical baseline (logistic regression on fixed-length sequences) over repeated splits."""
    from signkit.baselines.experiment import run_baseline
    from signkit.data.dataset import load_dataset
    from signkit.reports.metrics import format_summary

    cfg = _baseline_config(groups, split, repeats, classifier, length, sampling, merge, dedup, seed,
                           preprocess)
    with console.status(f"loading {dataset}"):
        ds = load_dataset(dataset)
    cfg.split = split = _split_for(ds, split)
    with _fold_progress() as (progress, on_fold):
        result = run_baseline(ds, cfg, out, progress, on_fold)
    table = Table(title=escape(f"{dataset} [{groups}], split {split}, {len(result['runs'])} runs "
                               f"({result['n_used']} of {result['n_samples']} samples)"))
    for name in format_summary(result["summary"]):
        table.add_column(name, justify="right")
    table.add_row(*format_summary(result["summary"]).values())
    print_table(table, markdown=out / "summary.md")
    console.print(f"metrics, splits, vocabulary, confusion matrix, summary.md: {out}")


@app.command()
def ablate(
    dataset: DatasetArg,
    groups: Annotated[list[str], typer.Option(help="Group sets to compare (repeat the option or "
                                                   "list them after it)")] = ["hands", "hands+non_manual"],  # noqa: B006
    split: SplitOpt = "loso", repeats: RepeatsOpt = 1, classifier: ClassifierOpt = "logreg",
    length: LengthOpt = 30, sampling: SamplingOpt = "uniform", merge: MergeOpt = None,
    dedup: DedupOpt = False, seed: int = 0, preprocess: PreprocessOpt = None,
    out: OutOpt = Path("runs/ablation"),
) -> None:
    """Compare articulator-group sets: markdown table, CSV and bar chart with error bars."""
    from signkit.baselines.experiment import run_ablation
    from signkit.data.dataset import load_dataset

    cfg = _baseline_config("", split, repeats, classifier, length, sampling, merge, dedup, seed,
                           preprocess)
    with console.status(f"loading {dataset}"):
        ds = load_dataset(dataset)
    cfg.split = _split_for(ds, split)
    with _fold_progress() as (progress, on_fold):
        run_ablation(ds, groups, cfg, out, progress, on_fold)
    console.print((out / "ablation.md").read_text(), markup=False)
    console.print(f"table, CSV and chart: {out / 'ablation.md'}, {out / 'ablation.csv'}, "
                  f"{out / 'ablation.png'}")


@app.command()
def evaluate(
    run_dir: Annotated[Path, typer.Argument(help="A folder written by baseline, train or ensemble")],
    dataset: DatasetArg,
    merge: MergeOpt = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Folder for the report")] = None,
    signers: Annotated[str | None, typer.Option(
        help="Only these signers, comma-separated, e.g. the test signer of a leave-one-signer-out "
             "fold: --signers 3")] = None,
    test_part: Annotated[bool, typer.Option(
        help="Only the samples the run was tested on (the test part of its splits.json), e.g. "
             "for a run trained on a split file that put some of the test signer in training")] = False,
    beam: Annotated[int | None, typer.Option(help="CTC runs: beam width (0: greedy; default: the "
                                                  "recipe's decode.beam_width)")] = None,
    lm_order: Annotated[int | None, typer.Option(help="CTC runs: n-gram gloss LM order (0: none; "
                                                      "default: the recipe's decode.lm_order)")] = None,
) -> None:
    """Evaluate a trained model on a dataset of the same glosses (its vocabulary is saved). A
    continuous (CTC) run reports WER, its substitutions, deletions and insertions and SER, per
    signer too, and writes alignments.csv and posteriors.png."""
    from signkit.baselines.experiment import evaluate_saved
    from signkit.data.dataset import load_dataset
    from signkit.reports.metrics import metric_name
    from signkit.runs import write_info

    where = out or run_dir / "evaluation"
    with console.status(f"loading {dataset}"):
        ds = load_dataset(dataset)
        if test_part:
            from signkit.data.splits import tested_part

            ds = tested_part(run_dir, ds)
        if signers:
            ds = ds.of_signers([s.strip() for s in signers.split(",") if s.strip()])
        from signkit.inference import evaluate_run, is_deep_run

        decode = {k: v for k, v in (("beam_width", beam), ("lm_order", lm_order)) if v is not None}
        if is_deep_run(run_dir):
            report = evaluate_run(run_dir, ds, merge, where, decode)
        else:
            report = evaluate_saved(run_dir, ds, merge, where)
    per_signer = report.pop("per_signer", {})
    table = Table(title=escape(f"{run_dir} on {ds.name} ({len(ds)} samples)"))
    if per_signer:
        table.add_column("signer")
    for k in report:
        table.add_column(metric_name(k), justify="right")
    table.add_row(*(["all"] if per_signer else []), *[f"{100 * v:.2f}" for v in report.values()])
    for signer, r in per_signer.items():
        table.add_row(escape(signer), *[f"{100 * r[k]:.2f}" for k in report])
    print_table(table, markdown=where / "evaluation.md")
    write_info(where, "evaluation", run=str(run_dir), dataset=ds.name)
    console.print(f"report: {where}")


@app.command()
def report(
    folder: Annotated[Path, typer.Argument(help="A folder of train, crossval, ensemble, baseline, ablate "
                                                "or evaluate")],
    out: Annotated[Path | None, typer.Option("-o", "--out", help="The HTML file (default: "
                                                                 "FOLDER/report.html)")] = None,
) -> None:
    """One HTML page to look at rather than read JSON: metrics, learning curves, confusion matrix,
    per-class accuracy, ablation chart, a CTC run's posteriors and alignments."""
    from signkit.reports.page import write_report

    console.print(f"report: {write_report(folder, out)}")


@data_app.command("prepare")
def data_prepare(
    name: Annotated[str, typer.Argument(help="wlasl, autsl, lsa64 or include")],
    root: Annotated[Path, typer.Argument(help="The dataset's folder, as downloaded")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for poses/, manifest.csv and split files")],
    workers: Annotated[int | None, typer.Option(help="Extraction workers (default: CPU cores)")] = None,
    backend: Annotated[str, typer.Option(help="process or ray")] = "process",
    subset: Annotated[str | None, typer.Option(help="WLASL: 100, 300, 1000 or 2000 glosses")] = None,
) -> None:
    """A public dataset in its published layout -> poses, a pose_dir manifest and split files."""
    from signkit.data.prepare import MANIFEST, SPLITS_OWN, SPLITS_SIGNER, prepare

    progress = progress_bar("videos")
    task = progress.add_task(f"prepare {name}", total=None)

    def on_event(event, total: int) -> None:
        if not isinstance(event, int):
            progress.update(task, total=total, advance=1)

    with progress:
        result = prepare(name, root, out, workers, backend, subset, on_event)
    console.print(f"{result.extracted} of {result.items} samples ready in {escape(str(out))}: "
                  f"{MANIFEST} (dataset pose_dir:{escape(str(out))}), {SPLITS_OWN}"
                  + (f", {SPLITS_SIGNER}" if (out / SPLITS_SIGNER).is_file() else ""))
    if result.missing_videos:
        console.print(f"{len(result.missing_videos)} videos named by the labels are not in "
                      f"{escape(str(root))} (e.g. {escape(result.missing_videos[0])})")
    for video, why in result.failed[:10]:
        console.print(f"  failed: {escape(video)}: {escape(why)}")


def _expand_multi_option(argv: list[str], option: str) -> list[str]:
    """``--groups a b c`` -> ``--groups a --groups b --groups c`` (Click options take one value
    per occurrence; the documented form lists several after one option)."""
    out, i = [], 0
    while i < len(argv):
        out.append(argv[i])
        if argv[i] == option:
            i += 1
            values = []
            while i < len(argv) and not argv[i].startswith("-"):
                values.append(argv[i])
                i += 1
            out.extend(values[:1])
            for v in values[1:]:
                out.extend([option, v])
            continue
        i += 1
    return out


def main() -> None:
    """Entry point: one-line errors instead of tracebacks."""
    try:
        args = sys.argv[1:]
        if args[:1] == ["ablate"]:
            args = _expand_multi_option(args, "--groups")
        app(args=args, prog_name="signkit")
    except SignkitError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("SIGNKIT_DEBUG"):
            raise
        err_console.print(f"error: unexpected {type(exc).__name__}: {exc} "
                          "(set SIGNKIT_DEBUG=1 for the traceback)", markup=False, highlight=False)
        sys.exit(2)


if __name__ == "__main__":
    main()
