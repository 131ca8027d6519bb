"""Pretraining on a small real corpus: each strategy's loss falls in a few steps, the run folder
reloads, and ``model.init_from`` starts a fine-tuning run from its encoder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from signkit.errors import ConfigError
from signkit.training.config import load_recipe
from tests.conftest import shared_path

pytest.importorskip("h5py")
RECIPES = Path(__file__).resolve().parents[2] / "recipes"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from signkit.corpus import build_corpus

    out = tmp_path_factory.mktemp("pretrain") / "jeet10.h5"
    build_corpus([shared_path("mp_holistic", "jeet10_1662.npz")], out)
    return out


def _sets(corpus, **sets) -> list[str]:
    sets = {"data.dataset": f"corpus:{corpus}", "model.encoder_params": "{d_model: 32, layers: 1, ff: 64}",
            "trainer.max_epochs": 1, "pretrain.windows_per_epoch": 256, "pretrain.val_windows": 64,
            "optim.batch_size": 32, "optim.lr": 0.003, "optim.scheduler": "none", "pretrain.min_frames": 20,
            "pretrain.max_frames": 30, **sets}
    return [f"{k}={v}" for k, v in sets.items()]


def _recipe(task: str, corpus, tmp_path, **sets):
    return load_recipe(RECIPES / "pretraining" / f"{task}.yaml", _sets(corpus, **sets))


@pytest.mark.parametrize("task", ["dpc", "masked", "contrastive"])
def test_each_strategy_loss_falls_on_a_real_corpus(task, corpus, tmp_path):
    from signkit.corpus import WindowDataset
    from signkit.training.pretrain import PretrainWindows
    from signkit.training.tasks import get_task

    torch.manual_seed(0)
    # A short queue: the contrastive loss is measured once it holds real windows' keys.
    recipe = _recipe(task, corpus, tmp_path, **({"pretrain.params": "{queue: 64}"} if task == "contrastive"
                                                 else {}))
    steps, size = 40, 32
    windows = WindowDataset(corpus, "hands", 20, 30, size=steps * size, seed=0)
    data = PretrainWindows(windows, recipe.data, get_task(task).module_class(), recipe.pretrain.params,
                           True, 0)
    loader = torch.utils.data.DataLoader(data, batch_size=size)
    module = get_task(task).module(recipe, len(windows.layout), [[0, 1]], [])
    opt = torch.optim.Adam(module.parameters(), lr=3e-3)
    module.train()
    losses = []
    for batch in loader:  # new windows every step
        loss = module.loss(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    first, last = np.mean(losses[2:7]), np.mean(losses[-5:])
    assert np.isfinite(losses).all() and last < 0.85 * first, losses


def test_pretrain_run_folder_and_init_from(corpus, tmp_path):
    from signkit.training.pretrain import pretrain
    from signkit.training.run import train

    run = tmp_path / "dpc"
    summary = pretrain(_recipe("dpc", corpus, tmp_path), run, progress_bar=False)
    assert summary["epochs"] == 1 and summary["corpus_videos"] == 330
    assert {"config.yaml", "layout.json", "pretrain.json"} <= {p.name for p in run.iterdir()}
    assert (run / "checkpoints" / "best.ckpt").is_file()
    # Resumed from the command line for one more epoch.
    sets = [a for kv in _sets(corpus, **{"trainer.max_epochs": 2}) for a in ("--set", kv)]
    res = subprocess.run([sys.executable, "-m", "signkit.cli.app", "pretrain",
                          RECIPES / "pretraining" / "dpc.yaml", "-o", run, "--resume", *sets],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert json.loads((run / "pretrain.json").read_text())["epochs"] == 2
    assert "best held-out loss" in " ".join(res.stdout.split())
    pretrained = torch.load(run / "checkpoints" / "best.ckpt", weights_only=False)["state_dict"]

    # jeet10's own labels, fine-tuned from the pretrained encoder (same hands, same encoder).
    base = ["data.dataset=mp_array:" + str(shared_path("mp_holistic", "jeet10_1662.npz")),
            "data.split=random",
            "model.encoder=transformer", "model.encoder_params={d_model: 32, layers: 1, ff: 64}",
            "trainer.max_epochs=1", "data.length=16", "data.merge=null"]
    recipe = load_recipe(RECIPES / "krsl20" / "transformer.yaml", base)
    from signkit.models import build_classifier

    fresh = build_classifier("transformer", "linear", 42, 2, 11, np.array([[0, 1]]),
                             {"d_model": 32, "layers": 1, "ff": 64})
    from signkit.pose.layout import Layout
    from signkit.training.checkpoint import load_pretrained_encoder

    layout = Layout.from_dict(json.loads((run / "layout.json").read_text()))
    x = torch.randn(2, 16, 42, 2)
    before = fresh.encoder(x)
    load_pretrained_encoder(fresh.encoder, run, recipe, layout)
    after = fresh.encoder(x)
    assert before.shape == after.shape and not torch.allclose(before, after)
    for k, v in fresh.encoder.state_dict().items():
        assert torch.equal(v, pretrained[f"model.encoder.{k}"])

    tuned = train(recipe.model_copy(update={"model": recipe.model.model_copy(
        update={"init_from": str(run), "freeze_epochs": 1})}), tmp_path / "tuned", progress_bar=False)
    assert tuned["n_test"] > 0

    wrong = load_recipe(RECIPES / "krsl20" / "transformer.yaml",
                        [*base, "model.encoder_params={d_model: 64, layers: 1, ff: 64}",
                         f"model.init_from={run}"])
    with pytest.raises(ConfigError, match="init_from"):
        train(wrong, tmp_path / "wrong", progress_bar=False)
    with pytest.raises(ConfigError, match=r"pretrain\.params"):
        _recipe("dpc", corpus, tmp_path, **{"pretrain.params": "{blocks: 3}"})
