"""Batch extraction: resume, run on a backend, keep the report current, stop cleanly on Ctrl-C."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from signkit.errors import SignkitError
from signkit.extract.backends import BACKENDS
from signkit.extract.jobs import Job, collect_jobs
from signkit.extract.report import SKIPPED, ReportRow, read_report, write_report
from signkit.extract.video import Crop
from signkit.extract.worker import ExtractOptions

_REPORT_EVERY_S = 30.0


class ExtractionInterrupted(SignkitError):
    """Ctrl-C: finished outputs and the report are kept; a re-run resumes."""

    exit_code = 130


def _skipped_row(job: Job, out: Path, previous: ReportRow | None) -> ReportRow:
    """A row for an output finished by an earlier run (its figures from that run's report)."""
    if previous is not None:
        previous.status = SKIPPED
        return previous
    from signkit.pose.io.base import read_pose

    row = ReportRow(video=str(job.video), output=str(job.output_name), status=SKIPPED)
    try:
        row.fill_from(read_pose(out))
    except SignkitError as exc:
        row.error = f"finished earlier but unreadable now: {exc}"
    return row


def _remove_partials(out_dir: Path) -> None:
    """Temporary files of a run that was killed: their videos are redone."""
    for tmp in out_dir.rglob(".*.pose.*.partial"):
        tmp.unlink(missing_ok=True)


def run_extraction(inputs: list[Path], out_dir: str | Path, workers: int | None = None,
                   backend: str = "process", address: str | None = None, crop: Crop | None = None,
                   refine_face: bool = False, resume: bool = True, min_detection: float = 0.0,
                   on_event: Callable[[int | ReportRow, int], None] | None = None,
                   jobs: list[Job] | None = None, world: bool = False) -> list[ReportRow]:
    """Extract every video of ``inputs`` into ``out_dir``; returns the report rows (also written as CSV).

    ``on_event(event, total)`` sees each finished row (and frame counts while videos run) and
    the number of videos to extract in this run, for progress bars. ``jobs`` replaces what
    ``inputs`` name (a dataset preparer's videos, output names, crops and frame ranges).
    ``world`` adds MediaPipe's world landmarks (``POSE_WORLD_LANDMARKS``) to every pose.
    """
    run = BACKENDS.get(backend)
    out_dir = Path(out_dir)
    jobs = collect_jobs(inputs, crop) if jobs is None else jobs
    if not jobs:
        raise SignkitError("no videos found in " + ", ".join(map(str, inputs)))
    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_partials(out_dir)
    previous = read_report(out_dir)
    rows: dict[str, ReportRow] = {}
    todo = []
    for job in jobs:
        out = out_dir / job.output_name
        if resume and out.is_file():
            rows[str(job.output_name)] = _skipped_row(job, out, previous.get(str(job.output_name)))
        else:
            todo.append(job)
    # Longest first (by file size), so the last worker to finish is not the one with the longest video.
    todo.sort(key=lambda j: j.video.stat().st_size if j.video.is_file() else 0, reverse=True)
    workers = max(1, min(workers or os.cpu_count() or 1, len(todo) or 1))
    options = ExtractOptions(refine_face, min_detection, world)
    last_write = time.monotonic()
    events = run(todo, out_dir, options, workers, address) if todo else iter(())
    try:
        for event in events:
            if isinstance(event, ReportRow):
                rows[event.output] = event
                if time.monotonic() - last_write > _REPORT_EVERY_S:
                    write_report(list(rows.values()), out_dir)
                    last_write = time.monotonic()
            if on_event is not None:
                on_event(event, len(todo))
    except KeyboardInterrupt:
        events.close()
        write_report(list(rows.values()), out_dir)
        done = sum(1 for r in rows.values() if r.status != SKIPPED)
        raise ExtractionInterrupted(
            f"interrupted: {done} of {len(todo)} videos finished in this run; finished outputs are "
            f"kept, run the same command again to do the rest") from None
    write_report(list(rows.values()), out_dir)
    return sorted(rows.values(), key=lambda r: r.video)
