"""``signkit data prepare`` on small fixtures in each dataset's published layout, built from the
real videos of ../shared/data/videos: poses, labels, splits, crops and frame ranges, and one-line
errors for missing or malformed label files."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from signkit.data.dataset import load_dataset
from signkit.data.prepare import DatasetLayoutError, prepare, read_items
from signkit.data.splits import split_from_file
from signkit.pose.io import read_pose
from tests.conftest import shared_path

pytest.importorskip("mediapipe")

# The three shortest real WLASL clips (25-34 frames, 288 x 192) and the AUTSL sample (43 frames).
CLIPS = {"01377": ("afraid", "val"), "17356": ("dorm", "train"), "01558": ("ago", "train")}


def _link(target: Path, link: Path) -> Path:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    return link


def _signkit(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *map(str, args)], capture_output=True,
                          text=True, timeout=600)


def _manifest(out: Path) -> list[dict[str, str]]:
    with (out / "manifest.csv").open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def wlasl(tmp_path) -> Path:
    root = tmp_path / "WLASL"
    wlasl_dir = shared_path("videos", "wlasl")
    glosses = []
    for n, (vid, (gloss, split)) in enumerate(CLIPS.items()):
        _link(wlasl_dir / f"{vid}.mp4", root / "videos" / f"{vid}.mp4")
        glosses.append({"gloss": gloss, "instances": [
            {"video_id": vid, "split": split, "frame_start": 1, "frame_end": -1, "signer_id": 100 + n,
             "bbox": [0, 0, 400, 300], "url": f"https://www.example.org/{vid}.mp4"}]})
    # An instance only in raw_videos/ (a YouTube download), cut by its frame range: frames 5-16.
    _link(wlasl_dir / "01377.mp4", root / "raw_videos" / "abcDEF12345.mp4")
    glosses[0]["instances"].append({"video_id": "90001", "split": "train", "frame_start": 5, "frame_end": 16,
                                    "signer_id": 100, "bbox": [10, 10, 200, 150],
                                    "url": "https://www.youtube.com/watch?v=abcDEF12345"})
    glosses[1]["instances"].append({"video_id": "90002", "split": "test", "frame_start": 1,
                                    "frame_end": -1, "signer_id": 104})  # never downloaded
    (root / "WLASL_v0.3.json").write_text(json.dumps(glosses))
    return root


def test_wlasl_prepare_gives_poses_labels_splits_crops_and_frame_ranges(wlasl, tmp_path):
    out = tmp_path / "out"
    res = _signkit("data", "prepare", "wlasl", wlasl, "-o", out, "--workers", "1", "--subset", "100")
    assert res.returncode == 0, res.stderr
    assert "4 of 5 samples ready" in " ".join(res.stdout.split())
    assert "1 videos named by the labels are not in" in " ".join(res.stdout.split())
    rows = _manifest(out)
    assert [(r["file"], r["gloss"], r["split"], r["signer"]) for r in rows] == [
        ("poses/videos/01377.pose", "afraid", "val", "100"),
        ("poses/videos/90001.pose", "afraid", "train", "100"),
        ("poses/videos/17356.pose", "dorm", "train", "101"),
        ("poses/videos/01558.pose", "ago", "train", "102")]
    cut = read_pose(out / "poses" / "videos" / "90001.pose")
    whole = read_pose(out / "poses" / "videos" / "01377.pose")
    from signkit.extract.video import read_frames

    decoded = sum(1 for _ in read_frames(wlasl / "videos" / "01377.mp4")[1])
    assert len(cut) == 12 and len(whole) == decoded  # frames 5-16 of the raw video; the clip whole
    assert (cut.width, cut.height) == (190, 140)  # the bbox, cut to the 288 x 192 frame
    assert (whole.width, whole.height) == (288, 192)
    ds = load_dataset(f"pose_dir:{out}")
    assert ds.glosses.tolist() == ["afraid", "afraid", "dorm", "ago"]
    # The same manifest as videos (the video modality), in the same order, cut and cropped alike.
    videos = load_dataset(f"video_dir:{out}")
    assert videos.glosses.tolist() == ds.glosses.tolist() and videos.signers.tolist() == ds.signers.tolist()
    clip = videos.samples[1]
    assert clip.frames == (4, 16) and str(clip.crop) == "10,10,190,140"
    frames = clip.decode(keep=100, long_side=95)
    assert frames.shape == (12, 70, 95, 3)  # 12 frames of the 190 x 140 box, halved
    own = split_from_file(out / "splits.json")[0]
    assert own["test"] == [] and own["val"] == [0] and sorted(own["train"]) == [1, 2, 3]
    signer = split_from_file(out / "splits_signer.json")[0]
    signers = ds.signers
    assert not {signers[i] for i in signer["train"]} & {signers[i] for i in signer["test"] + signer["val"]}
    again = prepare("wlasl", wlasl, out, workers=1)  # a re-run extracts nothing again
    assert again.extracted == 4
    report = list(csv.DictReader((out / "poses" / "extraction_report.csv").open()))
    assert {r["status"] for r in report} == {"skipped"}


def test_autsl_lsa64_include_layouts(tmp_path):
    autsl = tmp_path / "AUTSL"
    sample = shared_path("videos", "autsl_signer0_sample1000_color.mp4")
    _link(sample, autsl / "train" / "signer0_sample1000_color.mp4")
    _link(sample, autsl / "val" / "signer7_sample3_color.mp4")
    (autsl / "train_labels.csv").write_text("signer0_sample1000,164\n")
    (autsl / "val_labels.csv").write_text("signer7_sample3,164\n")
    (autsl / "SignList_ClassId_TR_EN.csv").write_text("ClassId,TR,EN\n164,kalem,pencil\n")
    items = read_items("autsl", autsl)
    assert [(i.gloss, i.signer, i.split, i.video.name) for i in items] == [
        ("pencil", "0", "train", "signer0_sample1000_color.mp4"),
        ("pencil", "7", "val", "signer7_sample3_color.mp4")]

    wlasl = shared_path("videos", "wlasl")
    lsa = tmp_path / "LSA64"
    for name, vid in [("001_001_001", "01377"), ("001_002_001", "17356"), ("002_003_004", "01558")]:
        _link(wlasl / f"{vid}.mp4", lsa / f"{name}.mp4")
    assert [(i.gloss, i.signer) for i in read_items("lsa64", lsa)] == [("001", "001"), ("001", "002"),
                                                                       ("002", "003")]
    include = tmp_path / "INCLUDE"
    _link(wlasl / "01377.mp4", include / "Animals" / "1. Dog" / "MVI_0001.MOV")
    _link(wlasl / "17356.mp4", include / "Animals" / "2. Cat" / "MVI_0001.MOV")
    _link(wlasl / "01558.mp4", include / "Greetings" / "48. Hello" / "MVI 0002.MOV")
    (include / "include_test.csv").write_text("path\nAnimals/2. Cat/MVI_0001.MOV\n")
    out = tmp_path / "include_out"
    result = prepare("include", include, out, workers=1)
    assert result.extracted == 3 and not result.failed
    rows = _manifest(out)
    assert [(r["gloss"], r["split"]) for r in rows] == [("dog", "train"), ("cat", "test"), ("hello", "train")]
    assert len({r["file"] for r in rows}) == 3 and all((out / r["file"]).is_file() for r in rows)

    # The second command: the shipped recipe (OpenHands' 27 points + the face) on what prepare wrote.
    pytest.importorskip("lightning")
    recipe = Path(__file__).resolve().parents[2] / "recipes" / "include" / "face.yaml"
    res = _signkit("train", recipe, "-o", tmp_path / "run", "--set", f"data.dataset=pose_dir:{out}",
                   "--set", f"data.split={out / 'splits.json'}", "--set", "trainer.max_epochs=1",
                   "--set", "data.length=16")
    assert res.returncode == 0, res.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert (metrics["n_train"], metrics["n_test"]) == (2, 1)
    assert metrics["groups"] == "openhands27+eyebrows+eyes+mouth"
    from signkit.pose.layout import Layout

    layout = Layout.from_dict(json.loads((tmp_path / "run" / "layout.json").read_text()))
    assert len(layout.keypoints) == 119


def test_missing_or_malformed_label_files_are_one_line_errors(wlasl, tmp_path):
    autsl = tmp_path / "AUTSL"
    _link(shared_path("videos", "autsl_signer0_sample1000_color.mp4"),
          autsl / "val" / "signer1_sample1_color.mp4")
    res = _signkit("data", "prepare", "autsl", autsl, "-o", tmp_path / "o")
    assert res.returncode == 1 and "val_labels.csv" in res.stderr and "label file missing" in res.stderr
    (autsl / "val_labels.csv").write_text("signer1_sample1\n")
    with pytest.raises(DatasetLayoutError, match=r"val_labels\.csv: line 1: expected 2 columns"):
        read_items("autsl", autsl)
    (autsl / "val_labels.csv").write_text("signer1_sample1,dog\n")
    with pytest.raises(DatasetLayoutError, match="expected signerX_sampleY,CLASS_ID"):
        read_items("autsl", autsl)
    (wlasl / "WLASL_v0.3.json").write_text("{not json")
    res = _signkit("data", "prepare", "wlasl", wlasl, "-o", tmp_path / "o2")
    assert res.returncode == 1 and "WLASL_v0.3.json: not WLASL's JSON" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    (wlasl / "WLASL_v0.3.json").unlink()
    res = _signkit("data", "prepare", "wlasl", wlasl, "-o", tmp_path / "o3")
    assert res.returncode == 1 and "WLASL_v0.3.json: label file missing" in res.stderr
    res = _signkit("data", "prepare", "phoenix", wlasl, "-o", tmp_path / "o4")
    assert res.returncode == 1 and "unknown dataset 'phoenix'" in res.stderr
