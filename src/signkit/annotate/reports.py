"""What the admin pages and ``signkit annotate export/stats`` show: progress, agreement, pay,
corpus statistics (as the KRSL-OnlineSchool paper's figures) and exports."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations, pairwise
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from signkit.annotate.models import Annotation, Clip, Hold, Suggestion, User, WorkSession
from signkit.annotate.services import Corpus

ANNOTATION_FIELDS = ("annotation_id", "clip_id", "clip", "source", "start", "end", "subject", "grade",
                     "signer", "annotator", "glosses", "skip_reason", "created_at", "updated_at")
MANIFEST_FIELDS = ("file", "video", "gloss", "signer", "subject", "grade", "start", "end")


def _annotations(corpus: Corpus) -> list[Annotation]:
    with corpus.sessions() as db:
        return list(db.scalars(select(Annotation).order_by(Annotation.id).options(
            selectinload(Annotation.user), selectinload(Annotation.clip).selectinload(Clip.video))))


# -- progress -------------------------------------------------------------------------------
@dataclass
class Tally:
    done: int = 0
    total: int = 0

    @property
    def left(self) -> int:
        return self.total - self.done

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 0.0


@dataclass
class AnnotatorRow:
    name: str
    active: bool
    clips: int = 0
    skipped: int = 0
    hours: float = 0.0

    @property
    def clips_per_hour(self) -> float | None:
        """None under a minute of work, where a rate means nothing."""
        return self.clips / self.hours if self.hours >= 1 / 60 else None


@dataclass
class Agreement:
    clips: int = 0  # clips with two or more annotations
    pairs: int = 0
    exact: float = 0.0  # share of pairs with identical gloss sequences
    token: float = 0.0  # mean 1 - normalised edit distance between the sequences


@dataclass
class Progress:
    wanted: int
    overall: Tally
    by_group: dict[tuple[str, str], Tally]
    annotators: list[AnnotatorRow]
    agreement: Agreement
    in_progress: int = 0


def agreement(sequences_per_clip: list[list[list[str]]]) -> Agreement:
    from rapidfuzz.distance import Levenshtein

    multi = [seqs for seqs in sequences_per_clip if len(seqs) >= 2]
    pairs = [(a, b) for seqs in multi for a, b in combinations(seqs, 2)]
    if not pairs:
        return Agreement(len(multi))
    exact = sum(a == b for a, b in pairs) / len(pairs)
    token = sum(1 - Levenshtein.normalized_distance(a, b) for a, b in pairs) / len(pairs)
    return Agreement(len(multi), len(pairs), exact, token)


def progress(corpus: Corpus) -> Progress:
    wanted = int(corpus.settings()["annotations_per_clip"])
    per_clip: dict[int, list[list[str]]] = defaultdict(list)
    users = corpus.users()
    rows = {u.id: AnnotatorRow(u.name, u.active) for u in users}
    for ann in _annotations(corpus):
        if ann.skip_reason is None:
            per_clip[ann.clip_id].append(ann.glosses.split())
            rows[ann.user_id].clips += 1
        else:
            rows[ann.user_id].skipped += 1
    with corpus.sessions() as db:
        for user_id, seconds in db.execute(select(WorkSession.user_id, WorkSession.active_seconds)):
            rows[user_id].hours += seconds / 3600
        in_progress = len(db.scalars(select(Hold.clip_id)).all())
    overall, by_group = Tally(), defaultdict(Tally)
    for clip in corpus.clips():
        done = len(per_clip.get(clip.id, ())) >= wanted
        for tally in (overall, by_group[(clip.video.subject, clip.video.grade)]):
            tally.total += 1
            tally.done += done
    admins = {u.id for u in users if u.role == "admin"}
    people = [r for uid, r in rows.items() if uid not in admins or r.clips or r.skipped or r.hours]
    return Progress(wanted, overall, dict(sorted(by_group.items())), people,
                    agreement(list(per_clip.values())), in_progress)


# -- model suggestions ------------------------------------------------------------------------
@dataclass
class SuggestionStats:
    clips: int = 0  # clips that have a suggestion
    submitted: int = 0  # submissions made with a suggestion shown
    use: dict[str, int] = field(default_factory=lambda: {"kept": 0, "edited": 0, "replaced": 0})
    wer: dict[str, float] = field(default_factory=dict)  # the suggestions against what was submitted


def suggestion_stats(corpus: Corpus) -> SuggestionStats:
    """How the annotators used the suggestions, and the suggestions' gloss error rate (WER with
    substitutions, deletions, insertions) taking the submitted glosses as the reference."""
    from signkit.reports.wer import wer_report

    with corpus.sessions() as db:
        clips = db.scalar(select(func.count()).select_from(Suggestion)) or 0
    stats = SuggestionStats(clips)
    used = [a for a in _annotations(corpus) if a.suggestion_use is not None]
    for a in used:
        stats.use[a.suggestion_use] = stats.use.get(a.suggestion_use, 0) + 1
    stats.submitted = len(used)
    if used:
        stats.wer = wer_report([a.glosses.split() for a in used], [(a.suggested or "").split() for a in used])
    return stats


# -- pay ------------------------------------------------------------------------------------
PAY_FIELDS = ("annotator", "period_start", "period_end", "hours", "hourly_rate", "currency", "amount")


def pay_report(corpus: Corpus, start: datetime, end: datetime) -> list[dict[str, str]]:
    """Hours of work that started in ``[start, end)`` per annotator, at the team's hourly rate."""
    team = corpus.settings()
    rate = float(team["hourly_rate"])
    hours: dict[int, float] = defaultdict(float)
    with corpus.sessions() as db:
        for user_id, seconds in db.execute(select(WorkSession.user_id, WorkSession.active_seconds).where(
                WorkSession.started_at >= start, WorkSession.started_at < end)):
            hours[user_id] += seconds / 3600
        users = db.scalars(select(User).order_by(User.name)).all()
    return [{"annotator": u.name, "period_start": start.date().isoformat(),
             "period_end": end.date().isoformat(), "hours": f"{hours[u.id]:.2f}",
             "hourly_rate": f"{rate:g}", "currency": team["currency"],
             "amount": f"{hours[u.id] * rate:.2f}"}
            for u in users if hours[u.id] > 0 or u.role == "annotator"]


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    """OWASP's rule against CSV injection: a text cell a spreadsheet would read as a formula
    (``=``, ``+``, ``-``, ``@``, tab, carriage return first) gets a leading ``'``, so it shows as
    text. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, object]], fields: tuple[str, ...], for_spreadsheets: bool = False) -> str:
    """``for_spreadsheets``: a CSV a person opens (annotations, pay), its cells neutralised with
    :func:`spreadsheet_safe`; without it the cells stay exact (the manifest that training reads)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()} if for_spreadsheets else row)
    return buf.getvalue()


