"""Head-centring and face measures: invariant to a turn of the head; on real MediaPipe poses."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from signkit.pose.face import FaceGeometry, measure_names, measures
from signkit.pose.io import read_pose
from signkit.transforms import build_transforms
from tests.conftest import shared_path

REAL = "krsl_nonmanual/openface/gen_q-neut-devupala-gul.csv"


def _unit_face():
    """A real OpenFace face without its head pose, centred and scaled to about unit size (so
    float32 keeps 1e-7 of precision), and the same face turned by a known rotation."""
    pose = read_pose(shared_path(REAL)).replace(channels={})
    data = pose.data.astype(np.float64)
    data = (data - data.mean(axis=(0, 1))) / 100.0
    rot = Rotation.from_euler("XYZ", [0.3, -0.5, 0.2]).as_matrix()
    turned = data @ rot.T + np.array([0.2, -0.1, 0.5])
    return pose.replace(data=data), pose.replace(data=turned), rot


def test_measures_do_not_move_when_the_head_turns():
    face, turned, rot = _unit_face()
    a, b = measures(face), measures(turned)
    for name in ("brow_height_left", "brow_height_right", "eye_aperture_left", "eye_aperture_right",
                 "mouth_opening", "mouth_width"):
        np.testing.assert_allclose(a[name], b[name], atol=1e-6, err_msg=name)
    # the head's estimated rotation turns with it
    np.testing.assert_allclose(FaceGeometry(turned).rotation, rot @ FaceGeometry(face).rotation, atol=1e-6)


def test_head_centring_gives_the_same_face_as_unrotated():
    face, turned, _ = _unit_face()
    centre = build_transforms(["head_center"])
    np.testing.assert_allclose(centre(face).data, centre(turned).data, atol=1e-6)


def test_openface_head_pose_is_undone_with_the_given_rotation():
    pose = read_pose(shared_path(REAL))
    centred = build_transforms(["head_center"])(pose)
    # the head-centred face is upright: its eyes level (y and z equal) in every frame
    left, right = centred.select("left_eye").data.mean(axis=1), centred.select("right_eye").data.mean(axis=1)
    interocular = np.linalg.norm(left - right, axis=-1)
    assert np.abs(left[:, 1] - right[:, 1]).max() < 0.1 * interocular.min()
    assert FaceGeometry(pose).given_pose


def test_face_measures_as_a_pose_select_by_group():
    pose = read_pose(shared_path(REAL))
    m = build_transforms(["face_measures"])(pose)
    assert m.data.shape == (len(pose), len(measure_names()), 2)  # value, velocity
    assert set(m.layout.groups) >= {"eyebrows", "eyes", "mouth", "head_pose"}
    head = m.select("head_pose")
    assert head.layout.components[0].points == ("head_pitch", "head_roll", "head_yaw")
    np.testing.assert_allclose(head.data[:, 0, 0], pose.channels["head_rotation"][:, 0], atol=1e-6)
    assert measure_names("eyebrows+mouth_width") == ["brow_height_left", "brow_height_right", "mouth_width"]


@pytest.mark.parametrize("name", ["autsl_signer0_sample1000.pose"])
def test_measures_on_a_real_mediapipe_pose_are_finite_and_plausible(name):
    pose = read_pose(shared_path("poses", name))
    face_seen = pose.detection_rate()["face"]
    m = measures(pose)
    plausible = {"brow_height": (0.15, 0.8), "eye_aperture": (0.0, 0.4), "mouth_opening": (0.0, 0.8),
                 "mouth_width": (0.4, 1.3), "head": (-1.2, 1.2)}
    for measure, values in m.items():
        assert np.isfinite(values).mean() == pytest.approx(face_seen), measure
        low, high = next(v for k, v in plausible.items() if measure.startswith(k))
        assert low <= np.nanmin(values) and np.nanmax(values) <= high, measure


def test_measures_on_a_pose_extracted_from_a_real_video(tmp_path):
    pytest.importorskip("mediapipe")
    from signkit.extract.holistic import extract_video

    pose = extract_video(shared_path("videos", "signer_selfie_540x720.mp4"), frames_range=(0, 15))
    m = measures(pose)
    seen = pose.detected[:, pose.layout.indices("face")].any(axis=1)
    assert seen.any()
    for values in m.values():
        assert np.isfinite(values[seen]).all()
    assert 0.15 < np.nanmedian(m["brow_height_left"]) < 0.8
    assert abs(np.nanmedian(m["head_roll"])) < 0.6
