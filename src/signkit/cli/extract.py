"""``signkit extract``: videos -> MediaPipe Holistic ``.pose`` files, with a progress bar and a report."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import TextColumn

from signkit.cli.console import console, progress_bar, stop_on_sigterm
from signkit.errors import SignkitError


def extract(
    inputs: Annotated[list[Path], typer.Argument(help="Video files, folders (searched recursively) "
                                                      "or CSV manifests (path[, crop])")],
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder (mirrors input paths)")],
    workers: Annotated[int | None, typer.Option(help="Parallel workers (default: CPU cores)")] = None,
    backend: Annotated[str, typer.Option(help="process or ray")] = "process",
    address: Annotated[str | None, typer.Option(help="Ray cluster address (default: a local Ray)")] = None,
    crop: Annotated[str | None, typer.Option(help="Crop box x,y,w,h for every video")] = None,
    refine_face: Annotated[bool, typer.Option(help="478 face points (with irises) instead of 468")] = False,
    resume: Annotated[bool, typer.Option(help="Skip videos whose .pose already exists")] = True,
    min_detection: Annotated[float, typer.Option(
        help="Flag videos whose face or hands are found in fewer frames than this fraction")] = 0.5,
    world: Annotated[bool, typer.Option(
        help="Also keep MediaPipe's world landmarks (POSE_WORLD_LANDMARKS: the body's 33 points in "
             "metres, for head and body measures)")] = False,
) -> None:
    """Extract body, face and hand keypoints (MediaPipe Holistic) from videos into .pose files."""
    from signkit.extract.report import DONE, FAILED, REPORT_NAME, SKIPPED, ReportRow
    from signkit.extract.runner import run_extraction
    from signkit.extract.video import Crop

    box = Crop.parse(crop) if crop else None
    stop_on_sigterm()
    frames = 0
    start = time.perf_counter()
    progress = progress_bar("videos", TextColumn("{task.fields[fps]:.1f} frames/s"))
    task = progress.add_task("extract", total=None, fps=0.0)

    def on_event(event: int | ReportRow, total: int) -> None:
        nonlocal frames
        if isinstance(event, ReportRow):
            progress.update(task, total=total, advance=1)
        else:
            frames += event
            progress.update(task, total=total, fps=frames / max(time.perf_counter() - start, 1e-9))

    with progress:
        rows = run_extraction(inputs, out, workers, backend, address, box, refine_face, resume,
                              min_detection, on_event, world=world)
    counts = Counter(r.status for r in rows)
    low = [r for r in rows if r.low_detection]
    console.print(f"{counts[DONE]} extracted, {counts[SKIPPED]} already done, {counts[FAILED]} failed, "
                  f"{len(low)} with low detection (< {min_detection:g}); report: {out / REPORT_NAME}")
    for r in low[:10]:
        console.print(f"  low detection: {escape(r.video)}: {r.low_detection}")
    failed = [r for r in rows if r.status == FAILED]
    for r in failed[:10]:
        console.print(f"  failed: {escape(r.video)}: {escape(r.error)}")
    if failed:
        raise SignkitError(f"{len(failed)} of {len(rows)} videos failed; reasons in {out / REPORT_NAME}")
