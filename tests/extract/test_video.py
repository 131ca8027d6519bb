"""Decoding real and deliberately broken videos with PyAV; job lists from folders and manifests."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from signkit.errors import ConfigError
from signkit.extract.jobs import collect_jobs
from signkit.extract.video import Crop, VideoFileError, _upright, read_frames
from tests.conftest import shared_path


def _write_video(path: Path, sizes_pts: list[int], width: int, height: int, codec: str = "ffv1") -> None:
    """A small lossless video with the given presentation times (ms): odd sizes and VFR allowed."""
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=30)
        s.width, s.height, s.pix_fmt = width, height, "yuv420p" if codec == "libx264" else "bgr0"
        s.time_base = Fraction(1, 1000)
        for i, pts in enumerate(sizes_pts):
            img = np.full((height, width, 3), (i * 20) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 1000)
            for packet in s.encode(frame):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)


def test_real_portrait_clip_header_and_frames():
    info, frames = read_frames(shared_path("videos", "slovo_rsl_sign_720x1280.mp4"))
    images = list(frames)
    assert (info.width, info.height, info.fps) == (720, 1280, 30.0)
    assert len(images) == 112
    assert images[0].shape == (1280, 720, 3) and images[0].dtype == np.uint8


def test_crop_box_and_crop_outside_the_frame():
    path = shared_path("videos", "sentence_320x240.mp4")
    info, frames = read_frames(path, Crop(10, 20, 100, 80))
    first = next(frames)
    frames.close()
    assert (info.width, info.height) == (100, 80) and first.shape == (80, 100, 3)
    with pytest.raises(VideoFileError, match=r"sentence_320x240.mp4: crop 300,0,100,80 lies outside"):
        read_frames(path, Crop.parse("300,0,100,80"))
    with pytest.raises(ConfigError):
        Crop.parse("1,2,3")


def test_odd_size_and_variable_frame_rate(tmp_path):
    path = tmp_path / "vfr.mkv"
    _write_video(path, [0, 33, 100, 133, 300, 333], 33, 25)
    info, frames = read_frames(path)
    assert info.fps == 30  # the header's nominal rate until the timestamps are read
    images = list(frames)
    assert len(images) == 6
    assert images[0].shape == (25, 33, 3)
    assert (info.width, info.height) == (33, 25)
    assert info.fps == pytest.approx(5 / 0.333)  # the timestamps' mean rate, not the nominal 30


def test_broken_inputs_name_the_file_and_the_problem(tmp_path):
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video")
    empty = tmp_path / "empty.mp4"
    empty.touch()
    no_frames = tmp_path / "noframes.mp4"
    with av.open(str(no_frames), "w") as c:  # a valid mp4 whose video track has no frames
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 32, 32, "yuv420p"
        c.start_encoding()
    cases = {text: "not a readable video", empty: "is empty", no_frames: "contains no video frames",
             tmp_path / "missing.mp4": "no such file"}
    for path, problem in cases.items():
        with pytest.raises(VideoFileError, match=problem) as err:
            read_frames(path)
        assert str(path) in str(err.value)


def test_rotation_metadata_is_applied_like_a_player():
    image = np.zeros((2, 3, 3), np.uint8)
    image[0, 0] = 255  # top-left of the stored frame
    upright = _upright(image, -90)  # a phone's portrait clip: shown turned 90 degrees clockwise
    assert upright.shape == (3, 2, 3)
    assert upright[0, 1, 0] == 255  # top-left moved to top-right
    assert _upright(image, 0) is image


def test_jobs_from_folders_and_manifests(tmp_path):
    (tmp_path / "in" / "lesson1").mkdir(parents=True)
    for name in ("lesson1/a.mp4", "b.MOV", "notes.txt"):
        (tmp_path / "in" / name).write_bytes(b"x")
    jobs = collect_jobs([tmp_path / "in"], Crop(0, 0, 10, 10))
    assert [str(j.output_name) for j in jobs] == ["b.pose", "lesson1/a.pose"]
    assert all(j.crop == Crop(0, 0, 10, 10) for j in jobs)

    manifest = tmp_path / "list.csv"
    manifest.write_text("path,crop\nin/b.MOV,1,2,3,4\nin/lesson1/a.mp4,\n".replace(",1,2,3,4", ',"1,2,3,4"'))
    jobs = collect_jobs([manifest])
    assert jobs[0].video == tmp_path / "in" / "b.MOV" and jobs[0].crop == Crop(1, 2, 3, 4)
    assert jobs[1].crop is None and jobs[1].output_name == Path("in/lesson1/a.pose")

    (tmp_path / "in" / "b.mp4").write_bytes(b"x")
    with pytest.raises(ConfigError, match=r"would both be written to b\.pose"):
        collect_jobs([tmp_path / "in"])
    with pytest.raises(ConfigError, match="no such file"):
        collect_jobs([tmp_path / "nothing"])
