"""Repeated-split baseline and ablation, through the library and the CLI."""

import csv
import json

import pytest

from signkit.baselines.experiment import BaselineConfig, run_ablation, run_baseline
from signkit.data import synthetic
from signkit.data.dataset import Dataset
from tests.test_cli import signkit


@pytest.fixture(scope="module")
def synth():
    return Dataset("synthetic", synthetic.generate(num_signers=3, samples_per_class=4, seed=2))


def test_baseline_repeats_and_writes_reports(synth, tmp_path):
    cfg = BaselineConfig(groups="hands", split="loso", repeats=2, length=10, sampling="krsl",
                         merge="s/q$//")
    result = run_baseline(synth, cfg, tmp_path)
    assert len(result["runs"]) == 3 * 2  # 3 signers x 2 repeats
    assert {r["test_signers"][0] for r in result["runs"]} == {"S1", "S2", "S3"}
    summary = result["summary"]
    assert set(summary) == {"top1", "top5", "macro_f1", "merged_top1"}
    assert 0 <= summary["top1"]["mean"] <= summary["top5"]["mean"] <= 1
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["vocabulary"] == sorted(synthetic.CLASSES)
    assert json.loads((tmp_path / "vocabulary.json").read_text()) == saved["vocabulary"]
    rows = list(csv.reader((tmp_path / "confusion.csv").open()))
    assert rows[0][1:] == saved["vocabulary"]
    total = sum(int(v) for row in rows[1:] for v in row[1:])
    assert total == sum(r["n_test"] for r in result["runs"])
    assert (tmp_path / "confusion.png").stat().st_size > 1000
    assert len(json.loads((tmp_path / "splits.json").read_text())["folds"]) == 6


def test_saved_model_evaluates_another_file_of_the_same_classes(synth, tmp_path):
    from signkit.baselines.experiment import evaluate_saved
    from signkit.errors import ConfigError

    cfg = BaselineConfig(groups="hands+non_manual", split="loso", length=10)
    run_baseline(synth, cfg, tmp_path)
    other = Dataset("other", synthetic.generate(num_signers=4, samples_per_class=2, seed=9)[-18:])
    report = evaluate_saved(tmp_path, other, merge="s/q$//")
    assert report["top1"] > 0.5 and set(report) == {"top1", "top5", "macro_f1", "merged_top1"}
    bad = Dataset("bad", [p for p in other.samples[:2]])
    bad.samples[0].metadata["gloss"] = "never-seen"
    with pytest.raises(ConfigError, match="never-seen"):
        evaluate_saved(tmp_path, bad)


def test_ablation_shows_non_manual_lift_on_synthetic_pairs(synth, tmp_path):
    cfg = BaselineConfig(split="loso", length=15)
    results = run_ablation(synth, ["hands", "hands+non_manual", "hands+eyebrows"], cfg, tmp_path)
    top1 = {r["config"]["groups"]: r["summary"]["top1"]["mean"] for r in results}
    assert top1["hands+non_manual"] > top1["hands"] + 0.15
    assert top1["hands+eyebrows"] > top1["hands"]
    table = (tmp_path / "ablation.md").read_text()
    assert "| hands+non_manual |" in table and "±" in table
    assert (tmp_path / "ablation.png").stat().st_size > 1000
    assert len(list(csv.reader((tmp_path / "ablation.csv").open()))) == 4


def test_cli_data_check_baseline_and_ablate(tmp_path):
    from signkit.data.manifest import write_pose_dir

    write_pose_dir(synthetic.generate(num_signers=2, samples_per_class=2, seed=0), tmp_path / "d")
    spec = f"pose_dir:{tmp_path / 'd'}"
    r = signkit("data", "check", spec)
    assert r.returncode == 0, r.stderr
    assert "signer S1" in r.stdout and "exact duplicates: 0" in r.stdout
    r = signkit("baseline", spec, "--groups", "hands+mouth", "--split", "random", "--repeats", "2",
                "--length", "8", "-o", str(tmp_path / "b"))
    assert r.returncode == 0, r.stderr
    assert "top-1" in r.stdout and (tmp_path / "b" / "metrics.json").exists()
    r = signkit("ablate", spec, "--groups", "hands", "hands+mouth", "--split", "loso",
                "--length", "8", "-o", str(tmp_path / "a"))
    assert r.returncode == 0, r.stderr
    assert "| hands+mouth |" in (tmp_path / "a" / "ablation.md").read_text()
    r = signkit("evaluate", str(tmp_path / "b"), spec, "--merge", "s/q$//")
    assert r.returncode == 0, r.stderr
    evaluation = json.loads((tmp_path / "b" / "evaluation" / "evaluation.json").read_text())
    assert evaluation["top1"] > 0.9  # the final model was trained on these very samples
    r = signkit("baseline", spec, "--split", "loso", "--sampling", "bogus")
    assert r.returncode == 1 and "--sampling" in r.stderr


