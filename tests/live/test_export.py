"""ONNX export on real poses: every encoder matches PyTorch, int8 agrees with fp32, ensembles
export member by member, and the exported folder runs with torch not importable."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from signkit.data.dataset import load_dataset
from signkit.data.splits import SPLIT_FILE, split_from_file
from signkit.errors import SignkitError
from signkit.export.onnx import export_run
from signkit.export.runner import FP32, load_exported
from signkit.inference import load_model
from signkit.pose.io import write_pose
from signkit.training.arrays import to_array
from signkit.training.ensemble import write_ensemble
from tests.live.conftest import train_tiny

ENCODERS = ("bilstm", "transformer", "stgcn", "slgcn")
# A process where importing torch (or Lightning) fails, as on a machine with only onnxruntime.
NO_TORCH = """
import sys
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "lightning"):
            raise ImportError(f"{name} is not installed")
sys.meta_path.insert(0, NoTorch())
from signkit.cli.app import main
main()
"""


@pytest.fixture(scope="module")
def jeet10_runs(tmp_path_factory, jeet10) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("jeet10-runs")
    return {enc: train_tiny(root / enc, jeet10, enc, "hands+mouth+eyebrows", 4) for enc in ENCODERS}


@pytest.fixture(scope="module")
def jeet10_exports(jeet10_runs, tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Every encoder exported; the Transformer and the ST-GCN with int8 too (one of each kind of
    layer that quantisation treats differently: matrix products and convolutions)."""
    root = tmp_path_factory.mktemp("jeet10-exports")
    return {enc: (root / enc, export_run(run, root / enc, int8=enc in ("transformer", "stgcn")))
            for enc, run in jeet10_runs.items()}


def _test_arrays(run_dir: Path, dataset: str, frames: int | None = None) -> tuple[np.ndarray, list[str]]:
    run = load_model(run_dir)
    ds = load_dataset(dataset)
    test = split_from_file(run_dir / SPLIT_FILE)[0]["test"]
    cfg = run.recipe.data if frames is None else run.recipe.data.model_copy(update={"length": frames})
    prepared = run.prepare([ds.samples[i] for i in test])
    return np.stack([to_array(p, cfg) for p in prepared]), [ds.glosses[i] for i in test]


def test_every_encoder_exports_and_matches_pytorch_on_real_poses(jeet10_runs, jeet10_exports, jeet10):
    for encoder, run_dir in jeet10_runs.items():
        folder, info = jeet10_exports[encoder]
        assert info["parity"]["max_abs_logit_diff"] < 1e-4, encoder
        torch_run, onnx_run = load_model(run_dir), load_exported(folder, "fp32")
        assert onnx_run.precision == "fp32" and onnx_run.vocabulary == torch_run.vocabulary
        # Dynamic axes: the whole test part as one batch, and another frame count than trained on.
        for frames in (None, 24):
            x, _ = _test_arrays(run_dir, jeet10, frames)
            assert len(x) > 30
            np.testing.assert_allclose(onnx_run.logits(x), torch_run.logits(x), atol=1e-4, err_msg=encoder)


def test_int8_agrees_with_fp32_on_real_poses(jeet10_runs, jeet10_exports, jeet10):
    for encoder in ("transformer", "stgcn"):
        folder, info = jeet10_exports[encoder]
        q = info["int8"]
        assert q["mode"] in q["candidates"]
        assert set(q["candidates"]) == {"dynamic", "static", "matmul", "qoperator"}
        fp32, int8 = load_exported(folder, "fp32"), load_exported(folder)
        assert int8.precision == "int8"
        x, glosses = _test_arrays(jeet10_runs[encoder], jeet10)
        a, b = fp32.logits(x).argmax(1), int8.logits(x).argmax(1)
        assert (a == b).mean() >= 0.9, (encoder, q)
        vocab = np.array(fp32.vocabulary)
        assert abs((vocab[a] == glosses).mean() - (vocab[b] == glosses).mean()) <= 0.1


def test_an_ensemble_exports_member_by_member(jeet10_runs, jeet10, tmp_path):
    ensemble = write_ensemble([jeet10_runs["transformer"], jeet10_runs["stgcn"]], tmp_path / "ens")
    export_run(ensemble, tmp_path / "out")
    exported, original = load_exported(tmp_path / "out"), load_model(ensemble)
    assert len(exported.members) == 2
    ds = load_dataset(jeet10)
    poses = ds.samples[:40]
    np.testing.assert_allclose(exported.predict_proba(exported.prepare(poses)),
                               original.predict_proba(original.prepare(poses)), atol=1e-5)


def _top1(run, pose) -> str:
    return run.vocabulary[int(run.predict_proba(run.prepare([pose]))[0].argmax())]


def test_the_exported_folder_runs_without_torch(synthetic_export, tmp_path):
    from signkit.runs import kind_of, read_info

    assert kind_of(synthetic_export) == "export"
    assert read_info(synthetic_export)["source"].endswith("run")
    sample = load_dataset("synthetic:3x6").samples[5]
    write_pose(sample, tmp_path / "sign.pose")
    script = tmp_path / "no_torch.py"
    script.write_text(NO_TORCH)

    def signkit(*args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True,
                              timeout=120)

    proc = signkit("predict", synthetic_export, tmp_path / "sign.pose", "--top", "1")
    int8 = load_exported(synthetic_export)
    assert int8.precision == "int8"
    assert proc.returncode == 0 and f"sign.pose: {_top1(int8, sample)}" in proc.stdout, proc.stderr
    # fp32 gives PyTorch's answer; evaluate runs on a whole dataset, still without torch
    fp32_dir = tmp_path / "fp32"
    export_run(synthetic_export.parent / "run", fp32_dir)
    proc = signkit("predict", fp32_dir, tmp_path / "sign.pose", "--top", "1")
    expected = _top1(load_model(synthetic_export.parent / "run"), sample)
    assert proc.returncode == 0 and f"sign.pose: {expected}" in proc.stdout, proc.stderr
    proc = signkit("evaluate", fp32_dir, "synthetic:3x6", "--signers", "S3", "-o", tmp_path / "eval")
    assert proc.returncode == 0 and "top-1" in proc.stdout, proc.stderr
    assert (tmp_path / "eval" / "evaluation.md").is_file()


def test_unreadable_export_folders_are_one_line_errors(synthetic_export, tmp_path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(synthetic_export, broken)
    (broken / FP32).write_bytes(b"not onnx")
    with pytest.raises(SignkitError, match=r"model\.onnx: not a readable ONNX model"):
        load_exported(broken, "fp32")
    (broken / "export.json").write_text("{")
    with pytest.raises(SignkitError, match=r"export\.json: not a readable export description"):
        load_exported(broken)
    with pytest.raises(SignkitError, match="not a complete training run folder"):
        export_run(tmp_path, tmp_path / "x")
