"""Importing videos: clips of the asked length, browser-playable H.264, transcripts, metadata, idempotence."""

from __future__ import annotations

from pathlib import Path

import av
from sqlalchemy import func, select

from signkit.annotate.importer import collect_sources, import_videos
from signkit.annotate.models import Clip, Video
from tests.conftest import shared_path


def _clips(corpus) -> list[Clip]:
    with corpus.sessions() as db:
        return list(db.scalars(select(Clip).order_by(Clip.video_id, Clip.index)))


def test_lessons_cut_into_h264_clips_with_transcripts_and_folder_metadata(corpus, media):
    clips = _clips(corpus)
    assert len(clips) == 10  # 6 s + 4 s lessons in 1 s clips
    with corpus.sessions() as db:
        videos = {Path(v.source).stem: v for v in db.scalars(select(Video))}
    assert (videos["lesson1"].subject, videos["lesson1"].grade) == ("math", "grade5")
    assert (videos["lesson2"].subject, videos["lesson2"].grade) == ("biology", "grade7")
    for clip in clips:
        assert clip.end - clip.start == 1.0
        with av.open(str(media / clip.file)) as c:
            s = c.streams.video[0]
            assert (s.codec_context.name, s.codec_context.pix_fmt) == ("h264", "yuv420p")
            assert sum(1 for _ in c.decode(s)) == 12  # 1 s at 12 fps
    # Subtitle cues are cut to the clips: the first clip of each lesson has its first cue.
    assert all(c.transcript.startswith("the teacher signs") for c in clips)


def test_reimport_adds_nothing(corpus, media, lesson_dir):
    result = import_videos(corpus, collect_sources([lesson_dir]), media, clip_seconds=1.0)
    assert result.added == [] and len(result.skipped) == 2
    assert len(_clips(corpus)) == 10


def test_real_video_and_csv_metadata(corpus, media, tmp_path):
    video = shared_path("videos", "sentence_320x240.mp4")
    meta = tmp_path / "meta.csv"
    meta.write_text(f"video,subject,grade,signer\n{video},history,grade9,interpreter-3\n")
    result = import_videos(corpus, collect_sources([video], meta), media, clip_seconds=2.0)
    assert len(result.added) == 1
    n = result.added[0][1]
    with corpus.sessions() as db:
        v = db.scalar(select(Video).where(Video.source == str(video)))
        count = db.scalar(select(func.count()).select_from(Clip).where(Clip.video_id == v.id))
        last = db.scalar(select(func.max(Clip.end)).where(Clip.video_id == v.id))
    assert (v.subject, v.grade, v.signer) == ("history", "grade9", "interpreter-3")
    assert count == n and abs(last - v.duration) < 1e-6
    with av.open(str(video)) as c:
        assert abs(float(c.duration / av.time_base) - v.duration) < 0.2


def test_broken_video_is_reported_and_others_go_on(corpus, media, tmp_path, lesson_dir):
    bad = tmp_path / "bad.mp4"
    bad.write_text("not a video")
    good = next(lesson_dir.rglob("lesson2.mp4"))
    result = import_videos(corpus, collect_sources([bad, good]), media, clip_seconds=1.0)
    assert [p for p, _ in result.failed] == [bad] and "not a readable video" in result.failed[0][1]
    assert result.skipped == [good]
