"""The annotation tool's fixtures (a corpus on SQLite and PostgreSQL, media, users, a clock)."""

from tests.annotate.conftest import app, clock, corpus, db_url, lesson_dir, media, users  # noqa: F401
