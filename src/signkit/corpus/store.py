"""The pose corpus store: many videos' keypoints in one HDF5 file (h5py), read a window at a time.

Layout of the file::

    /                 attrs: format = "signkit-corpus", version
    /layouts/<id>     attrs: layout (JSON of Layout.to_dict()); id = a hash of that JSON
    /videos/<n>       dataset points (T, K, D + 1) float32: the coordinates, then the confidence;
                      chunked along T and compressed with Blosc (LZ4, byte shuffle; hdf5plugin),
                      which a window decompresses about 12 times faster than lzf or gzip;
                      attrs: metadata (JSON)
    /index            one row per video whose datasets are complete: key, source, item, frames,
                      fps, layout, detection (JSON: per articulator group, the share of frames
                      where any of its points was found)
    /sources          attrs: "<path>|<size>|<mtime_ns>" -> how many poses that file held, written
                      once every pose of it is in the index

A video's index row is written after its datasets and the file is flushed after every video, so an
interrupted build leaves a valid file; building again reads only the sources not yet complete and
skips their poses already indexed (a video group without an index row is a leftover and is
replaced).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from signkit.errors import PoseFileError
from signkit.extras import require
from signkit.pose.layout import Layout
from signkit.pose.pose import Pose

FORMAT, VERSION = "signkit-corpus", 1
_CHUNK_FRAMES = 64  # a window of 60-120 frames touches two or three chunks


class CorpusError(PoseFileError):
    """A corpus file that cannot be read or written; the message names it and why."""


def _index_dtype() -> np.dtype:
    import h5py

    text = h5py.string_dtype()
    return np.dtype([("key", "S12"), ("source", text), ("item", "i8"), ("frames", "i8"),
                     ("fps", "f8"), ("layout", "S16"), ("detection", text)])


def source_key(path: Path) -> str:
    """What identifies one state of a source file: a changed file is read again."""
    st = path.stat()
    return f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}"


def layout_id(layout: Layout) -> str:
    return hashlib.sha1(json.dumps(layout.to_dict(), sort_keys=True).encode()).hexdigest()[:16]


def detection_rates(pose: Pose) -> dict[str, float]:
    """Per articulator group, the share of frames where any of its points was detected."""
    found = pose.confidence > 0
    return {g: round(float(found[:, list(idx)].any(1).mean()), 4) if len(pose) else 0.0
            for g, idx in pose.layout.groups.items()}


@dataclass(frozen=True)
class Video:
    """One row of the index."""

    key: str
    source: str
    item: int
    frames: int
    fps: float
    layout: str
    detection: dict[str, float]


def _open_h5(path: Path, mode: str):
    require("h5py", "corpus")
    require("hdf5plugin", "corpus")
    import h5py
    import hdf5plugin  # noqa: F401  (registers the Blosc filter with HDF5)

    if mode == "r" and not path.is_file():
        raise CorpusError(path, "no such corpus file")
    try:
        # No chunk cache: windows are drawn at random from many videos, so a cached chunk is rarely
        # read twice, and Corpus keeps every video's dataset open (its cache would add up).
        f = h5py.File(path, mode, rdcc_nbytes=0)
    except OSError as exc:
        reason = str(exc).split("(")[0].strip().rstrip(",") or type(exc).__name__
        raise CorpusError(path, f"not a readable HDF5 corpus, truncated or corrupt ({reason})") from None
    if f.attrs.get("format") != FORMAT and (mode == "r" or len(f)):
        f.close()
        raise CorpusError(path, "is an HDF5 file but not a signkit corpus (no format attribute)")
    if "index" not in f and (mode == "r" or len(f)):
        f.close()
        raise CorpusError(path, "the corpus has no index (truncated or written by something else)")
    return f


class Corpus:
    """A corpus file opened for reading. Opening is cheap (the index only), so each DataLoader
    worker process opens the file itself (an h5py handle must not cross a fork)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file = _open_h5(self.path, "r")
        try:
            rows = self._file["index"][()]
            self.layouts = {k: Layout.from_dict(json.loads(g.attrs["layout"]))
                            for k, g in self._file["layouts"].items()}
        except (KeyError, OSError, ValueError) as exc:
            self._file.close()
            raise CorpusError(self.path, f"damaged index or layouts ({exc})") from None
        self._points: dict[str, Any] = {}  # open datasets: a lookup by path costs more than a read
        self._metadata: dict[str, dict] = {}
        self.videos = [Video(r["key"].decode(), _text(r["source"]), int(r["item"]), int(r["frames"]),
                             float(r["fps"]), r["layout"].decode(), json.loads(_text(r["detection"])))
                       for r in rows]

    def __len__(self) -> int:
        return len(self.videos)

    def layout(self, video: Video) -> Layout:
        return self.layouts[video.layout]

    def read(self, video: Video, start: int = 0, stop: int | None = None,
             keep: np.ndarray | None = None) -> Pose:
        """Frames ``[start, stop)`` of ``video`` as a Pose, only the keypoints ``keep`` if given."""
        try:
            if video.key not in self._points:
                g = self._file["videos"][video.key]
                self._points[video.key] = g["points"]
                self._metadata[video.key] = json.loads(g.attrs.get("metadata", "{}"))
            points = self._points[video.key][start:stop]
        except (KeyError, OSError) as exc:
            raise CorpusError(self.path, f"video {video.key} ({video.source}) cannot be read "
                                         f"({exc})") from None
        layout = self.layout(video)
        if keep is not None:
            points, layout = points[:, keep], layout.subset(keep)
        return Pose(points[..., :-1], points[..., -1], video.fps, layout,
                    metadata={**self._metadata[video.key], "source": video.source, "corpus_key": video.key})

    def poses(self) -> Iterator[Pose]:
        for v in self.videos:
            yield self.read(v)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class BuildResult:
    added_videos: int
    skipped_sources: int
    failed: list[tuple[str, str]]  # (source, why)
    interrupted: bool = False


