"""What the non-manual channels do, frame by frame, while someone signs: the head-centred brow
height, the eye aperture (both in interocular distances, the two sides averaged) and the head's
pitch (degrees), from the face of the live keypoints (:mod:`signkit.pose.face`)."""

from __future__ import annotations

import numpy as np

from signkit.errors import ConfigError
from signkit.pose.face import face_points, measures
from signkit.pose.layout import Layout
from signkit.pose.pose import Pose

#: trace -> the registered measures it averages
TRACES = {"brow_height": ("brow_height_left", "brow_height_right"),
          "eye_aperture": ("eye_aperture_left", "eye_aperture_right"),
          "head_pitch": ("head_pitch",)}


class FaceTraces:
    """Per-frame face measures of keypoints in ``layout`` (``None`` where the face is not seen);
    a layout without a face gives no traces at all (:attr:`available` is False)."""

    def __init__(self, layout: Layout, fps: float = 30.0):
        self.layout, self.fps = layout, fps
        try:
            face_points(layout)
            self.available = True
        except ConfigError:
            self.available = False
        self._names = [m for names in TRACES.values() for m in names]

    def __call__(self, data: np.ndarray, conf: np.ndarray, size: tuple[int, int] | None = None
                 ) -> dict[str, float | None]:
        """One frame's ``(K, 3)`` keypoints and ``(K,)`` confidence -> ``{trace: value}``;
        ``size``: the frame's (width, height), which scales MediaPipe's depth like x."""
        if not self.available:
            return {}
        w, h = size or (0, 0)
        pose = Pose(data[None].astype(np.float32), conf[None].astype(np.float32), self.fps, self.layout,
                    width=w, height=h)
        values = measures(pose, self._names)
        out: dict[str, float | None] = {}
        for trace, names in TRACES.items():
            v = np.array([values[n][0] for n in names])
            v = v[np.isfinite(v)]
            if not len(v):
                out[trace] = None
            elif trace == "head_pitch":  # radians, as OpenFace reports them: degrees to read
                out[trace] = round(float(np.degrees(v.mean())), 2)
            else:
                out[trace] = round(float(v.mean()), 4)
        return out
