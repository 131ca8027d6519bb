"""Cross-validation and ensembles of trained runs, on the built-in synthetic corpus (tiny models)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("lightning")

from signkit.data.dataset import load_dataset
from signkit.errors import ConfigError
from signkit.inference import load_model
from signkit.pose.io import write_pose
from signkit.training.config import recipe_from_dict
from signkit.training.crossval import crossval
from signkit.training.ensemble import write_ensemble
from signkit.training.predict import LoadedRun, load_run, proba_report
from tests.training.test_training import _signkit

TINY = {"d_model": 32, "heads": 2, "layers": 1, "ff": 64}


def _tiny(features: list[str]):
    return recipe_from_dict({
        "name": "tiny", "data": {"dataset": "synthetic:3x3", "groups": "hands+mouth", "length": 8,
                                 "features": features},
        "model": {"encoder": "transformer", "encoder_params": TINY},
        "optim": {"lr": 1e-3}, "trainer": {"max_epochs": 2, "patience": None}})


@pytest.fixture(scope="module")
def two_crossvals(tmp_path_factory):
    """Leave-one-signer-out over the 3 synthetic signers: joints, and the bone stream."""
    root = tmp_path_factory.mktemp("cv")
    for name, features in (("joints", []), ("bones", ["bones"])):
        result = crossval(_tiny(features), root / name)
        assert result["folds"] == 3 and len(result["runs"]) == 3
    return root


def test_crossval_ensemble_averages_each_fold(two_crossvals, tmp_path):
    root = two_crossvals
    r = _signkit("ensemble", str(root / "joints"), str(root / "bones"), "-o", str(tmp_path / "ens"))
    assert r.returncode == 0, r.stderr
    assert "merged top-1" not in r.stdout and "top-5" in r.stdout  # synthetic data has no merge rule
    summary = json.loads((tmp_path / "ens" / "summary.json").read_text())
    assert summary["folds"] == 3
    assert [run["test_signers"] for run in summary["runs"]] == [["S1"], ["S2"], ["S3"]]

    # fold 1 by hand: the mean of the two members' probabilities on the test signer
    ds = load_dataset("synthetic:3x3")
    test = json.loads((root / "joints" / "repeat0_fold1" / "splits.json").read_text())["folds"][0]["test"]
    poses, glosses = [ds.samples[i] for i in test], [ds.glosses[i] for i in test]
    members = [load_run(root / m / "repeat0_fold1") for m in ("joints", "bones")]
    probas = [m.predict_proba(m.prepare(poses)) for m in members]
    assert not np.allclose(probas[0], probas[1])  # the bone stream is another model
    expected = proba_report(np.mean(probas, axis=0), members[0].vocabulary, glosses, None)
    fold = json.loads((tmp_path / "ens" / "repeat0_fold1" / "metrics.json").read_text())
    assert fold["top1"] == pytest.approx(expected["top1"]) and fold["top5"] == pytest.approx(expected["top5"])

    # the fold's folder alone is a model: load_model, predict and evaluate read it as one run
    shutil.move(tmp_path / "ens", tmp_path / "moved")  # members are copied in, not referenced
    ens = load_model(tmp_path / "moved" / "repeat0_fold1")
    assert not isinstance(ens, LoadedRun) and len(ens.members) == 2
    np.testing.assert_allclose(ens.predict_proba(ens.prepare(poses)), np.mean(probas, axis=0), rtol=1e-5)
    write_pose(poses[0], tmp_path / "one.pose")
    r = _signkit("predict", str(tmp_path / "moved" / "repeat0_fold1"), str(tmp_path / "one.pose"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("%") == 5
    r = _signkit("evaluate", str(tmp_path / "moved" / "repeat0_fold1"), "synthetic:3x3", "--signers", "S2")
    assert r.returncode == 0, r.stderr
    assert f"{100 * expected['top1']:.2f}" in r.stdout


def test_evaluate_on_a_fold_s_own_test_part(two_crossvals, tmp_path):
    run = two_crossvals / "joints" / "repeat0_fold1"
    fold = json.loads((run / "metrics.json").read_text())
    r = _signkit("evaluate", str(run), "synthetic:3x3", "--test-part", "-o", str(tmp_path / "ev"))
    assert r.returncode == 0, r.stderr
    assert f"({fold['n_test']} samples)" in r.stdout  # the test part, not the whole corpus
    report = json.loads((tmp_path / "ev" / "evaluation.json").read_text())
    assert report["top1"] == pytest.approx(fold["top1"]) and "test part of" in report["dataset"]
    r = _signkit("evaluate", str(two_crossvals / "joints"), "synthetic:3x3", "--test-part")
    assert r.returncode == 1 and "splits.json" in r.stderr and "Traceback" not in r.stderr
    r = _signkit("evaluate", str(run), "synthetic:2x1", "--test-part")
    assert r.returncode == 1 and "not the dataset this run was split on" in r.stderr


def test_ensemble_of_run_folders_and_its_errors(two_crossvals, tmp_path):
    root = two_crossvals
    runs = [root / "joints" / "repeat0_fold0", root / "bones" / "repeat0_fold0"]
    write_ensemble(runs, tmp_path / "ens")
    write_ensemble(runs[::-1], tmp_path / "ens")  # an ensemble folder is replaced
    members = json.loads((tmp_path / "ens" / "ensemble.json").read_text())["members"]
    assert members[0]["source"] == str(runs[1])
    with pytest.raises(ConfigError, match="is not an ensemble folder"):
        write_ensemble(runs, root / "joints")  # never writes over a run
    with pytest.raises(ConfigError, match="at least two"):
        write_ensemble(runs[:1], tmp_path / "one")
    other = tmp_path / "other"
    shutil.copytree(runs[1], other)
    (other / "vocabulary.json").write_text(json.dumps(["a", "b"]))
    with pytest.raises(ConfigError, match="vocabulary differs"):
        write_ensemble([runs[0], other], tmp_path / "bad")

    for args, message in [
        ((root / "joints", runs[0]), "not both"),
        ((runs[0], tmp_path / "missing"), "missing: no such folder"),
        ((runs[0], tmp_path), "config.yaml: missing: not a complete training run folder"),
    ]:
        r = _signkit("ensemble", *map(str, args), "-o", str(tmp_path / "x"))
        assert r.returncode != 0 and message in r.stderr and "Traceback" not in r.stderr
    unfinished = tmp_path / "unfinished"
    shutil.copytree(root / "bones", unfinished)
    (unfinished / "repeat0_fold2" / "metrics.json").unlink()
    r = _signkit("ensemble", str(root / "joints"), str(unfinished), "-o", str(tmp_path / "y"))
    assert r.returncode != 0 and "not finished crossval runs" in r.stderr and "repeat0_fold2" in r.stderr


def test_every_folder_tells_its_kind_and_an_old_one_still_loads(two_crossvals, tmp_path):
    """run.json in each folder; a folder written before run.json existed is read by its files."""
    from signkit.errors import PoseFileError
    from signkit.runs import RUN_INFO, kind_of, read_info

    root = two_crossvals
    assert kind_of(root / "joints") == "crossval"
    fold = root / "joints" / "repeat0_fold0"
    info = read_info(fold)
    assert info["kind"] == "train" and info["dataset"] == "synthetic:3x3"
    assert {"signkit", "python", "torch", "lightning"} <= set(info["versions"])
    assert info["cores"] >= 1 and info["ended"] >= info["started"]
    assert "commit" in info  # the checkout's commit, or None outside a git checkout
    ens = write_ensemble([fold, root / "bones" / "repeat0_fold0"], tmp_path / "ens")
    assert kind_of(ens) == "ensemble"

    old = tmp_path / "old"
    shutil.copytree(fold, old)
    (old / RUN_INFO).unlink()  # as the main of before run.json wrote it
    assert kind_of(old) == "train"
    assert isinstance(load_model(old), LoadedRun)
    old_cv = tmp_path / "old_cv"
    old_cv.mkdir()
    shutil.copy2(root / "joints" / "summary.json", old_cv / "summary.json")
    assert kind_of(old_cv) == "crossval"

    with pytest.raises(PoseFileError, match="not a folder signkit wrote"):
        kind_of(tmp_path)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / RUN_INFO).write_text('{"kind": "nonsense"}')
    with pytest.raises(PoseFileError, match="no known kind"):
        kind_of(tmp_path / "bad")
