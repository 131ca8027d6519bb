"""What to extract: videos from files, folders or a CSV manifest, and where each output goes."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from signkit.errors import ConfigError
from signkit.extract.video import VIDEO_SUFFIXES, Crop, find_videos


@dataclass(frozen=True)
class Job:
    """One video, the output path relative to OUT_DIR, its crop box, and the frames to keep
    (``[start, stop)``, 0-based, ``stop`` None for the end; ``None``: all)."""

    video: Path
    relative: Path
    crop: Crop | None = None
    frames: tuple[int, int | None] | None = None

    @property
    def output_name(self) -> Path:
        return self.relative.with_suffix(".pose")


def _manifest_jobs(manifest: Path, crop: Crop | None) -> list[Job]:
    """Rows ``path[,crop]`` or ``path,x,y,w,h``; relative paths are relative to the manifest."""
    with manifest.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows or "path" not in rows[0]:
        raise ConfigError(f"{manifest}: a manifest needs a 'path' column (and optionally 'crop' "
                          "as x,y,w,h, or columns x, y, w, h)")
    jobs = []
    for line, row in enumerate(rows, start=2):
        rel = Path(row["path"])
        row_crop = crop
        try:
            if row.get("crop"):
                row_crop = Crop.parse(row["crop"])
            elif all(row.get(k) for k in "xywh"):
                row_crop = Crop.parse(",".join(row[k] for k in "xywh"))
        except ConfigError as exc:
            raise ConfigError(f"{manifest}, line {line}: {exc}") from None
        video = rel if rel.is_absolute() else manifest.parent / rel
        jobs.append(Job(video, Path(rel.name) if rel.is_absolute() else rel, row_crop))
    return jobs


def collect_jobs(inputs: list[Path], crop: Crop | None = None) -> list[Job]:
    """Expand files, folders (recursive) and ``.csv`` manifests; refuse two videos with one output."""
    jobs: list[Job] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            jobs += [Job(v, v.relative_to(item), crop) for v in find_videos(item)]
        elif item.suffix.lower() == ".csv" and item.is_file():
            jobs += _manifest_jobs(item, crop)
        elif item.suffix.lower() in VIDEO_SUFFIXES or item.exists():
            # A file that is not a video still becomes a job: it ends in the report with its reason.
            jobs.append(Job(item, Path(item.name), crop))
        else:
            raise ConfigError(f"{item}: no such file or folder")
    seen: dict[Path, Path] = {}
    for job in jobs:
        other = seen.setdefault(job.output_name, job.video)
        if other != job.video:
            raise ConfigError(f"{other} and {job.video} would both be written to {job.output_name}")
    return jobs
