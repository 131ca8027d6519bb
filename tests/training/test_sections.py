"""Each task and modality owns its recipe sections; run folders written by an older main still
load, reproduce their figures, and save in the new schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from signkit.errors import ConfigError
from signkit.runs import kind_of
from signkit.training.config import read_config, recipe_from_dict, save_config
from tests.training.test_training import _signkit

# Run folders that main at 6b5f2f6 wrote (before tasks owned their sections): their config.yaml
# holds decode:, pretrain: and tag: whatever the task, and the video settings in data: and model:.
OLD = Path(__file__).resolve().parents[1] / "fixtures" / "runs_6b5f2f6"
BASE = {"data": {"dataset": "synthetic:2x2"}, "model": {"encoder": "bilstm"}}


@pytest.mark.parametrize("kind, figure", [("train", "top1"), ("ctc", "wer")])
def test_a_run_folder_of_the_old_schema_loads_and_reproduces_its_figure(kind, figure, tmp_path):
    run = tmp_path / kind
    shutil.copytree(OLD / kind, run)
    assert kind_of(run) == "train"
    recipe = read_config(run / "config.yaml")
    assert set(recipe.model_extra or {}) == ({"decode"} if kind == "ctc" else set())
    trained = json.loads((run / "metrics.json").read_text())
    r = _signkit("evaluate", str(run), trained["dataset"], "--test-part", "-o", str(tmp_path / "ev"))
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "ev" / "evaluation.json").read_text())
    assert report[figure] == pytest.approx(trained[figure])
    save_config(recipe, tmp_path / "new.yaml")  # saved again: the sections it owns, nothing else
    tree = yaml.safe_load((tmp_path / "new.yaml").read_text())
    assert set(tree) == {"name", "task", "data", "model", "optim", "trainer", *recipe.model_extra}
    assert "size" not in tree["data"] and "weights" not in tree["model"]
    assert read_config(tmp_path / "new.yaml") == recipe


def test_a_section_belongs_to_its_task_or_modality_and_says_so_in_one_line():
    ctc = recipe_from_dict({**BASE, "task": "ctc", "decode": {"beam_width": 0}})
    assert ctc.decode.beam_width == 0 and ctc.decode.lm_order == 0
    assert recipe_from_dict({**BASE, "task": "ctc"}).decode.beam_width == 10  # defaults filled
    tag = recipe_from_dict({**BASE, "task": "tag", "tag": {"tier": "head"}})
    assert tag.tag.tier == "head" and not hasattr(tag, "decode")
    for tree, message in (
            ({**BASE, "decode": {"beam_width": 3}}, "decode: a section of task ctc, not of this recipe's "
                                                     "(task classify, modality pose)"),
            ({**BASE, "video": {"size": 64}}, "video: a section of modality video"),
            ({**BASE, "decoding": {}}, "unknown section 'decoding'; a classify recipe of the pose "
                                       "modality has name, task, data, model, optim, trainer"),
            ({**BASE, "task": "ctc", "decode": {"beam": 3}}, r"decode: beam: Extra inputs"),
            ({**BASE, "task": "dpc", "pretrain": {"params": {"blocks": 3}}},
             "pretrain.params: DPCModule has no parameter 'blocks'")):
        with pytest.raises(ConfigError) as exc:
            recipe_from_dict(tree)
        assert message.replace("\\", "") in str(exc.value) and "\n" not in str(exc.value)


def test_an_old_video_recipe_s_settings_move_to_its_video_section():
    tree = {"data": {"dataset": "video_dir:x", "size": 64, "crop_scale": [0.5, 1.0]},
            "model": {"modality": "video", "encoder": "r2plus1d_18", "weights": "w.pth", "finetune": "all"}}
    video = recipe_from_dict(tree).video
    assert (video.size, video.crop_scale, video.weights, video.finetune) == (64, (0.5, 1.0), "w.pth", "all")
    # the old schema saved the video defaults in every pose run's config: those are dropped
    pose = recipe_from_dict({**BASE, "data": {**BASE["data"], "size": 112}})
    assert not hasattr(pose, "video")
