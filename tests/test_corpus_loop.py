"""The corpus loop on real video: import a signing video into clips, annotate them through HTTP,
export the manifest, extract the poses, train a CTC model, predict, store its suggestions, and see
them on the annotator's next clip; what the annotator does with them reaches the admin page."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("fastapi")
pytest.importorskip("torch")
pytest.importorskip("mediapipe")

from signkit.annotate.db import make_engine, upgrade
from signkit.annotate.importer import collect_sources, import_videos
from signkit.annotate.services import Corpus
from signkit.annotate.web import create_app
from tests.annotate.conftest import PASSWORD, login
from tests.conftest import shared_path

# Made-up gloss sequences for the clips: the model only has to learn something from them.
SEQUENCES = ["HELLO YOU", "YOU NAME WHAT", "HELLO NAME", "WHAT YOU", "NAME HELLO YOU", "YOU HELLO"]


def _signkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "signkit.cli.app", *args], capture_output=True, text=True,
                          timeout=900, env={**os.environ, "COLUMNS": "200"})


def test_corpus_to_recognizer_and_back(tmp_path):
    videos = tmp_path / "lessons" / "rsl" / "grade1"
    videos.mkdir(parents=True)
    for name in ("sentence_320x240.mp4", "slovo_rsl_sign_720x1280.mp4"):
        (videos / name).symlink_to(shared_path("videos", name))
    db, media = str(tmp_path / "annotate.db"), tmp_path / "media"
    engine = make_engine(db)
    upgrade(engine)
    corpus = Corpus(engine)
    result = import_videos(corpus, collect_sources([tmp_path / "lessons"]), media, clip_seconds=1.0)
    assert not result.failed
    clips = corpus.clips()
    assert len(clips) >= 7  # 4.3 s + 3.7 s of real signing
    corpus.set_setting("annotations_per_clip", "2")
    for name, role in (("ann", "annotator"), ("bob", "annotator"), ("boss", "admin")):
        corpus.create_user(name, PASSWORD, role)
    app = create_app(corpus, media)

    ann = login(app, "ann")  # annotates every clip
    for i in range(len(clips)):
        got = ann.post("/api/next").json()
        assert got["suggestion"] is None
        glosses = SEQUENCES[i % len(SEQUENCES)]
        r = ann.post("/api/submit", json={"session": got["session"], "glosses": glosses})
        assert r.status_code == 200, r.text
    boss = login(app, "boss")
    manifest = media / "manifest.csv"
    manifest.write_text(boss.get("/admin/export/manifest.csv").text)
    rows = list(csv.DictReader(io.StringIO(manifest.read_text())))
    assert len(rows) == len(clips) and all(r["gloss"] in SEQUENCES for r in rows)

    res = _signkit("extract", str(media / "clips"), "-o", str(media / "clips"))
    assert res.returncode == 0, res.stderr
    assert all((media / r["file"]).is_file() for r in rows)

    recipe = tmp_path / "ctc.yaml"
    recipe.write_text(yaml.safe_dump({
        "name": "loop", "task": "ctc",
        "data": {"dataset": f"pose_dir:{manifest}", "split": "random", "groups": "hands+mouth+eyebrows",
                 "dims": 2},
        "model": {"encoder": "bilstm", "encoder_params": {"hidden": 16, "layers": 1},
                  "decoder_params": {"hidden": 32, "pools": [2], "lstm_layers": 1}},
        "optim": {"lr": 3e-3, "batch_size": 4}, "trainer": {"max_epochs": 2, "patience": None},
        "decode": {"beam_width": 0}}))
    run = tmp_path / "run"
    res = _signkit("train", str(recipe), "-o", str(run))
    assert res.returncode == 0, res.stderr
    res = _signkit("predict", str(run), str(media / rows[0]["file"]))
    assert res.returncode == 0 and res.stdout.startswith(str(media / rows[0]["file"])), res.stderr

    res = _signkit("annotate", "suggest", "--db", db, "--media", str(media), "--run", str(run))
    assert res.returncode == 0, res.stderr
    assert f"stored suggestions for {len(clips)} clips" in res.stdout
    stored = {c.id: corpus.suggestion(c.id) for c in clips}
    assert all(s is not None and s.model == "run" for s in stored.values())

    bob = login(app, "bob")  # the second annotation of each clip: now with the model's suggestion
    page = bob.get("/annotate").text
    assert 'id="suggested"' in page and "Suggested by a recognition model" in page
    got = bob.post("/api/next").json()
    assert got["suggestion"] == {"glosses": stored[got["clip"]["id"]].glosses, "model": "run"}
    kept = got["suggestion"]["glosses"] or "X"  # an empty suggestion cannot be submitted as it is
    r = bob.post("/api/submit", json={"session": got["session"], "glosses": kept})
    assert r.status_code == 200
    got = bob.post("/api/next").json()
    bob.post("/api/submit", json={"session": got["session"], "glosses": "COMPLETELY DIFFERENT"})
    uses = sorted(a.suggestion_use for a in _annotations_of(corpus, "bob"))
    assert len(uses) == 2 and set(uses) <= {"kept", "edited", "replaced"}
    assert "replaced" in uses
    progress = " ".join(boss.get("/admin").text.split())
    assert f"{len(clips)} clips have a model's suggestion; 2 submissions were made with one shown" in progress
    assert 'id="suggestionwer"' in progress


def _annotations_of(corpus: Corpus, name: str):
    from signkit.annotate.reports import _annotations

    return [a for a in _annotations(corpus) if a.user.name == name]


def test_suggestion_use_is_kept_edited_or_replaced():
    from signkit.annotate.services import suggestion_use

    assert suggestion_use(None, "A B") is None
    assert suggestion_use("A B", "A  B") == "kept"
    assert suggestion_use("A B", "A C") == "edited"
    assert suggestion_use("A B", "C D") == "replaced"
    assert suggestion_use("", "C") == "replaced"


def test_suggest_refuses_an_isolated_run(tmp_path):
    run = tmp_path / "iso"
    recipe = tmp_path / "r.yaml"
    recipe.write_text(yaml.safe_dump({"name": "iso", "data": {"dataset": "synthetic:3x2", "split": "loso",
                                                              "groups": "hands", "length": 8},
                                      "model": {"encoder": "bilstm", "encoder_params": {"hidden": 8,
                                                                                        "layers": 1}},
                                      "trainer": {"max_epochs": 1, "patience": None}}))
    assert _signkit("train", str(recipe), "-o", str(run)).returncode == 0
    res = _signkit("annotate", "suggest", "--db", str(tmp_path / "a.db"), "--run", str(run))
    assert res.returncode == 1
    assert res.stderr.strip().endswith("a classify run; suggestions need a continuous (task: ctc) run")
    assert Path(run).is_dir()
