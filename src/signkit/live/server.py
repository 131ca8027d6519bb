"""``signkit recognize --serve``: a page where a person signs to their webcam (or plays a video
file) and sees the skeleton and the recognised glosses live.

The page sends frames over a WebSocket as ``8-byte little-endian float64 time (s) + JPEG``, one
at a time: the next frame leaves when the reply to the last one is in, so a slow machine lowers
the frame rate instead of building a queue. Each connection has its own Holistic estimator and
:class:`Recognizer` (tracking and smoothing are per person). Replies are JSON: the frame's 2D
keypoints (normalised to the frame, ``null`` where unseen), new events, the current gloss.
"""

from __future__ import annotations

import asyncio
import io
import struct
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import HTMLResponse

from signkit.live.recognizer import Recognizer

PAGE = Path(__file__).parent / "templates" / "live.html"


def _points(rec: Recognizer) -> list[list[float] | None]:
    if rec.last_keypoints is None or rec.size is None:
        return []
    data, conf = rec.last_keypoints
    w, h = rec.size
    return [[round(float(x) / w, 4), round(float(y) / h, 4)] if c > 0 else None
            for (x, y), c in zip(data[:, :2], conf, strict=True)]


def _frame(payload: bytes) -> tuple[float, np.ndarray]:
    from PIL import Image

    (t,) = struct.unpack("<d", payload[:8])
    return t, np.asarray(Image.open(io.BytesIO(payload[8:])).convert("RGB"))


def create_app(run: Any, estimator_factory: Any = None, **options: Any) -> FastAPI:
    """The FastAPI app; ``options`` go to every connection's :class:`Recognizer`."""
    if estimator_factory is None:
        from signkit.extract.holistic import HolisticEstimator as estimator_factory
    app = FastAPI(title="signkit live")
    vocabulary = list(run.vocabulary)
    fps = options.pop("fps", 15.0)  # frames arrive as fast as they are answered: about this

    @app.get("/", response_class=HTMLResponse)
    def page() -> str:
        return PAGE.read_text()

    @app.websocket("/ws")
    async def frames(socket: WebSocket) -> None:
        await socket.accept()
        estimator = await asyncio.to_thread(estimator_factory)
        rec = Recognizer(run, fps=fps, estimator=estimator, **options)
        from signkit.visualize.render import SkeletonStyle

        style = SkeletonStyle.of(rec.layout)
        await socket.send_json({"edges": style.edges, "radius": style.radius, "vocabulary": vocabulary,
                                "window": rec.window})

        def step(payload: bytes) -> dict[str, Any]:
            t, image = _frame(payload)
            events = rec.feed(image, t)
            return {"t": t, "points": _points(rec), "events": [e.as_dict() for e in events],
                    "current": rec.current.gloss if rec.current else None}

        try:
            while True:
                payload = await socket.receive_bytes()
                try:
                    reply = await asyncio.to_thread(step, payload)
                except (OSError, ValueError, struct.error) as exc:  # a frame that is not a JPEG
                    reply = {"error": f"bad frame: {exc}"}
                await socket.send_json(reply)
        except WebSocketDisconnect:
            pass
        finally:
            estimator.close()

    return app


def serve(run: Any, host: str = "127.0.0.1", port: int = 8000, **options: Any) -> None:
    import uvicorn

    uvicorn.run(create_app(run, **options), host=host, port=port, log_level="warning")
