"""INCLUDE (Sridhar et al. 2020): ``<Category>/<N. Sign>/<video>`` (e.g. ``Animals/1. Dog/MVI_9545.MOV``);
the gloss is the sign folder's name without its number. The published train / test lists, where
present (``include_train.csv`` / ``include_test.csv``: a column ``path`` relative to the root,
or one path per line), give the split; videos in neither are training videos."""

from __future__ import annotations

import re
from pathlib import Path

from signkit.data.prepare import PREPARERS, DatasetLayoutError, Item, read_csv_rows
from signkit.extract.video import VIDEO_SUFFIXES

_SIGN = re.compile(r"^\s*\d+\s*\.\s*(.+?)\s*$")


def _listed(root: Path, split: str) -> set[str]:
    path = root / f"include_{split}.csv"
    if not path.is_file():
        return set()
    rows = read_csv_rows(path, 1, header=False)
    if rows[0][0].strip().lower() == "path":
        rows = rows[1:]
    return {Path(r[0].strip()).as_posix() for r in rows}


@PREPARERS.register("include")
def read_include(root: Path, subset: str | None) -> list[Item]:
    test = _listed(root, "test")
    items = []
    for video in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES):
        rel = video.relative_to(root)
        if len(rel.parts) < 3:
            continue  # not in <Category>/<Sign>/
        sign = _SIGN.match(rel.parts[-2])
        gloss = (sign.group(1) if sign else rel.parts[-2]).lower()
        name = re.sub(r"[^\w/-]+", "_", rel.with_suffix("").as_posix())
        items.append(Item(video, name, gloss, "", "test" if rel.as_posix() in test else "train"))
    if not items:
        raise DatasetLayoutError(root, "no videos in <Category>/<Sign>/ folders (INCLUDE's layout)")
    return items
