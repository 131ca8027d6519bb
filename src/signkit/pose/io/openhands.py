"""OpenHands' released pose files (AI4Bharat): one pickle per video, ``{"keypoints": (T, 75, 3),
"confidences": (T, 75)}``; the 75 points are MediaPipe Holistic's body 33, left hand 21 and right
hand 21 (its face dropped), x and y normalised to the frame (0-1), z as MediaPipe gives it;
confidence is the body's visibility and 1 for a detected hand, 0 where nothing was found.

The pickle is read with an unpickler that builds NumPy arrays and nothing else: a file from the
internet cannot run code here.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path

import numpy as np

from signkit.errors import PoseFileError
from signkit.pose.io.base import PoseFormat, register_format, undetected_if_not_finite
from signkit.pose.layouts import holistic_layout
from signkit.pose.pose import Pose

POINTS = 33 + 21 + 21
ASSUMED_FPS = 25.0  # the files keep no frame rate
_ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar")}


class _ArraysOnly(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing {module}.{name}: not a NumPy array")
        return super().find_class(module, name)


def read_openhands_pkl(path: Path) -> list[Pose]:
    try:
        d = _ArraysOnly(io.BytesIO(path.read_bytes())).load()
        if not isinstance(d, dict):
            raise TypeError(f"the pickle holds a {type(d).__name__}, not a dict of keypoints and confidences")
        kps, conf = np.asarray(d["keypoints"], np.float32), np.asarray(d["confidences"], np.float32)
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PoseFileError(path, f"not an OpenHands pose file ({exc.__class__.__name__}: {exc})") from None
    if kps.ndim != 3 or kps.shape[1:] != (POINTS, 3) or conf.shape != kps.shape[:2]:
        raise PoseFileError(path, f"expected keypoints (T, {POINTS}, 3) and confidences (T, {POINTS}), "
                                  f"got {kps.shape} and {conf.shape}")
    kps, conf = undetected_if_not_finite(kps, conf)
    return [Pose(kps, conf, ASSUMED_FPS, holistic_layout(with_face=False),
                 metadata={"fps_assumed": True, "normalised": True})]


register_format(PoseFormat(
    name="openhands_pkl",
    sniff=lambda p: p.is_file() and p.suffix == ".pkl",
    read=read_openhands_pkl,
    description="OpenHands' pose pickles ({keypoints (T, 75, 3), confidences (T, 75)}, body + hands)",
))
