"""Simulated annotators against a real server on loopback: the load test of ``benchmarks/`` and the
concurrency and restart tests use it. Each annotator logs in, then takes the next clip, "watches"
for a moment and submits, over and over; every step is timed and every assignment recorded."""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from signkit.annotate.models import Annotation, Clip, Video
from signkit.annotate.security import csrf_for
from signkit.annotate.services import Corpus
from signkit.annotate.web import CSRF_COOKIE, SESSION_COOKIE


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(db: str, media: Path, workers: int = 1, port: int | None = None,
                log: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """``signkit annotate serve`` in a child process; yields (base URL, process)."""
    port = port or free_port()
    out = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen([sys.executable, "-m", "signkit.cli.app", "annotate", "serve", "--db", db,
                             "--media", str(media), "--port", str(port), "--workers", str(workers)],
                            stdout=out, stderr=out, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit {proc.poll()})")
            time.sleep(0.2)
        yield url, proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)
            proc.wait(30)


def add_clips(corpus: Corpus, count: int, file: str) -> None:
    """``count`` clip rows that all play ``file`` (the load test needs many clips, not many videos)."""
    with corpus.writes.begin() as db:
        video = Video(digest=f"loadtest-{random.getrandbits(64):x}", source="loadtest.mp4", duration=count,
                      fps=12.0, subject="load", grade="test")
        db.add(video)
        db.flush()
        db.add_all(Clip(video_id=video.id, index=i, start=float(i), end=float(i + 1), file=file)
                   for i in range(count))


@dataclass
class Record:
    next_ms: list[float] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    holds: list[tuple[int, str, float, float]] = field(default_factory=list)  # clip, user, from, to
    acknowledged: list[int] = field(default_factory=list)  # annotation ids
    errors: list[str] = field(default_factory=list)


async def _login(url: str, name: str, password: str, rec: Record) -> httpx.AsyncClient | None:
    client = httpx.AsyncClient(base_url=url, timeout=30)
    await client.get("/login")
    r = await client.post("/login", data={"name": name, "password": password,
                                          "csrf_token": client.cookies[CSRF_COOKIE]})
    if r.status_code != 303:  # the redirect to the annotate page
        rec.errors.append(f"{name}: login {r.status_code}")
        await client.aclose()
        return None
    client.headers["X-CSRF-Token"] = csrf_for(client.cookies[SESSION_COOKIE])  # as the pages carry it
    return client


async def _annotate(client: httpx.AsyncClient, name: str, until: float, think: tuple[float, float],
                    rec: Record) -> None:
    while time.monotonic() < until:
        t0 = time.perf_counter()
        r = await client.post("/api/next", json={})  # a body, as the page sends
        rec.next_ms.append(1000 * (time.perf_counter() - t0))
        got = r.json() if r.status_code == 200 else {}
        if not got.get("clip"):
            rec.errors.append(f"{name}: next {r.status_code} {got.get('message', r.text[:80])}")
            await asyncio.sleep(0.5)
            continue
        held_from = time.monotonic()
        await asyncio.sleep(random.uniform(*think))
        t0 = time.perf_counter()
        r = await client.post("/api/submit", json={"session": got["session"],
                                                    "glosses": f"LOAD TEST {name.upper()}"})
        rec.submit_ms.append(1000 * (time.perf_counter() - t0))
        if r.status_code == 200:
            rec.acknowledged.append(r.json()["annotation_id"])
            rec.holds.append((got["clip"]["id"], name, held_from, time.monotonic()))
        else:
            rec.errors.append(f"{name}: submit {r.status_code} {r.text[:80]}")


def run_annotators(url: str, names: list[str], password: str, seconds: float,
                   think: tuple[float, float] = (0.1, 0.5)) -> Record:
    """Everyone logs in first (password hashing is slow on purpose and not what is measured),
    then all annotate together for ``seconds``."""
    rec = Record()

    async def main() -> None:
        clients = await asyncio.gather(*(_login(url, n, password, rec) for n in names))
        until = time.monotonic() + seconds
        try:
            await asyncio.gather(*(_annotate(c, n, until, think, rec)
                                   for c, n in zip(clients, names, strict=True) if c is not None))
        finally:
            await asyncio.gather(*(c.aclose() for c in clients if c is not None))

    asyncio.run(main())
    return rec


def overlapping_holds(rec: Record) -> list[tuple[int, str, str]]:
    """Clips two annotators held at the same time (from receiving it to the acknowledged submit)."""
    by_clip: dict[int, list[tuple[float, float, str]]] = {}
    for clip, user, start, end in rec.holds:
        by_clip.setdefault(clip, []).append((start, end, user))
    clashes = []
    for clip, spans in by_clip.items():
        spans.sort()
        clashes += [(clip, a[2], b[2]) for a, b in itertools.pairwise(spans)
                    if b[0] < a[1] and a[2] != b[2]]
    return clashes


def stored_annotations(corpus: Corpus) -> int:
    with corpus.sessions() as db:
        return db.scalar(select(func.count()).select_from(Annotation))
