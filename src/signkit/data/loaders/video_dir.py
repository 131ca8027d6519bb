"""``video_dir:FOLDER``: labelled videos (the RGB modality, ``model.modality: video``), not poses."""

from __future__ import annotations

from pathlib import Path

from signkit.data.dataset import loader


@loader("video_dir")
def read_videos(path: Path) -> list:
    from signkit.data.videos import read_video_manifest

    return read_video_manifest(path)
