"""The OpenFace 2 CSV reader on real files, and its one-line errors."""

from __future__ import annotations

import numpy as np
import pytest

from signkit.errors import PoseFileError
from signkit.pose.io import detect_format, read_pose
from tests.conftest import shared_path

REAL = "krsl_nonmanual/openface/gen_q-neut-devupala-gul.csv"


def test_a_real_file_reads_as_a_68_point_3d_face_with_head_pose():
    path = shared_path(REAL)
    assert detect_format(path).name == "openface"
    pose = read_pose(path)
    assert pose.data.shape == (53, 68, 3)
    assert pose.layout.name == "face_68"
    groups = {g: len(v) for g, v in pose.layout.groups.items()}
    assert groups["face_contour"] == 17 and groups["eyebrows"] == 10 and groups["nose"] == 9
    assert groups["eyes"] == 12 and groups["mouth"] == 20
    assert groups["left_eyebrow"] == groups["right_eyebrow"] == 5
    assert groups["left_eye"] == groups["right_eye"] == 6
    # the signer's left eye is on the image's right (x grows to the right in OpenFace's frame)
    left, right = pose.select("left_eye").data[:, :, 0].mean(), pose.select("right_eye").data[:, :, 0].mean()
    assert left > right
    assert pose.fps == pytest.approx(28.276, abs=0.01)  # from the timestamps
    assert pose.channels["head_rotation"].shape == (53, 3)
    assert pose.channels["head_translation"].shape == (53, 3)
    assert pose.channels["head_translation"][:, 2].mean() > 300  # mm from the camera
    assert pose.metadata["camera"] == {"fx": 1000.0, "fy": 1000.0, "cx": 640.0, "cy": 480.0}
    assert pose.detected.all()
    # the channels follow the frames
    part = pose.frames(slice(10, 20))
    np.testing.assert_array_equal(part.channels["head_rotation"], pose.channels["head_rotation"][10:20])


def _rewrite(path, to, sep=",", edit=lambda i, row: row):
    lines = path.read_text().splitlines()
    head = [c.strip() for c in lines[0].split(",")]
    body = [edit(i, line.split(",")) for i, line in enumerate(lines[1:])]
    to.write_text("\n".join(sep.join(r) for r in [head, *body]) + "\n")
    return to


def test_leading_space_columns_and_undetected_frames(tmp_path):
    path = shared_path(REAL)
    spaced = _rewrite(path, tmp_path / "spaced.csv", sep=", ")  # as OpenFace itself writes
    a, b = read_pose(path), read_pose(spaced)
    np.testing.assert_array_equal(a.data, b.data)
    np.testing.assert_array_equal(a.channels["head_rotation"], b.channels["head_rotation"])

    success = [c.strip() for c in path.read_text().splitlines()[0].split(",")].index("success")

    def lose(i, row):
        if i in (3, 4):
            row[success] = "0"
        return row

    lost = read_pose(_rewrite(path, tmp_path / "lost.csv", edit=lose))
    assert not lost.detected[3:5].any() and lost.detected[5:].all()
    assert lost.detection_rate()["face"] == pytest.approx(51 / 53)


def test_the_real_recordings_have_some_frames_without_a_face():
    from signkit.data.dataset import load_dataset

    ds = load_dataset(f"openface_elan:{shared_path('krsl_nonmanual')}")
    undetected = sum(int((~p.detected).all(axis=1).sum()) for p in ds.samples)
    assert 0 < undetected < sum(len(p) for p in ds.samples) / 10


def test_bad_files_are_one_line_errors(tmp_path):
    path = shared_path(REAL)
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    no_landmarks = tmp_path / "no_landmarks.csv"
    keep = [i for i, c in enumerate(header) if c.strip()[:2] not in ("X_", "Y_", "Z_")]
    no_landmarks.write_text("\n".join(",".join(line.split(",")[i] for i in keep) for line in lines))
    with pytest.raises(PoseFileError, match="no landmark columns") as err:
        read_pose(no_landmarks)
    assert "no_landmarks.csv" in str(err.value) and "\n" not in str(err.value)

    truncated = tmp_path / "truncated.csv"
    truncated.write_text("\n".join(lines[:10]) + "\n" + lines[10][: len(lines[10]) // 2])
    with pytest.raises(PoseFileError, match=r"line 11 has .* values, the header") as err:
        read_pose(truncated)
    assert "truncated.csv" in str(err.value)

    header_only = tmp_path / "header.csv"
    header_only.write_text(lines[0] + "\n")
    with pytest.raises(PoseFileError, match="no frames"):
        read_pose(header_only)


def test_info_and_visualize_work_on_it(tmp_path):
    from typer.testing import CliRunner

    from signkit.cli.app import app

    path = shared_path(REAL)
    runner = CliRunner()
    info = runner.invoke(app, ["info", str(path)])
    assert info.exit_code == 0, info.output
    assert "face_68" in info.output and "head_rotation" in info.output
    out = tmp_path / "face.png"
    drawn = runner.invoke(app, ["visualize", str(path), "-o", str(out)])
    assert drawn.exit_code == 0, drawn.output
    assert out.stat().st_size > 1000


def test_action_units_and_gaze_become_named_channels(tmp_path):
    path = shared_path(REAL)
    lines = path.read_text().splitlines()
    extra = ["gaze_angle_x", "gaze_angle_y", "AU01_r", "AU12_c"]
    rows = [lines[0] + "," + ",".join(extra)]
    rows += [f"{line},0.1,-0.2,{i / 10:.1f},1" for i, line in enumerate(lines[1:])]
    with_aus = tmp_path / "with_aus.csv"
    with_aus.write_text("\n".join(rows) + "\n")
    pose = read_pose(with_aus)
    assert pose.channels["gaze_angle"].shape == (53, 2)
    np.testing.assert_allclose(pose.channels["gaze_angle"][0], [0.1, -0.2])
    np.testing.assert_allclose(pose.channels["AU01_r"][:3, 0], [0.0, 0.1, 0.2], atol=1e-6)
    assert pose.channels["AU12_c"].shape == (53, 1)
