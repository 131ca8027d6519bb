"""Against a real server process (``signkit annotate serve``, 2 workers): concurrent annotators
never share a clip, every acknowledged submission is stored, and a killed server loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
from sqlalchemy import select

from signkit.annotate.loadtest import (
    add_clips,
    live_server,
    overlapping_holds,
    run_annotators,
    stored_annotations,
)
from signkit.annotate.models import Annotation, Clip
from signkit.annotate.security import csrf_for
from signkit.annotate.web import CSRF_COOKIE, SESSION_COOKIE
from tests.annotate.conftest import PASSWORD


def _names(corpus, n: int) -> list[str]:
    names = [f"user{i:02d}" for i in range(n)]
    for name in names:
        corpus.create_user(name, PASSWORD)
    return names


def test_concurrent_annotators_never_share_a_clip(corpus, db_url, media, tmp_path):
    with corpus.sessions() as db:
        first = db.scalar(select(Clip.file).limit(1))
    add_clips(corpus, 150, first)  # 160 clips: more than 12 annotators take in 10 s here
    names = _names(corpus, 12)
    with live_server(db_url, media, workers=2, log=tmp_path / "server.log") as (url, _):
        rec = run_annotators(url, names, PASSWORD, seconds=10, think=(0.0, 0.05))
    assert not [e for e in rec.errors if "submit" in e or "login" in e], rec.errors[:5]
    assert len(rec.acknowledged) > 20
    assert overlapping_holds(rec) == []
    clips = [clip for clip, *_ in rec.holds]
    assert len(clips) == len(set(clips))  # one annotation wanted per clip: nobody got one twice
    assert stored_annotations(corpus) == len(rec.acknowledged)


def _login(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    client.get("/login")
    r = client.post("/login", data={"name": name, "password": PASSWORD,
                                    "csrf_token": client.cookies[CSRF_COOKIE]})
    assert r.status_code == 303
    client.headers["X-CSRF-Token"] = csrf_for(client.cookies[SESSION_COOKIE])  # the pages' token
    return client


def test_a_killed_server_loses_no_submitted_work(corpus, db_url, media, tmp_path):
    _names(corpus, 1)
    acked = []
    with live_server(db_url, media, log=tmp_path / "server.log") as (url, proc):
        client = _login(url, "user00")
        for i in range(3):
            got = client.post("/api/next").json()
            r = client.post("/api/submit", json={"session": got["session"], "glosses": f"SIGN{i}"})
            acked.append(r.json()["annotation_id"])
        os.killpg(proc.pid, signal.SIGKILL)  # no clean shutdown
        proc.wait()
    with corpus.sessions() as db:
        stored = db.scalars(select(Annotation.id).order_by(Annotation.id)).all()
    assert stored == acked
    with live_server(db_url, media, log=tmp_path / "server.log") as (url, _):
        page = _login(url, "user00").get("/mine").text
    assert all(f"SIGN{i}" in page for i in range(3))


def test_cli_add_user_import_and_serve_errors(tmp_path, lesson_dir):
    db = str(tmp_path / "cli.db")
    cli = [sys.executable, "-m", "signkit.cli.app", "annotate"]
    r = subprocess.run([*cli, "add-user", "chief", "--db", db, "--role", "admin", "--password-stdin"],
                       input=f"{PASSWORD}\n", capture_output=True, text=True)
    assert r.returncode == 0 and "chief (admin) created" in r.stdout
    r = subprocess.run([*cli, "add-user", "chief", "--db", db, "--password-stdin"], input=f"{PASSWORD}\n",
                       capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.strip() == "error: user 'chief' exists already"
    media = tmp_path / "media"
    r = subprocess.run([*cli, "import", str(lesson_dir), "--db", db, "--media", str(media),
                        "--clip-seconds", "2"], capture_output=True, text=True)
    assert r.returncode == 0 and "added 2 videos (5 clips)" in r.stdout, r.stdout + r.stderr
    r = subprocess.run([*cli, "import", str(lesson_dir), "--db", db, "--media", str(media)],
                       capture_output=True, text=True)
    assert "added 0 videos (0 clips), 2 imported before" in r.stdout
    r = subprocess.run([*cli, "import", str(tmp_path / "nope.mp4"), "--db", db], capture_output=True,
                       text=True)
    assert r.returncode == 1 and "nope.mp4: no such file or folder" in r.stderr
    r = subprocess.run([*cli, "serve", "--db", db, "--media", str(tmp_path / "missing")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "no such media folder" in r.stderr
    r = subprocess.run([*cli, "export", "--db", db, "--format", "manifest", "-o", str(tmp_path / "m.csv")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and (tmp_path / "m.csv").read_text().startswith("file,video,gloss,signer")
