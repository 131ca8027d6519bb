"""The pose corpus store (one HDF5 file of many videos' keypoints, built and appended with h5py)
and the random-window dataset that pretraining reads from it."""

from signkit.corpus.store import (
    BuildResult,
    Corpus,
    CorpusError,
    CorpusSummary,
    build_corpus,
    summarize,
)
from signkit.corpus.windows import WindowDataset

__all__ = ["BuildResult", "Corpus", "CorpusError", "CorpusSummary", "WindowDataset", "build_corpus",
           "summarize"]
