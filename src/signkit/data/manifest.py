"""Folders described by a ``manifest.csv`` (file, gloss, signer): reading its rows, and
writing a folder of ``.pose`` files with its manifest."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from signkit.errors import PoseFileError
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


def manifest_rows(path: Path, columns: tuple[str, ...] = ("file",), what: str = "pose file",
                  present: Callable[[Path], bool] = Path.exists,
                  label_columns: tuple[str, ...] = ("gloss",),
                  ) -> Iterator[tuple[int, dict[str, str], Path, Path]]:
    """``(row number, the row's non-empty fields, its file, the manifest)`` for each row of a
    manifest whose first present column of ``columns`` names a file (``what``; a pose may be an
    OpenPose folder) relative to the manifest's folder or absolute, and whose first present
    column of ``label_columns`` is the label (given as the field ``gloss``); an empty label or a
    file that is not ``present`` stops with the row. Rows are numbered as a spreadsheet shows
    them (the header is row 1)."""
    manifest = path / "manifest.csv" if path.is_dir() else path
    named = " or ".join(columns)
    if not manifest.exists():
        raise PoseFileError(manifest, f"no manifest.csv (columns: {named}, gloss, signer[, split])")
    with manifest.open(newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    column = next((c for c in columns if rows and c in rows[0]), None)
    label = next((c for c in label_columns if rows and c in rows[0]), None)
    if column is None or label is None or "signer" not in rows[0]:
        raise PoseFileError(manifest, f"manifest needs columns {named}, {' or '.join(label_columns)}, "
                                      "signer and at least one row")
    root = manifest.parent
    for n, row in enumerate(rows, start=2):
        if not (row.get(label) or "").strip():
            raise PoseFileError(manifest, f"row {n} ({row.get(column)}): empty {label}")
        file = root / (row.get(column) or "")
        if not row.get(column) or not present(file):
            raise PoseFileError(manifest, f"row {n}: {what} {row.get(column)!r} not found in {root}")
        fields = {k: v for k, v in row.items() if v not in (None, "")}
        yield n, {**fields, "gloss": fields[label]}, file, manifest
