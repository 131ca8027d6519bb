"""Process entry for ``uvicorn``: the app built from environment variables, so that
``signkit annotate serve --workers N`` can start N processes over one database."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from signkit.annotate.db import make_engine, upgrade
from signkit.annotate.services import Corpus, ServerConfig
from signkit.annotate.web import create_app

ENV = "SIGNKIT_ANNOTATE_"


def open_corpus(db: str, config: ServerConfig | None = None, migrate: bool = True) -> Corpus:
    engine = make_engine(db)
    if migrate:
        upgrade(engine)
    return Corpus(engine, config)


def config_env(db: str, media: Path, secure: bool, config: ServerConfig) -> dict[str, str]:
    return {f"{ENV}DB": db, f"{ENV}MEDIA": str(Path(media).resolve()), f"{ENV}SECURE": str(int(secure)),
            f"{ENV}HOLD_MINUTES": str(config.hold_minutes), f"{ENV}IDLE_CAP": str(config.idle_cap_seconds)}


def app_from_env() -> FastAPI:
    env = os.environ
    config = ServerConfig(hold_minutes=float(env.get(f"{ENV}HOLD_MINUTES", 15)),
                          idle_cap_seconds=float(env.get(f"{ENV}IDLE_CAP", 120)))
    # The parent ran the migrations once; N workers must not race to run them again.
    corpus = open_corpus(env[f"{ENV}DB"], config, migrate=False)
    return create_app(corpus, Path(env[f"{ENV}MEDIA"]), secure_cookies=env.get(f"{ENV}SECURE") == "1")
