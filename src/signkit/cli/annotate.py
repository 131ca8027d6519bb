"""``signkit annotate ...``: import videos, manage users, serve the web tool, export, statistics."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import TextColumn

from signkit.cli.console import console, progress_bar
from signkit.errors import SignkitError
from signkit.extras import require

app = typer.Typer(help="Gloss annotation web tool for continuous signing corpora.", no_args_is_help=True,
                  rich_markup_mode="markdown")

Db = Annotated[str, typer.Option("--db", help="SQLite file or database URL "
                                               "(postgresql+psycopg://user:pass@host/db)")]
Media = Annotated[Path, typer.Option("--media", help="Folder of the clips")]
DEFAULT_DB = "annotate.db"
DEFAULT_MEDIA = Path("media")


def _corpus(db: str, **kwargs):
    require("fastapi", "annotate")
    from signkit.annotate.server import open_corpus

    return open_corpus(db, **kwargs)


@app.command("import")
def import_(
    videos: Annotated[list[Path], typer.Argument(help="Lesson videos or folders (SUBJECT/GRADE/video.mp4)")],
    db: Db = DEFAULT_DB,
    media: Media = DEFAULT_MEDIA,
    clip_seconds: Annotated[float, typer.Option(min=0.5, help="Clip length in seconds")] = 30.0,
    metadata: Annotated[Path | None, typer.Option(help="CSV: video, subject, grade, signer")] = None,
    max_height: Annotated[int, typer.Option(min=64, help="Scale taller videos down to this height")] = 720,
) -> None:
    """Cut videos into clips (H.264 mp4) and add them; transcripts beside them (.srt/.vtt) are cut too.
    Videos imported before are skipped."""
    from signkit.annotate.importer import collect_sources, import_videos

    corpus = _corpus(db)
    sources = collect_sources(videos, metadata)
    progress = progress_bar("videos", TextColumn("{task.fields[frames]} frames"))
    task = progress.add_task("import", total=len(sources), frames=0)
    with progress:
        result = import_videos(
            corpus, sources, media, clip_seconds, max_height,
            on_frame=lambda n: progress.update(task, frames=progress.tasks[0].fields["frames"] + n),
            on_video=lambda _s: progress.advance(task))
    clips = sum(n for _, n in result.added)
    console.print(f"added {len(result.added)} videos ({clips} clips), {len(result.skipped)} imported before, "
                  f"{len(result.failed)} failed; database {escape(db)}, "
                  f"clips in {escape(str(media / 'clips'))}")
    for path, why in result.failed:
        console.print(f"  [red]failed[/] {escape(str(path))}: {escape(why)}")
    if result.failed:
        raise typer.Exit(1)


@app.command()
def suggest(
    run: Annotated[Path, typer.Option("--run", help="A continuous (task: ctc) run folder")],
    db: Db = DEFAULT_DB,
    media: Media = DEFAULT_MEDIA,
    beam: Annotated[int | None, typer.Option(help="Beam width (default: the run's recipe)")] = None,
) -> None:
    """Store a recognition model's gloss sequence for every clip whose pose exists (MEDIA/clips/X.pose,
    where 'signkit extract MEDIA/clips -o MEDIA/clips' writes it); annotators see it pre-filled."""
    require("torch", "train")
    from signkit.inference import load_model
    from signkit.pose.io import read_pose
    from signkit.training.tasks.ctc import decode, decoder_for

    model = load_model(run)
    if model.task != "ctc":
        raise SignkitError(f"{run}: a {model.task} run; suggestions need a continuous (task: ctc) run")
    decoder = decoder_for(model, beam_width=beam)
    corpus = _corpus(db)
    clips = [(c.id, media / Path(c.file).with_suffix(".pose")) for c in corpus.clips()]
    posed = [(cid, path) for cid, path in clips if path.is_file()]
    found: dict[int, str] = {}
    progress = progress_bar("clips")
    with progress:
        task = progress.add_task("suggest", total=len(posed))
        for clip_id, path in posed:
            pose = read_pose(path)
            found[clip_id] = " ".join(s.gloss for s in decode(model, model.prepare([pose]), decoder)[0])
            progress.advance(task)
    corpus.suggest(found, run.resolve().name)
    console.print(f"stored suggestions for {len(found)} clips; {len(clips) - len(posed)} clips have no pose "
                  f"yet (signkit extract {media / 'clips'} -o {media / 'clips'})")


@app.command("add-user")
def add_user(
    name: Annotated[str, typer.Argument(help="User name")],
    db: Db = DEFAULT_DB,
    role: Annotated[str, typer.Option(help="annotator or admin")] = "annotator",
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input")] = False,
) -> None:
    """Create a user; the password is asked (never given as an argument)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    user = _corpus(db).create_user(name, password, role)
    console.print(f"user {escape(user.name)} ({user.role}) created")


