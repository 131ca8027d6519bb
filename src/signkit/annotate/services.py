"""Every rule of the tool, over one database: users and logins, clip assignment, submission,
skips, edits with history, and server-side time tracking. The web layer only calls these."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from signkit.annotate import security
from signkit.annotate.db import session_factory
from signkit.annotate.models import (
    Annotation,
    Clip,
    Hold,
    LoginAttempt,
    LoginSession,
    Revision,
    Setting,
    Suggestion,
    User,
    WorkSession,
)
from signkit.errors import SignkitError

ROLES = ("annotator", "admin")
SKIP_REASONS = {"no_signer": "no signer visible", "bad_video": "bad video", "other": "other"}
TEAM_DEFAULTS = {"annotations_per_clip": "1", "hourly_rate": "8", "currency": "USD",
                 "vocabulary_min_annotators": "2"}


class NotFound(SignkitError):
    pass


class Forbidden(SignkitError):
    pass


class Conflict(SignkitError):
    pass


class RateLimited(SignkitError):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"too many failed logins; try again in {retry_after} s")


@dataclass
class ServerConfig:
    """Server-side rules (the team's own settings live in the database, see ``TEAM_DEFAULTS``)."""

    hold_minutes: float = 15.0  # a held clip is released after this long without a sign of life
    idle_cap_seconds: float = 120.0  # longest gap between two signs of life counted as work
    session_hours: float = 12.0
    login_window_minutes: float = 15.0
    # Failures of one name from one address before each further try waits, the wait doubling
    # from login_delay_seconds up to the window. Per (name, address): nobody can lock a name
    # for everyone else by knowing it.
    login_failures_per_name: int = 5
    login_delay_seconds: float = 30.0
    login_failures_per_address: int = 20


class _TakenMeanwhile(Exception):
    """Rolls back a hold on a clip that was annotated while we were taking it."""


def _clip(db: Session, clip_id: int) -> Clip:
    return db.scalar(select(Clip).where(Clip.id == clip_id).options(selectinload(Clip.video)))


def suggestion_use(suggested: str | None, submitted: str) -> str | None:
    """What a submission did with the suggestion it was shown: ``kept`` it as it was, ``edited`` it
    (some of its glosses are still there) or ``replaced`` it (none is)."""
    if suggested is None:
        return None
    if suggested.split() == submitted.split():
        return "kept"
    return "edited" if set(suggested.split()) & set(submitted.split()) else "replaced"


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class Assignment:
    clip: Clip
    work_session: WorkSession


class Corpus:
    """The annotation database. Each method is one transaction, committed before it returns."""

    def __init__(self, engine: Engine, config: ServerConfig | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.engine = engine
        self.config = config or ServerConfig()
        self.clock = clock
        self.sessions = session_factory(engine)
        self.writes = session_factory(engine, writes=True)
        # SQLite allows one writer; its busy handler makes waiting threads sleep in growing steps
        # (the long tail of the load test). Threads of one process queue on a lock instead.
        self._write_lock = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._write_lock, self.writes.begin() as db:
            yield db

    # -- team settings --------------------------------------------------------------------
    def settings(self) -> dict[str, str]:
        with self.sessions() as db:
            stored = dict(db.execute(select(Setting.key, Setting.value)).all())
        return {**TEAM_DEFAULTS, **stored}

    def set_setting(self, key: str, value: str) -> None:
        if key not in TEAM_DEFAULTS:
            raise security.InvalidInput(f"unknown setting {key!r}")
        value = str(value).strip()
        whole = value.isascii() and value.isdigit()  # "²".isdigit() is True, int("²") fails
        if key == "annotations_per_clip" and not (whole and 1 <= int(value) <= 10):
            raise security.InvalidInput("annotations per clip is a whole number from 1 to 10")
        if key == "vocabulary_min_annotators" and not (whole and 1 <= int(value) <= 1000):
            raise security.InvalidInput("the shared vocabulary's annotator count is 1 to 1000")
        if key == "hourly_rate":
            try:
                ok = 0 <= float(value) < 1e6
            except ValueError:
                ok = False
            if not ok:
                raise security.InvalidInput("the hourly rate is a number >= 0")
        if key == "currency" and not (value.isalpha() and 1 <= len(value) <= 8):
            raise security.InvalidInput("the currency is a code of letters, e.g. USD")
        with self._write() as db:
            db.merge(Setting(key=key, value=value))

    # -- users ----------------------------------------------------------------------------
    def create_user(self, name: str, password: str, role: str = "annotator") -> User:
        security.check_name(name)
        if role not in ROLES:
            raise security.InvalidInput(f"role is one of {', '.join(ROLES)}")
        user = User(name=name, password_hash=security.hash_password(password), role=role,
                    active=True, created_at=self.clock())
        try:
            with self._write() as db:
                db.add(user)
        except IntegrityError:
            raise Conflict(f"user {name!r} exists already") from None
        return user

    def users(self) -> list[User]:
        with self.sessions() as db:
            return list(db.scalars(select(User).order_by(User.name)))

    @staticmethod
    def _user(db: Session, user_id: int) -> User:
        user = db.get(User, user_id)
        if user is None:
            raise NotFound(f"no user #{user_id}")
        return user

    def set_active(self, user_id: int, active: bool) -> None:
        with self._write() as db:
            self._user(db, user_id).active = active
            if not active:  # log them out everywhere and give their clip back
                db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))
                self._release(db, Hold.user_id == user_id, "released")

    def reset_password(self, user_id: int, password: str) -> None:
        with self._write() as db:
            self._user(db, user_id).password_hash = security.hash_password(password)
            db.execute(delete(LoginSession).where(LoginSession.user_id == user_id))

    # -- logins ---------------------------------------------------------------------------
    def login(self, name: str, password: str, address: str) -> tuple[User | None, str]:
        """Check the password, rate-limited per (name, address) with growing delays and per
        address; a new session token. Attempts older than the window are purged here."""
        cfg, now = self.config, self.clock()
        window = timedelta(minutes=cfg.login_window_minutes)
        name, address = (name or "")[:64], (address or "unknown")[:64]
        with self._write() as db:
            db.execute(delete(LoginAttempt).where(LoginAttempt.at < now - window))
            failed = (select(func.count(), func.max(LoginAttempt.at)).select_from(LoginAttempt)
                      .where(LoginAttempt.ok.is_(False)))
            by_pair, last = db.execute(failed.where(LoginAttempt.name == name,
                                                    LoginAttempt.address == address)).one()
            by_address = db.execute(failed.where(LoginAttempt.address == address)).one()[0]
            if by_address >= cfg.login_failures_per_address:
                raise RateLimited(int(window.total_seconds()))
            extra = by_pair - cfg.login_failures_per_name
            if extra >= 0:
                delay = min(cfg.login_delay_seconds * 2 ** min(extra, 30), window.total_seconds())
                wait = (last + timedelta(seconds=delay) - now).total_seconds()
                if wait > 0:
                    raise RateLimited(max(1, int(wait + 0.999)))
            user = db.scalar(select(User).where(User.name == name))
            ok = security.verify_password(user.password_hash if user else None, password or "")
            ok = ok and user is not None and user.active
            db.add(LoginAttempt(name=name, address=address, at=now, ok=ok))
            if not ok:
                return None, ""
            db.execute(delete(LoginAttempt).where(LoginAttempt.name == name, LoginAttempt.address == address,
                                                  LoginAttempt.ok.is_(False)))
            token = security.new_token()
            db.add(LoginSession(token_hash=security.token_hash(token), user_id=user.id, created_at=now,
                                expires_at=now + timedelta(hours=cfg.session_hours)))
        return user, token

    def user_for_token(self, token: str | None) -> User | None:
        if not token:
            return None
        with self.sessions() as db:
            row = db.get(LoginSession, security.token_hash(token))
            if row is None or row.expires_at < self.clock() or not row.user.active:
                return None
            return row.user

    def logout(self, token: str | None) -> None:
        if token:
            with self._write() as db:
                db.execute(delete(LoginSession).where(LoginSession.token_hash == security.token_hash(token)))

    # -- assignment -----------------------------------------------------------------------
    def _tick(self, db: Session, ws: WorkSession, now: datetime) -> None:
        """Count the time since the last sign of life, capped: a long gap is idle, not work.
        Time already credited to another of the user's sessions (two tabs, forty tabs) is not
        credited again: a user's hours are the union of their sessions' active intervals."""
        user = db.get(User, ws.user_id, with_for_update=True)
        since = max(ws.last_seen_at, user.credited_until or ws.last_seen_at)
        gap = max(0.0, (now - since).total_seconds())
        ws.active_seconds += min(gap, self.config.idle_cap_seconds)
        ws.last_seen_at = now
        user.credited_until = max(now, user.credited_until or now)

    def _release(self, db: Session, where, outcome: str) -> None:
        for hold in db.scalars(select(Hold).where(where)):
            ws = db.get(WorkSession, hold.work_session_id)
            if ws is not None and ws.ended_at is None:
                ws.ended_at, ws.outcome = ws.last_seen_at, outcome
            db.delete(hold)
        db.flush()

    def next_clip(self, user: User) -> Assignment | None:
        """The clip this annotator holds, or a random clip that needs annotation, that they have
        not done, and that nobody holds. ``None`` when there is none left."""
        now = self.clock()
        hold_for = timedelta(minutes=self.config.hold_minutes)
        wanted = int(self.settings()["annotations_per_clip"])
        with self._write() as db:
            self._release(db, Hold.expires_at < now, "expired")
            held = db.scalar(select(Hold).where(Hold.user_id == user.id))
            if held is not None:
                ws = db.get(WorkSession, held.work_session_id)
                self._tick(db, ws, now)
                held.expires_at = now + hold_for
                return Assignment(_clip(db, held.clip_id), ws)
            done = (select(Annotation.clip_id).where(Annotation.skip_reason.is_(None))
                    .group_by(Annotation.clip_id).having(func.count() >= wanted))
            mine = select(Annotation.clip_id).where(Annotation.user_id == user.id)
            candidates = db.scalars(
                select(Clip.id).where(Clip.id.not_in(done), Clip.id.not_in(mine),
                                      Clip.id.not_in(select(Hold.clip_id)))
                .order_by(func.random()).limit(16)).all()
            for clip_id in candidates:
                try:
                    with db.begin_nested():
                        ws = WorkSession(user_id=user.id, clip_id=clip_id, kind="annotate",
                                         started_at=now, last_seen_at=now, active_seconds=0.0)
                        db.add(ws)
                        db.flush()
                        db.add(Hold(clip_id=clip_id, user_id=user.id, work_session_id=ws.id,
                                    expires_at=now + hold_for))
                        db.flush()
                        # Between the candidate query and our hold, another annotator may have
                        # taken this clip and submitted it (PostgreSQL's READ COMMITTED lets
                        # that happen): with our hold in place, look again.
                        if db.scalar(select(Clip.id).where(Clip.id == clip_id, Clip.id.in_(done))):
                            raise _TakenMeanwhile
                except (IntegrityError, _TakenMeanwhile):  # another annotator took it a moment ago
                    continue
                return Assignment(_clip(db, clip_id), ws)
        return None

    def _own_session(self, db: Session, user: User, ws_id: int, kind: str) -> WorkSession:
        ws = db.get(WorkSession, ws_id, with_for_update=True)
        if ws is None or ws.user_id != user.id or ws.kind != kind:
            raise NotFound(f"no {kind} session #{ws_id} of yours")
        if ws.ended_at is not None:
            raise Conflict(f"{kind} session #{ws_id} is closed already")
        return ws

    def heartbeat(self, user: User, ws_id: int) -> float:
        """A sign of life from the page (playing, typing). Keeps the hold; returns active seconds."""
        now = self.clock()
        with self._write() as db:
            ws = db.get(WorkSession, ws_id)
            if ws is None or ws.user_id != user.id:
                raise NotFound(f"no session #{ws_id} of yours")
            if ws.ended_at is None:
                self._tick(db, ws, now)
                hold = db.get(Hold, ws.clip_id)
                if hold is not None and hold.user_id == user.id:
                    hold.expires_at = now + timedelta(minutes=self.config.hold_minutes)
            return ws.active_seconds

    def _finish(self, db: Session, user: User, ws: WorkSession, outcome: str, now: datetime) -> None:
        self._tick(db, ws, now)
        ws.ended_at, ws.outcome = now, outcome
        db.execute(delete(Hold).where(Hold.clip_id == ws.clip_id, Hold.user_id == user.id))

    def submit(self, user: User, ws_id: int, glosses: str) -> Annotation:
        """Store the glosses; committed before this returns. Work is kept even if the hold had
        expired meanwhile (the clip may then get one annotation more than wanted)."""
        return self._close(user, ws_id, security.normalize_glosses(glosses), None)

    def skip(self, user: User, ws_id: int, reason: str, note: str = "") -> Annotation:
        if reason not in SKIP_REASONS:
            raise security.InvalidInput(f"reason is one of {', '.join(SKIP_REASONS)}")
        note = " ".join(security.check_text(str(note or ""), "the note").split())[:200]
        return self._close(user, ws_id, "", SKIP_REASONS[reason] + (f": {note}" if note else ""))

    def _close(self, user: User, ws_id: int, glosses: str, skip_reason: str | None) -> Annotation:
        now = self.clock()
        try:
            with self._write() as db:
                ws = self._own_session(db, user, ws_id, "annotate")
                self._finish(db, user, ws, "skipped" if skip_reason else "submitted", now)
                shown = db.get(Suggestion, ws.clip_id)
                suggested = shown.glosses if shown is not None else None
                ann = Annotation(clip_id=ws.clip_id, user_id=user.id, glosses=glosses,
                                 skip_reason=skip_reason, created_at=now, updated_at=now,
                                 suggested=suggested,
                                 suggestion_use=(None if skip_reason
                                                 else suggestion_use(suggested, glosses)))
                db.add(ann)
                db.flush()
                db.add(Revision(annotation_id=ann.id, glosses=glosses, skip_reason=skip_reason,
                                edited_at=now))
        except IntegrityError:
            raise Conflict("you have annotated this clip already; edit it in My annotations") from None
        return ann

    # -- model suggestions ----------------------------------------------------------------
    def clips(self) -> list[Clip]:
        """Every clip, with its video, in import order."""
        with self.sessions() as db:
            return list(db.scalars(select(Clip).order_by(Clip.id).options(selectinload(Clip.video))))

    def suggest(self, glosses_by_clip: dict[int, str], model: str) -> int:
        """Store (or replace) a model's gloss sequence for each clip; returns how many."""
        now = self.clock()
        with self._write() as db:
            for clip_id, glosses in glosses_by_clip.items():
                text = security.normalize_glosses(glosses, required=False)
                db.merge(Suggestion(clip_id=clip_id, glosses=text, model=model, created_at=now))
        return len(glosses_by_clip)

    def suggestion(self, clip_id: int) -> Suggestion | None:
        with self.sessions() as db:
            return db.get(Suggestion, clip_id)

    # -- own annotations ------------------------------------------------------------------
    def my_annotations(self, user: User, query: str = "") -> list[Annotation]:
        with self.sessions() as db:
            stmt = (select(Annotation).where(Annotation.user_id == user.id)
                    .options(selectinload(Annotation.clip).selectinload(Clip.video))
                    .order_by(Annotation.updated_at.desc(), Annotation.id.desc()))
            if query.strip():
                like = f"%{query.strip()}%"
                stmt = stmt.join(Clip).where(or_(Annotation.glosses.ilike(like),
                                                 Clip.file.ilike(like), Clip.transcript.ilike(like)))
            return list(db.scalars(stmt))

    def annotation(self, user: User, annotation_id: int) -> Annotation:
        """One of the user's own annotations, with its clip and history; others' are not found."""
        with self.sessions() as db:
            ann = db.scalar(select(Annotation).where(Annotation.id == annotation_id)
                            .options(selectinload(Annotation.revisions),
                                     selectinload(Annotation.clip).selectinload(Clip.video)))
        if ann is None or ann.user_id != user.id:
            raise NotFound(f"no annotation #{annotation_id} of yours")
        return ann

    def start_edit(self, user: User, annotation_id: int) -> WorkSession:
        """The work session timing an edit of one's own annotation: the open one of that clip if
        there is one (a reloaded page), else a new one."""
        ann = self.annotation(user, annotation_id)
        now = self.clock()
        with self._write() as db:
            ws = db.scalar(select(WorkSession).where(
                WorkSession.user_id == user.id, WorkSession.clip_id == ann.clip_id,
                WorkSession.kind == "edit", WorkSession.ended_at.is_(None)).limit(1))
            if ws is None:
                ws = WorkSession(user_id=user.id, clip_id=ann.clip_id, kind="edit", started_at=now,
                                 last_seen_at=now, active_seconds=0.0)
                db.add(ws)
        return ws

    def edit(self, user: User, annotation_id: int, glosses: str, ws_id: int | None = None) -> Annotation:
        """New glosses for one's own annotation (a skipped clip becomes annotated); the old
        version stays in the history."""
        glosses = security.normalize_glosses(glosses)
        now = self.clock()
        with self._write() as db:
            ann = db.get(Annotation, annotation_id, with_for_update=True)
            if ann is None or ann.user_id != user.id:
                raise NotFound(f"no annotation #{annotation_id} of yours")
            if ws_id is not None:
                ws = self._own_session(db, user, ws_id, "edit")
                if ws.clip_id != ann.clip_id:
                    raise Conflict("that edit session belongs to another clip")
                self._finish(db, user, ws, "edited", now)
            if (ann.glosses, ann.skip_reason) != (glosses, None):
                ann.glosses, ann.skip_reason, ann.updated_at = glosses, None, now
                db.add(Revision(annotation_id=ann.id, glosses=glosses, skip_reason=None, edited_at=now))
        return self.annotation(user, annotation_id)

    def hours(self, user: User) -> float:
        with self.sessions() as db:
            seconds = db.scalar(select(func.coalesce(func.sum(WorkSession.active_seconds), 0.0))
                                .where(WorkSession.user_id == user.id))
        return float(seconds) / 3600

    def _gloss_use(self) -> list[tuple[str, int, set[int]]]:
        """Each gloss with its count and the annotators who typed it, most frequent first."""
        from collections import Counter, defaultdict

        counts: Counter[str] = Counter()
        who: dict[str, set[int]] = defaultdict(set)
        with self.sessions() as db:
            for user_id, text in db.execute(select(Annotation.user_id, Annotation.glosses)
                                            .where(Annotation.skip_reason.is_(None))):
                for g in text.split():
                    counts[g] += 1
                    who[g].add(user_id)
        return [(g, n, who[g]) for g, n in counts.most_common()]

    def completion_vocabulary(self, user: User) -> list[str]:
        """What completion offers ``user``: their own glosses and those typed by at least
        ``vocabulary_min_annotators`` annotators. One other person's glosses alone are never
        shown: the second annotator of a clip must not read the first one's answer."""
        shared = int(self.settings()["vocabulary_min_annotators"])
        return [g for g, _, who in self._gloss_use() if user.id in who or len(who) >= shared]
