"""Every benchmark script runs in its smoke mode (``benchmarks/smoke.csv``: tiny sizes, a few
seconds each), so that a refactor cannot silently break a benchmark. The figures themselves are
measured by running the scripts in full (``benchmarks/README.md``)."""

from __future__ import annotations

import csv
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import SHARED, shared_path

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")
pytest.importorskip("mediapipe")

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
SMOKE = {row["script"]: row["arguments"] for row in csv.DictReader((BENCHMARKS / "smoke.csv").open())}


def test_every_benchmark_script_has_a_smoke_row():
    scripts = {p.name for p in BENCHMARKS.iterdir() if p.suffix in (".py", ".sh")}
    assert scripts == set(SMOKE)


def _signkit(*args: str) -> None:
    r = subprocess.run([sys.executable, "-m", "signkit.cli.app", *args], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr


@pytest.fixture(scope="module")
def places(tmp_path_factory) -> dict[str, str]:
    """What the smoke rows name: a tiny classification run (Holistic layout), a tiny CTC run on
    chained krsl20 signs, a folder of one short real video, the shared data."""
    from tests.live.conftest import train_tiny

    root = tmp_path_factory.mktemp("bench")
    run = train_tiny(root / "run", "synthetic:3x6", "transformer", "hands+mouth+eyebrows", 1, split="loso",
                     fold=2)
    chained = root / "chained"
    _signkit("data", "chain", f"krsl20:{shared_path('krsl20', 'krsl20_hands2d_P1-P4.npz')}", "-o",
             str(chained), "--per-signer", "8", "--max", "3", "--rest", "0-2")
    recipe = root / "ctc.yaml"
    recipe.write_text(yaml.safe_dump({
        "task": "ctc", "data": {"dataset": f"pose_dir:{chained}", "split": "loso", "fold": 3,
                                "groups": "hands", "preprocess": [{"name": "standardize", "scale": "hand"}]},
        "model": {"encoder": "bilstm", "encoder_params": {"hidden": 16, "layers": 1},
                  "decoder_params": {"hidden": 16, "pools": [2], "lstm_layers": 1}},
        "optim": {"lr": 3e-3, "batch_size": 8}, "trainer": {"max_epochs": 1, "patience": None},
        "decode": {"beam_width": 2, "lm_order": 2}}))
    _signkit("train", str(recipe), "-o", str(root / "ctc"))
    videos = root / "videos"
    videos.mkdir()
    shutil.copy(shared_path("videos", "autsl_signer0_sample1000_color.mp4"), videos)
    return {"run": str(run), "ctc_run": str(root / "ctc"), "videos": str(videos), "shared": str(SHARED)}


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_benchmark_smoke(script, places, tmp_path):
    args = [a.format(tmp=tmp_path, **places) for a in shlex.split(SMOKE[script])]
    runner = ["bash"] if script.endswith(".sh") else [sys.executable]
    env = {**os.environ, "SIGNKIT": f"{sys.executable} -m signkit.cli.app", "PYTHONUNBUFFERED": "1"}
    r = subprocess.run([*runner, str(BENCHMARKS / script), *args], capture_output=True, text=True,
                       timeout=900, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    if (tmp_path / "out.json").exists():
        assert json.loads((tmp_path / "out.json").read_text())
    elif script.endswith(".sh"):
        assert (tmp_path / "runs" / "krsl20-bilstm" / "metrics.json").is_file()