@app.command()
def serve(
    db: Db = DEFAULT_DB,
    media: Media = DEFAULT_MEDIA,
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes")] = 1,
    hold_minutes: Annotated[float, typer.Option(help="Release a held clip after this idle time")] = 15.0,
    idle_cap: Annotated[float, typer.Option(
        help="Longest gap (s) between signs of life counted as work")] = 120.0,
    secure_cookies: Annotated[bool, typer.Option(help="Mark cookies Secure (serving over HTTPS)")] = False,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        help="Behind a reverse proxy: its address(es), comma-separated. Only requests from them may "
             "name the client's address in X-Forwarded-For (which login limits count by); without "
             "it the header is ignored")] = None,
) -> None:
    """Run the annotation web tool."""
    import uvicorn

    from signkit.annotate.server import config_env
    from signkit.annotate.services import ServerConfig

    if not media.is_dir():
        raise SignkitError(f"{media}: no such media folder (run `signkit annotate import` first)")
    _corpus(db)  # migrate once, here, before the workers start
    os.environ.update(config_env(db, media, secure_cookies, ServerConfig(hold_minutes, idle_cap)))
    console.print(f"serving on http://{host}:{port} (database {escape(db)}, media {escape(str(media))})")
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: any local client could then pick
    # the address its failed logins are counted under.
    uvicorn.run("signkit.annotate.server:app_from_env", factory=True, host=host, port=port,
                workers=workers, log_level="warning", proxy_headers=bool(forwarded_allow_ips),
                forwarded_allow_ips=forwarded_allow_ips or "", limit_concurrency=1000)


@app.command()
def export(
    out: Annotated[Path, typer.Option("-o", "--out",
                                      help="Output file (csv, json, manifest) or folder (eaf)")],
    db: Db = DEFAULT_DB,
    media: Media = DEFAULT_MEDIA,
    format: Annotated[str, typer.Option(help="csv, json, eaf or manifest")] = "csv",
) -> None:
    """Annotations as CSV or JSON, an ELAN .eaf per clip, or a dataset manifest for training."""
    from signkit.annotate import reports

    corpus = _corpus(db)
    if format == "eaf":
        written = reports.write_eaf(corpus, out, media)
        console.print(f"wrote {len(written)} .eaf files to {escape(str(out))}")
        return
    # csv is for people (formula-like cells neutralised); json and manifest stay exact for programs.
    texts = {"csv": lambda: reports.to_csv(reports.annotation_rows(corpus), reports.ANNOTATION_FIELDS,
                                           for_spreadsheets=True),
             "json": lambda: reports.export_json(corpus),
             "manifest": lambda: reports.to_csv(reports.manifest_rows(corpus, media, out.parent),
                                                reports.MANIFEST_FIELDS)}
    if format not in texts:
        raise SignkitError(f"--format {format!r}: choose csv, json, eaf or manifest")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(texts[format](), encoding="utf-8")
    console.print(f"wrote {escape(str(out))}")


@app.command()
def stats(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for the PNG figures")],
    db: Db = DEFAULT_DB,
    min_count: Annotated[int, typer.Option(help="Also count glosses occurring at least this often")] = 5,
) -> None:
    """Corpus statistics: glosses per clip, top glosses and bigrams, vocabulary; transcript words too."""
    from signkit.annotate import reports

    glosses, words = reports.corpus_stats(_corpus(db))
    out.mkdir(parents=True, exist_ok=True)
    for what, s in (("glosses", glosses), ("words", words)):
        if not s.per_clip:
            continue
        console.print(f"{what}: {len(s.per_clip)} clips, {s.tokens} tokens, vocabulary {s.vocabulary}, "
                      + ", ".join(f">= {n}: {s.at_least(n)}" for n in sorted({1, 2, 5, 10, min_count})))
        for kind in reports.PLOTS:
            (out / f"{what}_{kind}.png").write_bytes(reports.plot(s, kind, what))
    console.print(f"figures in {escape(str(out))}")
