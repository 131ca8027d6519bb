"""``signkit recognize --serve``: a page where a person signs to their webcam (or plays a video
file) and sees the skeleton and the recognised glosses live.

The page sends frames over a WebSocket as ``8-byte little-endian float64 time (s) + JPEG``, one
at a time: the next frame leaves when the reply to the last one is in, so a slow machine lowers
the frame rate instead of building a queue. Each connection has its own Holistic estimator and
:class:`Recognizer` (tracking and smoothing are per person), and one more per non-manual run
(markers or sentence type). Replies are JSON: the frame's 2D keypoints (normalised to the frame,
``null`` where unseen), new events (a marker's with its tier), the current gloss, the face traces
of the frame (brow height, eye aperture, head pitch) and the current marker of each tier.
"""

from __future__ import annotations

import asyncio
import io
import math
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

from signkit.live.face import TRACES, FaceTraces
from signkit.live.recognizer import KeypointStream, Recognizers

PAGE = Path(__file__).parent / "templates" / "live.html"


def _points(data: np.ndarray, conf: np.ndarray, size: tuple[int, int]) -> list[list[float] | None]:
    w, h = size
    return [[round(float(x) / w, 4), round(float(y) / h, 4)] if c > 0 else None
            for (x, y), c in zip(data[:, :2], conf, strict=True)]


@dataclass(frozen=True)
class Limits:
    """What one live page server accepts: each connection costs a Holistic graph (about 190 MB),
    each frame a decode. Frames are JPEG (what the page sends), at most ``max_pixels``."""

    max_connections: int = 4
    idle_seconds: float = 60.0
    max_pixels: int = 4_000_000
    max_bytes: int = 2 * 1024 * 1024


class BadFrame(ValueError):
    pass


def _frame(payload: bytes, max_pixels: int) -> tuple[float, np.ndarray]:
    """``8-byte float64 time + JPEG`` -> (time, RGB image); a :class:`BadFrame` says what is wrong."""
    from PIL import Image

    if len(payload) < 8 + 3:
        raise BadFrame("a frame is 8 bytes of time and a JPEG image")
    (t,) = struct.unpack("<d", payload[:8])
    if not math.isfinite(t):
        raise BadFrame("the frame's time is not a finite number")
    if payload[8:11] != b"\xff\xd8\xff":
        raise BadFrame("frames are JPEG images")
    try:
        with Image.open(io.BytesIO(payload[8:]), formats=["JPEG"]) as img:
            w, h = img.size  # read from the header: nothing is decoded yet
            if w * h > max_pixels:
                raise BadFrame(f"a {w} x {h} frame is over {max_pixels / 1e6:g} megapixels")
            return t, np.asarray(img.convert("RGB"))
    except BadFrame:
        raise
    except Exception as exc:  # PIL's errors (truncated data, a decompression bomb) have no common base
        raise BadFrame(f"not a readable JPEG ({exc.__class__.__name__})") from None


def same_origin(socket: WebSocket) -> bool:
    """A browser names the page that opens a socket; only the live page itself may. Clients that
    are no browser send no Origin (and no web page can open a socket without one)."""
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host")


def create_app(run: Any, estimator_factory: Any = None, limits: Limits | None = None,
               extra_runs: tuple[Any, ...] = (), **options: Any) -> FastAPI:
    """The FastAPI app; ``options`` go to every connection's :class:`Recognizer` of ``run``;
    ``extra_runs``: non-manual runs, each with a recogniser of its own on the same keypoints."""
    if estimator_factory is None:
        from signkit.extract.holistic import HolisticEstimator as estimator_factory
    limits = limits or Limits()
    app = FastAPI(title="signkit live")
    vocabulary = list(run.vocabulary)
    fps = options.pop("fps", 15.0)  # frames arrive as fast as they are answered: about this
    open_sockets = 0

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE.read_text()

    @app.websocket("/ws")
    async def frames(socket: WebSocket) -> None:
        nonlocal open_sockets
        if not same_origin(socket):
            await socket.close(code=1008, reason="another site's page may not use this server")
            return
        await socket.accept()
        if open_sockets >= limits.max_connections:
            await socket.send_json({"error": f"busy: {limits.max_connections} connections already"})
            await socket.close(code=1013, reason="too many connections")
            return
        open_sockets += 1
        try:
            await _serve_socket(socket, (run, *extra_runs), estimator_factory, fps, vocabulary, limits,
                                options)
        finally:
            open_sockets -= 1

    return app


async def _serve_socket(socket: WebSocket, runs: tuple[Any, ...], estimator_factory: Any, fps: float,
                        vocabulary: list[str], limits: Limits, options: dict[str, Any]) -> None:
    estimator = await asyncio.to_thread(estimator_factory)
    try:
        stream = KeypointStream(estimator)
        recs = Recognizers(runs[0], runs[1:], fps=fps, layout=stream.layout, **options)
        rec = recs.main
        face = FaceTraces(stream.layout, fps)
        from signkit.visualize.render import SkeletonStyle

        style = SkeletonStyle.of(rec.layout)
        await socket.send_json({"edges": style.edges, "radius": style.radius, "vocabulary": vocabulary,
                                "window": rec.window, "traces": list(TRACES) if face.available else [],
                                "tiers": list(recs.markers())})

        def step(payload: bytes) -> dict[str, Any]:
            t, image = _frame(payload, limits.max_pixels)
            known = stream.process(image, t)
            events = [e for data, conf, tk in known for e in recs.push(data, conf, tk)]
            reply: dict[str, Any] = {"t": t, "points": [], "events": [e.as_dict() for e in events],
                                     "current": rec.current.gloss if rec.current else None,
                                     "markers": recs.markers()}
            if known:
                data, conf, _ = known[-1]
                reply["points"] = _points(data, conf, stream.size or (1, 1))
                reply["face"] = face(data, conf, stream.size)
            return reply

        while True:
            try:
                message = await asyncio.wait_for(socket.receive(), limits.idle_seconds)
            except TimeoutError:
                await socket.close(code=1000, reason=f"idle for {limits.idle_seconds:g} s")
                return
            if message["type"] == "websocket.disconnect":
                return
            payload = message.get("bytes")
            if payload is None:
                reply: dict[str, Any] = {"error": "bad frame: frames are binary (8-byte time + JPEG)"}
            elif len(payload) > limits.max_bytes:
                reply = {"error": f"bad frame: over {limits.max_bytes // 1024} kB"}
            else:
                try:
                    reply = await asyncio.to_thread(step, payload)
                except BadFrame as exc:
                    reply = {"error": f"bad frame: {exc}"}
            await socket.send_json(reply)
    except WebSocketDisconnect:
        pass
    finally:
        estimator.close()


def serve(run: Any, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None,
          extra_runs: tuple[Any, ...] = (), **options: Any) -> None:
    import uvicorn

    limits = limits or Limits()
    # ws_max_size: uvicorn refuses a larger message before it is buffered in full.
    uvicorn.run(create_app(run, limits=limits, extra_runs=extra_runs, **options), host=host, port=port,
                log_level="warning",
                ws_max_size=limits.max_bytes + 8, limit_concurrency=limits.max_connections + 16)
