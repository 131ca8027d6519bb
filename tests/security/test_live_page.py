"""The live page's WebSocket (``recognize --serve``): other sites' pages, too many or idle
connections, oversized or non-JPEG frames, text messages and non-finite times."""

from __future__ import annotations

import io
import json
import struct
import time
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from signkit.live.server import Limits, create_app
from signkit.pose import holistic_layout


class NoOneInView:
    """A pose estimator that sees nobody (the tests are about the socket, not the model)."""

    layout = holistic_layout(468)

    def process(self, frame):
        return np.zeros((len(self.layout), 3), np.float32), np.zeros(len(self.layout), np.float32)

    def close(self):
        pass


def _client(**limits) -> TestClient:
    run = SimpleNamespace(vocabulary=["a", "b"], task="classify")
    app = create_app(run, NoOneInView, Limits(**limits), window=1000, stride=1000)
    return TestClient(app)


def _jpeg(width: int = 32, height: int = 24) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (90, 120, 150)).save(buf, "JPEG")
    return buf.getvalue()


def frame(t: float, image: bytes) -> bytes:
    return struct.pack("<d", t) + image


def _strict(text: str) -> dict:
    """JSON as a browser parses it: NaN and Infinity are not JSON."""
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))


def test_only_the_page_itself_may_open_a_socket():
    client = _client()
    with pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect("/ws", headers={"origin": "https://evil.example"}) as ws:
        ws.receive_json()
    assert refused.value.code == 1008
    for headers in ({"origin": "http://testserver"}, {}):  # the page's own origin, or no browser
        with client.websocket_connect("/ws", headers=headers) as ws:
            assert "edges" in ws.receive_json()


def test_connections_are_bounded_and_idle_ones_closed():
    client = _client(max_connections=2, idle_seconds=0.5)
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        a.receive_json(), b.receive_json()
        with client.websocket_connect("/ws") as c:
            assert c.receive_json()["error"].startswith("busy")
            with pytest.raises(WebSocketDisconnect) as closed:
                c.receive_json()
            assert closed.value.code == 1013
    with client.websocket_connect("/ws") as idle:
        idle.receive_json()
        start = time.monotonic()
        with pytest.raises(WebSocketDisconnect) as closed:
            idle.receive_json()
        assert closed.value.code == 1000 and time.monotonic() - start < 5


def test_bad_frames_get_an_error_and_the_connection_stays():
    png = io.BytesIO()
    Image.new("RGB", (8, 8)).save(png, "PNG")
    huge = bytearray(_jpeg(16, 16))
    sof = huge.index(b"\xff\xc0")  # the JPEG header's size: 9400 x 9400, 88 megapixels
    huge[sof + 5:sof + 9] = struct.pack(">HH", 9400, 9400)
    client = _client(max_bytes=64 * 1024)
    with client.websocket_connect("/ws") as ws:
        ws.receive_json()
        for bad, says in ((frame(0.0, png.getvalue()), "JPEG"), (frame(0.0, bytes(huge)), "megapixels"),
                          (frame(float("nan"), _jpeg()), "finite"), (frame(float("inf"), _jpeg()), "finite"),
                          (frame(0.0, b"\xff\xd8\xff" + b"\x00" * 100), "readable"),
                          (frame(0.0, b"\xff\xd8\xff" + b"\x00" * (70 * 1024)), "kB"), (b"\x00", "8 bytes")):
            ws.send_bytes(bad)
            reply = _strict(ws.receive_text())
            assert says in reply["error"], reply
        ws.send_text("hello")
        assert "binary" in _strict(ws.receive_text())["error"]
        ws.send_bytes(frame(1.5, _jpeg()))
        reply = _strict(ws.receive_text())
        assert reply["t"] == 1.5 and "error" not in reply  # still served
