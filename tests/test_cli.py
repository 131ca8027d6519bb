"""The CLI as a user runs it: a real subprocess, one-line errors, real files."""

import csv
import json
import os
import subprocess
import sys

import av
import numpy as np
import pytest
from PIL import Image

from signkit.pose.io import load, read_pose
from tests.conftest import shared_path


def signkit(*args: str, columns: int = 200) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": str(columns)}  # 200: wide enough that Rich tables do not wrap
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *args],
                          capture_output=True, text=True, timeout=300, env=env)


def test_info_on_a_real_pose_file():
    r = signkit("info", str(shared_path("poses", "autsl_signer0_sample1000.pose")))
    assert r.returncode == 0, r.stderr
    assert "43" in r.stdout and "mediapipe_holistic" in r.stdout
    assert "eyebrows" in r.stdout and "93.0 %" in r.stdout  # left hand found in 40 of 43 frames


def test_info_on_a_collection():
    r = signkit("info", str(shared_path("krsl20", "krsl20_hands2d_P1-P4.npz")))
    assert r.returncode == 0, r.stderr
    assert "4430" in r.stdout and "hands_2x21" in r.stdout


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("missing.pose", None, "no such file"),
    ("empty.pose", b"", "empty file"),
    ("x.mp4", b"not a video", "unrecognised pose format"),
    ("bad.npz", b"PK-not-a-zip", "not a readable .npz"),
])
def test_bad_input_is_one_line_and_non_zero(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    r = signkit("info", str(path))
    assert r.returncode == 1
    assert expected in r.stderr and str(path.name) in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_unknown_group_is_one_line(tmp_path):
    r = signkit("visualize", str(shared_path("krsl20", "krsl20_hands2d_P1-P4.npz")),
                "-o", str(tmp_path / "x.png"), "--groups", "mouth")
    assert r.returncode == 1 and "no group 'mouth'" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_transforms_lists_names_parameters_and_defaults():
    r = signkit("transforms")
    assert r.returncode == 0, r.stderr
    rows = {line.split("│")[1].strip(): line for line in r.stdout.splitlines() if line.count("│") > 2}
    assert {"bones", "drop_resting_hand", "order_hands", "rotate", "standardize"} <= set(rows)
    assert "gap=5.0" in rows["drop_resting_hand"] and "lone='right_hand'" in rows["order_hands"]
    assert "[min_scale, max_scale]" in rows["scale"]  # the docstring, not eaten as Rich markup


def test_convert_pose_to_openpose_and_back(tmp_path):
    src = shared_path("poses", "openpose.pose")
    r = signkit("convert", str(src), str(tmp_path / "frames"), "--fps", "24")
    assert r.returncode == 0, r.stderr
    r = signkit("convert", str(tmp_path / "frames"), str(tmp_path / "back.pose"), "--fps", "24")
    assert r.returncode == 0, r.stderr
    a, b = read_pose(src), read_pose(tmp_path / "back.pose")
    assert b.fps == 24 and a.data.shape == b.data.shape
    np.testing.assert_allclose(b.data[a.detected], a.data[a.detected], atol=1e-3)


def test_convert_collection_to_pose_folder(tmp_path):
    src = shared_path("mp_holistic", "jeet10_1662.npz")
    r = signkit("convert", str(src), str(tmp_path / "jeet"))
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader((tmp_path / "jeet" / "manifest.csv").open()))
    assert len(rows) == 330 and rows[0]["gloss"]
    first = read_pose(tmp_path / "jeet" / rows[0]["file"])
    np.testing.assert_array_equal(first.data, load(src)[0].data)


def test_visualize_mp4_is_h264_with_every_frame(tmp_path):
    src = shared_path("poses", "phoenix2014t_sentence.pose")
    out = tmp_path / "v.mp4"
    r = signkit("visualize", str(src), "-o", str(out), "--size", "256")
    assert r.returncode == 0, r.stderr
    with av.open(str(out)) as c:
        stream = c.streams.video[0]
        assert stream.codec_context.name == "h264"
        frames = list(c.decode(stream))
    assert len(frames) == read_pose(src).num_frames


def test_visualize_png_and_gif_colour_groups(tmp_path):
    src = shared_path("poses", "phoenix2014t_sentence.pose")
    assert signkit("visualize", str(src), "-o", str(tmp_path / "f.png")).returncode == 0
    img = np.asarray(Image.open(tmp_path / "f.png").convert("RGB")).reshape(-1, 3)
    mouth, right_hand = (220, 40, 140), (29, 120, 230)
    assert (img == mouth).all(axis=1).any() and (img == right_hand).all(axis=1).any()
    assert signkit("visualize", str(src), "-o", str(tmp_path / "f.gif"),
                   "--groups", "hands+mouth").returncode == 0
    assert Image.open(tmp_path / "f.gif").n_frames == read_pose(src).num_frames


