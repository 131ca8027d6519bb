"""WLASL (Li et al. 2020): ``WLASL_v0.3.json`` (a list of glosses, each with its instances:
``video_id``, ``split``, ``frame_start`` / ``frame_end`` (1-based, -1: to the end), ``bbox``
``[x1, y1, x2, y2]``, ``signer_id``, ``url``) and the videos as WLASL's start kit leaves them:
``videos/ID.mp4``, already cut to the instance by its ``preprocess.py``. An instance only in
``raw_videos/`` (the downloader's whole videos: ``ID.mp4``, or the YouTube id for YouTube ones)
is cut here by its frame range. The glosses are in the file's order (most instances first), so
subset N (100, 300, 1000, 2000) is the first N glosses.
"""

from __future__ import annotations

import json
from pathlib import Path

from signkit.data.prepare import PREPARERS, DatasetLayoutError, Item
from signkit.extract.video import Crop

JSON = "WLASL_v0.3.json"
SUBSETS = ("100", "300", "1000", "2000")


def _raw_name(instance: dict) -> str:
    url = str(instance.get("url", ""))
    if "youtube" in url or "youtu.be" in url:
        return url.split("v=")[-1].split("&")[0].rsplit("/", 1)[-1]
    return str(instance["video_id"])


def _crop(bbox: object) -> Crop | None:
    if not isinstance(bbox, list) or len(bbox) != 4:
        return None
    x1, y1, x2, y2 = (int(v) for v in bbox)
    return Crop(x1, y1, x2 - x1, y2 - y1, clip=True) if x2 > x1 and y2 > y1 else None


@PREPARERS.register("wlasl")
def read_wlasl(root: Path, subset: str | None) -> list[Item]:
    path = root / JSON
    if not path.is_file():
        raise DatasetLayoutError(path, "label file missing (WLASL's WLASL_v0.3.json)")
    try:
        glosses = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(glosses, list):
            raise ValueError("expected a list of glosses")
        entries = [(str(g["gloss"]), list(g["instances"])) for g in glosses]
    except (ValueError, KeyError, TypeError) as exc:
        raise DatasetLayoutError(path, f"not WLASL's JSON ({exc.__class__.__name__}: {exc})") from None
    if subset is not None:
        if subset not in SUBSETS:
            raise DatasetLayoutError(path, f"subset {subset!r}: WLASL has {', '.join(SUBSETS)}")
        entries = entries[: int(subset)]
    items = []
    for gloss, instances in entries:
        for inst in instances:
            try:
                vid = str(inst["video_id"])
                start, end = int(inst.get("frame_start", 1)), int(inst.get("frame_end", -1))
            except (KeyError, TypeError, ValueError) as exc:
                raise DatasetLayoutError(path, f"gloss {gloss!r}: an instance without {exc}") from None
            video, frames = root / "videos" / f"{vid}.mp4", None
            if not video.is_file() and (root / "raw_videos").is_dir():
                raw = root / "raw_videos" / f"{_raw_name(inst)}.mp4"
                if raw.is_file():
                    video, frames = raw, (max(start - 1, 0), None if end < 0 else end)
            items.append(Item(video, f"videos/{vid}", gloss, str(inst.get("signer_id", "")),
                              str(inst.get("split", "")), _crop(inst.get("bbox")), frames))
    return items
