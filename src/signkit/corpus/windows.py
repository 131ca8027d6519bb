"""Random windows of a corpus, for pretraining: the same windows for the same seed, whether read
in this process or by DataLoader worker processes (each opens the file itself)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from signkit.corpus.store import Corpus, CorpusError, Video
from signkit.errors import ConfigError
from signkit.pose.layout import Layout
from signkit.pose.pose import Pose


class WindowDataset:
    """Item ``i`` is a window of ``min_frames``-``max_frames`` frames (a video shorter than the
    drawn length is taken whole) of a video drawn in proportion to its frames, with only the
    keypoints of ``groups``. Item ``i`` depends only on ``(seed, i)``; any ``i >= 0`` is a window,
    ``size`` of them make an epoch (epoch ``e`` can read items ``e * size`` to ``(e + 1) * size``).

    Videos whose layout lacks the groups or has fewer than ``dims`` coordinates, or whose
    selection names other points than the first usable video's (another skeleton), are left
    out: ``skipped`` says how many.

    >>> ds = WindowDataset("corpus.h5", "hands+mouth", 60, 120, size=10_000)   # doctest: +SKIP
    >>> ds[0].data.shape                                                         # doctest: +SKIP
    (87, 82, 3)
    """

    def __init__(self, path: str | Path, groups: str = "hands", min_frames: int = 60,
                 max_frames: int = 120, size: int = 10_000, seed: int = 0, min_video_frames: int = 2,
                 dims: int = 2):
        if not 1 <= min_frames <= max_frames:
            raise ConfigError(f"window of {min_frames}-{max_frames} frames: need 1 <= min <= max")
        self.path, self.groups, self.seed, self.size = Path(path), groups, seed, size
        self.min_frames, self.max_frames = min_frames, max_frames
        with Corpus(self.path) as corpus:
            self.videos, self.keep, self.skipped = self._usable(corpus, groups, min_video_frames, dims)
            if not self.videos:
                raise CorpusError(self.path, f"no video with the groups {groups!r}, {dims} coordinates "
                                             f"and at least {min_video_frames} frames")
            first = self.videos[0]
            #: the layout of every window (the selected keypoints)
            self.layout: Layout = corpus.layout(first).subset(self.keep[first.layout])
        frames = np.array([v.frames for v in self.videos], np.float64)
        self._cumulative = np.cumsum(frames / frames.sum())
        self._corpus: Corpus | None = None
        self._pid = -1

    @staticmethod
    def _usable(corpus: Corpus, groups: str, min_frames: int, dims: int
                ) -> tuple[list[Video], dict[str, np.ndarray], int]:
        videos, keep, points = [], {}, None
        for v in corpus.videos:
            layout = corpus.layout(v)
            if v.frames < min_frames:
                continue
            if v.layout not in keep:
                if len(layout.components[0].format) - 1 < dims:  # "XYZC": 3 coordinates
                    keep[v.layout] = None
                    continue
                try:
                    idx = layout.indices(groups)
                except ConfigError:
                    keep[v.layout] = None
                    continue
                names = layout.subset(idx).keypoints
                points = points or names
                keep[v.layout] = idx if names == points else None
            if keep[v.layout] is not None:
                videos.append(v)
        usable = {k: v for k, v in keep.items() if v is not None}
        return videos, usable, len(corpus) - len(videos)

    def __len__(self) -> int:
        return self.size

    def _file(self) -> Corpus:
        if self._corpus is None or self._pid != os.getpid():  # a worker process opens its own
            self._corpus, self._pid = Corpus(self.path), os.getpid()
        return self._corpus

    def window(self, i: int) -> tuple[Video, int, int]:
        """Which video and frames ``[start, stop)`` item ``i`` is."""
        rng = np.random.default_rng((self.seed, i))
        v = self.videos[min(int(np.searchsorted(self._cumulative, rng.random(), side="right")),
                            len(self.videos) - 1)]
        n = int(rng.integers(self.min_frames, self.max_frames + 1))
        if v.frames <= n:
            return v, 0, v.frames
        start = int(rng.integers(0, v.frames - n + 1))
        return v, start, start + n

    def __getitem__(self, i: int) -> Pose:
        if i < 0:
            raise IndexError(i)
        v, start, stop = self.window(i)
        return self._file().read(v, start, stop, self.keep[v.layout])

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_corpus": None, "_pid": -1}  # h5py handles do not pickle
