"""Engine, sessions and schema migrations (Alembic) for SQLite files and PostgreSQL URLs."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from signkit.errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(db: str) -> str:
    """A SQLAlchemy URL, or a plain file path taken as SQLite."""
    return db if "://" in db else f"sqlite:///{Path(db).expanduser().resolve()}"


def make_engine(db: str) -> Engine:
    url = database_url(db)
    if url.startswith("sqlite:///"):
        _create_private(Path(url.removeprefix("sqlite:///")))
    if url.startswith("sqlite"):
        # timeout: concurrent writers wait for the lock instead of failing at once.
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    try:
        return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
    except Exception as e:  # a bad scheme or a missing driver
        raise ConfigError(f"{db}: {e}") from e


def _create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner only: it holds password and session hashes
    and every annotation. SQLite gives its -wal and -shm files the database file's mode."""
    if path.exists() or str(path) == ":memory:":
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _sqlite_pragmas(conn, _record) -> None:
    cur = conn.cursor()
    # WAL lets readers go on while one writes; synchronous=FULL makes a commit survive power loss.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
    # Let SQLAlchemy emit BEGIN itself (below) instead of the driver's implicit deferred BEGIN.
    conn.isolation_level = None


def _sqlite_begin(conn) -> None:
    # Writers take the lock at BEGIN (IMMEDIATE): a deferred transaction that read and then writes
    # fails with "database is locked" when another writer committed in between. Readers don't
    # take it, so under WAL they never wait for writers.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("writes") else "BEGIN")


def session_factory(engine: Engine, writes: bool = False) -> sessionmaker[Session]:
    """Sessions for reading, or (``writes``) for transactions that will write."""
    return sessionmaker(engine.execution_options(writes=True) if writes else engine, expire_on_commit=False)


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")
