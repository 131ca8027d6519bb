"""``signkit corpus build`` and ``signkit corpus info``: the HDF5 pose corpus for pretraining."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from signkit.cli.console import console, progress_bar, stop_on_sigterm
from signkit.errors import SignkitError

app = typer.Typer(help="Build and inspect an HDF5 pose corpus (pretraining data).", no_args_is_help=True,
                  rich_markup_mode="markdown")


def pose_sources(inputs: list[Path]) -> list[Path]:
    """Files as given; folders searched recursively (sorted) for files that a registered pose
    format reads (``.pose``, ``.npz``, ``.npy``, OpenHands' ``.pkl``, ...)."""
    from signkit.pose.io import FORMATS

    def readable(f: Path) -> bool:
        return f.is_file() and any(fmt.sniff(f) for _, fmt in FORMATS.items())

    found: list[Path] = []
    for p in inputs:
        found += sorted(filter(readable, p.rglob("*"))) if p.is_dir() else [p]
    return found


@app.command()
def build(
    inputs: Annotated[list[Path], typer.Argument(help="Pose files (.pose, .npz, .npy) or folders of them")],
    out: Annotated[Path, typer.Option("-o", "--out", help="The corpus file (.h5); appended to if it exists")],
    workers: Annotated[int, typer.Option(help="Processes reading the sources")] = 1,
    backend: Annotated[str, typer.Option(help="process or ray")] = "process",
) -> None:
    """Add every pose of the inputs to one HDF5 corpus; a re-run adds only what is new."""
    from signkit.corpus import build_corpus
    from signkit.errors import ConfigError

    if backend not in ("process", "ray"):
        raise ConfigError(f"--backend {backend!r}: choose process or ray")
    sources = pose_sources(inputs)
    if not sources:
        raise ConfigError("no pose files in " + ", ".join(map(str, inputs)))
    stop_on_sigterm()
    progress = progress_bar("sources")
    task = progress.add_task("corpus", total=len(sources))
    with progress:
        result = build_corpus(sources, out, workers, backend,
                              on_source=lambda path, added: progress.advance(task))
        progress.update(task, completed=len(sources))
    console.print(f"{result.added_videos} videos added from {len(sources) - result.skipped_sources} "
                  f"sources, {result.skipped_sources} sources already in {escape(str(out))}, "
                  f"{len(result.failed)} failed")
    for path, why in result.failed[:10]:
        console.print(f"  failed: {escape(why if path in why else f'{path}: {why}')}")
    if result.interrupted:
        console.print("interrupted: the corpus is valid; run the same command again to go on")
        raise typer.Exit(130)
    if result.failed:
        raise SignkitError(f"{len(result.failed)} of {len(sources)} sources could not be read")


@app.command()
def info(corpus: Annotated[Path, typer.Argument(help="A corpus file from `signkit corpus build`")]) -> None:
    """Videos, frames, hours, layouts and per-group detection rates of a corpus."""
    from signkit.corpus import summarize

    s = summarize(corpus)
    table = Table(title=escape(str(corpus)), show_header=False)
    for name, value in [("videos", f"{s.videos:,}"), ("sources", f"{s.sources:,}"),
                        ("frames", f"{s.frames:,}"), ("hours", f"{s.hours:.2f}"),
                        ("file size", f"{s.size_bytes / 2**20:.1f} MiB")]:
        table.add_row(name, value)
    for name, n in sorted(s.layouts.items()):
        table.add_row(f"layout {escape(name)}", f"{n:,} videos")
    for group, rate in s.detection.items():
        table.add_row(f"detected: {group}", f"{100 * rate:.1f} % of frames")
    console.print(table)