def _read_source(path: str) -> tuple[str, list[Pose] | str]:
    """In a worker: every pose of one file, or why it could not be read."""
    from signkit.errors import SignkitError
    from signkit.pose.io import load

    try:
        return path, load(path)
    except SignkitError as exc:
        return path, str(exc)


def _pool(backend: str, workers: int):
    if backend == "ray":
        require("ray", "ray")
        from ray.util.multiprocessing import Pool

        return Pool(workers)
    import multiprocessing as mp

    return mp.get_context("spawn").Pool(workers)


def _reader(paths: Sequence[str], workers: int, backend: str) -> Iterator[tuple[str, list[Pose] | str]]:
    """Sources read in order, by ``workers`` processes (or Ray tasks) when more than one."""
    if workers <= 1 and backend == "process":
        for p in paths:
            yield _read_source(p)
        return
    pool = _pool(backend, max(workers, 1))
    try:
        yield from pool.imap(_read_source, paths)
    finally:
        pool.terminate()


class _Writer:
    """Appends videos to an open corpus file, keeping the index and the sources in step."""

    def __init__(self, f):
        self.f = f
        if "index" not in f:
            f.attrs["format"], f.attrs["version"] = FORMAT, VERSION
            f.create_group("layouts")
            f.create_group("videos")
            f.create_group("sources")
            f.create_dataset("index", shape=(0,), maxshape=(None,), dtype=_index_dtype(), chunks=(256,))
        index = f["index"][()]
        self.done = {(_text(r["source"]), int(r["item"])) for r in index}
        indexed = {r["key"].decode() for r in index}
        for key in [k for k in f["videos"] if k not in indexed]:  # a video cut off mid-write
            del f["videos"][key]
        self.next = max((int(k) for k in indexed), default=-1) + 1

    def complete(self, key: str) -> bool:
        return key in self.f["sources"].attrs

    def add(self, pose: Pose, source: str, item: int) -> None:
        lid = layout_id(pose.layout)
        if lid not in self.f["layouts"]:
            self.f["layouts"].create_group(lid).attrs["layout"] = json.dumps(pose.layout.to_dict())
        key = f"{self.next:08d}"
        g = self.f["videos"].create_group(key)
        import hdf5plugin

        t, k, d = pose.data.shape
        points = np.concatenate([pose.data, pose.confidence[..., None]], axis=-1)
        g.create_dataset("points", data=points, chunks=(max(1, min(t, _CHUNK_FRAMES)), k, d + 1),
                         **hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
        meta = {k_: v for k_, v in pose.metadata.items() if k_ != "source"}
        g.attrs["metadata"] = json.dumps(meta, default=str)
        index = self.f["index"]
        index.resize((len(index) + 1,))
        index[-1] = (key.encode(), source, item, t, pose.fps, lid.encode(), json.dumps(detection_rates(pose)))
        self.next += 1
        self.f.flush()

    def finish_source(self, key: str, items: int) -> None:
        self.f["sources"].attrs[key] = items
        self.f.flush()


def build_corpus(sources: Iterable[str | Path], out: str | Path, workers: int = 1, backend: str = "process",
                 on_source: Callable[[str, int], None] | None = None) -> BuildResult:
    """Append every pose of ``sources`` (any file :func:`signkit.pose.io.load` reads) to ``out``.

    Sources already complete in ``out`` are not read again; a source whose poses are partly there
    (an interrupted build) adds the rest. ``on_source(path, poses_added)`` follows progress. A
    source that cannot be read is reported in ``failed`` and the build goes on.
    """
    out = Path(out)
    paths = [Path(s) for s in sources]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise CorpusError(missing[0], "no such file or directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    result = BuildResult(0, 0, [])
    with _open_h5(out, "a") as f:
        writer = _Writer(f)
        keys = {str(p): source_key(p) for p in paths}
        todo = [str(p) for p in paths if not writer.complete(keys[str(p)])]
        result.skipped_sources = len(paths) - len(todo)
        try:
            for path, poses in _reader(todo, workers, backend):
                if isinstance(poses, str):
                    result.failed.append((path, poses))
                    continue
                source = str(Path(path).resolve())
                added = 0
                for item, pose in enumerate(poses):
                    if (source, item) not in writer.done and len(pose):
                        writer.add(pose, source, item)
                        added += 1
                writer.finish_source(keys[path], len(poses))
                result.added_videos += added
                if on_source is not None:
                    on_source(path, added)
        except KeyboardInterrupt:
            result.interrupted = True
    return result


@dataclass
class CorpusSummary:
    videos: int
    frames: int
    hours: float
    sources: int
    layouts: dict[str, int]  # layout name -> videos
    detection: dict[str, float]  # group -> share of frames, over the videos whose layout has it
    size_bytes: int


def summarize(path: str | Path) -> CorpusSummary:
    with Corpus(path) as corpus:
        frames = np.array([v.frames for v in corpus.videos])
        seconds = float(sum(v.frames / v.fps for v in corpus.videos if v.fps > 0))
        layouts: dict[str, int] = {}
        found: dict[str, float] = {}
        seen: dict[str, int] = {}
        for v in corpus.videos:
            name = corpus.layout(v).name or v.layout
            layouts[name] = layouts.get(name, 0) + 1
            for g, rate in v.detection.items():
                found[g] = found.get(g, 0.0) + rate * v.frames
                seen[g] = seen.get(g, 0) + v.frames
        return CorpusSummary(len(corpus), int(frames.sum()), seconds / 3600,
                             len({v.source for v in corpus.videos}), layouts,
                             {g: found[g] / seen[g] for g in sorted(found) if seen[g]},
                             os.path.getsize(path))
