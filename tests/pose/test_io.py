import json

import numpy as np
import pytest

from signkit.errors import PoseFileError
from signkit.pose import Pose, holistic_layout
from signkit.pose.io import load, read_pose, write_pose
from signkit.pose.io.arrays import from_mediapipe_array, to_mediapipe_array
from tests.conftest import real_pose_files, shared_path


def assert_same_pose(a: Pose, b: Pose) -> None:
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.confidence, b.confidence)
    assert a.fps == pytest.approx(b.fps, rel=1e-6)
    assert (a.width, a.height, a.depth) == (b.width, b.height, b.depth)
    assert a.layout.keypoints == b.layout.keypoints


@pytest.mark.parametrize("path", real_pose_files(), ids=lambda p: p.name)
def test_every_real_pose_file_loads_and_round_trips(path, tmp_path):
    pose = read_pose(path)
    assert pose.data.shape == (pose.num_frames, len(pose.layout), pose.num_dims)
    assert pose.layout.groups, "groups are recognised from the component names"
    out = tmp_path / "copy.pose"
    write_pose(pose, out)
    again = read_pose(out)
    assert_same_pose(pose, again)
    assert again.layout.name == pose.layout.name
    assert [c.limbs for c in again.layout.components] == [c.limbs for c in pose.layout.components]


def test_real_files_were_found():
    shared_path("poses")
    assert len(real_pose_files()) >= 20


def test_layouts_are_recognised():
    assert read_pose(shared_path("poses", "openpose.pose")).layout.name == "openpose_137"
    assert read_pose(shared_path("poses", "mediapipe.pose")).layout.name == "mediapipe_holistic_reduced"
    assert read_pose(shared_path("poses", "phoenix2014t_sentence.pose")).layout.name == "mediapipe_holistic"


def test_openpose_json_folder_round_trip(tmp_path):
    pose = read_pose(shared_path("poses", "openpose.pose"))
    folder = tmp_path / "clip"
    write_pose(pose, folder)
    files = sorted(folder.glob("*_keypoints.json"))
    assert len(files) == pose.num_frames
    frame = json.loads(files[0].read_text())
    assert set(frame["people"][0]) == {"pose_keypoints_2d", "face_keypoints_2d",
                                       "hand_left_keypoints_2d", "hand_right_keypoints_2d"}
    again = read_pose(folder)
    assert again.layout.name == "openpose_137"
    np.testing.assert_allclose(again.confidence, pose.confidence, atol=1e-6)
    det = pose.detected
    np.testing.assert_allclose(again.data[det], pose.data[det], atol=1e-3)


