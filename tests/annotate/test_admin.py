"""Through HTTP: users, team settings, progress, pay report, corpus statistics and exports."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
from PIL import Image
from pympi.Elan import Eaf

from signkit.data.dataset import load_dataset
from signkit.data.synthetic import generate
from signkit.pose.io import write_pose
from tests.annotate.conftest import PASSWORD, login

GLOSSES = ["TODAY MATH LESSON", "TEACHER SHOW NUMBER", "NUMBER TWO PLUS TWO", "TODAY TEACHER SHOW"]


def _annotate(app, name: str, glosses: list[str], clock=None, seconds: float = 0) -> list[int]:
    client = login(app, name)
    ids = []
    for text in glosses:
        got = client.post("/api/next").json()
        if clock is not None:
            clock.advance(seconds)
        ids.append(client.post("/api/submit", json={"session": got["session"], "glosses": text}).json()[
            "annotation_id"])
    return ids


def test_users_created_deactivated_and_passwords_reset(app, corpus, users):
    boss = login(app, "boss")
    r = boss.post("/admin/users", data={"name": "carol", "password": PASSWORD, "role": "annotator"})
    assert r.status_code == 200 and "user carol created" in r.text
    carol = login(app, "carol")
    assert carol.post("/api/next").status_code == 200
    carol_id = next(u.id for u in corpus.users() if u.name == "carol")
    boss.post(f"/admin/users/{carol_id}/active", data={"active": "false"})
    assert carol.post("/api/next").status_code == 401  # logged out at once
    boss.post(f"/admin/users/{carol_id}/active", data={"active": "true"})
    r = boss.post(f"/admin/users/{carol_id}/password", data={"password": "a new password"})
    assert r.status_code == 200
    login(app, "carol", "a new password")
    boss_id = users["boss"].id
    assert boss.post(f"/admin/users/{boss_id}/active", data={"active": "false"}).status_code == 422


def test_progress_per_subject_and_grade_and_per_annotator(app, corpus, clock, users):
    _annotate(app, "ann", GLOSSES[:3], clock, 40)
    _annotate(app, "bob", GLOSSES[3:], clock, 60)
    page = " ".join(login(app, "boss").get("/admin").text.split())
    assert "4 of 10 clips done (40.0 %), 6 left" in page
    groups = page.split('id="bygroup"')[1].split("</table>")[0]
    assert "<td>math</td><td>grade5</td>" in groups and "<td>biology</td><td>grade7</td>" in groups
    rows = page.split('id="annotators"')[1].split("</table>")[0]
    assert "<td>ann</td><td>3</td><td>0</td> <td>0.03</td><td>90.0</td>" in rows  # 3 clips in 2 min
    assert "<td>bob</td><td>1</td><td>0</td> <td>0.02</td><td>60.0</td>" in rows


def test_pay_report_page_and_csv(app, corpus, clock, users):
    _annotate(app, "ann", GLOSSES[:3], clock, 40)  # 2 minutes
    clock.advance(40 * 24 * 3600)  # next month
    _annotate(app, "ann", GLOSSES[3:], clock, 60)
    boss = login(app, "boss")
    boss.post("/admin/settings", data={"hourly_rate": "8", "currency": "USD"})
    r = boss.get("/admin/pay.csv", params={"start": "2026-11-01", "end": "2026-11-30"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = {row["annotator"]: row for row in csv.DictReader(io.StringIO(r.text))}
    assert rows["ann"]["hours"] == "0.03" and rows["ann"]["amount"] == f"{2 / 60 * 8:.2f}"
    assert rows["bob"]["hours"] == "0.00" and rows["ann"]["currency"] == "USD"
    assert "boss" not in rows
    r = boss.get("/admin/pay", params={"start": "2026-12-01", "end": "2026-12-31"})
    assert "<td>ann</td><td>0.02</td><td>0.13</td>" in r.text
    assert boss.get("/admin/pay", params={"start": "2026-12-01", "end": "2026-11-01"}).status_code == 422
    assert boss.post("/admin/settings", data={"hourly_rate": "-1"}).status_code == 422


def test_corpus_statistics_page_and_figures(app, users):
    _annotate(app, "ann", GLOSSES)
    boss = login(app, "boss")
    page = boss.get("/admin/stats", params={"n": 2}).text
    glosses = page.split('id="stats-glosses"')[1].split("</section>")[0]
    # 4 clips, 13 tokens, 8 types; TODAY, TEACHER, SHOW, NUMBER and TWO occur twice.
    assert "4 clips · 13 tokens · vocabulary 8" in glosses and "≥ 2 occurrences: 5" in glosses
    words = page.split('id="stats-words"')[1].split("</section>")[0]
    assert "10 clips" in words
    for what in ("glosses", "words"):
        for kind in ("per_clip", "top", "bigrams"):
            r = boss.get(f"/admin/stats/{what}/{kind}.png")
            assert r.status_code == 200 and r.headers["content-type"] == "image/png"
            assert np.asarray(Image.open(io.BytesIO(r.content))).std() > 0  # not a blank image
    assert boss.get("/admin/stats/glosses/pie.png").status_code == 404


def test_exports_csv_json_eaf_and_a_manifest_training_reads(app, corpus, media, users, tmp_path):
    _annotate(app, "ann", GLOSSES)
    ann = login(app, "ann")
    got = ann.post("/api/next").json()
    ann.post("/api/skip", json={"session": got["session"], "reason": "bad_video"})
    boss = login(app, "boss")
    rows = list(csv.DictReader(io.StringIO(boss.get("/admin/export/annotations.csv").text)))
    assert len(rows) == 5 and {r["glosses"] for r in rows} == {*GLOSSES, ""}
    assert {r["skip_reason"] for r in rows} == {"", "bad video"} and rows[0]["annotator"] == "ann"
    data = json.loads(boss.get("/admin/export/annotations.json").text)
    assert [d["glosses"] for d in data] == [r["glosses"] for r in rows]
    with zipfile.ZipFile(io.BytesIO(boss.get("/admin/export/eaf.zip").content)) as zf:
        names = zf.namelist()
        zf.extractall(tmp_path / "eaf")
    assert len(names) == 4
    eaf = Eaf(str(tmp_path / "eaf" / names[0]))
    (start, end, value), = eaf.get_annotation_data_for_tier("gloss-ann")
    assert (start, end) == (0, 1000) and value in GLOSSES
    assert eaf.get_annotation_data_for_tier("transcript")[0][2].startswith("the teacher signs")
    manifest = boss.get("/admin/export/manifest.csv").text
    (media / "manifest.csv").write_text(manifest)
    rows = list(csv.DictReader(io.StringIO(manifest)))
    assert len(rows) == 4 and {r["gloss"] for r in rows} == set(GLOSSES)
    # As `signkit extract MEDIA/clips -o MEDIA/clips` would, put a pose beside each clip.
    pose = generate(1, 1)[0]
    for r in rows:
        write_pose(pose, media / r["file"])
    dataset = load_dataset(f"pose_dir:{media / 'manifest.csv'}")
    assert sorted(s.metadata["gloss"] for s in dataset.samples) == sorted(GLOSSES)
    assert {s.metadata["subject"] for s in dataset.samples} <= {"math", "biology"}
