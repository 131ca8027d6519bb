"""Through HTTP: logins, password hashing, cookies, CSRF, rate limiting, roles, ownership,
escaping, input validation and media serving."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from signkit.annotate.models import User
from signkit.annotate.web import CSRF_COOKIE, SESSION_COOKIE
from tests.annotate.conftest import PASSWORD, login


def _form_login(client: TestClient, name: str, password: str):
    client.get("/login")
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": client.cookies[CSRF_COOKIE]}, follow_redirects=False)


def test_pages_and_api_need_a_login(app, users):
    client = TestClient(app)
    r = client.get("/annotate", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    client.get("/login")
    client.headers["X-CSRF-Token"] = client.cookies[CSRF_COOKIE]
    assert client.post("/api/next").status_code == 401
    assert client.get("/admin").status_code == 401
    assert client.get("/media/clips/x.mp4").status_code == 401


def test_passwords_are_argon2_hashes_and_cookies_are_httponly_samesite(app, corpus, users):
    with corpus.sessions() as db:
        stored = db.scalar(select(User.password_hash).where(User.name == "ann"))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    client = TestClient(app)
    r = _form_login(client, "ann", PASSWORD)
    assert r.status_code == 303
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(SESSION_COOKIE))
    csrf = next(c for c in cookies if c.startswith(CSRF_COOKIE))
    assert "HttpOnly" in session and "SameSite=lax" in session
    assert "HttpOnly" in csrf and "SameSite=strict" in csrf
    assert "Content-Security-Policy" in r.headers and r.headers["X-Frame-Options"] == "DENY"


def test_wrong_password_and_deactivated_user_are_refused(app, corpus, users):
    assert _form_login(TestClient(app), "ann", "wrong password").status_code == 401
    assert _form_login(TestClient(app), "nobody", PASSWORD).status_code == 401
    corpus.set_active(users["ann"].id, False)
    assert _form_login(TestClient(app), "ann", PASSWORD).status_code == 401


def test_csrf_token_is_required_on_every_write(app, users):
    client = TestClient(app)
    client.get("/login")
    r = client.post("/login", data={"name": "ann", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403  # login form without its token
    r = client.post("/login", data={"name": "ann", "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403
    ann = login(app, "ann")
    token = ann.headers.pop("X-CSRF-Token")
    assert ann.post("/api/next").status_code == 403
    assert ann.post("/api/next", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert ann.post("/api/next", headers={"X-CSRF-Token": token}).status_code == 200
    # Every form on the pages carries the token.
    boss = login(app, "boss")
    page = boss.get("/admin/users").text
    assert page.count('name="csrf_token"') == page.count("<form") - page.count('method="get"')


def test_login_attempts_are_rate_limited_per_name(app, clock, users):
    client = TestClient(app)
    for _ in range(5):
        assert _form_login(client, "ann", "wrong password").status_code == 401
    r = _form_login(client, "ann", PASSWORD)  # even the right password, for a while
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert _form_login(TestClient(app), "bob", PASSWORD).status_code == 303  # other names unaffected
    clock.advance(16 * 60)
    assert _form_login(client, "ann", PASSWORD).status_code == 303


def test_admin_pages_refuse_annotators(app, users):
    ann = login(app, "ann")
    for path in ("/admin", "/admin/users", "/admin/pay", "/admin/pay.csv", "/admin/stats",
                 "/admin/export/annotations.csv", "/admin/stats/glosses/top.png"):
        assert ann.get(path).status_code == 403, path
    r = ann.post("/admin/users", data={"name": "eve", "password": PASSWORD, "role": "admin"})
    assert r.status_code == 403
    assert login(app, "boss").get("/admin").status_code == 200


def test_annotators_read_and_edit_only_their_own(app, users):
    ann, bob = login(app, "ann"), login(app, "bob")
    got = ann.post("/api/next").json()
    aid = ann.post("/api/submit", json={"session": got["session"], "glosses": "MINE"}).json()["annotation_id"]
    assert bob.get(f"/mine/{aid}").status_code == 404
    assert bob.post(f"/mine/{aid}", data={"glosses": "STOLEN"}).status_code == 404
    assert "MINE" not in bob.get("/mine").text
    # Nor can they use another's work session.
    got_b = bob.post("/api/next").json()
    assert ann.post("/api/submit", json={"session": got_b["session"], "glosses": "X"}).status_code == 404
    assert ann.post("/api/heartbeat", json={"session": got_b["session"]}).status_code == 404
    assert ann.get(f"/mine/{aid}").status_code == 200


def test_glosses_are_escaped_and_validated(app, users):
    ann = login(app, "ann")
    got = ann.post("/api/next").json()
    evil = "<script>alert(1)</script> <img/src=x/onerror=alert(2)>"
    r = ann.post("/api/submit", json={"session": got["session"], "glosses": evil})
    assert r.status_code == 200
    page = ann.get("/mine").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img/src=x" not in page
    got = ann.post("/api/next").json()
    for bad in ("", "   ", "A\x00B", "X" * 65, "A " * 2100):
        r = ann.post("/api/submit", json={"session": got["session"], "glosses": bad})
        assert r.status_code == 422, bad[:20]
    assert ann.post("/api/submit", json={"session": "1; drop", "glosses": "A"}).status_code == 422
    assert ann.post("/api/skip", json={"session": got["session"], "reason": "bored"}).status_code == 422


def test_media_only_from_the_media_folder_with_range_requests(app, corpus, media, users, tmp_path):
    ann = login(app, "ann")
    clip = ann.post("/api/next").json()["clip"]
    full = ann.get(clip["url"])
    assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
    part = ann.get(clip["url"], headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.content) == 100
    assert part.content == full.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(full.content)}"
    secret = tmp_path / "secret.txt"
    secret.write_text("db password")
    (media / "link.mp4").symlink_to(secret)
    for path in ("/media/../secret.txt", "/media/..%2fsecret.txt", "/media/%2e%2e/secret.txt",
                 f"/media/{secret}", "/media//etc/passwd", "/media/link.mp4", "/media/clips"):
        r = ann.get(path)
        assert r.status_code == 404 and "db password" not in r.text, path


def test_user_names_and_passwords_are_checked(app, users):
    boss = login(app, "boss")
    for name, password in (("a", PASSWORD), ("bad name!", PASSWORD), ("carol", "short")):
        r = boss.post("/admin/users", data={"name": name, "password": password, "role": "annotator"})
        assert r.status_code == 422
    r = boss.post("/admin/users", data={"name": "ann", "password": PASSWORD, "role": "annotator"})
    assert r.status_code == 422 and "exists already" in r.text
    assert re.search(r"role is one of", boss.post("/admin/users", data={
        "name": "carol", "password": PASSWORD, "role": "root"}).text)
