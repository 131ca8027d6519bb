"""Files from someone else: each crafted file carries a payload that would create a marker file
if anything in signkit ran code from it. The marker must never appear, and every refusal is one
line naming the file (no traceback)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from signkit.errors import ConfigError, PoseFileError
from signkit.pose import holistic_layout
from signkit.pose.io import load, write_pose


class Payload:
    """Unpickled, this runs ``exec``: it creates the marker file."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return (exec, (f"open({self.marker!r}, 'w').close()",))


def signkit(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "1000"}  # a long message stays on its one line
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def assert_refused(r: subprocess.CompletedProcess, names: str, marker: Path) -> None:
    assert not marker.exists(), "the file's code ran"
    assert r.returncode != 0, r.stdout
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr and "unexpected" not in r.stderr, r.stderr
    assert names in lines[0], lines[0]


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "MARKER"


@pytest.fixture
def a_pose(tmp_path, holistic_pose) -> Path:
    write_pose(holistic_pose, tmp_path / "clip.pose")
    return tmp_path / "clip.pose"


def _krsl_npz(path: Path, frames) -> Path:
    np.savez(path, frames=frames, frame_offsets=np.array([0, 1]), label=np.array([0]),
             classes=np.array(["a"]))
    return path


def test_an_npz_with_a_pickled_object_array_is_refused(tmp_path, marker):
    bad = _krsl_npz(tmp_path / "krsl.npz", np.array([Payload(marker)], dtype=object))
    with pytest.raises(PoseFileError, match="pickle"):
        load(bad)
    mp = tmp_path / "mp.npz"
    np.savez(mp, X=np.zeros((1, 4, 258), np.float32), y=np.array([0]),
             classes=np.array([Payload(marker)], dtype=object))
    for path in (bad, mp):
        assert_refused(signkit("info", str(path)), path.name, marker)
    assert_refused(signkit("data", "check", f"krsl20:{bad}"), bad.name, marker)


def test_the_real_npz_data_sets_still_load():
    from tests.conftest import shared_path

    assert len(load(shared_path("krsl20", "krsl20_hands2d_P1-P4.npz"))) > 4000
    assert len(load(shared_path("mp_holistic", "jeet10_1662.npz"))) > 10


def test_openhands_pickles_build_arrays_only(tmp_path, marker):
    crafted = tmp_path / "evil.pkl"
    crafted.write_bytes(pickle.dumps({"keypoints": Payload(marker), "confidences": np.zeros((2, 75))}))
    bare = tmp_path / "bare.pkl"
    bare.write_bytes(pickle.dumps(np.zeros((4, 75, 3), np.float32)))
    for path, says in ((crafted, "refusing builtins.exec"), (bare, "holds a ndarray")):
        with pytest.raises(PoseFileError, match=says):
            load(path)
        assert_refused(signkit("info", str(path)), path.name, marker)


def _run_folder(root: Path, checkpoint: bytes | None = None) -> Path:
    """The files of a pose training run, with a crafted checkpoint."""
    from signkit.training.config import recipe_from_dict, save_config

    root.mkdir(parents=True)
    save_config(recipe_from_dict({"data": {"dataset": "synthetic:2x2", "groups": "hands", "length": 8},
                                  "model": {"encoder": "bilstm"}}).resolved(), root / "config.yaml")
    (root / "vocabulary.json").write_text(json.dumps(["a", "b"]))
    layout = holistic_layout(468)
    (root / "layout.json").write_text(json.dumps(layout.subset(layout.indices("hands")).to_dict()))
    (root / "checkpoints").mkdir()
    if checkpoint is not None:
        (root / "checkpoints" / "best.ckpt").write_bytes(checkpoint)
    return root


