"""The unit of work both backends run: one video -> one ``.pose`` written atomically + a report row."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from signkit.errors import SignkitError
from signkit.extract.jobs import Job
from signkit.extract.report import DONE, FAILED, ReportRow


@dataclass(frozen=True)
class ExtractOptions:
    refine_face: bool = False
    min_detection: float = 0.0
    world: bool = False  # also MediaPipe's world landmarks (the body in metres)


# One estimator per worker process, reused across its videos (building the graph takes ~1 s).
_ESTIMATOR = None


def _estimator(options: ExtractOptions):
    global _ESTIMATOR
    from signkit.extract.holistic import HolisticEstimator

    wanted = (options.refine_face, options.world)
    if _ESTIMATOR is None or (_ESTIMATOR.refine_face, _ESTIMATOR.world) != wanted:
        _ESTIMATOR = HolisticEstimator(options.refine_face, world=options.world)
    return _ESTIMATOR


def extract_job(job: Job, out_dir: Path, options: ExtractOptions,
                on_frame: Callable[[], None] | None = None) -> ReportRow:
    """Extract ``job`` into ``out_dir``; never raises for a bad video: the row carries the reason."""
    from signkit.extract.holistic import extract_video
    from signkit.pose.io.base import write_pose

    row = ReportRow(video=str(job.video), output=str(job.output_name), status=DONE)
    start = time.perf_counter()
    try:
        pose = extract_video(job.video, job.crop, options.refine_face, _estimator(options),
                             on_frame, job.frames)
        write_pose(pose, out_dir / job.output_name)  # temporary name, renamed when complete
        row.fill_from(pose)
    except SignkitError as exc:
        row.status, row.error = FAILED, getattr(exc, "problem", str(exc))
    except Exception as exc:  # one bad video must not stop a batch of thousands
        row.status, row.error = FAILED, f"{exc.__class__.__name__}: {exc}"
    row.seconds = round(time.perf_counter() - start, 3)
    row.flag(options.min_detection)
    return row
