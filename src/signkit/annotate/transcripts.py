"""Subtitles (SRT or WebVTT, through webvtt-py) cut to clip time ranges as context for annotators."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from signkit.errors import PoseFileError


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def find_transcript(video: Path) -> Path | None:
    """``lesson.srt`` or ``lesson.vtt`` beside ``lesson.mp4``."""
    for suffix in (".vtt", ".srt"):
        candidate = video.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def read_cues(path: Path) -> list[Cue]:
    import webvtt

    try:
        captions = webvtt.from_srt(str(path)) if path.suffix.lower() == ".srt" else webvtt.read(str(path))
    except Exception as e:  # webvtt raises its own MalformedFileError / MalformedCaptionError
        raise PoseFileError(path, f"not a readable transcript ({e})") from None
    return [Cue(_seconds(c.start), _seconds(c.end), " ".join(c.text.split())) for c in captions]


def _seconds(stamp: str) -> float:
    h, m, s = stamp.replace(",", ".").split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def cut(cues: list[Cue], start: float, end: float) -> str:
    """Text of every cue that overlaps ``[start, end)``; a cue across a boundary goes to both clips."""
    return " ".join(c.text for c in cues if c.start < end and c.end > start)
