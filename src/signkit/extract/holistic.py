"""MediaPipe Holistic (legacy solution, model_complexity 1) as a per-frame streaming estimator.

Coordinates follow pose-format's convention for Holistic ``.pose`` files: x and y in pixels of
the frame, z as MediaPipe returns it; confidence is the body landmarks' visibility and 1 for a
detected face or hand (0 when MediaPipe found none in that frame).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from signkit.extract.video import Crop, VideoInfo, read_frames
from signkit.extras import require
from signkit.native import filtered_stderr
from signkit.pose.layout import Layout
from signkit.pose.layouts import holistic_layout
from signkit.pose.pose import Pose

# Keep MediaPipe's C++ logging (glog/absl) to errors; set before mediapipe is imported.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# The only Holistic models shipped inside mediapipe 0.10.21's wheel; 0 and 2 try to download.
MODEL_COMPLEXITY = 1
# A blank frame clears MediaPipe's tracking between videos, much cheaper than a new graph.
_BLANK = np.full((256, 256, 3), 255, np.uint8)
# MediaPipe's C++ notes on stderr: part is written before absl's logging is set up (so
# GLOG_minloglevel cannot hold it back: TFLite's delegate note, the feedback-manager warnings),
# part while frames are processed (the projection calculator's).
NATIVE_NOISE = re.compile(rb"^(?:[IW]0000 |INFO: Created TensorFlow Lite|"
                           rb"WARNING: All log messages before absl)")


class HolisticEstimator:
    """Keypoints of one frame at a time; real-time recognition reuses it on camera frames.

    >>> with HolisticEstimator() as est:            # doctest: +SKIP
    ...     data, conf = est.process(rgb_frame)     # (K, 3), (K,)
    """

    def __init__(self, refine_face: bool = False, static_image_mode: bool = False, world: bool = False):
        """``world``: also MediaPipe's world landmarks (``POSE_WORLD_LANDMARKS``, the body's 33
        points in metres around the hips, as MediaPipe gives them), after the hands."""
        require("mediapipe", "extract")
        import mediapipe as mp

        self.refine_face, self.world = refine_face, world
        self.layout: Layout = holistic_layout(478 if refine_face else 468, fmt="XYZC", world=world)
        with filtered_stderr(NATIVE_NOISE):
            self._holistic = mp.solutions.holistic.Holistic(
                static_image_mode=static_image_mode, model_complexity=MODEL_COMPLEXITY,
                refine_face_landmarks=refine_face)
            self._holistic.process(_BLANK)  # the models load on the first frame: their notes too
        self._face_points = 478 if refine_face else 468

    def process(self, frame: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One ``(H, W, 3)`` uint8 RGB frame -> ``(K, 3)`` pixel coordinates, ``(K,)`` confidence."""
        from pose_format.utils.holistic import body_points, component_points

        h, w = frame.shape[:2]
        r = self._holistic.process(frame)
        parts = [body_points(r.pose_landmarks, w, h, 33),
                 component_points(r.face_landmarks, w, h, self._face_points),
                 component_points(r.left_hand_landmarks, w, h, 21),
                 component_points(r.right_hand_landmarks, w, h, 21)]
        if self.world:
            parts.append(body_points(r.pose_world_landmarks, 1, 1, 33))  # metres, not pixels
        data = np.concatenate([p[0] for p in parts]).astype(np.float32)
        conf = np.concatenate([p[1] for p in parts]).astype(np.float32)
        return data, conf

    def reset(self) -> None:
        """Forget the tracked person, so the next frame starts a new video."""
        self._holistic.process(_BLANK)

    def close(self) -> None:
        self._holistic.close()

    def __enter__(self) -> HolisticEstimator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def estimate(frames: Iterable[np.ndarray], estimator: HolisticEstimator, info: VideoInfo,
             on_frame: Callable[[], None] | None = None) -> Pose:
    """Run ``estimator`` over ``frames`` (tracking from a fresh start) into a ``(T, K, 3)`` Pose.

    ``info`` is read after the last frame: by then it holds the measured frame rate.
    """
    estimator.reset()
    data, conf = [], []
    for frame in frames:
        d, c = estimator.process(frame)
        data.append(d)
        conf.append(c)
        if on_frame is not None:
            on_frame()
    k = estimator.layout.num_keypoints
    return Pose(np.stack(data) if data else np.zeros((0, k, 3), np.float32),
                np.stack(conf) if conf else np.zeros((0, k), np.float32),
                info.fps, estimator.layout, width=info.width, height=info.height, depth=0)


def extract_video(path: str | Path, crop: Crop | None = None, refine_face: bool = False,
                  estimator: HolisticEstimator | None = None,
                  on_frame: Callable[[], None] | None = None,
                  frames_range: tuple[int, int | None] | None = None, world: bool = False) -> Pose:
    """The Holistic pose of one video (body 33 + face 468/478 + hands 2 x 21, x y z + confidence).

    ``estimator`` is reused (and reset) when given; ``on_frame`` is called after each frame.
    ``frames_range`` ``(start, stop)`` keeps only those frames (0-based, ``stop`` None: the end);
    the frames before ``start`` are decoded but not estimated. ``world``: also the body's world
    landmarks in metres (an ``estimator`` given brings its own setting).
    """
    info, frames = read_frames(path, crop, frames_range)
    own = estimator is None
    est = HolisticEstimator(refine_face, world=world) if own else estimator
    try:
        pose = estimate(frames, est, info, on_frame)
    finally:
        frames.close()
        if own:
            est.close()
    pose.metadata.update(source=str(path), crop=str(crop) if crop else None,
                         **({"frames": list(frames_range)} if frames_range else {}))
    return pose
