"""``signkit visualize --video``: the skeleton over the source frames, checked on real files."""

from __future__ import annotations

import av
import numpy as np
from PIL import Image

from tests.conftest import shared_path
from tests.test_cli import signkit


def test_overlay_video_and_frame(tmp_path):
    pose = shared_path("poses", "autsl_signer0_sample1000.pose")
    video = shared_path("videos", "autsl_signer0_sample1000_color.mp4")
    r = signkit("visualize", str(pose), "--video", str(video), "-o", str(tmp_path / "o.mp4"))
    assert r.returncode == 0, r.stderr
    with av.open(str(tmp_path / "o.mp4")) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and (s.width, s.height) == (512, 512)
        assert sum(1 for _ in c.decode(s)) == 43

    r = signkit("visualize", str(pose), "--video", str(video), "-o", str(tmp_path / "o.png"), "--frame", "20")
    assert r.returncode == 0, r.stderr
    drawn = np.asarray(Image.open(tmp_path / "o.png").convert("RGB")).astype(int)
    with av.open(str(video)) as c:
        source = next(f for i, f in enumerate(c.decode(video=0)) if i == 20).to_ndarray(format="rgb24")
    changed = np.abs(drawn - source.astype(int)).sum(-1) > 60
    assert 0.002 < changed.mean() < 0.2  # a skeleton drawn, the picture still there


def test_overlay_refuses_a_video_of_another_size(tmp_path):
    pose = shared_path("poses", "autsl_signer0_sample1000.pose")
    video = shared_path("videos", "sentence_320x240.mp4")
    r = signkit("visualize", str(pose), "--video", str(video), "-o", str(tmp_path / "o.mp4"))
    assert r.returncode == 1
    assert "frames are 320x240 but the pose was extracted at 512x512" in r.stderr
    assert "Traceback" not in r.stderr
