"""The video modality: R(2+1)D-18 in torchvision's format, clips from real videos, and a run on
the synthetic corpus drawn as videos (tiny clips so that it is fast; the paper's settings are in
recipes/synthetic_video)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import yaml

pytest.importorskip("lightning")

from signkit.data.dataset import load_dataset
from signkit.errors import ConfigError, PoseFileError
from signkit.inference import load_model
from signkit.models.r2plus1d import R2Plus1D18, load_weights
from signkit.training.config import load_recipe
from signkit.training.modalities.video import clip_tensor
from signkit.training.run import train
from tests.conftest import shared_path


def _signkit(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *map(str, args)], capture_output=True,
                          text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})


def test_r2plus1d_18_has_torchvisions_shapes_and_loads_its_state_dicts(tmp_path):
    model = R2Plus1D18(400)
    # torchvision's r2plus1d_18 has 31,505,325 parameters; the (2+1)D middle widths match too.
    assert sum(p.numel() for p in model.parameters()) == 31_505_325
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes["stem.0.weight"] == (45, 3, 1, 7, 7) and shapes["stem.3.weight"] == (64, 45, 3, 1, 1)
    assert shapes["layer1.0.conv1.0.0.weight"] == (144, 64, 1, 3, 3)
    assert shapes["layer2.0.conv1.0.3.weight"] == (128, 230, 3, 1, 1)
    assert shapes["layer2.0.conv2.0.0.weight"] == (230, 128, 1, 3, 3)  # one width for the block
    assert shapes["layer4.0.downsample.0.weight"] == (512, 256, 1, 1, 1) and shapes["fc.weight"] == (400, 512)
    torch.save(model.state_dict(), tmp_path / "kinetics.pth")
    mine = R2Plus1D18(7)
    assert load_weights(mine, tmp_path / "kinetics.pth") == ["fc.weight", "fc.bias"]  # 400 -> 7 classes
    assert torch.equal(mine.layer3[1].conv2[0][3].weight, model.layer3[1].conv2[0][3].weight)
    assert torch.equal(mine.stem[1].running_var, model.stem[1].running_var)
    torch.save({"conv.weight": torch.zeros(3)}, tmp_path / "other.pth")
    (tmp_path / "text.pth").write_text("not weights")
    for bad in ("other.pth", "text.pth", "missing.pth"):
        with pytest.raises(PoseFileError, match=bad):
            load_weights(mine, tmp_path / bad)


def test_clips_keep_the_aspect_ratio_and_crop_the_same_box_in_every_frame():
    from signkit.training.modalities.video import VideoConfig

    video = VideoConfig(size=32)
    frames = np.full((10, 20, 40, 3), 255, np.uint8)  # a white 2:1 video
    frames[:, :, :20] = 0  # its left half black
    x = clip_tensor(frames, 4, video)
    assert x.shape == (3, 4, 32, 32) and x.dtype == torch.float32
    assert torch.all(x[:, :, :8] == 0) and torch.all(x[:, :, 24:] == 0)  # padded top and bottom: 32 x 16
    assert x[0, 0, 16, 2] < -1 < 1 < x[0, 0, 16, 30]  # black then white, normalised
    a = clip_tensor(frames, 4, video, np.random.default_rng(3))
    b = clip_tensor(frames, 4, video, np.random.default_rng(3))
    assert torch.equal(a, b) and not torch.equal(a, x)
    assert all(torch.equal(a[:, 0], a[:, t]) for t in range(4))  # one box for the whole clip


def test_video_dir_reads_real_videos_with_crop_and_frames_and_names_bad_rows(tmp_path):
    wlasl = shared_path("videos", "wlasl")
    rows = [["video", "gloss", "signer", "crop", "frames"],
            [str(wlasl / "01377.mp4"), "afraid", "1", "10,10,200,150", "2:8"],
            [str(wlasl / "01558.mp4"), "ago", "2", "", ""]]
    manifest = tmp_path / "manifest.csv"
    with manifest.open("w", newline="") as f:
        csv.writer(f).writerows(rows)
    ds = load_dataset(f"video_dir:{tmp_path}")
    assert ds.glosses.tolist() == ["afraid", "ago"] and ds.signers.tolist() == ["1", "2"]
    cut = ds.samples[0].decode(keep=32, long_side=100)
    assert cut.shape == (6, 75, 100, 3)  # frames 2-7 of the 200 x 150 box
    assert ds.samples[1].decode(keep=8, long_side=64).shape[0] == 8
    for change, problem in (((1, 4), "9:3"), ((2, 0), "nothere.mp4"), ((1, 3), "1,2,3")):
        bad = [list(r) for r in rows]
        bad[change[0]][change[1]] = problem
        with manifest.open("w", newline="") as f:
            csv.writer(f).writerows(bad)
        with pytest.raises(PoseFileError, match=rf"manifest.csv: row {change[0] + 1}"):
            load_dataset(f"video_dir:{tmp_path}")


@pytest.fixture(scope="module")
def drawn(tmp_path_factory) -> Path:
    """The synthetic corpus (3 signers, one of each sign) drawn as small videos by the CLI."""
    out = tmp_path_factory.mktemp("drawn")
    res = _signkit("visualize", "synthetic:3x1", "--all", "-o", out, "--size", "64",
                   "--groups", "hands+arms+face")
    assert res.returncode == 0, res.stderr
    with (out / "manifest.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 27 and all((out / r["video"]).is_file() for r in rows)
    assert {r["signer"] for r in rows} == {"S1", "S2", "S3"} and len({r["gloss"] for r in rows}) == 9
    return out


def _recipe(tmp_path: Path, drawn: Path, **model) -> Path:
    tree = {"name": "video", "data": {"dataset": f"video_dir:{drawn}", "split": "loso", "fold": 0,
                                      "length": 4},
            "model": {"modality": "video", "encoder": "r2plus1d_18", **model}, "video": {"size": 32},
            "optim": {"lr": 1e-3}, "trainer": {"max_epochs": 1, "patience": None}}
    path = tmp_path / "video.yaml"
    path.write_text(yaml.safe_dump(tree))
    return path


def test_a_video_run_trains_reloads_predicts_and_evaluates(tmp_path, drawn):
    recipe = load_recipe(_recipe(tmp_path, drawn))
    assert (recipe.optim.batch_size, recipe.optim.lr) == (16, 1e-3)  # the paper's batch; lr as set
    metrics = train(recipe, tmp_path / "run", progress_bar=False)
    assert metrics["modality"] == "video" and metrics["groups"] == "rgb 4 x 32 px"
    assert metrics["n_test"] == 9 and 0 <= metrics["top1"] <= 1
    assert metrics["parameters"] == 31_505_325 - 391 * 513  # 9 classes instead of 400
    run = load_model(tmp_path / "run")
    videos = sorted(drawn.glob("*.mp4"))[:2]
    proba = run.predict_proba(run.prepare([run.read_input(v) for v in videos]))
    assert proba.shape == (2, 9) and np.allclose(proba.sum(1), 1, atol=1e-5)
    res = _signkit("predict", tmp_path / "run", videos[0])
    assert res.returncode == 0 and "%" in res.stdout, res.stderr
    res = _signkit("evaluate", tmp_path / "run", f"video_dir:{drawn}", "--signers", "S1",
                   "-o", tmp_path / "eval")
    assert res.returncode == 0 and (tmp_path / "eval" / "confusion.png").is_file(), res.stderr
    res = _signkit("export", tmp_path / "run", "-o", tmp_path / "onnx")
    assert res.returncode == 1 and "export covers pose models" in res.stderr


def test_weights_train_only_the_last_layer_unless_told(tmp_path, drawn):
    start = R2Plus1D18(400)
    torch.manual_seed(1)
    for m in start.modules():  # batch-norm statistics that a training step would move
        if isinstance(m, torch.nn.BatchNorm3d):
            m.running_mean.uniform_(-0.1, 0.1)
    torch.save(start.state_dict(), tmp_path / "kinetics.pth")
    weights = str(tmp_path / "kinetics.pth")
    train(load_recipe(_recipe(tmp_path, drawn, weights=weights)), tmp_path / "last", progress_bar=False)
    trained = load_model(tmp_path / "last").module.model.state_dict()
    ref = start.state_dict()
    assert all(torch.equal(trained[k], ref[k]) for k in ref if not k.startswith("fc."))
    assert trained["fc.weight"].shape == (9, 512)
    train(load_recipe(_recipe(tmp_path, drawn, weights=weights, finetune="all")), tmp_path / "all",
          progress_bar=False)
    every = load_model(tmp_path / "all").module.model.state_dict()
    assert not torch.equal(every["layer1.0.conv1.0.0.weight"], ref["layer1.0.conv1.0.0.weight"])
    assert not torch.equal(every["stem.1.running_mean"], ref["stem.1.running_mean"])


def test_recipes_that_cannot_work_fail_when_they_load(tmp_path, drawn):
    for model, match in (({"encoder": "stgcn"}, "unknown video model 'stgcn'"),
                         ({"decoder": "attention"}, "ends in its own linear layer"),
                         ({"encoder_params": {"depth": 3}}, "has no parameter 'depth'")):
        with pytest.raises(ConfigError, match=match):
            load_recipe(_recipe(tmp_path, drawn, **model))
    with pytest.raises(ConfigError, match="classifies isolated signs"):
        load_recipe(_recipe(tmp_path, drawn), ["task=ctc"])
    with pytest.raises(ConfigError, match="crop_scale"):
        load_recipe(_recipe(tmp_path, drawn), ["video.crop_scale=[0.8, 0.5]"])
    with pytest.raises(ConfigError, match="crop_scale"):  # where an old recipe had it
        load_recipe(_recipe(tmp_path, drawn), ["data.crop_scale=[0.8, 0.5]"])
    with pytest.raises(ConfigError, match=r"model\.weights is a setting of the video modality "
                                          r"\(now video\.weights\)"):
        load_recipe(_recipe(tmp_path, drawn), ["model.modality=pose", "model.encoder=stgcn",
                                               "model.weights=x.pth"])
    res = _signkit("train", _recipe(tmp_path, drawn), "-o", tmp_path / "r", "--set",
                   "data.dataset=synthetic:3x1")
    assert res.returncode == 1 and "model.modality=video needs a video dataset" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_an_unreadable_video_stops_the_run_before_it_starts(tmp_path, drawn):
    import shutil

    copy = tmp_path / "videos"
    shutil.copytree(drawn, copy)
    (copy / "00004.mp4").write_bytes((drawn / "00004.mp4").read_bytes()[:2000])  # truncated
    res = _signkit("train", _recipe(tmp_path, copy), "-o", tmp_path / "run")
    assert res.returncode == 1 and len(res.stderr.strip().splitlines()) == 1, res.stderr
    assert "1 of 27 videos cannot be read" in res.stderr and "00004.mp4: cannot decode" in res.stderr
    assert not (tmp_path / "run").exists()  # nothing half-written: the same command runs once fixed