def test_demo_command(tmp_path):
    r = signkit("demo", "--out", str(tmp_path), "--signers", "3", "--repetitions", "4")
    assert r.returncode == 0, r.stderr
    assert "hands+non_manual" in r.stdout and "Q/S pairs" in r.stdout
    assert (tmp_path / "demo_results.json").exists()
    markdown = (tmp_path / "demo_results.md").read_text()
    assert "| logistic regression | hands+non_manual |" in markdown


def test_tables_are_whole_in_80_columns(tmp_path):
    """In an 80-column terminal (or a pipe) no table cell is cut to "…": a table too wide for it
    is printed one block of "column value" lines per row."""
    r = signkit("demo", "--out", str(tmp_path), "--signers", "3", "--repetitions", "4", columns=80)
    assert r.returncode == 0, r.stderr
    assert "…" not in r.stdout and max(map(len, r.stdout.splitlines())) <= 80
    saved = json.loads((tmp_path / "demo_results.json").read_text())
    for row in saved["results"]:  # every figure is printed whole
        assert f"{100 * row['accuracy']:.1f} %" in r.stdout
    for args in (("data", "check", f"krsl20:{shared_path('krsl20', 'krsl20_hands2d_P1-P4.npz')}"),
                 ("info", str(shared_path("poses", "mediapipe.pose"))),
                 ("baseline", "synthetic:2x2", "--groups", "hands+mouth", "--length", "8",
                  "--merge", "s/q$//", "-o", str(tmp_path / "baseline")),
                 ("transforms",), ("models",)):
        r = signkit(*args, columns=80)
        assert r.returncode == 0, r.stderr
        assert "…" not in r.stdout, (args, r.stdout)
    summary = (tmp_path / "baseline" / "summary.md").read_text()  # the printed table, kept
    assert summary.startswith("**synthetic:2x2 [hands+mouth], split loso") and "| merged top-1 |" in summary


def test_crossval_command_reports_every_fold_and_where_it_wrote(tmp_path):
    pytest.importorskip("torch")
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: tiny\ndata: {dataset: 'synthetic:2x2', split: loso, groups: hands, length: 8}\n"
                      "model: {encoder: bilstm, encoder_params: {hidden: 8, layers: 1}}\n"
                      "trainer: {max_epochs: 1, patience: null}\n")
    r = signkit("crossval", str(recipe), "-o", str(tmp_path / "cv"), columns=80)
    assert r.returncode == 0, r.stderr
    summary = json.loads((tmp_path / "cv" / "summary.json").read_text())
    assert summary["folds"] == 2 and len(summary["runs"]) == 2
    assert "top-1" in r.stdout and "…" not in r.stdout
    written = f"runs and summary: {tmp_path / 'cv' / 'summary.json'}, {tmp_path / 'cv' / 'summary.md'}"
    assert "| top-1 |" in (tmp_path / "cv" / "summary.md").read_text()
    assert "".join(r.stdout.split()).endswith("".join(written.split()))  # a long path wraps at 80
    r = signkit("report", str(tmp_path / "cv"))
    assert r.returncode == 0, r.stderr
    html = (tmp_path / "cv" / "report.html").read_text()
    assert "mean ± std over the runs" in html and "per run" in html and "top-1" in html
    assert "learning curves" in html and html.count("data:image/png;base64,") == 1
    r = signkit("report", str(tmp_path))
    assert r.returncode == 1 and "not a folder of signkit train, crossval" in r.stderr


def test_help_sentences_wrap_at_the_terminal_not_at_the_docstrings_breaks():
    out = signkit("--help", columns=100).stdout
    lines = [" ".join(line.strip("│ ").split()) for line in out.splitlines()]
    assert any("a fine-tuning recipe starts from the run" in line for line in lines), out
    assert any("start and end times. One line per" in line for line in lines), out
    text = signkit("predict", "--help", columns=60).stdout
    help_ = " ".join(" ".join(line.strip("│ ").split()) for line in text.splitlines())
    assert "with probabilities; for a continuous" in help_


@pytest.mark.parametrize("args", [["--help"], ["train", "--help"], ["info", "--help"]])
def test_help_imports_no_torch(args):
    """Help is instant: the heavy frameworks are imported by the commands that use them only."""
    code = ("import sys\nfrom signkit.cli.app import main\nsys.argv = ['signkit', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('torch', 'lightning', 'onnxruntime', 'mediapipe', 'sklearn')"
            " if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == "[]", r.stdout[-400:]
