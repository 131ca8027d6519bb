"""Sentence type on unseen signers: the shipped recipe trains, evaluates on another folder of
the same layout; the baseline on face measures; the linguist's curves."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from signkit.cli.app import app
from signkit.pose.io import read_pose
from signkit.pose.pose import Pose
from signkit.transforms.normalize import SignerStandardize
from tests.conftest import shared_path
from tests.nonmanual.conftest import copy_signers

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "krsl_nonmanual" / "bilstm_measures.yaml"
runner = CliRunner()


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_signer_standardize_takes_each_signers_own_level_away():
    from signkit.pose.layouts import face68_layout

    layout = face68_layout()
    poses = []
    for signer, level in (("a", 0.0), ("a", 2.0), ("b", 10.0), ("b", 14.0)):
        data = np.full((5, 68, 3), level, np.float32) + np.arange(5, dtype=np.float32)[:, None, None]
        poses.append(Pose(data, np.ones((5, 68), np.float32), 25.0, layout, metadata={"signer": signer}))
    out = SignerStandardize().apply_all(poses)
    for p in out:
        assert p.data.shape == (5, 68, 3)
    for signer in ("a", "b"):
        frames = np.concatenate([p.data for p in out if p.metadata["signer"] == signer])
        np.testing.assert_allclose(frames.mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(frames.std(axis=0), 1, atol=1e-5)
    # a's frames hold 0..4 and 2..6: mean 3, standard deviation sqrt(3)
    np.testing.assert_allclose(out[0].data[0, 0, 0], -3 / np.sqrt(3), rtol=1e-6)
    # a lone pose is standardised by itself
    alone = SignerStandardize()(poses[2], np.random.default_rng(0))
    np.testing.assert_allclose(alone.data[:, 0, 0], (np.arange(5) - 2) / np.sqrt(2), rtol=1e-6)


def test_the_baseline_on_signer_standardised_measures_beats_chance(tmp_path):
    folder = shared_path("krsl_nonmanual")
    out = tmp_path / "bl"
    invoke("baseline", f"openface_elan:{folder}", "--groups", "eyebrows+head_pose", "--length", "20",
           "--preprocess", "[face_measures, signer_standardize]", "-o", str(out))
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(metrics["runs"]) == 6  # one per signer
    assert metrics["summary"]["top1"]["mean"] > 0.5  # chance is 1/3


def test_train_the_shipped_recipe_then_evaluate_on_other_signers(tmp_path):
    train_folder = copy_signers({"gul", "alt", "makh"}, tmp_path / "train_signers")
    other = copy_signers({"mira"}, tmp_path / "other_signers")
    run = tmp_path / "run"
    invoke("train", str(RECIPE), "-o", str(run), "--set", f"data.dataset=openface_elan:{train_folder}",
           "--set", "trainer.max_epochs=2")
    assert json.loads((run / "run.json").read_text())["kind"] == "train"
    result = invoke("evaluate", str(run), f"openface_elan:{other}")
    assert "top-1" in result.output
    written = json.loads((run / "evaluation" / "evaluation.json").read_text())
    assert written["dataset"].endswith("other_signers") and 0.0 <= written["top1"] <= 1.0
    with (run / "evaluation" / "confusion.csv").open(newline="") as fh:
        counts = [int(v) for row in list(csv.reader(fh))[1:] for v in row[1:]]
    assert sum(counts) == 30  # every recording of the unseen signer


def test_curves_by_sentence_type_as_png_and_a_tidy_csv(two_signers, tmp_path):
    out = tmp_path / "curves"
    invoke("nonmanual", "curves", f"openface_elan:{two_signers}", "--measure", "brow_height",
           "--measure", "head_pitch", "--by", "sentence_type", "-o", str(out))
    for measure in ("brow_height", "head_pitch"):
        assert (out / f"{measure}_by_sentence_type.png").stat().st_size > 5000
        with (out / f"{measure}_by_sentence_type.csv").open(newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert list(rows[0]) == ["recording", "signer", "group", "time", "measure", "value"]
        assert {r["group"] for r in rows} == {"statement", "polar_question", "wh_question"}
        assert len({r["recording"] for r in rows}) == 60
        assert {r["signer"] for r in rows} == {"gul", "alt"}
        times = sorted({float(r["time"]) for r in rows})
        assert times[0] == 0.0 and times[-1] == 1.0 and len(times) == 50
    signs = invoke("nonmanual", "curves", f"openface_elan:{two_signers}", "--align", "signs",
                   "--center", "signer", "--by", "signer", "-o", str(out))
    assert "gul 30" in signs.output
    with (out / "brow_height_by_signer.csv").open(newline="") as fh:
        values = [float(r["value"]) for r in csv.DictReader(fh)]
    assert abs(np.mean(values)) < 0.02  # centred on each signer


def test_a_bad_measure_or_grouping_is_one_line(two_signers, tmp_path):
    from tests.test_cli import signkit

    for args, message in ((["--measure", "brow_tilt"], "no face measure 'brow_tilt'"),
                          (["--by", "dialect"], "no 'dialect' for 60 recordings"),
                          (["--align", "signs", "--tier", "gloss"], "no tier 'gloss' (its tiers: body")):
        r = signkit("nonmanual", "curves", f"openface_elan:{two_signers}", *args, "-o", str(tmp_path))
        assert r.returncode == 1
        assert message in r.stderr and "Traceback" not in r.stderr


def test_face_measures_pass_through_the_deep_models_input_arrays():
    from signkit.training.arrays import prepare, to_array
    from signkit.training.config import DataConfig

    pose = read_pose(shared_path("krsl_nonmanual/openface/gen_q-neut-devupala-gul.csv"))
    cfg = DataConfig(dataset="x:y", groups="eyebrows", preprocess=["face_measures"], length=8)
    prepared = prepare([pose], cfg)
    arr = to_array(prepared[0], cfg)
    assert arr.shape == (8, 2, 2) and np.isfinite(arr).all()