# -- corpus statistics ----------------------------------------------------------------------
WORD_RE = re.compile(r"\w+(?:[-']\w+)*")


@dataclass
class TokenStats:
    """For glosses, or for transcript words."""

    per_clip: list[int] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    bigrams: Counter = field(default_factory=Counter)

    def add(self, tokens: list[str]) -> None:
        self.per_clip.append(len(tokens))
        self.counts.update(tokens)
        self.bigrams.update(pairwise(tokens))

    @property
    def vocabulary(self) -> int:
        return len(self.counts)

    @property
    def tokens(self) -> int:
        return sum(self.counts.values())

    def at_least(self, n: int) -> int:
        return sum(c >= n for c in self.counts.values())


def corpus_stats(corpus: Corpus) -> tuple[TokenStats, TokenStats]:
    """(glosses, transcript words). Each clip counts once: its first non-skipped annotation."""
    glosses, words = TokenStats(), TokenStats()
    seen: set[int] = set()
    for ann in _annotations(corpus):
        if ann.skip_reason is None and ann.clip_id not in seen:
            seen.add(ann.clip_id)
            glosses.add(ann.glosses.split())
    for clip in corpus.clips():
        if clip.transcript:
            words.add(WORD_RE.findall(clip.transcript.lower()))
    return glosses, words


PLOTS = ("per_clip", "top", "bigrams")


