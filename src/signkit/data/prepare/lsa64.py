"""LSA64 (Ronchetti et al. 2016): one folder of ``CCC_SSS_RRR.mp4`` (class 001-064, signer
001-010, repetition 001-005). It publishes no split: only the signer-independent one is written
(and ``splits.json`` puts every video in training, with a tenth for validation)."""

from __future__ import annotations

import re
from pathlib import Path

from signkit.data.prepare import PREPARERS, DatasetLayoutError, Item

_NAME = re.compile(r"^(\d{3})_(\d{3})_(\d{3})$")


@PREPARERS.register("lsa64")
def read_lsa64(root: Path, subset: str | None) -> list[Item]:
    videos = sorted(p for p in root.rglob("*") if p.suffix.lower() in (".mp4", ".avi") and p.is_file())
    items, strange = [], []
    for v in videos:
        match = _NAME.match(v.stem)
        if match is None:
            strange.append(v.name)
            continue
        cls, signer, _rep = match.groups()
        items.append(Item(v, str(v.relative_to(root).with_suffix("")), cls, signer, "train"))
    if not items:
        raise DatasetLayoutError(root, "no CCC_SSS_RRR.mp4 videos (LSA64's naming)"
                                 + (f"; found e.g. {strange[0]}" if strange else ""))
    return items