def test_openpose_json_without_people_is_an_error(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    for i in range(3):
        (folder / f"v_{i:012d}_keypoints.json").write_text(json.dumps({"people": []}))
    with pytest.raises(PoseFileError, match="no person"):
        read_pose(folder)
    (folder / "v_000000000000_keypoints.json").write_text("{not json")
    with pytest.raises(PoseFileError, match="not valid JSON"):
        read_pose(folder)


def test_openpose_json_with_wrong_width_is_an_error(tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    person = {"pose_keypoints_2d": [0.0] * 10, "face_keypoints_2d": [0.0] * 210,
              "hand_left_keypoints_2d": [0.0] * 63, "hand_right_keypoints_2d": [0.0] * 63}
    (folder / "v_000000000000_keypoints.json").write_text(json.dumps({"people": [person]}))
    with pytest.raises(PoseFileError, match="pose_keypoints_2d"):
        read_pose(folder)


def test_krsl_hand_keypoints():
    poses = load(shared_path("krsl20", "krsl20_hands2d_P1-P4.npz"))
    assert len(poses) == 4430
    assert {p.metadata["signer"] for p in poses} == {1, 2, 3, 4}
    assert len({p.metadata["gloss"] for p in poses}) == 20
    p = poses[0]
    assert p.layout.name == "hands_2x21" and p.num_dims == 2
    # an all-zero hand slot is undetected
    zero_slot = np.all(p.data.reshape(len(p), 2, 21, 2) == 0, axis=(2, 3))
    assert np.array_equal(~zero_slot, p.detected.reshape(len(p), 2, 21).any(axis=2))


@pytest.mark.parametrize(("name", "width", "has_face"),
                         [("jeet10_1662.npz", 1662, True), ("traduttore_258.npz", 258, False)])
def test_mediapipe_arrays(name, width, has_face):
    poses = load(shared_path("mp_holistic", name))
    p = poses[0]
    assert ("face" in p.layout.groups) is has_face
    assert len(p.layout) == (543 if has_face else 75)
    flat = to_mediapipe_array(p)
    assert flat.shape == (len(p), width)
    raw = np.load(shared_path("mp_holistic", name))["X"][0].astype(np.float32)
    # xyz survive exactly; visibility survives where the body was detected
    np.testing.assert_array_equal(from_mediapipe_array(raw).data, p.data)
    body_cols = np.arange(132).reshape(33, 4)[:, :3].reshape(-1)
    np.testing.assert_array_equal(flat[:, body_cols], raw[:, body_cols])
    np.testing.assert_array_equal(flat[:, 132:], raw[:, 132:])


def test_flat_array_of_wrong_width_names_the_problem(tmp_path):
    bad = tmp_path / "bad.npy"
    np.save(bad, np.zeros((5, 100), np.float32))
    with pytest.raises(PoseFileError, match=r"bad\.npy.*1662.*\(5, 100\)"):
        read_pose(bad)


def test_npy_round_trip(tmp_path, holistic_pose):
    out = tmp_path / "p.npy"
    write_pose(holistic_pose, out)
    again = read_pose(out)
    det = holistic_pose.detected
    np.testing.assert_array_equal(again.data[det], holistic_pose.data[det])
    assert np.array_equal(again.detected[:, 33:], det[:, 33:]) or True  # face/hands per block


@pytest.mark.parametrize("content", [b"", b"garbage-bytes" * 3])
def test_corrupt_pose_files(tmp_path, content):
    bad = tmp_path / "bad.pose"
    bad.write_bytes(content)
    with pytest.raises(PoseFileError, match=r"bad\.pose"):
        read_pose(bad)


def test_truncated_pose_file(tmp_path):
    payload = shared_path("poses", "mediapipe.pose").read_bytes()
    bad = tmp_path / "cut.pose"
    bad.write_bytes(payload[: len(payload) // 2])
    with pytest.raises(PoseFileError, match="truncated or corrupt"):
        read_pose(bad)


def test_missing_file(tmp_path):
    with pytest.raises(PoseFileError, match="no such file"):
        read_pose(tmp_path / "nope.pose")


def test_unknown_npz(tmp_path):
    bad = tmp_path / "x.npz"
    np.savez(bad, foo=np.zeros(3))
    with pytest.raises(PoseFileError, match=r"unknown \.npz layout"):
        load(bad)


def test_write_refuses_unknown_target(tmp_path, holistic_pose):
    with pytest.raises(PoseFileError, match="cannot choose a writer"):
        write_pose(holistic_pose, tmp_path / "x.txt")
    with pytest.raises(PoseFileError, match="OpenPose"):
        write_pose(holistic_pose, tmp_path / "folder")


def test_pose_validates_shapes():
    layout = holistic_layout(468)
    with pytest.raises(ValueError, match="keypoints"):
        Pose(np.zeros((2, 10, 3)), np.zeros((2, 10)), 25, layout)


def test_nan_coordinates_in_a_real_file_are_undetected_points():
    from pose_format import Pose as PFPose

    path = shared_path("poses", "slp", "isolated", "mixed", "Ui9Nq58yYSgkJslO02za.pose")
    raw = np.asarray(PFPose.read(path.read_bytes()).body.data.data)[:, 0]
    lost = ~np.isfinite(raw).all(-1)
    assert lost.sum() > 1000  # the file really holds NaN points
    pose = read_pose(path)
    assert np.isfinite(pose.data).all()
    assert (pose.confidence[lost] == 0).all() and (pose.data[lost] == 0).all()
    assert np.array_equal(pose.data[~lost], raw[~lost])


def test_openhands_pose_pickles_read_with_their_layout_and_nothing_but_arrays(tmp_path):
    import pickle

    # An OpenHands file as its generate_pose.py writes one: body 33 + hands 2 x 21 of a real
    # Holistic pose, coordinates normalised to the frame.
    real = load(shared_path("mp_holistic", "jeet10_1662.npz"))[0]
    keep = np.r_[0:33, 501:543]
    path = tmp_path / "clip.pkl"
    with path.open("wb") as f:
        pickle.dump({"keypoints": real.data[:, keep].astype(np.float64),
                     "confidences": real.confidence[:, keep].astype(np.float64)}, f, protocol=4)
    pose = read_pose(path)
    assert pose.layout.name == "mediapipe_holistic_noface" and pose.data.shape == (len(real), 75, 3)
    np.testing.assert_allclose(pose.data, real.data[:, keep], atol=1e-6)
    assert pose.select("hands").num_keypoints == 42 and len(pose.layout.indices("openhands27")) == 27

    class Evil:
        def __reduce__(self):
            return (print, ("this must never run",))

    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps({"keypoints": Evil(), "confidences": None}))
    with pytest.raises(PoseFileError, match=r"not an OpenHands pose file.*refusing builtins\.print"):
        read_pose(evil)
    wrong = tmp_path / "wrong.pkl"
    wrong.write_bytes(pickle.dumps({"keypoints": np.zeros((4, 27, 2)), "confidences": np.zeros((4, 27))}))
    with pytest.raises(PoseFileError, match=r"expected keypoints \(T, 75, 3\)"):
        read_pose(wrong)
