"""Marker tagging: the metrics against hand-computed values, the threshold baseline, a tagging
run trained, predicted (segments with times, an ELAN file) and evaluated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from signkit.reports.tagging import frame_f1, segment_f1, segments, tagging_report
from tests.conftest import shared_path
from tests.nonmanual.conftest import copy_signers

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "krsl_nonmanual" / "tag_brows.yaml"
N, R = "none", "br_raise"


def test_segments_are_runs_of_one_label():
    assert segments([N, R, R, N, R]) == [(N, 0, 1), (R, 1, 3), (N, 3, 4), (R, 4, 5)]
    assert segments([]) == []


def test_frame_f1_by_hand():
    true = [[N, R, R, R, N], [R, R, N]]
    pred = [[N, N, R, R, R], [R, N, N]]
    # br_raise: tp = 2 + 1, fp = 1, fn = 1 + 1 -> 2 * 3 / (6 + 1 + 2)
    assert frame_f1(true, pred, R) == pytest.approx(6 / 9)


def test_segment_f1_counts_an_overlap_of_iou_at_least_half():
    true = [[N, R, R, R, R, N, N, N, R, R]]  # segments 1-5 and 8-10
    # 2-5 overlaps 1-5 by 3/4 (counts); 7-8 meets nothing of 8-10 -> no; 9-10 vs 8-10: 1/2 (counts)
    pred = [[N, N, R, R, R, N, N, R, N, R]]
    # tp = 2, fp = 1, fn = 0 -> 4 / 5
    assert segment_f1(true, pred, R) == pytest.approx(4 / 5)
    # a segment of IoU 1/3 does not count
    assert segment_f1([[R, R, R]], [[R, N, N]], R) == 0.0
    # one true segment is matched once: two predictions inside it, one counts
    assert segment_f1([[R, R, R, R]], [[R, R, N, R]], R) == pytest.approx(2 * 1 / (2 + 1 + 0))


def test_the_report_averages_the_marker_labels():
    report = tagging_report([[N, R, R]], [[N, R, N]], [R, "br_low"])
    assert report[f"frame_f1:{R}"] == pytest.approx(2 / 3)
    assert report["frame_f1:br_low"] == 0.0
    assert report["frame_f1"] == pytest.approx(1 / 3)
    assert report["frame_accuracy"] == pytest.approx(2 / 3)


def test_the_threshold_baseline_chooses_its_threshold_on_the_training_signers():
    from signkit.baselines.threshold import threshold_baseline
    from signkit.data.dataset import load_dataset

    result = threshold_baseline(load_dataset(f"openface_elan:{shared_path('krsl_nonmanual')}"))
    assert [r["test_signer"] for r in result["runs"]] == ["alt", "gul", "makh", "mira", "shyr", "tanya"]
    for r in result["runs"]:
        assert -2 <= r["threshold"] <= 3
        assert 0.0 < r[f"frame_f1:{R}"] < 1.0
    assert result["summary"][f"frame_f1:{R}"]["mean"] > 0.3  # brow height does tell the raise


def test_a_tier_that_is_not_there_is_one_line(two_signers, tmp_path):
    from tests.test_cli import signkit

    r = signkit("train", str(RECIPE), "-o", str(tmp_path / "run"), "--set",
                f"data.dataset=openface_elan:{two_signers}", "--set", "tag.tier=mouth")
    assert r.returncode == 1
    assert "no tier 'mouth' (its tiers: body, brows, head, left-hand, right-hand)" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_tagging_run_trains_predicts_segments_and_evaluates(tmp_path):
    from pympi.Elan import Eaf

    from tests.test_cli import signkit

    train_folder = copy_signers({"gul", "alt", "makh"}, tmp_path / "train")
    other = copy_signers({"tanya"}, tmp_path / "other")
    run = tmp_path / "run"
    r = signkit("train", str(RECIPE), "-o", str(run), "--set", f"data.dataset=openface_elan:{train_folder}",
                "--set", "trainer.max_epochs=2")
    assert r.returncode == 0, r.stderr
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["task"] == "tag" and 0.0 <= metrics[f"frame_f1:{R}"] <= 1.0
    assert json.loads((run / "vocabulary.json").read_text())[0] == N
    csv_file = next((other / "openface").glob("*.csv"))
    eaf = tmp_path / "markers.eaf"
    r = signkit("predict", str(run), str(csv_file), "--eaf", str(eaf))
    assert r.returncode == 0, r.stderr
    assert (r.stdout.startswith(str(csv_file)) and "brows" in r.stdout) or "br_raise" in r.stdout
    assert "brows" in Eaf(str(eaf)).get_tier_names()
    r = signkit("predict", str(run), str(csv_file), "--json")
    assert isinstance(json.loads(r.stdout)["brows"], list)
    r = signkit("evaluate", str(run), f"openface_elan:{other}")
    assert r.returncode == 0, r.stderr
    report = json.loads((run / "evaluation" / "evaluation.json").read_text())
    assert report["tier"] == "brows" and set(report["per_signer"]) == {"tanya"}
    assert 0.0 <= report[f"segment_f1:{R}"] <= 1.0

    # exported: the same markers from onnxruntime alone (torch not importable)
    from tests.live.test_export import NO_TORCH

    exported = tmp_path / "exported"
    r = signkit("export", str(run), "-o", str(exported))
    assert r.returncode == 0, r.stderr
    info = json.loads((exported / "export.json").read_text())
    assert info["task"] == "tag" and info["parity"]["max_abs_log_prob_diff"] <= 1e-4
    script = tmp_path / "no_torch.py"
    script.write_text(NO_TORCH)
    import subprocess
    import sys

    torch_json = signkit("predict", str(run), str(csv_file), "--json").stdout
    r = subprocess.run([sys.executable, str(script), "predict", str(exported), str(csv_file), "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["brows"] == json.loads(torch_json)["brows"]
    r = subprocess.run([sys.executable, str(script), "evaluate", str(exported), f"openface_elan:{other}"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    again = json.loads((exported / "evaluation" / "evaluation.json").read_text())
    assert again[f"frame_f1:{R}"] == pytest.approx(report[f"frame_f1:{R}"], abs=1e-9)

    # --int8 keeps the candidate whose frame labels agree with fp32 the most (at least 99 % where
    # one does), and that folder evaluates without torch
    r = signkit("export", str(run), "-o", str(tmp_path / "int8"), "--int8")
    assert r.returncode == 0, r.stderr
    q = json.loads((tmp_path / "int8" / "export.json").read_text())["int8"]
    assert q["agreement_of"] == "frame label"
    chosen = q["candidates"][q["mode"]]["agreement"]
    assert chosen >= 0.99 or chosen == max(c.get("agreement", 0) for c in q["candidates"].values())
    r = subprocess.run([sys.executable, str(script), "evaluate", str(tmp_path / "int8"),
                        f"openface_elan:{other}"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr

