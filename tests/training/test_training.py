"""Recipes, training, reloading, resuming and DDP on the built-in synthetic corpus (small and fast)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml

pytest.importorskip("torch")
pytest.importorskip("lightning")

from signkit.data.dataset import load_dataset
from signkit.errors import ConfigError
from signkit.inference import load_model
from signkit.pose.io import write_pose
from signkit.training.arrays import prepare, to_array
from signkit.training.config import load_recipe, read_config, save_config
from signkit.training.run import train
from signkit.transforms import build_transforms
from signkit.transforms.temporal import uniform_indices

TINY_GCN = {"channels": [8, 8, 8, 8, 16, 16, 16, 16, 16, 16]}


def _recipe(tmp_path: Path, **changes) -> Path:
    tree = {"name": "tiny", "data": {"dataset": "synthetic:3x3", "split": "loso", "fold": 2,
                                     "groups": "hands+mouth+eyebrows", "length": 16,
                                     "augment": [{"name": "rotate", "min_angle": -0.2, "max_angle": 0.2}]},
            "model": {"encoder": "stgcn", "encoder_params": TINY_GCN},
            "trainer": {"max_epochs": 3, "patience": None}}
    for key, value in changes.items():
        section, field = key.split("__")
        tree[section][field] = value
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(tree))
    return path


def _signkit(*args: str, **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *args], capture_output=True, text=True,
                          timeout=600, env=env, **kw)


def test_recipe_round_trip_overrides_and_defaults(tmp_path):
    recipe = load_recipe(_recipe(tmp_path), ["optim.weight_decay=0.001", "data.groups=hands"])
    assert recipe.data.groups == "hands" and recipe.optim.weight_decay == 0.001
    assert (recipe.optim.lr, recipe.optim.batch_size) == (1e-3, 32)  # graph models' defaults
    assert recipe.model.decoder == "linear"
    save_config(recipe, tmp_path / "config.yaml")
    assert read_config(tmp_path / "config.yaml") == recipe
    bilstm = {"model__encoder": "bilstm", "model__encoder_params": {}}
    assert load_recipe(_recipe(tmp_path, **bilstm)).model.decoder == "attention"
    transformer = {"model__encoder": "transformer", "model__encoder_params": {}}
    assert load_recipe(_recipe(tmp_path, **transformer)).optim.lr == 1e-4

    with pytest.raises(ConfigError, match=r"data\.grups: Extra inputs are not permitted"):
        load_recipe(_recipe(tmp_path), ["data.grups=hands"])
    with pytest.raises(ConfigError, match="expected key=value"):
        load_recipe(_recipe(tmp_path), ["optim.lr"])
    # Transforms and models are checked when the recipe loads, before any data is read.
    with pytest.raises(ConfigError, match=r"recipe\.yaml: data\.augment: transform 'rotate': max_angle='wi"):
        load_recipe(_recipe(tmp_path), ["data.augment=[{name: rotate, max_angle: wide}]"])
    with pytest.raises(ConfigError, match=r"data\.features: unknown transform 'bone'"):
        load_recipe(_recipe(tmp_path), ["data.features=[bone]"])
    with pytest.raises(ConfigError, match=r"data\.preprocess: unknown transform 'interp'"):
        load_recipe(_recipe(tmp_path), ["data.preprocess=[interp]"])
    with pytest.raises(ConfigError, match=r"model: encoder 'stgcn': channels=\[8, 'x'\]: .*valid integer"):
        load_recipe(_recipe(tmp_path), ["model.encoder_params={channels: [8, x]}"])
    with pytest.raises(ConfigError, match="decoder 'attention' has no parameter 'heads'; it takes drop"):
        load_recipe(_recipe(tmp_path, **bilstm), ["model.decoder_params={heads: 2}"])
    with pytest.raises(ConfigError, match="encoder 'bilstm' has no parameter 'channels'; it takes hidden"):
        load_recipe(_recipe(tmp_path, model__encoder="bilstm"))  # the ST-GCN's parameters left in
    with pytest.raises(ConfigError, match="model: encoder 'bilstm' has no parameter 'num_nodes'"):
        load_recipe(_recipe(tmp_path, **bilstm), ["model.encoder_params={num_nodes: 3}"])
    (tmp_path / "rel").mkdir()
    rel = _recipe(tmp_path / "rel", data__dataset="pose_dir:../data")
    assert load_recipe(rel).data.dataset == f"pose_dir:{(tmp_path / 'data').resolve()}"


def test_train_reload_gives_identical_predictions(tmp_path):
    # the bone-motion stream: data.features run after the augmentation and the frame sampling (a
    # motion step is one sampled frame), in training and in prediction
    recipe = load_recipe(_recipe(tmp_path, data__features=["bones", "motion"]))
    ds = load_dataset(recipe.data.dataset)
    pose = prepare(ds.samples[:1], recipe.data)[0]
    sampled = pose.frames(uniform_indices(len(pose), recipe.data.length))
    expected = build_transforms(["bones", "motion"])(sampled).masked()[..., : recipe.data.dims]
    np.testing.assert_allclose(to_array(pose, recipe.data), expected, rtol=1e-6)
    metrics = train(recipe, tmp_path / "run", progress_bar=False, dataset=ds)
    assert metrics["epochs"] == 3 and metrics["test_signers"] == ["S3"]
    assert 0 <= metrics["top1"] <= 1 and "top5" in metrics and metrics["train_samples_per_s"] > 0
    for name in ("config.yaml", "vocabulary.json", "layout.json", "splits.json", "metrics.json",
                 "checkpoints/best.ckpt", "checkpoints/last.ckpt", "logs/metrics.csv"):
        assert (tmp_path / "run" / name).is_file(), name
    assert list((tmp_path / "run" / "tb").glob("events.out.tfevents.*"))

    first, second = load_model(tmp_path / "run"), load_model(tmp_path / "run")
    poses = [s for s in ds.samples if s.metadata["signer"] == "S3"]
    p1 = first.predict_proba(first.prepare(poses))
    np.testing.assert_array_equal(p1, second.predict_proba(second.prepare(poses)))
    assert p1.shape == (len(poses), len(ds.vocabulary))
    np.testing.assert_allclose(p1.sum(1), 1, atol=1e-5)

    # the CLI reads the run folder alone: predict one written pose file, evaluate a dataset
    write_pose(poses[0], tmp_path / "one.pose")
    r = _signkit("predict", str(tmp_path / "run"), str(tmp_path / "one.pose"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("%") == 5
    top = first.vocabulary[int(np.argmax(p1[0]))]
    assert r.stdout.split(": ", 1)[1].startswith(top)
    # Piped into a narrow terminal: still one line per file; --json for programs.
    two = [str(tmp_path / "one.pose")] * 2
    r = subprocess.run([sys.executable, "-m", "signkit.cli.app", "predict", str(tmp_path / "run"), *two],
                       capture_output=True, text=True, env={**os.environ, "COLUMNS": "30"})
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 2 and r.stdout.count("%") == 10, r.stdout
    r = _signkit("predict", str(tmp_path / "run"), *two, "--json", "--top", "3")
    answers = [json.loads(line) for line in r.stdout.splitlines()]
    assert [a["file"] for a in answers] == two and answers[0]["glosses"][0]["gloss"] == top
    assert len(answers[0]["glosses"]) == 3
    assert answers[0]["glosses"][0]["probability"] == pytest.approx(float(p1[0].max()), abs=1e-5)
    r = _signkit("evaluate", str(tmp_path / "run"), "synthetic:3x3", "-o", str(tmp_path / "ev"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "ev" / "confusion.png").is_file()
    assert "top-5" in r.stdout and "macro-F1" in r.stdout


def test_killed_training_resumes_to_the_same_number_of_epochs(tmp_path):
    recipe = _recipe(tmp_path, trainer__max_epochs=6, data__dataset="synthetic:3x4")
    run = tmp_path / "run"
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.Popen([sys.executable, "-m", "signkit.cli.app", "train", str(recipe), "-o", str(run)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    deadline = time.monotonic() + 300
    csv_log = run / "logs" / "metrics.csv"
    while time.monotonic() < deadline and proc.poll() is None:
        if csv_log.is_file() and csv_log.read_text().count("\n") >= 3:  # header + two epochs logged
            break
        time.sleep(0.1)
    assert proc.poll() is None, proc.stderr.read()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (run / "metrics.json").exists()

    r = _signkit("train", str(recipe), "-o", str(run))
    assert r.returncode == 1 and "--resume" in r.stderr  # never overwrites a run by accident
    r = _signkit("train", str(recipe), "-o", str(run), "--resume")
    assert r.returncode == 0, r.stderr
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["epochs"] == 6


def test_ddp_on_two_cpu_processes(tmp_path):
    recipe = _recipe(tmp_path, trainer__max_epochs=2)
    r = _signkit("train", str(recipe), "-o", str(tmp_path / "run"), "--devices", "2", "--strategy", "ddp")
    assert r.returncode == 0, r.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["epochs"] == 2 and metrics["world_size"] == 2


RECIPES = sorted((Path(__file__).resolve().parents[2] / "recipes").rglob("*.yaml"))


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_recipe_validates(path):
    recipe = load_recipe(path)
    assert recipe.optim.lr and recipe.optim.batch_size and recipe.model.decoder
    loader, _, target = recipe.data.dataset.partition(":")
    # built-in data, or a path resolved against the recipe's folder
    assert loader in ("synthetic", "synthetic_sentences") or Path(target).is_absolute()


def test_models_lists_every_encoder():
    r = _signkit("models")
    assert r.returncode == 0, r.stderr
    for name in ("bilstm", "transformer", "stgcn", "slgcn", "attention", "linear"):
        assert name in r.stdout
