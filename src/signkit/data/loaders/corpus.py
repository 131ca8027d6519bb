"""``corpus:FILE.h5``: every video of a corpus (``signkit corpus build``), unlabelled (gloss ""):
pretraining data."""

from __future__ import annotations

from pathlib import Path

from signkit.data.dataset import loader
from signkit.pose.pose import Pose


@loader("corpus")
def read_corpus(path: Path) -> list[Pose]:
    from signkit.corpus import Corpus

    with Corpus(path) as corpus:
        poses = list(corpus.poses())
    for p in poses:
        p.metadata.setdefault("gloss", "")
    return poses
