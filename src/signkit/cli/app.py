"""The ``signkit`` command line: thin commands over the library.

Errors a user can cause print as one line on stderr with a non-zero exit; set
``SIGNKIT_DEBUG=1`` to see tracebacks of unexpected errors.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from signkit.errors import SignkitError

app = typer.Typer(help="signkit: sign language processing toolkit.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def _load(path: Path, fps: float | None = None):
    from signkit.pose.io import load

    poses = load(path)
    if fps:
        for p in poses:
            p.fps = fps
    return poses


@app.command()
def info(file: Annotated[Path, typer.Argument(help="A .pose, .npz, .npy or OpenPose folder")]) -> None:
    """Frames, fps, layout and per-group detection rate of a pose file or collection."""
    poses = _load(file)
    first = poses[0]
    table = Table(title=str(file), show_header=False)
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
    console.print(table)
    rates = Table(title="frames with the group detected")
    rates.add_column("group")
    rates.add_column("rate", justify="right")
    from signkit.pose.articulators import GROUPS

    det = {g: [] for g in sorted(first.layout.groups, key=lambda g: (g not in GROUPS, GROUPS.index(g)
                                                                    if g in GROUPS else 0, g))}
    for p in poses:
        for g, r in p.detection_rate().items():
            det[g].append(r)
    for g, r in det.items():
        rates.add_row(g, f"{100 * float(np.mean(r)):.1f} %")
    console.print(rates)


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
    file: Annotated[Path, typer.Argument(help="A pose file")],
    output: Annotated[Path, typer.Option("-o", "--output", help="OUT.mp4, OUT.gif or OUT.png")],
    groups: Annotated[str, typer.Option(help="Groups to draw, e.g. hands+mouth")] = "all",
    index: Annotated[int, typer.Option(help="Which pose of a collection")] = 0,
    frame: Annotated[int | None, typer.Option(help="Frame drawn in a png (default: middle)")] = None,
    size: Annotated[int, typer.Option(help="Image width in pixels")] = 512,
) -> None:
    """Draw the skeleton with articulator groups in different colours."""
    from signkit.visualize import write_visualization

    poses = _load(file)
    if not 0 <= index < len(poses):
        raise SignkitError(f"{file}: --index {index} is outside 0..{len(poses) - 1}")
    pose = poses[index].select(groups)
    write_visualization(pose, output, size=size, frame=frame)
    console.print(f"wrote {output}")


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
    table = Table(title=f"Logistic regression, test signer {report.test_signer} (unseen in training)",
                  caption="Q/S: question/statement pairs; word acc.: pairs merged into one word")
    table.add_column("groups", no_wrap=True)
    for col in ("accuracy", "Q/S pairs", "mouth pair", "word acc.", "train/test"):
        table.add_column(col, justify="right")
    for r in report.results:
        table.add_row(r.groups, f"{100 * r.accuracy:.1f} %", f"{100 * r.question_pairs:.1f} %",
                      f"{100 * r.mouth_pair:.1f} %", f"{100 * r.word_accuracy:.1f} %",
                      f"{r.n_train}/{r.n_test}")
    console.print(table)
    hands, both = report.results[0], report.results[-1]
    console.print(f"Non-manual features add {100 * (both.question_pairs - hands.question_pairs):+.1f} "
                  f"points on question/statement pairs. Results: {out / 'demo_results.json'}")
    if save_data:
        from signkit.data.manifest import write_pose_dir
        from signkit.data.synthetic import generate

        manifest = write_pose_dir(generate(signers, repetitions, seed), out / "data")
        console.print(f"synthetic corpus: {manifest}")


def main() -> None:
    """Entry point: one-line errors instead of tracebacks."""
    try:
        app()
    except SignkitError as exc:
        err_console.print(f"error: {exc}", markup=False, highlight=False)
        sys.exit(1)
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
