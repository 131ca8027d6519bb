"""MediaPipe Holistic on real signing videos: detection of face and hands, exact .pose round trip."""

from __future__ import annotations

import numpy as np
import pytest

from signkit.pose.io import read_pose, write_pose
from tests.conftest import shared_path

pytest.importorskip("mediapipe")

from signkit.extract import HolisticEstimator, extract_video


def test_slovo_clip_face_and_hands_found_and_pose_reads_back_exactly(tmp_path):
    video = shared_path("videos", "slovo_rsl_sign_720x1280.mp4")
    pose = extract_video(video)
    assert pose.layout.name == "mediapipe_holistic"
    assert pose.data.shape == (112, 33 + 468 + 21 + 21, 3)
    assert (pose.fps, pose.width, pose.height) == (30.0, 720, 1280)
    rates = pose.detection_rate()
    assert rates["face"] >= 0.90
    assert rates["left_hand"] >= 0.5 and rates["right_hand"] >= 0.5
    # pixel coordinates of the portrait frame
    face = pose.select("face").data[pose.select("face").detected]
    assert face[:, 0].min() > 0 and face[:, 0].max() < 720 and face[:, 1].max() < 1280

    out = tmp_path / "slovo.pose"
    write_pose(pose, out)
    back = read_pose(out)
    np.testing.assert_array_equal(back.data, pose.data)
    np.testing.assert_array_equal(back.confidence, pose.confidence)
    assert (back.fps, back.width, back.height, back.layout) == (pose.fps, pose.width, pose.height,
                                                                pose.layout)


def test_refined_face_has_irises_and_streaming_matches_the_video_api():
    video = shared_path("videos", "autsl_signer0_sample1000_color.mp4")
    with HolisticEstimator(refine_face=True) as est:
        pose = extract_video(video, refine_face=True, estimator=est)
        again = extract_video(video, refine_face=True, estimator=est)  # reused: tracking reset
    assert pose.data.shape[1] == 33 + 478 + 42
    eyes = pose.layout.indices("eyes")
    assert set(range(33 + 468, 33 + 478)) <= set(eyes)
    assert pose.detection_rate()["eyes"] > 0.9
    np.testing.assert_allclose(again.data, pose.data, atol=1e-3)
