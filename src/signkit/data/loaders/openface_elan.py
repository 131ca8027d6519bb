"""``openface_elan:FOLDER``: OpenFace CSVs with ELAN annotations (see
:mod:`signkit.data.openface_elan`)."""

from __future__ import annotations

from pathlib import Path

from signkit.data.dataset import loader
from signkit.pose.pose import Pose


@loader("openface_elan")
def read_folder(path: Path) -> list[Pose]:
    from signkit.data.openface_elan import read_openface_elan

    return read_openface_elan(path)
