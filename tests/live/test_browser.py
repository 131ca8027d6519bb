"""The live page in headless Chromium with a fake camera fed from a real signing video: the page
streams the camera's frames to the server and the recognised glosses appear in its transcript.
``SIGNKIT_SCREENSHOTS=DIR`` also saves the screenshot used in the docs there."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.annotate.test_browser import ARGS, CHROMIUM
from tests.conftest import shared_path

pytest.importorskip("mediapipe")
pytest.importorskip("fastapi")


def write_y4m(video: Path, out: Path, repeat: int = 3, still: bool = False) -> Path:
    """The video's frames as a raw YUV4MPEG2 file (Chromium's fake camera reads only that),
    ``repeat`` times over so the camera does not loop within the test; ``still``: its first frame
    only, as long as the video."""
    import av

    from signkit.extract.video import read_frames

    info, frames = read_frames(video)
    images = list(frames)
    if still:
        images = [images[0]] * len(images)
    with av.open(str(out), "w", format="yuv4mpegpipe") as container:
        stream = container.add_stream("rawvideo", rate=round(info.fps))
        stream.width, stream.height, stream.pix_fmt = info.width // 2 * 2, info.height // 2 * 2, "yuv420p"
        for _ in range(repeat):
            for image in images:
                image = np.ascontiguousarray(image[: stream.height, : stream.width])
                for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(*runs: Path) -> tuple[subprocess.Popen, int]:
    """``signkit recognize --serve`` with these runs, once it accepts connections."""
    port = _free_port()
    args = [a for run in runs for a in ("--run", str(run))]
    server = subprocess.Popen([sys.executable, "-m", "signkit.cli.app", "recognize", "--serve", *args,
                               "--port", str(port), "--threshold", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        if server.poll() is not None or time.time() > deadline:
            server.kill()
            raise AssertionError(server.stdout.read())
        time.sleep(0.2)
    return server, port


def _fake_camera(camera: Path) -> list[str]:
    return ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={camera}"]


def test_glosses_appear_on_the_live_page_from_a_fake_camera(synthetic_export, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium (Debian package 'chromium'; .ci/run installs it)")
    camera = write_y4m(shared_path("videos", "sentence_320x240.mp4"), tmp_path / "camera.y4m")
    server, port = _serve(synthetic_export)
    try:
        fake = _fake_camera(camera)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *fake])
            page = browser.new_page(viewport={"width": 1000, "height": 620})
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function("document.getElementById('status').textContent.startsWith('ready')")
            page.click("#camera")
            page.wait_for_selector("#transcript li.gloss", timeout=90_000)
            page.wait_for_function("document.querySelectorAll('#transcript li.gloss').length >= 2",
                                   timeout=60_000)
            glosses = page.locator("#transcript li.gloss .name").all_inner_texts()
            status = page.inner_text("#status")
            page.screenshot(path=str(tmp_path / "live.png"))
            browser.close()
        vocabulary = (synthetic_export / "vocabulary.json").read_text()
        assert all(f'"{g}"' in vocabulary for g in glosses), glosses
        assert " frames, " in status and "frames/s" in status
        if out := os.environ.get("SIGNKIT_SCREENSHOTS"):
            Path(out).mkdir(parents=True, exist_ok=True)
            shutil.copy(tmp_path / "live.png", Path(out) / "live.png")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_the_face_traces_move_on_signing_and_stay_flat_on_a_still_image(synthetic_export, brows_run,
                                                                         tmp_path):
    """A sign run and a marker run together: the page shows the brow height, eye aperture and head
    pitch scrolling beside the video and the brows tier's current marker."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium (Debian package 'chromium'; .ci/run installs it)")
    video = shared_path("videos", "sentence_320x240.mp4")
    cameras = {"signing": write_y4m(video, tmp_path / "signing.y4m"),
               "still": write_y4m(video, tmp_path / "still.y4m", still=True)}
    server, port = _serve(synthetic_export, brows_run)
    spread = {}
    try:
        with sync_api.sync_playwright() as p:
            for name, camera in cameras.items():
                browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *_fake_camera(camera)])
                page = browser.new_page(viewport={"width": 1200, "height": 620})
                page.goto(f"http://127.0.0.1:{port}/")
                page.wait_for_function("document.getElementById('status').textContent.startsWith('ready')")
                assert page.is_visible("#nonmanual") and page.inner_text("#markers") == "brows: none"
                page.click("#camera")
                page.wait_for_function("(window.signkitTraces.brow_height || []).length >= 40",
                                       timeout=120_000)
                traces = page.evaluate("window.signkitTraces")
                spread[name] = {k: float(np.std([v for _, v in series if v is not None]))
                                for k, series in traces.items()}
                assert page.inner_text("#markers").startswith("brows: ")
                if name == "signing":
                    page.screenshot(path=str(tmp_path / "live_face.png"))
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    for trace in ("brow_height", "eye_aperture", "head_pitch"):
        assert spread["signing"][trace] > 0, (trace, spread)
        assert spread["still"][trace] <= 0.1 * spread["signing"][trace], (trace, spread)
    if out := os.environ.get("SIGNKIT_SCREENSHOTS"):
        shutil.copy(tmp_path / "live_face.png", Path(out) / "live_face.png")

