"""ELAN annotations: ``.eaf`` files (through pympi) and ELAN's tab-delimited text export, read
into time segments per tier, and segments written as ``.eaf``.

A :class:`Segment` is one annotation: ``tier``, ``start`` and ``end`` in milliseconds, ``value``,
and the ELAN file it belongs to (the export of several files names each row's file). Frame
labels follow from a recording's own fps (:func:`frame_labels`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from signkit.errors import PoseFileError

NONE_LABEL = "none"
"""The frame label where no annotation of a tier covers the frame."""


@dataclass(frozen=True)
class Segment:
    tier: str
    start: int  # ms
    end: int  # ms
    value: str
    file: str = ""


def read_eaf(path: Path) -> list[Segment]:
    """Every aligned annotation of every tier of an ``.eaf`` file."""
    from pympi.Elan import Eaf

    try:
        eaf = Eaf(str(path))
    except Exception as exc:  # pympi raises what its XML parser raises
        raise PoseFileError(path, f"not a readable ELAN file ({type(exc).__name__}: {exc})") from None
    return [Segment(tier, int(a[0]), int(a[1]), str(a[2]), path.name)
            for tier in eaf.get_tier_names() for a in eaf.get_annotation_data_for_tier(tier)]


# ELAN names the export's columns in the user's interface language.
_START = ("begin time - msec", "время начала - миллисекунды", "start", "begin")
_END = ("end time - msec", "время окончания - миллисекунды", "end")
_FILE = ("file name", "файл", "file")
_OTHER = ("file path", "путь к файлу", "duration - msec", "продолжительность - миллисекунды")


def _column(names: list[str], choices: Sequence[str]) -> int | None:
    lowered = [n.strip().lower() for n in names]
    return next((lowered.index(c) for c in choices if c in lowered), None)


def read_elan_tsv(path: Path) -> list[Segment]:
    """ELAN's "tab-delimited text" export with a header row and times in milliseconds: each
    non-empty cell of a tier column is one segment of that tier."""
    with path.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh, delimiter="\t"))
    if not rows:
        raise PoseFileError(path, "empty ELAN export")
    names = rows[0]
    start, end, file = _column(names, _START), _column(names, _END), _column(names, _FILE)
    if start is None or end is None:
        raise PoseFileError(path, "no start and end columns in milliseconds (export with a header "
                                  "row and 'msec' times)")
    skip = {start, end, file, *(i for i, n in enumerate(names) if n.strip().lower() in _OTHER)}
    tiers = [(i, n.strip()) for i, n in enumerate(names) if i not in skip]
    segments = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        try:
            t0, t1 = int(float(row[start])), int(float(row[end]))
        except (IndexError, ValueError):
            raise PoseFileError(path, f"line {line}: start and end are not times in ms") from None
        where = row[file].strip() if file is not None and file < len(row) else ""
        segments += [Segment(tier, t0, t1, row[i].strip(), where)
                     for i, tier in tiers if i < len(row) and row[i].strip()]
    return segments


def read_elan(path: str | Path) -> list[Segment]:
    """Segments of an ``.eaf`` file or of ELAN's tab-delimited export (``.tsv``/``.txt``)."""
    p = Path(path)
    if not p.exists():
        raise PoseFileError(p, "no such file")
    return read_eaf(p) if p.suffix.lower() == ".eaf" else read_elan_tsv(p)


def check_tiers(segments: Iterable[Segment], tiers: Iterable[str], path: Path | str) -> None:
    """An error naming the file when a wanted tier has no segment in it."""
    present = {s.tier for s in segments}
    if missing := [t for t in tiers if t not in present]:
        raise PoseFileError(path, f"no tier {', '.join(map(repr, missing))} (its tiers: "
                                  f"{', '.join(sorted(present)) or 'none'})")


def frame_labels(segments: Iterable[Segment], tier: str, fps: float, frames: int,
                 source: Path | str = "") -> np.ndarray:
    """``(frames,)`` object array: the value of ``tier`` covering each frame (a frame's time is
    ``index / fps``), :data:`NONE_LABEL` where none does. A segment that starts after the
    recording's end is an error naming ``source``; one that runs past the end is cut there."""
    labels = np.full(frames, NONE_LABEL, dtype=object)
    duration = frames / fps * 1000
    times = np.arange(frames) / fps * 1000
    for s in segments:
        if s.tier != tier:
            continue
        if s.start >= duration or s.end <= s.start:
            raise PoseFileError(source or s.file, f"{tier} segment {s.value!r} {s.start}-{s.end} ms "
                                                  f"lies outside the recording (0-{duration:.0f} ms)")
        labels[(times >= s.start) & (times < s.end)] = s.value
    return labels


def write_eaf(tiers: Mapping[str, Sequence[tuple[str, float, float]]], path: str | Path,
              media: str | None = None, author: str = "signkit") -> Path:
    """An ELAN file with one tier per key of ``tiers``, each ``[(value, start s, end s)]``."""
    from pympi.Elan import Eaf

    eaf = Eaf(author=author)
    if media:
        eaf.add_linked_file(media)
    for tier, segments in tiers.items():
        eaf.add_tier(tier)
        for value, start, end in segments:
            a = round(start * 1000)
            eaf.add_annotation(tier, a, max(round(end * 1000), a + 1), value)
    eaf.remove_tier("default")
    eaf.to_file(str(path))
    return Path(path)
