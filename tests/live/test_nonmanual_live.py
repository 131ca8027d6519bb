"""The non-manual channels live: face traces from Holistic keypoints, a tagging run's markers
streamed, and ``signkit recognize`` with a sign run and a non-manual run together writing the
markers as their own ELAN tier and SRT track, the traces as CSV and beside the overlay video."""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import shared_path

pytest.importorskip("mediapipe")


def test_face_traces_follow_a_real_face_and_need_one():
    from signkit.live.face import TRACES, FaceTraces
    from signkit.pose.io import read_pose

    pose = read_pose(shared_path("poses", "mediapipe.pose"))
    face = FaceTraces(pose.layout, pose.fps)
    rows = [face(pose.data[t], pose.confidence[t], (pose.width, pose.height)) for t in range(len(pose))]
    for name in TRACES:
        values = np.array([r[name] for r in rows if r[name] is not None])
        assert len(values) > 0.9 * len(pose) and np.all(np.isfinite(values)) and values.std() > 0, name
    brows = np.array([r["brow_height"] for r in rows if r["brow_height"] is not None])
    assert 0.1 < np.median(brows) < 1.0  # interocular distances: a brow sits a fraction of one above the eye
    hands = read_pose(shared_path("poses", "mediapipe_hand_normalized.pose"))
    if "left_eyebrow" not in hands.layout.groups:
        assert FaceTraces(hands.layout).available is False
        assert FaceTraces(hands.layout)(hands.data[0], hands.confidence[0]) == {}


def test_a_tagging_run_streams_the_markers_it_finds_offline(brows_run):
    from signkit.data.dataset import load_dataset
    from signkit.inference import load_model
    from signkit.live.recognizer import Recognizer
    from signkit.training.registries import get_task

    run = load_model(brows_run)
    pose = load_dataset(run.recipe.data.dataset).samples[0]
    offline = get_task("tag").timed(run, pose)["brows"]
    for window, stride in ((len(pose) + 8, len(pose) + 8), (round(4 * pose.fps), 8)):
        rec = Recognizer(run, fps=pose.fps, window=window, stride=stride, layout=pose.layout, min_hands=0)
        events = [e for t in range(len(pose)) for e in rec.push(pose.data[t], pose.confidence[t])]
        events += rec.flush()
        assert all(e.tier == "brows" and e.gloss != "none" for e in events)
        assert all(a.end <= b.start + 1e-9 for a, b in itertools.pairwise(events))
        if window > len(pose):  # one window over everything: exactly the offline segments
            assert [(e.gloss, round(e.start, 6), round(e.end, 6)) for e in events] == \
                [(v, round(a, 6), round(b, 6)) for v, a, b in offline]
        assert events[0].as_dict()["tier"] == "brows" if events else True


def test_recognize_with_a_sign_run_and_a_marker_run(synthetic_export, brows_run, tmp_path):
    video = shared_path("videos", "sentence_320x240.mp4")
    out = {k: tmp_path / f"out.{k}" for k in ("srt", "eaf", "csv", "mp4")}
    r = subprocess.run([sys.executable, "-m", "signkit.cli.app", "recognize", str(synthetic_export),
                        str(video), "--run", str(brows_run), "--threshold", "0", "--srt", str(out["srt"]),
                        "--eaf", str(out["eaf"]), "--traces", str(out["csv"]), "--overlay", str(out["mp4"])],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in r.stdout.splitlines()]
    glosses = [e for e in events if "tier" not in e]
    markers = [e for e in events if e.get("tier") == "brows"]
    assert glosses and all(e["gloss"] in ("br_raise", "br_low") for e in markers)
    assert " glosses and " in r.stderr and " marker" in r.stderr
    from pympi.Elan import Eaf

    eaf = Eaf(str(out["eaf"]))
    assert set(eaf.get_tier_names()) == {"gloss", "brows"}
    assert len(eaf.get_annotation_data_for_tier("gloss")) == len(glosses)
    assert len(eaf.get_annotation_data_for_tier("brows")) == len(markers)
    assert out["srt"].read_text().count(" --> ") == len(glosses)
    assert (tmp_path / "out.brows.srt").read_text().count(" --> ") == len(markers)
    rows = list(csv.DictReader(out["csv"].open()))
    import av

    with av.open(str(video)) as c:
        frames, width = c.streams.video[0].frames, c.streams.video[0].width
        assert len(rows) == frames
        assert {"time", "brow_height", "eye_aperture", "head_pitch", "brows"} <= set(rows[0])
    brows = np.array([float(row["brow_height"]) for row in rows if row["brow_height"]])
    assert len(brows) > 0.8 * len(rows) and brows.std() > 1e-3  # a real face moves
    with av.open(str(out["mp4"])) as c:
        assert c.streams.video[0].width > width  # the traces' panel beside the video
