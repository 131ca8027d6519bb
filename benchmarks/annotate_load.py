"""Load test of the annotation tool: simulated annotators on loopback against a real server.

Each annotator logs in, then over and over takes the next clip, "watches" it for a random
0.1-0.5 s and submits glosses. Checked afterwards: no clip was held by two annotators at once
(from receiving it to the acknowledged submission), and the database holds exactly the
acknowledged submissions. Reported: p50 and p95 latency of next-clip and submit.

    python benchmarks/annotate_load.py [--annotators 20] [--seconds 60] [--workers 2]
        [--db postgresql+psycopg://user:pass@127.0.0.1/postgres] [--json OUT.json]

Without --db a fresh SQLite file is used; with a PostgreSQL server URL a fresh database is
created on it (and dropped afterwards). The clips are rows that all play one real clip cut from
signkit's own sample lesson: the test loads the server, not the video files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, select, text

from signkit.annotate.importer import collect_sources, import_videos
from signkit.annotate.loadtest import (
    add_clips,
    live_server,
    overlapping_holds,
    run_annotators,
    stored_annotations,
)
from signkit.annotate.models import Clip
from signkit.annotate.sample import write_sample_lesson
from signkit.annotate.server import open_corpus

PASSWORD = "load-test-password"


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def run(db: str, tmp: Path, annotators: int, seconds: float, workers: int, clips: int) -> dict:
    corpus = open_corpus(db)
    media = tmp / "media"
    lesson = write_sample_lesson(tmp / "lessons" / "sample" / "load" / "lesson.mp4", seconds=2)
    import_videos(corpus, collect_sources([lesson]), media, clip_seconds=1.0)
    with corpus.sessions() as s:
        first = s.scalar(select(Clip.file).limit(1))
    add_clips(corpus, clips, first)
    names = [f"annotator{i:02d}" for i in range(annotators)]
    for name in names:
        corpus.create_user(name, PASSWORD)
    with live_server(db, media, workers=workers, log=tmp / "server.log") as (url, _):
        rec = run_annotators(url, names, PASSWORD, seconds)
    stored = stored_annotations(corpus)
    corpus.engine.dispose()
    return {
        "database": db.split(":")[0] if "://" in db else "sqlite",
        "annotators": annotators, "seconds": seconds, "server_workers": workers,
        "next_requests": len(rec.next_ms), "submissions_acknowledged": len(rec.acknowledged),
        "annotations_in_database": stored, "lost": len(rec.acknowledged) - stored,
        "clips_held_by_two_at_once": len(overlapping_holds(rec)),
        "clips_given_twice": len(rec.holds) - len({c for c, *_ in rec.holds}),
        "errors": len(rec.errors), "first_errors": rec.errors[:5],
        **{f"{what}_ms": {f"p{q}": round(percentile(values, q), 1) for q in (50, 95)}
           for what, values in (("next", rec.next_ms), ("submit", rec.submit_ms))},
        "submissions_per_s": round(len(rec.acknowledged) / seconds, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--annotators", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2, help="server processes")
    ap.add_argument("--clips", type=int, default=20000)
    ap.add_argument("--db", help="PostgreSQL server URL (a fresh database is made on it)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            name = f"signkit_load_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.db, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                result = run(args.db.rsplit("/", 1)[0] + "/" + name, Path(tmp), args.annotators, args.seconds,
                             args.workers, args.clips)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        else:
            result = run(str(Path(tmp) / "load.db"), Path(tmp), args.annotators, args.seconds, args.workers,
                         args.clips)
    result["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
    print(json.dumps(result, indent=1))
    if args.json:
        previous = json.loads(args.json.read_text()) if args.json.exists() else []
        key = (result["database"], result["server_workers"])
        previous = [r for r in previous if (r["database"], r["server_workers"]) != key]
        args.json.write_text(json.dumps([*previous, result], indent=1) + "\n")


if __name__ == "__main__":
    main()
