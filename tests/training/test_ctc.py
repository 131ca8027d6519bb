"""Continuous recognition: CTC decoding, gloss error rates, padded batches, chained sequences,
continuous manifests, and a CTC run trained, reloaded, evaluated and used by predict."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from html import escape as html_escape
from pathlib import Path

import numpy as np
import pytest
import yaml

pytest.importorskip("torch")
pytest.importorskip("lightning")

import torch

from signkit.data.chain import chain_dataset
from signkit.data.dataset import Dataset, load_dataset
from signkit.data.manifest import write_pose_dir
from signkit.errors import ConfigError, PoseFileError
from signkit.inference import load_model
from signkit.models import build_sequence_model
from signkit.reports.wer import alignment_rows, wer_report
from signkit.training.decoding import CTCDecoder, GlossLM, greedy, greedy_path
from signkit.training.ensemble import write_ensemble
from signkit.training.run import train
from tests.conftest import shared_path

VOCAB = ["<blank>", "A", "B", "C"]


def _peaked(path: list[int], classes: int = 4) -> np.ndarray:
    """``(L, classes)`` log-probabilities with probability ~1 on ``path[t]`` at step t."""
    lp = np.full((len(path), classes), np.log(1e-4), np.float32)
    lp[np.arange(len(path)), path] = np.log(1 - 1e-4 * (classes - 1))
    return lp


def test_greedy_merges_repeats_and_drops_blanks():
    path = [1, 1, 0, 2, 2, 0, 0, 2, 3, 3, 0, 1]
    assert greedy(_peaked(path)) == [1, 2, 2, 3, 1]
    assert greedy_path(_peaked(path)) == [(1, 0, 2), (2, 3, 5), (2, 7, 8), (3, 8, 10), (1, 11, 12)]
    assert greedy(_peaked([0, 0, 0])) == []


@pytest.mark.parametrize("beam", [0, 8])
def test_decoder_returns_the_sequence_with_its_steps(beam):
    segments = CTCDecoder(VOCAB, beam).decode(_peaked([1, 1, 0, 2, 2, 0, 0, 2, 3, 3, 0, 1]))
    assert [s.gloss for s in segments] == ["A", "B", "B", "C", "A"]
    assert (segments[0].start, segments[0].end) == (0, 2)
    assert (segments[3].start, segments[3].end) == (8, 10)


def test_language_model_decides_between_close_hypotheses():
    # Steps 3-4: "C" a little more likely than "B"; the training glosses only ever have "A B".
    lp = _peaked([1, 1, 0, 2, 2, 0])
    lp[3:5, 2], lp[3:5, 3] = np.log(0.48), np.log(0.52)
    assert [s.gloss for s in CTCDecoder(VOCAB, 8).decode(lp)] == ["A", "C"]
    lm = GlossLM([["A", "B"]] * 20 + [["C"]] * 2, order=2, alpha=1.0)
    assert [s.gloss for s in CTCDecoder(VOCAB, 8, lm).decode(lp)] == ["A", "B"]
    assert lm.logp("B", ("A",)) > lm.logp("C", ("A",))


def test_ctc_loss_is_lowest_for_the_path_of_the_target():
    target = torch.tensor([[1, 2]])
    right = torch.from_numpy(_peaked([1, 0, 2, 0]))[:, None]
    wrong = torch.from_numpy(_peaked([3, 0, 3, 0]))[:, None]
    loss = [torch.nn.functional.ctc_loss(lp, target, torch.tensor([4]), torch.tensor([2])).item()
            for lp in (right, wrong)]
    assert loss[0] < 0.01 < 5 < loss[1]


def test_wer_against_hand_computed_values():
    refs = [["A", "B", "C", "D"], ["A", "B"], ["C"]]
    hyps = [["A", "X", "C"], ["A", "B"], ["C", "C", "Dq"]]
    r = wer_report(refs, hyps, merge=lambda g: g.removesuffix("q"))
    # 7 reference glosses: 1 substitution (B->X), 1 deletion (D), 2 insertions (C, Dq).
    assert r["wer"] == pytest.approx(4 / 7)
    assert (r["sub"], r["del"], r["ins"]) == pytest.approx((1 / 7, 1 / 7, 2 / 7))
    assert r["ser"] == pytest.approx(2 / 3)
    assert r["merged_wer"] == pytest.approx(4 / 7)  # "Dq" -> "D" is still an insertion
    rows = alignment_rows(refs, hyps)
    assert rows[0]["alignment"] == "A [B->X] C (-D)"
    assert (rows[0]["S"], rows[0]["D"], rows[0]["I"]) == (1, 1, 0)
    assert rows[2]["alignment"] == "C (+C) (+Dq)"
    assert wer_report([["A", "B"]], [[]])["wer"] == 1.0


@pytest.mark.parametrize("encoder", ["bilstm", "transformer", "stgcn", "slgcn"])
@pytest.mark.parametrize("head", ["conv_bilstm", "transformer"])
def test_padding_does_not_change_a_sample_s_output(encoder, head):
    torch.manual_seed(0)
    edges = np.array([[i, i + 1] for i in range(7)])
    model = build_sequence_model(encoder, head, 8, 2, 5, edges, {}, {"hidden": 32, "pools": [2]}).eval()
    x = torch.randn(3, 48, 8, 2)
    lengths = torch.tensor([48, 29, 17])
    with torch.no_grad():
        batch, steps = model(x, lengths)
        for i in (1, 2):
            alone, alone_steps = model(x[i:i + 1, : lengths[i]], lengths[i:i + 1])
            assert steps[i] == alone_steps[0] == alone.shape[1]
            torch.testing.assert_close(batch[i, : steps[i]], alone[0], atol=1e-4, rtol=1e-4)


@pytest.fixture(scope="module")
def krsl20() -> Dataset:
    return load_dataset(f"krsl20:{shared_path('krsl20', 'krsl20_hands2d_P1-P4.npz')}")


def test_chaining_keeps_one_signer_and_the_glosses_in_order(krsl20):
    seqs = chain_dataset(krsl20, 2, 4, per_signer=10, seed=3, transition=(2, 5), rest=(0, 3))
    assert len(seqs) == 40
    signers = krsl20.signers
    for seq in seqs:
        sources = [int(i) for i in seq.metadata["sources"].split()]
        assert 2 <= len(sources) <= 4
        assert {signers[i] for i in sources} == {str(seq.metadata["signer"])}
        assert seq.metadata["gloss"].split() == [krsl20.glosses[i] for i in sources]
        spans = [tuple(map(int, s.split("-"))) for s in seq.metadata["spans"].split()]
        for (a, b), i in zip(spans, sources, strict=True):  # each sign's real frames, unchanged
            np.testing.assert_array_equal(seq.data[a:b], krsl20.samples[i].data)
            np.testing.assert_array_equal(seq.confidence[a:b], krsl20.samples[i].confidence)
        gaps = [c - b for (_, b), (c, _) in itertools.pairwise(spans)]
        assert all(2 <= g <= 8 for g in gaps)
    again = chain_dataset(krsl20, 2, 4, per_signer=10, seed=3, transition=(2, 5), rest=(0, 3))
    assert [s.metadata["sources"] for s in again] == [s.metadata["sources"] for s in seqs]


def test_transition_frames_interpolate_between_the_signs(krsl20):
    seq = chain_dataset(krsl20, 2, 2, per_signer=1, seed=0, transition=(4, 4))[0]
    (_, b), (c, _) = [tuple(map(int, s.split("-"))) for s in seq.metadata["spans"].split()]
    both = seq.detected[b - 1] & seq.detected[c]
    w = np.arange(1, 5)[:, None, None] / 5
    expected = (1 - w) * seq.data[b - 1] + w * seq.data[c]
    np.testing.assert_allclose(seq.data[b:c][:, both], expected[:, both], rtol=1e-5, atol=1e-6)
    assert not seq.detected[b:c][:, ~both].any()


def test_bad_continuous_manifests_name_the_file_and_row(tmp_path, krsl20):
    seqs = chain_dataset(krsl20.subset(range(40)), 2, 3, per_signer=2, seed=0)
    manifest = write_pose_dir(seqs, tmp_path)
    rows = list(csv.DictReader(manifest.open()))
    rows[1]["gloss"] = " "
    _write(manifest, rows)
    with pytest.raises(PoseFileError, match=r"manifest.csv: row 3 \(.*\): empty gloss"):
        load_dataset(f"pose_dir:{tmp_path}")
    rows[1]["gloss"], rows[0]["file"] = "a b", "missing.pose"
    _write(manifest, rows)
    with pytest.raises(PoseFileError, match=r"manifest.csv: row 2: pose file 'missing.pose' not found"):
        load_dataset(f"pose_dir:{tmp_path}")


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def _signkit(*args: str, columns: int = 200) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *args], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COLUMNS": str(columns)})


def test_ctc_run_trains_reloads_evaluates_and_predicts(tmp_path, krsl20):
    """chain (CLI) -> train a CTC recipe -> the run folder alone decodes, evaluates and predicts."""
    data = tmp_path / "chained"
    res = _signkit("data", "chain", f"krsl20:{shared_path('krsl20', 'krsl20_hands2d_P1-P4.npz')}", "-o",
                   str(data), "--per-signer", "15", "--max", "4", "--rest", "0-2")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader((data / "manifest.csv").open()))
    assert len(rows) == 60 and {"file", "gloss", "signer", "spans", "sources"} <= set(rows[0])
    res = _signkit("data", "check", f"pose_dir:{data}")
    assert res.returncode == 0, res.stderr
    assert "60 sequences of 2-4 glosses, 20 glosses" in " ".join(res.stdout.split())
    total = sum(len(r["gloss"].split()) for r in rows)
    assert total == sum(int(c) for line in res.stdout.splitlines() if line.startswith("│")
                        for c in line.split("│")[2:-1] if c.strip().isdigit())
    recipe = tmp_path / "ctc.yaml"
    recipe.write_text(yaml.safe_dump({
        "name": "tiny-ctc", "task": "ctc",
        "data": {"dataset": f"pose_dir:{data}", "split": "loso", "fold": 3, "groups": "hands",
                 "preprocess": [{"name": "standardize", "scale": "hand"}], "merge": "s/q$//"},
        "model": {"encoder": "bilstm", "encoder_params": {"hidden": 16, "layers": 1},
                  "decoder_params": {"hidden": 32, "pools": [2], "lstm_layers": 1}},
        "optim": {"lr": 3e-3, "batch_size": 8}, "trainer": {"max_epochs": 2, "patience": None},
        "decode": {"beam_width": 4, "lm_order": 2}}))
    from signkit.training.config import load_recipe

    run = tmp_path / "run"
    metrics = train(load_recipe(recipe), run, progress_bar=False)
    assert metrics["task"] == "ctc" and metrics["test_signers"] == ["4"]
    assert {"wer", "sub", "del", "ins", "ser", "merged_wer"} <= set(metrics)
    assert metrics["wer"] == pytest.approx(metrics["sub"] + metrics["del"] + metrics["ins"])
    vocab = json.loads((run / "vocabulary.json").read_text())
    assert vocab[0] == "<blank>" and len(vocab) == 21
    assert len((run / "lm_corpus.txt").read_text().splitlines()) == metrics["n_train"]

    loaded = load_model(run)
    assert loaded.task == "ctc" and loaded.stride == 2
    with pytest.raises(ConfigError, match="a ctc run; an ensemble averages the class probabilities"):
        write_ensemble([run, run], tmp_path / "ensemble")
    res = _signkit("evaluate", str(run), f"pose_dir:{data}", "--signers", "4", "--beam", "0", columns=80)
    assert res.returncode == 0, res.stderr
    assert "WER" in res.stdout and "SER" in res.stdout and "…" not in res.stdout
    report = json.loads((run / "evaluation" / "evaluation.json").read_text())
    assert report["decoder"] == {"beam_width": 0, "lm": None}  # greedy: the recipe's LM has no say
    assert set(report["per_signer"]) == {"4"}
    aligned = list(csv.DictReader((run / "evaluation" / "alignments.csv").open()))
    assert len(aligned) == 15 and all(r["signer"] == "4" for r in aligned)
    assert aligned[0]["reference"] == rows[45]["gloss"]
    assert (run / "evaluation" / "posteriors.png").stat().st_size > 10_000
    res = _signkit("report", str(run))
    assert res.returncode == 0, res.stderr
    html = (run / "report.html").read_text()
    first_alignment = html_escape(aligned[0]["alignment"].split()[0])
    for part in ("test fold (%)", "evaluation on", "signer 4", "learning curves",
                 "gloss posteriors over time", "alignments (first 30)", first_alignment):
        assert part in html, part

    pose_file = data / rows[45]["file"]
    eaf = tmp_path / "out.eaf"
    res = _signkit("predict", str(run), str(pose_file), "--eaf", str(eaf))
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith(f"{pose_file}: ")
    from pympi.Elan import Eaf

    tier = Eaf(str(eaf)).get_annotation_data_for_tier("gloss")
    printed = res.stdout.split(": ", 1)[1].split("\n")[0]
    if printed != "(no gloss)":
        assert [a[2] for a in tier] == [g.rsplit(" ", 2)[0] for g in printed.split(", ")]
        assert all(0 <= a[0] < a[1] for a in tier)

    # Streaming: one window over the whole sequence (decoded once, at the end) gives what predict
    # gives; short windows every 4 frames give glosses once each, in order, inside the sequence.
    from signkit.live.recognizer import Recognizer
    from signkit.pose.io import read_pose
    from signkit.training.tasks.ctc import timed_glosses

    pose = read_pose(pose_file)
    offline = [g for g, _, _ in timed_glosses(loaded, pose)]
    for window, stride in ((len(pose) + 8, len(pose) + 8), (24, 4)):
        rec = Recognizer(loaded, fps=pose.fps, window=window, stride=stride, layout=pose.layout, min_hands=0)
        events = [e for t in range(len(pose)) for e in rec.push(pose.data[t], pose.confidence[t])]
        events += rec.flush()
        assert all(a.end <= b.start + 1e-9 for a, b in itertools.pairwise(events))
        assert all(0 <= e.start < e.end <= pose.duration + 1e-9 for e in events)
        if window > len(pose):
            assert [e.gloss for e in events] == offline

    # The exported folder decodes the same glosses with onnxruntime alone (torch not importable).
    from signkit.export.onnx import export_run
    from tests.live.test_export import NO_TORCH

    exported = tmp_path / "exported"
    info = export_run(run, exported)
    assert info["task"] == "ctc" and info["stride"] == 2 and info["inputs"]["lengths"] == ["batch"]
    parity = info["parity"]
    assert parity["max_abs_log_prob_diff"] <= 1e-4 and parity["mixed_lengths_diff"] <= 1e-4
    assert len(set(parity["mixed_lengths"])) > 1  # one batch of different lengths
    assert (exported / "lm_corpus.txt").read_text() == (run / "lm_corpus.txt").read_text()
    script = tmp_path / "no_torch.py"
    script.write_text(NO_TORCH)
    torch_line = _signkit("predict", str(run), str(pose_file)).stdout
    res = subprocess.run([sys.executable, str(script), "predict", str(exported), str(pose_file)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout == torch_line
    res = subprocess.run([sys.executable, str(script), "evaluate", str(exported), f"pose_dir:{data}",
                          "--signers", "4", "--beam", "0"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert json.loads((exported / "evaluation" / "evaluation.json").read_text())["wer"] == pytest.approx(
        report["wer"], abs=1e-9)

    # --int8: the fastest candidate whose greedy gloss sequences agree with fp32 on >= 99 % of the
    # training poses (else the closest), and the int8 folder evaluates without torch too.
    quantised = tmp_path / "exported_int8"
    info = export_run(run, quantised, int8=True)
    q = info["int8"]
    assert q["agreement_of"] == "greedy gloss sequence" and q["mode"] in q["candidates"]
    built = {m: c for m, c in q["candidates"].items() if "agreement" in c}
    assert q["candidates"][q["mode"]]["agreement"] == max(c["agreement"] for c in built.values()) or \
        q["candidates"][q["mode"]]["agreement"] >= 0.99
    res = subprocess.run([sys.executable, str(script), "evaluate", str(quantised), f"pose_dir:{data}",
                          "--signers", "4", "--beam", "0"], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert json.loads((quantised / "evaluation" / "evaluation.json").read_text())["wer"] >= 0
