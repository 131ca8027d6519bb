"""In headless Chromium (Debian's, driven by Playwright): an annotator logs in, takes the next
clip, plays it and changes its speed, types glosses with completion and submits, finds the clip in
My annotations and edits it; an admin sees the progress and downloads the pay report.
``SIGNKIT_SCREENSHOTS=DIR`` also saves the screenshots used in the docs there."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest

from signkit.annotate.loadtest import live_server
from tests.annotate.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
        "--autoplay-policy=no-user-gesture-required"]


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium (Debian package 'chromium'; .ci/run installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


# bypass_csp: Playwright's wait_for_function evaluates strings, which the pages' policy forbids.


def _shot(page, name: str, tmp_path: Path) -> None:
    page.screenshot(path=str(tmp_path / name), full_page=True)
    if out := os.environ.get("SIGNKIT_SCREENSHOTS"):
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / name, Path(out) / name)


def _login(page, url: str, name: str) -> None:
    page.goto(f"{url}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_annotator_and_admin_in_a_real_browser(browser, corpus, db_url, media, users, tmp_path):
    # Two others annotated a clip before, so completion has a shared vocabulary (one other
    # annotator's glosses alone are never offered).
    users["cy"] = corpus.create_user("cy", PASSWORD)
    for other in ("bob", "cy"):
        first = corpus.next_clip(users[other])
        corpus.submit(users[other], first.work_session.id, "TEACHER NUMBER SHOW")
    with live_server(db_url, media, log=tmp_path / "server.log") as (url, _):
        page = browser.new_page(viewport={"width": 1100, "height": 900}, bypass_csp=True)
        _login(page, url, "ann")
        page.wait_for_url(f"{url}/annotate")
        page.click("#next")
        video = page.locator("#video")
        page.wait_for_function("document.getElementById('video').readyState >= 2")
        assert page.evaluate("document.getElementById('video').videoWidth") == 192
        page.click("#play")
        page.wait_for_function("(() => { const v = document.getElementById('video');"
                               " return !v.paused && v.currentTime > 0.2; })()")
        page.select_option("#speed", "1.5")
        assert video.evaluate("v => v.playbackRate") == 1.5
        page.click("#play")  # pause
        page.keyboard.press("BracketLeft")  # shortcut: one speed step down
        assert video.evaluate("v => v.playbackRate") == 1.25
        before = video.evaluate("v => v.currentTime")
        page.keyboard.press("Period")  # shortcut: one frame forward (12 fps)
        after = video.evaluate("v => v.currentTime")
        assert video.evaluate("v => v.paused") and after - before == pytest.approx(1 / 12, abs=1e-3)
        box = page.locator("#glosses")
        box.click()
        box.type("TEA")
        page.wait_for_selector("#suggestions li")
        assert page.locator("#suggestions li").first.text_content() == "TEACHER"
        box.press("Tab")  # accept the completion
        box.type("SHOW BOOK")
        assert box.input_value() == "TEACHER SHOW BOOK"
        _shot(page, "annotate-annotator.png", tmp_path)
        page.click("#submit")
        page.wait_for_selector("#status.ok")
        assert "Submitted" in page.text_content("#status")

        page.goto(f"{url}/mine")
        row = page.locator("#mine tbody tr", has_text="TEACHER SHOW BOOK")
        assert row.count() == 1
        row.get_by_role("link", name="Edit").click()
        page.fill("#glosses", "TEACHER SHOW BOOK-Q")
        page.click("#editform button[type=submit]")
        page.wait_for_selector("p.ok")
        history = page.locator("#history li")
        assert history.count() == 2 and "BOOK-Q" in history.nth(1).text_content()
        page.goto(f"{url}/mine?q=book-q")
        assert page.locator("#mine tbody tr", has_text="TEACHER SHOW BOOK-Q").count() == 1

        admin = browser.new_page(viewport={"width": 1100, "height": 900}, bypass_csp=True)
        _login(admin, url, "boss")
        admin.wait_for_url(f"{url}/admin")
        assert "3 of 10 clips done" in " ".join(admin.text_content("main").split())
        assert admin.locator("#annotators tbody tr", has_text="ann").count() == 1
        _shot(admin, "annotate-admin-progress.png", tmp_path)
        admin.goto(f"{url}/admin/pay")
        with admin.expect_download() as download:
            admin.click("#paycsv")
        text = Path(download.value.path()).read_text()
        rows = {r["annotator"]: r for r in csv.DictReader(io.StringIO(text))}
        assert set(rows) == {"ann", "bob", "cy"} and rows["ann"]["currency"] == "USD"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_model_s_suggestion_is_prefilled_and_marked(browser, corpus, db_url, media, users, tmp_path):
    corpus.suggest({c.id: "TEACHER SHOW BOOK" for c in corpus.clips()}, "krsl-ctc")
    with live_server(db_url, media, log=tmp_path / "server.log") as (url, _):
        page = browser.new_page(viewport={"width": 1100, "height": 900}, bypass_csp=True)
        _login(page, url, "ann")
        page.wait_for_url(f"{url}/annotate")
        page.click("#next")
        page.wait_for_selector("#suggested", state="visible")
        box = page.locator("#glosses")
        assert box.input_value() == "TEACHER SHOW BOOK"
        assert "suggested" in box.get_attribute("class")
        assert "krsl-ctc" in page.text_content("#suggested")
        # Plain words on the buttons: symbols such as "‹" show as empty boxes without their font.
        labels = page.eval_on_selector_all("button", "bs => bs.map(b => b.textContent.trim())")
        assert "Previous frame" in labels and all(label.isascii() for label in labels), labels
        _shot(page, "annotate-suggestion.png", tmp_path)
        box.click()
        box.press("End")
        box.type("-Q")  # the annotator corrects it: from now on it is theirs
        assert "suggested" not in (box.get_attribute("class") or "")
        page.click("#submit")
        page.wait_for_selector("#status.ok")
    [ann] = [a for a in _annotations(corpus) if a.user.name == "ann"]
    assert (ann.glosses, ann.suggested, ann.suggestion_use) == ("TEACHER SHOW BOOK-Q", "TEACHER SHOW BOOK",
                                                                "edited")


def _annotations(corpus):
    from signkit.annotate.reports import _annotations as all_annotations

    return all_annotations(corpus)
