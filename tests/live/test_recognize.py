"""signkit recognize on real signing video: gloss events in order inside the video, SRT and
overlay outputs, frame skipping, the no-sign state, clean Ctrl-C, and one-line source errors."""

from __future__ import annotations

import itertools
import json
import math
import os
import signal
import subprocess
import sys
import time

import pytest

from signkit.inference import load_model
from signkit.live.recognizer import Recognizer
from signkit.live.sources import open_source
from tests.conftest import default_sigint, shared_path

pytest.importorskip("mediapipe")


def _signkit(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *map(str, args)], capture_output=True,
                          text=True, timeout=300, **kw)


def test_a_real_video_gives_gloss_events_in_order_inside_the_video(synthetic_export, tmp_path):
    import av
    import webvtt

    video = shared_path("videos", "sentence_320x240.mp4")  # 107 frames at 25 fps
    srt, overlay = tmp_path / "out.srt", tmp_path / "overlay.mp4"
    # Threshold 0: this model never saw the sentence's signs, but every window must be read.
    res = _signkit("recognize", synthetic_export, video, "--threshold", "0", "--srt", srt,
                   "--overlay", overlay)
    assert res.returncode == 0, res.stderr
    events = [json.loads(line) for line in res.stdout.splitlines()]
    vocabulary = load_model(synthetic_export).vocabulary
    assert len(events) >= 2
    assert [e["start"] for e in events] == sorted(e["start"] for e in events)
    for e in events:
        assert e["gloss"] in vocabulary and 0 < e["probability"] <= 1 and e["delay_ms"] >= 0
        assert 0 <= e["start"] < e["end"] <= 107 / 25 + 1e-6
    assert all(a["gloss"] != b["gloss"] for a, b in itertools.pairwise(events))  # no repeats
    assert f"{len(events)} glosses in 107 frames" in " ".join(res.stderr.split())
    assert "W0000" not in res.stderr and "I0000" not in res.stderr, res.stderr  # MediaPipe's notes
    assert [c.text for c in webvtt.from_srt(str(srt))] == [e["gloss"] for e in events]
    with av.open(str(overlay)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 107


class CountingEstimator:
    def __init__(self):
        from signkit.extract.holistic import HolisticEstimator

        self.inner, self.calls = HolisticEstimator(), 0
        self.layout = self.inner.layout

    def process(self, frame):
        self.calls += 1
        return self.inner.process(frame)

    def close(self):
        self.inner.close()


def test_frame_skipping_through_the_recognizer_api(synthetic_export):
    run = load_model(synthetic_export)
    source = open_source(shared_path("videos", "signer_selfie_540x720.mp4"))  # 58 frames
    estimator = CountingEstimator()
    rec = Recognizer(run, fps=source.fps, threshold=0.0, every=3, estimator=estimator)
    events, frames = [], 0
    for t, frame in source.frames:
        events += rec.feed(frame, t)
        frames += 1
    events += rec.flush()
    estimator.close()
    assert frames == 58 and estimator.calls == math.ceil(58 / 3)
    assert rec._total == 58  # every frame reached the model, the skipped ones interpolated
    assert events and all(0 <= e.start < e.end <= 58 / source.fps + 1e-6 for e in events)


def test_no_sign_without_hands_or_below_the_threshold(synthetic_export):
    from signkit.data.dataset import load_dataset

    run = load_model(synthetic_export)
    pose = load_dataset("synthetic:3x6").samples[0]
    no_hands = pose.confidence.copy()
    no_hands[:, pose.layout.indices("hands")] = 0
    for threshold, conf in ((0.0, no_hands), (1.01, pose.confidence)):
        rec = Recognizer(run, fps=pose.fps, threshold=threshold, layout=pose.layout)
        events = [e for t in range(len(pose)) for e in rec.push(pose.data[t], conf[t])] + rec.flush()
        assert events == [] and rec.current is None
    rec = Recognizer(run, fps=pose.fps, threshold=0.0, layout=pose.layout)
    events = [e for t in range(len(pose)) for e in rec.push(pose.data[t], pose.confidence[t])] + rec.flush()
    assert events


def test_ctrl_c_stops_cleanly_and_keeps_the_outputs(synthetic_export, tmp_path):
    video = shared_path("videos", "slovo_rsl_sign_720x1280.mp4")  # 112 large frames: several seconds
    srt = tmp_path / "partial.srt"
    proc = subprocess.Popen([sys.executable, "-m", "signkit.cli.app", "recognize", str(synthetic_export),
                             str(video), "--threshold", "0", "--min-hands", "0", "--srt", str(srt)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)
    first = proc.stdout.readline()  # the first gloss: the pipeline is running
    assert first.startswith("{"), proc.stderr.read()
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopped by Ctrl-C" in err and "Traceback" not in err
    frames = int(err.split(" glosses in ")[1].split()[0])
    assert frames < 112
    assert srt.is_file() and srt.read_text().count("-->") == 1 + len(out.splitlines())


def test_a_camera_that_cannot_be_opened_and_a_bad_url_are_one_line_errors(synthetic_export):
    res = _signkit("recognize", synthetic_export, "--camera", "7")
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == ["error: camera 7: cannot be opened (no such camera, or "
                                               "another program holds it)"]
    res = _signkit("recognize", synthetic_export, "rtsp://127.0.0.1:9/live")
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1
    assert res.stderr.startswith("error: rtsp://127.0.0.1:9/live: cannot open the stream (")
    res = _signkit("recognize", synthetic_export, "missing.mp4", env={**os.environ, "COLUMNS": "200"})
    assert res.returncode == 1 and res.stderr.strip() == "error: missing.mp4: no such file"


def test_reading_ahead_gives_the_same_frames_raises_where_reading_failed_and_stops_on_close():
    import threading

    import numpy as np

    from signkit.live.sources import FrameSource, read_ahead

    video = shared_path("videos", "signer_selfie_540x720.mp4")  # 58 frames
    direct = list(open_source(video).frames)
    ahead = list(read_ahead(open_source(video), depth=3).frames)
    assert [t for t, _ in ahead] == [t for t, _ in direct] and len(direct) == 58
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(ahead, direct, strict=True))

    def broken():
        yield from itertools.islice(open_source(video).frames, 4)
        raise OSError("the disk went away")

    frames = read_ahead(FrameSource("broken", 25.0, broken(), live=False)).frames
    assert len(list(itertools.islice(frames, 4))) == 4
    with pytest.raises(OSError, match="disk went away"):
        next(frames)

    before = threading.active_count()
    frames = read_ahead(open_source(video), depth=2).frames
    next(frames)  # the reader now blocks on its full queue
    frames.close()
    assert threading.active_count() == before
