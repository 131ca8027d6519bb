"""Fixtures of the annotation tool: a corpus on SQLite and on a real PostgreSQL server, media made
from a generated lesson video, a clock the tests move, and logged-in HTTP clients."""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from signkit.annotate.db import make_engine, upgrade
from signkit.annotate.importer import collect_sources, import_videos
from signkit.annotate.sample import write_sample_lesson
from signkit.annotate.security import csrf_for
from signkit.annotate.services import Corpus, ServerConfig
from signkit.annotate.web import CSRF_COOKIE, SESSION_COOKIE, create_app

# A PostgreSQL server URL with rights to create databases, e.g. the one .ci/run starts.
PG_ENV = "SIGNKIT_TEST_POSTGRES"
PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 2, 9, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="session")
def lesson_dir(tmp_path_factory) -> Path:
    """Two generated lessons as SUBJECT/GRADE/video.mp4 with .srt subtitles."""
    root = tmp_path_factory.mktemp("lessons")
    write_sample_lesson(root / "math" / "grade5" / "lesson1.mp4", seconds=6, seed=1)
    write_sample_lesson(root / "biology" / "grade7" / "lesson2.mp4", seconds=4, seed=2)
    return root


def postgres_url() -> str | None:
    return os.environ.get(PG_ENV)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        yield str(tmp_path / "annotate.db")
        return
    server = postgres_url()
    if not server:
        pytest.skip(f"no PostgreSQL server ({PG_ENV} unset; .ci/run starts one)")
    name = f"signkit_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.rsplit("/", 1)[0] + "/" + name
    for attempt in range(5):  # a background worker may hold the database for a moment
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
            break
        except DBAPIError:
            if attempt == 4:
                raise
            time.sleep(0.5)
    admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def media(tmp_path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def corpus(db_url, clock, media, lesson_dir) -> Corpus:
    """Migrated database with the two lessons cut into 1-second clips (10 clips)."""
    engine = make_engine(db_url)
    upgrade(engine)
    c = Corpus(engine, ServerConfig(hold_minutes=10, idle_cap_seconds=60), clock)
    result = import_videos(c, collect_sources([lesson_dir]), media, clip_seconds=1.0)
    assert not result.failed
    yield c
    engine.dispose()


@pytest.fixture
def app(corpus, media):
    return create_app(corpus, media)


def login(app, name: str, password: str = PASSWORD) -> TestClient:
    """A client logged in as ``name``; its writes carry the CSRF header like the pages' script."""
    client = TestClient(app)
    client.get("/login")
    r = client.post("/login", data={"name": name, "password": password,
                                    "csrf_token": client.cookies[CSRF_COOKIE]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    client.headers["X-CSRF-Token"] = csrf_for(client.cookies[SESSION_COOKIE])  # the pages' token
    return client


@pytest.fixture
def users(corpus):
    return {name: corpus.create_user(name, PASSWORD, role)
            for name, role in (("ann", "annotator"), ("bob", "annotator"), ("boss", "admin"))}