def test_cli_baseline_preprocessing_is_used_and_saved(tmp_path):
    from signkit.data.manifest import write_pose_dir

    write_pose_dir(synthetic.generate(num_signers=2, samples_per_class=2, seed=0), tmp_path / "d")
    spec = f"pose_dir:{tmp_path / 'd'}"
    steps = "[{name: interpolate, max_gap: 5}, order_hands, {name: standardize, scale: hand}]"
    runs = {}
    for name, extra in (("default", []), ("steps", ["--preprocess", steps])):
        r = signkit("baseline", spec, "--split", "loso", "--length", "8", "-o", str(tmp_path / name), *extra)
        assert r.returncode == 0, r.stderr
        runs[name] = json.loads((tmp_path / name / "metrics.json").read_text())
    want = [{"name": "interpolate", "max_gap": 5}, "order_hands", {"name": "standardize", "scale": "hand"}]
    assert runs["default"]["config"]["preprocess"] is None
    assert runs["steps"]["config"]["preprocess"] == want
    # Other features, so other predictions; the saved model reads new poses the same way.
    assert runs["default"]["runs"] != runs["steps"]["runs"]
    saved = json.loads((tmp_path / "steps" / "model.json").read_text())
    assert saved["features"]["preprocess"] == want
    for bad, says in (("[bogus]", "unknown transform 'bogus'"), ("order_hands", "a YAML list"),
                      ("[{name: drop_resting_hand, gap: oops}]", "gap='oops'")):
        r = signkit("baseline", spec, "--preprocess", bad)
        assert r.returncode == 1 and says in r.stderr and "Traceback" not in r.stderr


def test_cli_data_check_finds_krsl_duplicates():
    from tests.conftest import shared_path

    r = signkit("data", "check", f"krsl20:{shared_path('krsl20', 'krsl20_hands2d_P1-P4.npz')}")
    assert r.returncode == 0, r.stderr
    assert "4430 samples" in r.stdout and "exact duplicates:" in r.stdout


def test_cli_evaluates_on_chosen_signers_with_per_class_files(tmp_path):
    from signkit.data.manifest import write_pose_dir

    poses = synthetic.generate(num_signers=3, samples_per_class=2, seed=1)
    write_pose_dir(poses, tmp_path / "d")
    spec = f"pose_dir:{tmp_path / 'd'}"
    r = signkit("baseline", spec, "--split", "loso", "--length", "8", "-o", str(tmp_path / "b"))
    assert r.returncode == 0, r.stderr
    r = signkit("evaluate", str(tmp_path / "b"), spec, "--signers", "S2", "-o", str(tmp_path / "e"))
    assert r.returncode == 0, r.stderr
    report = json.loads((tmp_path / "e" / "evaluation.json").read_text())
    assert report["dataset"].endswith("(signers S2)")
    rows = list(csv.DictReader((tmp_path / "e" / "per_class.csv").open()))
    n_s2 = sum(p.metadata["signer"] == "S2" for p in poses)
    assert sum(int(row["test samples"]) for row in rows) == n_s2
    confusion = list(csv.reader((tmp_path / "e" / "confusion.csv").open()))
    assert sum(int(v) for row in confusion[1:] for v in row[1:]) == n_s2
    r = signkit("evaluate", str(tmp_path / "b"), spec, "--signers", "S9")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert "no signer S9 (its signers: S1, S2, S3)" in r.stderr + r.stdout


def test_cli_ablate_on_one_signer_falls_back_to_the_random_split(tmp_path):
    from tests.conftest import shared_path

    spec = f"mp_array:{shared_path('mp_holistic', 'jeet10_1662.npz')}"
    r = signkit("ablate", spec, "--groups", "hands", "hands+mouth", "--length", "8", "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "leave-one-signer-out is impossible, so the split is random" in " ".join(r.stdout.split())
    assert "split `random`" in (tmp_path / "ablation.md").read_text()
    r = signkit("report", str(tmp_path))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "report.html").read_text()
    assert "<td class=\"text\">hands+mouth</td>" in html and html.count("data:image/png;base64,") == 1


def test_baseline_and_evaluation_folders_record_their_kind(tmp_path):
    from signkit.runs import kind_of, read_info

    r = signkit("baseline", "synthetic:3x3", "--split", "loso", "--length", "8", "-o", str(tmp_path / "b"))
    assert r.returncode == 0, r.stderr
    r = signkit("evaluate", str(tmp_path / "b"), "synthetic:3x3", "-o", str(tmp_path / "e"))
    assert r.returncode == 0, r.stderr
    assert kind_of(tmp_path / "b") == "baseline" and kind_of(tmp_path / "e") == "evaluation"
    info = read_info(tmp_path / "b")
    assert info["dataset"] == "synthetic:3x3" and "baseline" in info["command"]
    assert info["started"] <= info["ended"] and "numpy" in info["versions"]
    assert read_info(tmp_path / "e")["run"] == str(tmp_path / "b")
