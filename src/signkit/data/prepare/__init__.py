"""``signkit data prepare NAME ROOT -o OUT``: a public dataset, in the layout it is published in, to
poses (``signkit extract``), a manifest the ``pose_dir`` loader reads and split files.

One file per dataset registers a reader in :data:`PREPARERS`: ``(root, subset) -> [Item]`` (every
video with its gloss, signer, the dataset's own split, and a crop box or frame range where the
dataset gives one). A missing or malformed label file is a :class:`DatasetLayoutError` naming it.

OUT holds ``poses/`` (one ``.pose`` per item, with ``extraction_report.csv``; a re-run extracts
only what is missing), ``manifest.csv`` (``file, gloss, signer, split, video, crop, frames``:
``pose_dir:OUT`` reads the poses, ``video_dir:OUT`` the videos, cropped and cut alike),
``splits.json`` (the dataset's own train / val / test) and, where the dataset names signers,
``splits_signer.json`` (test and validation signers never seen in training).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from signkit.data.videos import format_frames
from signkit.errors import PoseFileError
from signkit.extract.video import Crop
from signkit.registry import Registry

MANIFEST, SPLITS_OWN, SPLITS_SIGNER, POSES = "manifest.csv", "splits.json", "splits_signer.json", "poses"


class DatasetLayoutError(PoseFileError):
    """A dataset folder that is not in its published layout; the message names the file."""


@dataclass(frozen=True)
class Item:
    """One sample: its video, the output name (relative, no suffix), labels, and what to keep."""

    video: Path
    name: str
    gloss: str
    signer: str = ""
    split: str = ""  # train, val or test as the dataset publishes it ("" if it has no split)
    crop: Crop | None = None
    frames: tuple[int, int | None] | None = None  # [start, stop), 0-based


Reader = Callable[[Path, str | None], list[Item]]
PREPARERS: Registry[Reader] = Registry("dataset", package="signkit.data.prepare")


def read_items(name: str, root: str | Path, subset: str | None = None) -> list[Item]:
    root = Path(root)
    if not root.is_dir():
        raise DatasetLayoutError(root, "no such dataset folder")
    return PREPARERS.get(name)(root, subset)


def read_csv_rows(path: Path, columns: int, header: bool) -> list[list[str]]:
    """Rows of a label CSV with at least ``columns`` fields; a clear error naming the file."""
    if not path.is_file():
        raise DatasetLayoutError(path, "label file missing")
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = [r for r in csv.reader(f) if any(c.strip() for c in r)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DatasetLayoutError(path, f"not a readable CSV ({exc})") from None
    rows = rows[1:] if header else rows
    for n, row in enumerate(rows, start=2 if header else 1):
        if len(row) < columns:
            raise DatasetLayoutError(path, f"line {n}: expected {columns} columns, got {len(row)}: "
                                           f"{','.join(row)[:60]!r}")
    if not rows:
        raise DatasetLayoutError(path, "holds no rows")
    return rows


@dataclass
class PrepareResult:
    items: int
    extracted: int
    missing_videos: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (video, why)
    out: Path = Path()


def _own_split(splits: list[str], glosses: list[str], seed: int = 0) -> dict[str, list[int]]:
    """The dataset's split; without a validation part, a tenth of training (stratified where every
    gloss allows) is one."""
    from signkit.data.splits import holdout_val

    fold = {part: [i for i, s in enumerate(splits) if s == part] for part in ("train", "val", "test")}
    if not fold["val"] and len(fold["train"]) > 10:
        train, val = holdout_val(np.array(fold["train"]), np.array(glosses), 0.1, np.random.default_rng(seed))
        fold["train"], fold["val"] = train.tolist(), val.tolist()
    return fold


def _signer_split(signers: list[str], seed: int = 0) -> dict[str, list[int]] | None:
    """About a fifth of the signers for test, a tenth for validation (at least one each)."""
    names = sorted(set(signers) - {""})
    if len(names) < 3:
        return None
    order = np.random.default_rng(seed).permutation(names).tolist()
    n_test, n_val = max(1, round(len(names) * 0.2)), max(1, round(len(names) * 0.1))
    test, val = set(order[:n_test]), set(order[n_test:n_test + n_val])
    return {"train": [i for i, s in enumerate(signers) if s and s not in test | val],
            "val": [i for i, s in enumerate(signers) if s in val],
            "test": [i for i, s in enumerate(signers) if s in test]}


def prepare(name: str, root: str | Path, out: str | Path, workers: int | None = None,
            backend: str = "process", subset: str | None = None, on_event=None) -> PrepareResult:
    """Read ``root`` as dataset ``name``, extract the poses into ``out`` and write the manifest and
    split files there. Videos the label files name but the folder lacks are reported, not fatal
    (downloads of WLASL always miss some)."""
    from signkit.data.splits import save_splits
    from signkit.extract.jobs import Job
    from signkit.extract.report import FAILED
    from signkit.extract.runner import run_extraction

    out = Path(out)
    items = read_items(name, root, subset)
    present = [i for i in items if i.video.is_file()]
    result = PrepareResult(len(items), 0, [str(i.video) for i in items if not i.video.is_file()], out=out)
    if not present:
        raise DatasetLayoutError(Path(root), f"none of the {len(items)} videos its labels name is there")
    jobs = [Job(i.video, Path(i.name + i.video.suffix), i.crop, i.frames) for i in present]
    rows = run_extraction([], out / POSES, workers, backend, on_event=on_event, jobs=jobs)
    failed = {r.output for r in rows if r.status == FAILED}
    result.failed = [(r.video, r.error) for r in rows if r.status == FAILED]
    kept = [i for i in present if f"{i.name}.pose" not in failed]
    result.extracted = len(kept)
    with (out / MANIFEST).open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "gloss", "signer", "split", "video", "crop", "frames"])
        for i in kept:
            writer.writerow([f"{POSES}/{i.name}.pose", i.gloss, i.signer, i.split, str(i.video),
                             i.crop or "", format_frames(i.frames)])
    info = {"dataset": f"pose_dir:{out}", "source": name, "subset": subset}
    save_splits([_own_split([i.split for i in kept], [i.gloss for i in kept])], out / SPLITS_OWN,
                split="published", **info)
    signer = _signer_split([i.signer for i in kept])
    if signer is not None:
        save_splits([signer], out / SPLITS_SIGNER, split="signer-independent", **info)
    return result