def test_a_crafted_checkpoint_is_refused_by_predict_evaluate_export_and_init_from(tmp_path, marker, a_pose):
    torch = pytest.importorskip("torch")
    from signkit.training.checkpoint import load_state

    evil = tmp_path / "evil.ckpt"
    torch.save({"state_dict": {}, "hyper_parameters": Payload(marker)}, evil)
    run = _run_folder(tmp_path / "run", evil.read_bytes())
    ckpt = run / "checkpoints" / "best.ckpt"
    with pytest.raises(PoseFileError, match="can open safely"):
        load_state(ckpt)
    assert_refused(signkit("predict", str(run), str(a_pose)), str(ckpt), marker)
    assert_refused(signkit("evaluate", str(run), "synthetic:2x2"), str(ckpt), marker)
    assert_refused(signkit("export", str(run), "-o", str(tmp_path / "out")), str(ckpt), marker)
    garbage = _run_folder(tmp_path / "garbage", b"not a checkpoint at all")
    assert_refused(signkit("predict", str(garbage), str(a_pose)), "best.ckpt", marker)


def test_baseline_folders_never_unpickle(tmp_path, marker):
    skops_io = pytest.importorskip("skops.io")
    from sklearn.preprocessing import FunctionTransformer

    old = tmp_path / "old"
    old.mkdir()
    (old / "model.joblib").write_bytes(pickle.dumps(Payload(marker)))
    assert_refused(signkit("evaluate", str(old), "synthetic:2x2"), "model.joblib", marker)
    crafted = tmp_path / "crafted"
    crafted.mkdir()
    skops_io.dump(FunctionTransformer(func=exec, kw_args={"source": f"open({str(marker)!r}, 'w')"}),
                  crafted / "model.skops")
    (crafted / "model.json").write_text(json.dumps({"features": {}, "vocabulary": ["a"]}))
    from signkit.baselines.experiment import load_model

    with pytest.raises(PoseFileError, match=r"builtins\.exec"):
        load_model(crafted)
    assert_refused(signkit("evaluate", str(crafted), "synthetic:2x2"), "model.skops", marker)


BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
PYTHON_TAG = "data: !!python/object/apply:builtins.exec [\"open('{marker}', 'w').close()\"]\n"


def test_recipes_with_aliases_tags_or_binary_are_refused_at_once(tmp_path, marker):
    from signkit.training.config import load_recipe

    files = {"bomb.yaml": BOMB.encode(), "tag.yaml": PYTHON_TAG.format(marker=marker).encode(),
             "binary.yaml": bytes(range(256)) * 4}
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    assert len(BOMB) < 700
    with pytest.raises(ConfigError, match="aliases"):
        load_recipe(tmp_path / "bomb.yaml")
    with pytest.raises(ConfigError, match="not a text file"):
        load_recipe(tmp_path / "binary.yaml")
    for name in files:
        start = time.monotonic()
        assert_refused(signkit("train", str(tmp_path / name), "-o", str(tmp_path / "run")), name, marker)
        assert time.monotonic() - start < 60
    assert not (tmp_path / "run").exists()
    with pytest.raises(ConfigError, match="aliases"):
        load_recipe(Path("recipes/krsl20/bilstm.yaml"), ["data.groups=*a"])


def test_an_export_folder_with_a_crafted_config_is_refused(tmp_path, marker, a_pose):
    for name, config in (("bomb", BOMB), ("tag", PYTHON_TAG.format(marker=marker))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "export.json").write_text(json.dumps({"task": "classify"}))
        (folder / "config.yaml").write_text(config)
        (folder / "vocabulary.json").write_text(json.dumps(["a"]))
        (folder / "layout.json").write_text(json.dumps(holistic_layout(468).to_dict()))
        (folder / "model.onnx").write_bytes(pickle.dumps(Payload(marker)))
        assert_refused(signkit("predict", str(folder), str(a_pose)), str(folder / "config.yaml"), marker)


def test_a_failed_export_keeps_the_export_already_there(tmp_path, marker):
    pytest.importorskip("torch")
    previous = tmp_path / "prev.onnx"
    previous.mkdir()
    (previous / "export.json").write_text('{"task": "classify"}')
    (previous / "model.onnx").write_bytes(b"the deployed model")
    corrupt = _run_folder(tmp_path / "corrupt", b"\x80\x04truncated")
    for run, says in ((tmp_path / "runn_typo", "runn_typo"), (corrupt, "best.ckpt")):
        assert_refused(signkit("export", str(run), "-o", str(previous)), says, marker)
        assert (previous / "model.onnx").read_bytes() == b"the deployed model"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corrupt", "prev.onnx"]  # nothing half-built
