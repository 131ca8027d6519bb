"""AUTSL (Sincan and Keles 2020): ``train/``, ``val/``, ``test/`` folders of
``signerX_sampleY_color.mp4`` (the depth videos are not used) and a label CSV per split without a
header (``signerX_sampleY,CLASS_ID``) named ``train_labels.csv`` (or ``train_ground_truth.csv``,
``ground_truth_train.csv``), in the root or ``labels/``. ``SignList_ClassId_TR_EN.csv``
(``ClassId,TR,EN``), where present, gives the English gloss of each class id.
"""

from __future__ import annotations

import re
from pathlib import Path

from signkit.data.prepare import PREPARERS, DatasetLayoutError, Item, read_csv_rows

SPLITS = ("train", "val", "test")
SIGN_LIST = "SignList_ClassId_TR_EN.csv"
_NAME = re.compile(r"^signer(\d+)_sample(\d+)$")


def _label_file(root: Path, split: str) -> Path | None:
    for folder in (root, root / "labels"):
        for name in (f"{split}_labels.csv", f"{split}_ground_truth.csv", f"ground_truth_{split}.csv"):
            if (folder / name).is_file():
                return folder / name
    return None


@PREPARERS.register("autsl")
def read_autsl(root: Path, subset: str | None) -> list[Item]:
    names: dict[str, str] = {}
    for folder in (root, root / "labels"):
        if (folder / SIGN_LIST).is_file():
            names = {r[0].strip(): r[2].strip() for r in read_csv_rows(folder / SIGN_LIST, 3, header=True)}
    found = {s: _label_file(root, s) for s in SPLITS if (root / s).is_dir()}
    if not found:
        raise DatasetLayoutError(root, "no train/, val/ or test/ folder (AUTSL's layout)")
    items = []
    for split, labels in found.items():
        if labels is None:
            raise DatasetLayoutError(root / f"{split}_labels.csv", f"label file missing for {split}/")
        for n, (sample, class_id, *_) in enumerate(read_csv_rows(labels, 2, header=False), start=1):
            match = _NAME.match(sample.strip())
            if not match or not class_id.strip().isdigit():
                raise DatasetLayoutError(labels, f"line {n}: expected signerX_sampleY,CLASS_ID, got "
                                                 f"{sample},{class_id}")
            cid = class_id.strip()
            items.append(Item(root / split / f"{sample.strip()}_color.mp4", f"{split}/{sample.strip()}",
                              names.get(cid, cid), match.group(1), split))
    return items
