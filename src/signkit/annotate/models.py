"""Tables of the annotation database (SQLAlchemy 2 declarative). Alembic migrations create them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="annotator")  # annotator | admin
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    # The end of the user's latest credited work: no time before it is counted twice.
    credited_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class Video(Base):
    """A source video; ``digest`` (content hash) makes re-imports add nothing twice."""

    __tablename__ = "videos"
    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(128), default="")
    grade: Mapped[str] = mapped_column(String(64), default="")
    signer: Mapped[str] = mapped_column(String(128), default="")
    duration: Mapped[float] = mapped_column(Float)
    fps: Mapped[float] = mapped_column(Float)
    clips: Mapped[list[Clip]] = relationship(back_populates="video", order_by="Clip.index")


class Clip(Base):
    __tablename__ = "clips"
    __table_args__ = (UniqueConstraint("video_id", "index"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id"))
    index: Mapped[int] = mapped_column(Integer)
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    file: Mapped[str] = mapped_column(Text)  # relative to the media folder
    transcript: Mapped[str] = mapped_column(Text, default="")
    video: Mapped[Video] = relationship(back_populates="clips")


class Annotation(Base):
    """One annotator's glosses for one clip, or their skip (``skip_reason`` set, no glosses)."""

    __tablename__ = "annotations"
    __table_args__ = (UniqueConstraint("clip_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    glosses: Mapped[str] = mapped_column(Text, default="")
    skip_reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # The model's suggestion the annotator was shown, and what their first submission did with it:
    # kept (identical), edited (some glosses kept) or replaced (none kept). NULL: no suggestion.
    suggested: Mapped[str | None] = mapped_column(Text, nullable=True)
    suggestion_use: Mapped[str | None] = mapped_column(String(16), nullable=True)
    clip: Mapped[Clip] = relationship()
    user: Mapped[User] = relationship()
    revisions: Mapped[list[Revision]] = relationship(order_by="Revision.id", back_populates="annotation")


class Suggestion(Base):
    """A recognition model's gloss sequence for a clip (``signkit annotate suggest``), shown to the
    annotator pre-filled and marked as a suggestion."""

    __tablename__ = "suggestions"
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"), primary_key=True)
    glosses: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(Text)  # the run folder's name
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Revision(Base):
    """Every version an annotation had, the first included: edits keep history."""

    __tablename__ = "revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    annotation_id: Mapped[int] = mapped_column(ForeignKey("annotations.id"), index=True)
    glosses: Mapped[str] = mapped_column(Text)
    skip_reason: Mapped[str | None] = mapped_column(String(255), nullable=True)
    edited_at: Mapped[datetime] = mapped_column(DateTime)
    annotation: Mapped[Annotation] = relationship(back_populates="revisions")


class WorkSession(Base):
    """Time an annotator spent on one clip (annotating or editing), as the server saw it."""

    __tablename__ = "work_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"))
    kind: Mapped[str] = mapped_column(String(16))  # annotate | edit
    started_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    active_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)


class Hold(Base):
    """A clip given to one annotator. The primary key on ``clip_id`` is what makes two
    annotators never hold the same clip at once, whatever the number of server processes."""

    __tablename__ = "holds"
    clip_id: Mapped[int] = mapped_column(ForeignKey("clips.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    work_session_id: Mapped[int] = mapped_column(ForeignKey("work_sessions.id"))
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class LoginSession(Base):
    """A logged-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "login_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    user: Mapped[User] = relationship()


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, index=True)
    ok: Mapped[bool] = mapped_column(Boolean)


class Setting(Base):
    """Team settings an admin can change: annotations per clip, hourly rate, currency."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
