"""``openface_elan:FOLDER``: recordings analysed with OpenFace and annotated in ELAN.

The folder holds ``manifest.csv`` (``file``: an OpenFace CSV; ``signer``; a label, ``gloss`` or
else ``sentence_type``; optionally ``fps``, ``elan``: the ELAN file the annotations name, and any
other columns, kept as metadata) and the annotations, ``elan_export.tsv`` (ELAN's tab-delimited
export of all files) or one ``.eaf`` per recording named by ``elan``. Each sample is the
recording's face pose with ``gloss`` (the label), ``signer`` and ``segments`` (its ELAN
annotations, times in ms), from which :func:`tier_labels` gives frame labels per tier.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from signkit.data.elan import NONE_LABEL, Segment, frame_labels, read_elan
from signkit.data.manifest import manifest_rows
from signkit.errors import PoseFileError
from signkit.pose.io.openface import read_openface_csv
from signkit.pose.pose import Pose

EXPORT = "elan_export.tsv"


def _annotations(folder: Path) -> dict[str, list[Segment]]:
    """ELAN file name -> its segments, from the folder's export (empty without one)."""
    export = folder / EXPORT
    by_file: dict[str, list[Segment]] = defaultdict(list)
    if export.exists():
        for s in read_elan(export):
            by_file[s.file].append(s)
    return by_file


def read_openface_elan(path: Path) -> list[Pose]:
    folder = path if path.is_dir() else path.parent
    exported = _annotations(folder)
    samples = []
    for row, fields, file, manifest in manifest_rows(folder, label_columns=("gloss", "sentence_type")):
        pose = read_openface_csv(file)[0]
        if fields.get("fps"):
            pose = pose.replace(fps=float(fields["fps"]))
        elan = fields.get("elan", "")
        segments = exported.get(elan, [])
        if not segments and elan and (folder / elan).exists():
            segments = read_elan(folder / elan)
        for s in segments:  # a segment beyond the recording names the manifest row
            frame_labels([s], s.tier, pose.fps, len(pose), f"{manifest} row {row} ({elan})")
        pose.metadata.update(fields, source=str(file), segments=segments)
        samples.append(pose)
    return samples


def tier_labels(pose: Pose, tier: str) -> np.ndarray:
    """``(T,)`` the value of ``tier`` at each frame of a sample (``"none"`` where unannotated)."""
    segments = pose.metadata.get("segments")
    if segments is None:
        raise PoseFileError(pose.metadata.get("source", "pose"), "has no ELAN annotations")
    return frame_labels(segments, tier, pose.fps, len(pose), pose.metadata.get("source", ""))


__all__ = ["NONE_LABEL", "read_openface_elan", "tier_labels"]
