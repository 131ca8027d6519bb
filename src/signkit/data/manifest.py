"""Folders of ``.pose`` files described by a ``manifest.csv`` (file, gloss, signer)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path

from signkit.pose.io import write_pose
from signkit.pose.pose import Pose

MANIFEST_FIELDS = ("file", "gloss", "signer")


def write_pose_dir(poses: Sequence[Pose], out_dir: str | Path,
                   progress: Callable[[int], None] = lambda i: None, extra: Sequence[str] = ()) -> Path:
    """Write each pose as ``<signer>_<gloss>_<i>.pose`` and list them in ``manifest.csv``, with
    the ``extra`` metadata fields as more columns. A gloss sequence's spaces become dashes in the
    name (``kak-gde``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    manifest = out / "manifest.csv"
    with manifest.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([*MANIFEST_FIELDS, *extra])
        for i, pose in enumerate(poses):
            gloss = str(pose.metadata.get("gloss", ""))
            signer = str(pose.metadata.get("signer", ""))
            stem = "_".join(filter(None, (signer, "-".join(gloss.split()), f"{i:05d}"))).replace("/", "-")
            write_pose(pose, out / f"{stem}.pose")
            writer.writerow([f"{stem}.pose", gloss, signer, *(pose.metadata.get(k, "") for k in extra)])
            progress(i)
    return manifest
