"""``signkit annotate import``: lesson videos -> clips in the media folder + rows in the database."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from signkit.annotate.media import cut_clips, file_digest
from signkit.annotate.models import Clip, Video
from signkit.annotate.services import Corpus
from signkit.annotate.transcripts import cut, find_transcript, read_cues
from signkit.errors import PoseFileError
from signkit.extract.video import VIDEO_SUFFIXES

META_FIELDS = ("subject", "grade", "signer")


@dataclass
class Source:
    path: Path
    meta: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    added: list[tuple[Path, int]] = field(default_factory=list)  # (video, clips)
    skipped: list[Path] = field(default_factory=list)  # imported before
    failed: list[tuple[Path, str]] = field(default_factory=list)


def read_metadata(csv_path: Path) -> dict[Path, dict[str, str]]:
    """``video`` column (path relative to the CSV's folder, or absolute) plus subject, grade, signer."""
    with csv_path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or "video" not in rows[0]:
        raise PoseFileError(csv_path, "a metadata CSV needs a 'video' column (and subject, grade, signer)")
    return {(csv_path.parent / r["video"]).resolve(): {k: (r.get(k) or "").strip() for k in META_FIELDS}
            for r in rows}


def collect_sources(inputs: Iterable[Path], metadata: Path | None = None) -> list[Source]:
    """Files as given; folders searched recursively. Without a CSV, a video found at
    ``FOLDER/<subject>/<grade>/lesson.mp4`` takes subject and grade from its folder names."""
    table = read_metadata(metadata) if metadata else {}
    sources: list[Source] = []
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            for video in sorted(p for p in item.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES):
                parts = video.relative_to(item).parts[:-1]
                meta = dict(zip(("subject", "grade"), parts[-2:], strict=False)) if len(parts) >= 2 else {}
                sources.append(Source(video, meta))
        elif item.is_file():
            sources.append(Source(item))
        else:
            raise PoseFileError(item, "no such file or folder")
    for s in sources:
        s.meta = {**s.meta, **table.get(s.path.resolve(), {})}
    return sources


def import_videos(corpus: Corpus, sources: list[Source], media_dir: Path, clip_seconds: float,
                  max_height: int = 720, on_frame: Callable[[int], None] | None = None,
                  on_video: Callable[[Source], None] | None = None) -> ImportResult:
    """Cut each new video into clips and record them. A video is committed with all its clips
    at once, so an interrupted import leaves nothing half-recorded and a re-run finishes it."""
    result = ImportResult()
    media_dir.mkdir(parents=True, exist_ok=True)
    for src in sources:
        try:
            digest = file_digest(src.path)
            with corpus.sessions() as db:
                known = db.scalar(select(Video.id).where(Video.digest == digest))
            if known is not None:
                result.skipped.append(src.path)
                continue
            rel_dir = f"clips/{src.path.stem[:40]}-{digest[:10]}"
            shutil.rmtree(media_dir / rel_dir, ignore_errors=True)  # leftovers of an interrupted run
            transcript = find_transcript(src.path)
            cues = read_cues(transcript) if transcript else []
            fps, duration, clips = cut_clips(src.path, media_dir, rel_dir, clip_seconds, max_height,
                                             on_frame)
            with corpus.writes.begin() as db:
                video = Video(digest=digest, source=str(src.path), duration=duration, fps=fps,
                              **{k: src.meta.get(k, "") for k in META_FIELDS})
                db.add(video)
                db.flush()
                db.add_all(Clip(video_id=video.id, index=c.index, start=c.start, end=c.end, file=c.file,
                                transcript=cut(cues, c.start, c.end)) for c in clips)
            result.added.append((src.path, len(clips)))
        except PoseFileError as e:
            result.failed.append((src.path, e.problem))
        finally:
            if on_video:
                on_video(src)
    return result