def plot(stats: TokenStats, kind: str, what: str = "glosses") -> bytes:
    """PNG of one figure: tokens per clip histogram, top 25 tokens, or top 20 bigrams."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4) if kind == "per_clip" else (7, 6), dpi=100)
    if kind == "per_clip":
        ax.hist(stats.per_clip or [0], bins=min(30, max(5, len(set(stats.per_clip)))), color="#3465a4")
        ax.set_xlabel(f"{what} per clip")
        ax.set_ylabel("clips")
        ax.set_title(f"{what.capitalize()} per clip ({len(stats.per_clip)} clips)")
    else:
        top = stats.counts.most_common(25) if kind == "top" else [
            (" ".join(k), v) for k, v in stats.bigrams.most_common(20)]
        labels, values = zip(*top, strict=True) if top else ((), ())
        ax.barh(range(len(values)), values, color="#4e9a06" if kind == "top" else "#ce5c00")
        ax.set_yticks(range(len(labels)), labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel("occurrences")
        ax.set_title(f"Top {len(labels)} {what}" if kind == "top" else f"Top {len(labels)} {what} bigrams")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


# -- exports --------------------------------------------------------------------------------
def annotation_rows(corpus: Corpus) -> list[dict[str, object]]:
    return [{"annotation_id": a.id, "clip_id": a.clip_id, "clip": a.clip.file, "source": a.clip.video.source,
             "start": round(a.clip.start, 3), "end": round(a.clip.end, 3), "subject": a.clip.video.subject,
             "grade": a.clip.video.grade, "signer": a.clip.video.signer, "annotator": a.user.name,
             "glosses": a.glosses, "skip_reason": a.skip_reason or "",
             "created_at": a.created_at.isoformat(timespec="seconds"),
             "updated_at": a.updated_at.isoformat(timespec="seconds")}
            for a in _annotations(corpus)]


def export_json(corpus: Corpus) -> str:
    return json.dumps(annotation_rows(corpus), ensure_ascii=False, indent=1)


def manifest_rows(corpus: Corpus, media_dir: Path | None = None,
                  out_dir: Path | None = None) -> list[dict[str, object]]:
    """One row per annotated clip (its first annotation), in the ``pose_dir`` dataset's columns:
    ``file`` is where ``signkit extract MEDIA/clips -o MEDIA/clips`` writes the clip's pose. Paths
    are relative to the media folder, or, given both folders, to ``out_dir`` where the manifest
    goes: it belongs outside the media folder, whose files every annotator may fetch."""
    def rel(name: str) -> str:
        if media_dir is None or out_dir is None:
            return name
        return os.path.relpath(Path(media_dir).resolve() / name, Path(out_dir).resolve())

    rows, seen = [], set()
    for a in _annotations(corpus):
        if a.skip_reason is None and a.clip_id not in seen:
            seen.add(a.clip_id)
            v = a.clip.video
            rows.append({"file": rel(str(Path(a.clip.file).with_suffix(".pose"))), "video": rel(a.clip.file),
                         "gloss": a.glosses, "signer": v.signer or "unknown", "subject": v.subject,
                         "grade": v.grade, "start": round(a.clip.start, 3), "end": round(a.clip.end, 3)})
    return rows


def write_eaf(corpus: Corpus, out_dir: Path, media_dir: Path | None = None) -> list[Path]:
    """One ELAN ``.eaf`` per annotated clip: a gloss tier per annotator spanning the clip."""
    from pympi.Elan import Eaf

    by_clip: dict[int, list[Annotation]] = defaultdict(list)
    for a in _annotations(corpus):
        if a.skip_reason is None:
            by_clip[a.clip_id].append(a)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for anns in by_clip.values():
        clip = anns[0].clip
        eaf = Eaf(author="signkit annotate")
        media = (media_dir / clip.file).resolve() if media_dir else Path(clip.file)
        eaf.add_linked_file(str(media), relpath=clip.file, mimetype="video/mp4")
        duration_ms = max(1, round((clip.end - clip.start) * 1000))
        for a in anns:
            tier = f"gloss-{a.user.name}"
            eaf.add_tier(tier)
            eaf.add_annotation(tier, 0, duration_ms, a.glosses)
        if clip.transcript:
            eaf.add_tier("transcript")
            eaf.add_annotation("transcript", 0, duration_ms, clip.transcript)
        eaf.remove_tier("default")
        path = out_dir / (clip.file.replace("/", "__").removesuffix(".mp4") + ".eaf")
        eaf.to_file(str(path))
        written.append(path)
    return written
